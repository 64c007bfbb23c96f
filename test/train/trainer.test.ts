import { describe, expect, it } from 'vitest';
import type { TrialSpec } from '../../src/config/trial-spec.js';
import type { MetricPoint } from '../../src/store/types.js';
import type { TrainState } from '../../src/train/state.js';
import { trainTrial } from '../../src/train/trainer.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

async function losses(spec: TrialSpec) {
  const points: MetricPoint[] = [];
  const out = await trainTrial(spec, { onMetrics: (p) => points.push(...p) });
  points.push(...out.lastPoints);
  return { out, train: points.filter((p) => p.name === 'train_loss').map((p) => p.value), points };
}

describe('trainer', () => {
  it('approaches the known floor of a synthetic source', async () => {
    // vocab 16, 2 successors per token: the floor is ln 2 = 0.693 nats; uniform guessing is ln 16 = 2.77
    const plan = planOf(`name: floor
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 50000, validation_tokens: 4000}
train: {batch_size: 16, seq_len: 16, eval_interval: 100, eval_tokens: 1024, optimizer: {lr: 1e-2}}
sweep: {sparsity: 0, nonzero_params: 6000, tokens: 60000}
`);
    const { out } = await losses(plan.trials[0].spec);
    expect(out.result.finalValLoss).toBeLessThan(Math.log(2) + 0.08);
    expect(out.result.finalValLoss).toBeGreaterThan(Math.log(2) - 0.02);
  });

  it('steps the learning rate as the schedule says: step 1 at the first warmup rate, the last at min_lr', async () => {
    // 32 steps (4096 tokens / (8 × 16)), lr 3e-3, warmup 0.05 → round(1.6) = 2 steps, min_lr_ratio 0.1
    const spec = planOf(tinySyntheticConfig().replace('train: {', 'train: {optimizer: {lr: 3e-3}, '))
      .trials[0].spec;
    expect(spec.steps).toBe(32);
    const { points } = await losses(spec);
    const lr = new Map(points.filter((p) => p.name === 'lr').map((p) => [p.step, p.value]));
    expect(lr.get(1)).toBeCloseTo(1.5e-3, 12);
    expect(lr.get(2)).toBeCloseTo(3e-3, 12);
    expect(lr.get(32)).toBeCloseTo(3e-4, 12);
  });

  it('prunes to the exact sparsity, measured from the weights, and records it', async () => {
    const plan = planOf(tinySyntheticConfig());
    const sparse = plan.trials.find((t) => t.spec.sparsity === 0.5)!;
    const { out, points } = await losses(sparse.spec);
    expect(out.result.achievedSparsity).toBe(0.5);
    expect(out.result.nonzeroParams).toBe(sparse.nonzero_params);
    for (const d of Object.values(out.result.layerDensity)) expect(d).toBe(0.5);
    for (const name of ['sparsity', 'target_sparsity']) {
      const logged = points.filter((p) => p.name === name);
      expect(logged[0].value).toBe(0);
      expect(logged.at(-1)!.value).toBe(0.5);
    }
    expect(points.filter((p) => p.name === 'val_loss').at(-1)!.step).toBe(sparse.spec.steps);
  });

  it('ends a drop/grow schedule that runs to the last step at the target, with nothing grown there', async () => {
    // 32 steps, updates at 16 and 32 replacing f0 = 0.3 (constant): one on the last step would leave the weights
    // it grows at zero, below N
    const plan = planOf(
      tinySyntheticConfig().replace(
        'pruner: {name: gmp, schedule: {interval: 2}}',
        'pruner: {name: rigl, schedule: {interval: 16, end: 1, decay: constant}}',
      ),
    );
    const sparse = plan.trials.find((t) => t.spec.sparsity === 0.5)!;
    expect(sparse.spec.steps).toBe(32);
    const { out } = await losses(sparse.spec);
    expect(out.result.achievedSparsity).toBe(0.5);
    expect(out.result.nonzeroParams).toBe(sparse.nonzero_params);
  });

  it("lets a drop/grow update replace that step's optimiser update (rigl), not gradual pruning's (gmp)", async () => {
    const states = async (pruner: string) => {
      const plan = planOf(
        tinySyntheticConfig().replace('pruner: {name: gmp, schedule: {interval: 2}}', pruner),
      );
      const spec = { ...plan.trials.find((t) => t.spec.sparsity === 0.5)!.spec, backend: 'cpu' as const };
      const saved: TrainState[] = [];
      const points: MetricPoint[] = [];
      await trainTrial(spec, {
        onMetrics: (p) => points.push(...p),
        checkpoint: { everySteps: 1, everySeconds: 0, save: (s) => saved.push(structuredClone(s)) },
      });
      // the pruner's steps: it logs the masks' sparsity after each
      const updates = points.filter((p) => p.name === 'sparsity' && p.step > 0).map((p) => p.step);
      return { saved, updates };
    };
    const rigl = await states('pruner: {name: rigl, schedule: {interval: 4}}');
    expect(rigl.updates).toEqual([4, 8, 12, 16, 20, 24]); // ΔT 4 until 75% of 32 steps
    // at T_end = 24 the cosine drop fraction is 0: that update replaces no weight, and the optimizer steps
    const replacing = [4, 8, 12, 16, 20];
    for (const s of rigl.saved)
      expect(s.adam.step).toBe(s.step - replacing.filter((u) => u <= s.step).length);
    // on a replacing step each weight keeps its value bit for bit, or is zero (dropped, or grown at zero)
    const at = (step: number) => rigl.saved.find((s) => s.step === step)!;
    for (const u of replacing) {
      const [before, after] = [at(u - 1), at(u)];
      let kept = 0;
      for (const [name, w] of after.params) {
        const b = before.params.get(name)!;
        const moved = w.findIndex((v, i) => v !== b[i] && v !== 0);
        expect(moved, `${name} at step ${u}`).toBe(-1);
        kept += w.filter((v, i) => v !== 0 && v === b[i]).length;
      }
      expect(kept).toBeGreaterThan(1000);
    }
    const gmp = await states('pruner: {name: gmp, schedule: {interval: 2}}');
    expect(gmp.updates.length).toBeGreaterThan(3);
    for (const s of gmp.saved) expect(s.adam.step).toBe(s.step);
  });

  it('is deterministic, and cpu and wasm agree to 1e-4 over several steps', async () => {
    const plan = planOf(tinySyntheticConfig());
    const spec = plan.trials.find((t) => t.spec.sparsity === 0.5)!.spec;
    const a = await losses({ ...spec, backend: 'wasm' });
    const b = await losses({ ...spec, backend: 'wasm' });
    const c = await losses({ ...spec, backend: 'cpu' });
    expect(a.train).toEqual(b.train);
    expect(a.train.length).toBe(spec.steps);
    for (const [i, l] of a.train.entries()) expect(Math.abs(l - c.train[i])).toBeLessThan(1e-4);
    expect(c.out.result.backend).toBe('cpu');
  });
});
