import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { TrialSpec } from '../../src/config/trial-spec.js';
import { selectBackend } from '../../src/engine/backends.js';
import type { MetricPoint } from '../../src/store/types.js';
import { clipScale } from '../../src/train/adamw.js';
import { clipScaleOnDevice, optimizerPlacement } from '../../src/train/device-adamw.js';
import type { TrainState } from '../../src/train/state.js';
import { TrialFailure, TrialInterrupted, trainTrial } from '../../src/train/trainer.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

/**
 * The optimizer on the device (DeviceAdamW, the webgpu default) computes what the host path computes. Here its
 * tfjs-ops form runs on the cpu backend; the webgpu programs are checked against wasm by test/e2e/webgpu.test.ts.
 */

const sparseSpec = (pruner: string): TrialSpec => {
  const plan = planOf(
    tinySyntheticConfig().replace('pruner: {name: gmp, schedule: {interval: 2}}', `pruner: ${pruner}`),
  );
  return { ...plan.trials.find((t) => t.spec.sparsity === 0.5)!.spec, backend: 'cpu' };
};

async function run(
  spec: TrialSpec,
  optimizerOn: 'host' | 'device',
  opts: { stopAfter?: number; resume?: TrainState } = {},
) {
  const points: MetricPoint[] = [];
  const saved: TrainState[] = [];
  let polls = 0;
  try {
    const out = await trainTrial(spec, {
      optimizerOn,
      onMetrics: (p) => points.push(...p),
      shouldStop: () => opts.stopAfter !== undefined && ++polls > opts.stopAfter,
      resume: opts.resume,
      checkpoint: { everySteps: 0, everySeconds: 0, save: (s) => saved.push(structuredClone(s)) },
    });
    points.push(...out.lastPoints);
    return { train: points.filter((p) => p.name === 'train_loss').map((p) => p.value), saved, out };
  } catch (e) {
    if (!(e instanceof TrialInterrupted)) throw e;
    return { train: points.filter((p) => p.name === 'train_loss').map((p) => p.value), saved, out: null };
  }
}

