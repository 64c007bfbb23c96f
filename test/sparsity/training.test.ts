import { describe, expect, it } from 'vitest';
import type { TrialSpec } from '../../src/config/trial-spec.js';
import { firstExample } from '../../src/data/first-example.js';
import { families } from '../../src/models/registry.js';
import { prunableLayers } from '../../src/models/types.js';
import type { MetricPoint } from '../../src/store/types.js';
import { writeSafetensors } from '../../src/store/weights.js';
import type { TrainState } from '../../src/train/state.js';
import { trainTrial } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/rng.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

/** The sparse trial of the tiny synthetic config (32 steps) with another pruner block. */
function sparseSpec(pruner: string, sparsity = 0.5): TrialSpec {
  const text = tinySyntheticConfig()
    .replace('pruner: {name: gmp, schedule: {interval: 2}}', `pruner: ${pruner}`)
    .replace('sparsity: [0, 0.5]', `sparsity: [${sparsity}]`);
  return planOf(text).trials[0].spec;
}

/** Trains a spec, keeping a copy of the state after every step. */
async function train(spec: TrialSpec, resume?: TrainState) {
  const states: TrainState[] = [];
  const points: MetricPoint[] = [];
  const save = (s: TrainState) =>
    states.push({
      ...s,
      params: new Map([...s.params].map(([k, v]) => [k, Float32Array.from(v)])),
      adam: {
        step: s.adam.step,
        slots: new Map(
          [...s.adam.slots].map(([k, v]) => [k, { m: Float32Array.from(v.m), v: Float32Array.from(v.v) }]),
        ),
      },
      pruner: { ...s.pruner, masks: s.pruner.masks.map((m) => Uint8Array.from(m)) },
    });
  const out = await trainTrial(spec, {
    onMetrics: (p) => points.push(...p),
    checkpoint: { everySteps: 1, everySeconds: 0, save },
    resume,
  });
  points.push(...out.lastPoints);
  return { out, states, points, losses: points.filter((p) => p.name === 'train_loss').map((p) => p.value) };
}

/** Finishes at the target: measured sparsity of every prunable layer is its own scheduled value. */
function expectAtTarget(spec: TrialSpec, out: Awaited<ReturnType<typeof trainTrial>>) {
  const layers = prunableLayers(families[spec.model.family].model.params(spec.model));
  const total = layers.reduce((a, l) => a + l.shape[0] * l.shape[1], 0);
  expect(out.result.nonzeroParams).toBeLessThanOrEqual(
    Math.round((1 - spec.sparsity) * total) + layers.length,
  );
  expect(Math.abs(out.result.achievedSparsity - spec.sparsity)).toBeLessThan(0.02);
  for (const p of out.weights.params) {
    const mask = out.weights.masks.get(p.name);
    if (mask) for (let i = 0; i < mask.length; i++) if (!mask[i]) expect(p.data[i]).toBe(0);
  }
}

