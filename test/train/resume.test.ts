import { describe, expect, it } from 'vitest';
import type { TrialSpec } from '../../src/config/trial-spec.js';
import type { MetricPoint } from '../../src/store/types.js';
import type { TrainState } from '../../src/train/state.js';
import { TrialInterrupted, trainTrial } from '../../src/train/trainer.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

const losses = (points: MetricPoint[]) =>
  points.filter((p) => p.name === 'train_loss').map((p) => [p.step, p.value]);

async function run(spec: TrialSpec, opts: { stopAfter?: number; resume?: TrainState; every?: number }) {
  const points: MetricPoint[] = [];
  const saved: TrainState[] = [];
  let polls = 0;
  try {
    const out = await trainTrial(spec, {
      onMetrics: (p) => points.push(...p),
      shouldStop: () => opts.stopAfter !== undefined && ++polls > opts.stopAfter,
      resume: opts.resume,
      checkpoint: {
        everySteps: opts.every ?? 0,
        everySeconds: 0,
        save: (s) => saved.push(structuredClone(s)),
      },
    });
    points.push(...out.lastPoints);
    return { points, saved, out };
  } catch (e) {
    if (!(e instanceof TrialInterrupted)) throw e;
    return { points, saved, out: null };
  }
}

describe('checkpoint and resume', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`a resumed trial's losses equal an uninterrupted one's (${backend}, pruning across the break)`, async () => {
      const plan = planOf(tinySyntheticConfig());
      const spec = { ...plan.trials.find((t) => t.spec.sparsity === 0.5)!.spec, backend };
      const whole = await run(spec, {});
      // stop after 19 steps: checkpoints at 7 and 14 by steps, and one at 19 when stopped
      const first = await run(spec, { stopAfter: 19, every: 7 });
      expect(first.out).toBeNull();
      expect(first.saved.map((s) => s.step)).toEqual([7, 14, 19]);
      const stopState = first.saved.at(-1)!;
      expect(stopState.pruner.lastUpdate).toBeGreaterThan(0);
      const second = await run(spec, { resume: stopState });
      expect([...losses(first.points), ...losses(second.points)]).toEqual(losses(whole.points));
      expect(second.out!.result.finalValLoss).toBe(whole.out!.result.finalValLoss);
      expect(second.out!.result.achievedSparsity).toBe(0.5);
      // resuming from an earlier checkpoint replays the same steps
      const fromSeven = await run(spec, { resume: first.saved[0] });
      expect(losses(fromSeven.points)).toEqual(losses(whole.points).slice(7));
    });
  }
});