describe('the optimizer on the device', () => {
  for (const [name, pruner] of [
    ['gmp (masks from magnitudes every 2 steps)', '{name: gmp, schedule: {interval: 2}}'],
    ['rigl (grows by gradient, regrown moments reset)', '{name: rigl, schedule: {interval: 4}}'],
  ] as const) {
    it(`trains as the host path does: ${name}`, async () => {
      const spec = sparseSpec(pruner);
      const host = await run(spec, 'host');
      const device = await run(spec, 'device');
      expect(device.train.length).toBe(spec.steps);
      for (const [i, l] of host.train.entries()) expect(Math.abs(device.train[i] - l) / l).toBeLessThan(1e-5);
      const [a, b] = [host.out!, device.out!];
      expect(b.result.achievedSparsity).toBe(0.5);
      expect(b.result.nonzeroParams).toBe(a.result.nonzeroParams);
      expect(Math.abs(b.result.finalValLoss - a.result.finalValLoss)).toBeLessThan(1e-5);
      // the same weights, and exact zeros where the masks are
      for (const [i, p] of a.weights.params.entries()) {
        const q = b.weights.params[i].data;
        let worst = 0;
        for (let j = 0; j < p.data.length; j++) worst = Math.max(worst, Math.abs(p.data[j] - q[j]));
        expect(worst, p.name).toBeLessThan(1e-4);
        const mask = b.weights.masks.get(p.name);
        if (mask) for (let j = 0; j < q.length; j++) if (!mask[j]) expect(q[j]).toBe(0);
      }
    });
  }

  it('checkpoints what it holds: a resumed trial continues with the same losses', async () => {
    const spec = sparseSpec('{name: gmp, schedule: {interval: 2}}');
    const whole = await run(spec, 'device');
    const first = await run(spec, 'device', { stopAfter: 11 });
    expect(first.out).toBeNull();
    const state = first.saved.at(-1)!;
    expect(state.step).toBe(11);
    expect(state.adam.step).toBe(11);
    // the moments came back from the device: not the zeros they started as
    expect(
      state.adam.slots
        .values()
        .next()
        .value!.v.some((x) => x > 0),
    ).toBe(true);
    const second = await run(spec, 'device', { resume: state });
    expect([...first.train, ...second.train]).toEqual(whole.train);
    expect(second.out!.result.finalValLoss).toBe(whole.out!.result.finalValLoss);
  });

  it('leaves no tensor behind when a trial ends', async () => {
    const spec = sparseSpec('{name: gmp, schedule: {interval: 2}}');
    await run(spec, 'device'); // backend selected, kernels warmed
    const before = tf.memory();
    await run(spec, 'device');
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });

  it('fails a diverging trial at the step whose loss diverged, leaving no tensor behind', async () => {
    // most steps read their loss only after the next step is queued: the failure must still name its own step
    const spec = sparseSpec('{name: gmp, schedule: {interval: 4}}');
    const wild = { ...spec, optimizer: { ...spec.optimizer, lr: 1e4 }, grad_clip: null };
    const host = await run(wild, 'host').catch((e: unknown) => e);
    await run(spec, 'device'); // warmed, as above
    const before = tf.memory();
    const device = await run(wild, 'device').catch((e: unknown) => e);
    expect(host).toBeInstanceOf(TrialFailure);
    expect(device).toBeInstanceOf(TrialFailure);
    expect((device as TrialFailure).step).toBe((host as TrialFailure).step);
    // (the losses themselves differ in their float digits: the host path updates in double)
    // (diverged for 10 steps in a row, or gone to NaN first)
    expect((device as TrialFailure).message).toMatch(
      /^(diverged: training loss .* at step \d+ is above|training loss is NaN at step \d+$)/,
    );
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });

  it('is the default on webgpu only, and never where the masks are applied on the host', () => {
    const hard = { application: { soft: false, prunedDecay: 0, prunedScale: () => 0 } };
    const soft = { application: { soft: true, prunedDecay: 0, prunedScale: () => 0 } };
    const srste = { application: { soft: true, prunedDecay: 2e-4, prunedScale: () => 0 } };
    expect(optimizerPlacement('webgpu', hard)).toBe('device');
    expect(optimizerPlacement('wasm', hard)).toBe('host');
    expect(optimizerPlacement('webgpu', soft)).toBe('host');
    expect(optimizerPlacement('webgpu', srste)).toBe('host');
    expect(optimizerPlacement('wasm', hard, 'device')).toBe('device');
    expect(() => optimizerPlacement('wasm', soft, 'device')).toThrow(/soft masks/);
  });

  it('clips to the global norm as the host does', async () => {
    await selectBackend('cpu');
    // ‖(3, 4, 0, 12)‖ = 13
    const grads = [new Float32Array([3, 4]), new Float32Array([0, 12])];
    // the second masked at its 12: ‖(3, 4, 0)‖ = 5
    const masks = [null, Uint8Array.from([1, 0])];
    for (const maxNorm of [1, 5, 13, 20, null]) {
      for (const masked of [false, true]) {
        const terms = grads.map((g, i) => ({ grad: g, mask: masked ? masks[i] : null }));
        const onDeviceTerms = terms.map(({ grad, mask }) => ({
          grad: tf.tensor1d(grad),
          mask: mask ? tf.tensor1d(Float32Array.from(mask)) : null,
        }));
        const scale = clipScaleOnDevice(onDeviceTerms, maxNorm);
        const [onDevice] = await scale.data();
        expect(onDevice).toBeCloseTo(clipScale(terms, maxNorm).scale, 7);
        tf.dispose([...onDeviceTerms.flatMap((t) => (t.mask ? [t.grad, t.mask] : [t.grad])), scale]);
      }
    }
    expect(clipScale(grads, 1).scale).toBeCloseTo(1 / 13, 7);
    expect(
      clipScale(
        [
          { grad: grads[0], mask: null },
          { grad: grads[1], mask: masks[1] },
        ],
        1,
      ).scale,
    ).toBeCloseTo(1 / 5, 7);
  });
});