describe('training finishes at the target sparsity, per family', () => {
  it.each([
    ['gradual N:M magnitude', '{name: gmp, pattern: nm, schedule: {interval: 2}}'],
    ['one-shot magnitude', '{name: magnitude}'],
    ['global magnitude, ERK', '{name: global-magnitude, distribution: erk, schedule: {interval: 2}}'],
    ['saliency', '{name: saliency, schedule: {interval: 2}}'],
    ['random static, ERK', '{name: static, distribution: erk}'],
  ])('score-based: %s', async (_label, pruner) => {
    const spec = sparseSpec(pruner);
    const { out } = await train(spec);
    expectAtTarget(spec, out);
    if (spec.pruner.name !== 'global-magnitude' && spec.pruner.distribution.name === 'uniform') {
      // every layer, and every part of a packed one (q, k, v), holds half its weights
      expect(Object.keys(out.result.layerDensity)).toContain('layers.0.attn.qkv part 3 of 3');
      for (const d of Object.values(out.result.layerDensity)) expect(d).toBe(0.5);
    }
  });

  it.each([
    ['set', '{name: set, schedule: {interval: 4}}'],
    ['rigl', '{name: rigl, schedule: {interval: 4}}'],
    ['srigl', '{name: srigl, pattern: constant-fan-in, schedule: {interval: 4}}'],
  ])('drop/grow: %s regrows weights at zero with reset AdamW moments', async (_label, pruner) => {
    const spec = sparseSpec(pruner);
    const { out, states } = await train(spec);
    expectAtTarget(spec, out);
    const names = prunableLayers(families[spec.model.family].model.params(spec.model)).map((l) => l.name);
    let regrown = 0;
    for (let t = 1; t < states.length; t++) {
      states[t].pruner.masks.forEach((mask, li) => {
        const before = states[t - 1].pruner.masks[li];
        const w = states[t].params.get(names[li])!;
        const slot = states[t].adam.slots.get(names[li])!;
        for (let i = 0; i < mask.length; i++) {
          if (mask[i] && !before[i]) {
            regrown++;
            expect([w[i], slot.m[i], slot.v[i]]).toEqual([0, 0, 0]);
          }
        }
      });
    }
    expect(regrown).toBeGreaterThan(0);
  });

  it('logs what the masks hold as `sparsity` at every mask update, and the schedule as `target_sparsity`', async () => {
    // SRigL at 0.9 with ablation: its masks may hold more than the schedule asks (floor(k·n_out / alive))
    const spec = sparseSpec('{name: srigl, pattern: constant-fan-in, schedule: {interval: 4}}', 0.9);
    const { states, points } = await train(spec);
    const total = prunableLayers(families[spec.model.family].model.params(spec.model)).reduce(
      (a, l) => a + l.shape[0] * l.shape[1],
      0,
    );
    const logged = points.filter((p) => p.name === 'sparsity' && p.step > 0);
    expect(logged.length).toBeGreaterThan(3);
    for (const p of logged) {
      const zeros = states[p.step - 1].pruner.masks.reduce(
        (a, m) => a + m.length - m.reduce((x, y) => x + y, 0),
        0,
      );
      expect(p.value).toBe(zeros / total);
    }
    const targets = points.filter((p) => p.name === 'target_sparsity');
    // with pruned embeddings too: they stay out, as they do of N and of the achieved sparsity
    const emb = sparseSpec(
      '{name: gmp, distribution: {name: uniform, embeddings: true}, schedule: {interval: 2}}',
    );
    const withEmb = await train(emb);
    expect(withEmb.points.filter((p) => p.name === 'sparsity').at(-1)!.value).toBeCloseTo(
      withEmb.out.result.achievedSparsity,
      12,
    );
    expect(targets.map((p) => p.step)).toEqual(
      points.filter((p) => p.name === 'sparsity').map((p) => p.step),
    );
    expect(targets.at(-1)!.value).toBe(0.9);
  });

  it.each<[string, string, number]>([
    ['ste', '{name: ste}', 0.5],
    ['sr-ste', '{name: sr-ste, pattern: nm}', 0.5],
    ['mask-decay', '{name: mask-decay, pattern: nm, options: {decay: exponential}}', 0.5],
    ['structure-decay', '{name: structure-decay, pattern: {name: nm, m: 8}}', 0.75],
  ])(
    'straight-through: %s keeps dense weights while training, ends exactly sparse',
    async (_l, pruner, s) => {
      const spec = sparseSpec(pruner, s);
      const { out, states } = await train(spec);
      expectAtTarget(spec, out);
      // mid-training the master weights under the mask are not zero: they keep learning
      const mid = states[Math.floor(states.length / 2)];
      const name = prunableLayers(families[spec.model.family].model.params(spec.model))[0].name;
      const w = mid.params.get(name)!;
      const mask = mid.pruner.masks[0];
      expect(w.some((v, i) => !mask[i] && v !== 0)).toBe(true);
    },
  );

  it('resumes a straight-through trial exactly (dense master weights in the checkpoint)', async () => {
    const spec = sparseSpec('{name: sr-ste, pattern: nm}');
    const full = await train(spec);
    const resumed = await train(spec, full.states[10]);
    expect(resumed.losses).toEqual(full.losses.slice(11));
  });

  it('prunes embeddings at 1 - sqrt(1 - S) when asked, leaving N unchanged', async () => {
    const spec = sparseSpec(
      '{name: gmp, distribution: {name: uniform, embeddings: true}, schedule: {interval: 2}}',
      0.75,
    );
    const { out } = await train(spec);
    expectAtTarget(spec, out);
    const emb = out.weights.params.find((p) => p.name === 'tok_emb')!;
    const zeros = emb.data.filter((v) => v === 0).length;
    expect(zeros).toBe(Math.round(0.5 * emb.data.length)); // 1 − sqrt(0.25)
  });

  it("from-dense starts from a finished dense trial's weights and prunes them", async () => {
    // same shape: the sparse trial's N (3000) is the dense trial's N·(1 − S)
    const denseText = tinySyntheticConfig()
      .replace('sparsity: [0, 0.5]', 'sparsity: [0]')
      .replace('nonzero_params: 3000', 'nonzero_params: 6000');
    const denseSpec = planOf(denseText).trials[0].spec;
    const dense = await trainTrial(denseSpec);
    const file = `${tempDir()}/dense.safetensors`;
    writeSafetensors(file, dense.weights, { spec: JSON.stringify({ ...denseSpec, sparsity: 0 }) });
    const spec = sparseSpec(`{name: from-dense, options: {weights: ${file}}}`);
    expect(spec.model).toEqual(denseSpec.model);
    // planned to read on after the examples the dense trial read, not its first ones again
    expect(spec.pruner.options.dense_examples).toBe(denseSpec.steps * denseSpec.batch_size);
    expect(firstExample(spec)).toBe(denseSpec.steps * denseSpec.batch_size);
    const [sparseFirst, denseFirst] = [families.lm.source(spec), families.lm.source(denseSpec)].map((s) =>
      s.sample(0, Rng.seeded(0)),
    );
    expect(sparseFirst).not.toEqual(denseFirst);
    expect(sparseFirst).toEqual(families.lm.source(denseSpec).sample(denseSpec.steps, Rng.seeded(0)));
    const { out, losses } = await train(spec);
    expectAtTarget(spec, out);
    const scratch = await train(sparseSpec('{name: magnitude, schedule: {at: 0}}'));
    expect(losses[0]).toBeLessThan(scratch.losses[0]); // it starts from a trained model
  });
});
