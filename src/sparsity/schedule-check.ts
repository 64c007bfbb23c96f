import { algorithms, schedules } from './registry.js';
import type { PrunerSpec } from './spec.js';

/** Below this many mask updates a gradual or drop/grow schedule is not what its name says. */
export const FEW_UPDATES = 3;

/**
 * Above this share of a trial's steps spent on mask updates that replace the optimizer's step (RigL, SET, SRigL),
 * D overstates the data the trial trained on enough to move comparisons: a guide, not a published threshold
 * (RigL's ΔT = 100 with T_end 75% spends under 1%).
 */
export const SKIPPED_SHARE_LIMIT = 0.05;

/** Schedules whose point is to change masks many times over training. */
const CHANGING = new Set(['cubic', 'periodic']);

/**
 * Mask updates `spec`'s schedule makes over a trial of `steps` training steps that can change a mask: every
 * update of a straight-through method (soft masks, recomputed from the dense weights at each); otherwise a
 * drop/grow schedule's where its drop fraction is above 0 (not at T_end under cosine decay, nor on the last
 * step, nor ever with f0 = 0), and a gradual schedule's where the sparsity rises above the last update's (not
 * cubic's first, at s = 0). Counting stops at `atMost`; schedules that list their update steps are not scanned
 * step by step, so a trial of any length is counted at once.
 */
export function maskUpdates(spec: PrunerSpec, steps: number, atMost = Number.POSITIVE_INFINITY): number {
  const { name, ...options } = spec.schedule;
  const schedule = schedules.get(name);
  const ctx = { pattern: spec.pattern };
  const sparsityAt = (step: number) => schedule.sparsityAt(step, steps, 1, options, ctx);
  const recomputes = algorithms.get(spec.name).application?.mode === 'soft';
  const replaces = !recomputes && schedule.updateFraction !== undefined;
  const gradual = !recomputes && schedule.gradual === true;
  let count = 0;
  let last = sparsityAt(0);
  const listed =
    schedule.updateSteps?.(steps, options, ctx) ??
    everyStep(steps, (step) => schedule.isUpdateStep(step, steps, options, ctx));
  for (const step of listed) {
    const s = sparsityAt(step);
    if (replaces) {
      // an annealed fraction at 0 stays there: no later update replaces anything either
      if (schedule.updateFraction!(step, steps, options) === 0) break;
      count++;
    } else if (!gradual || s > last) count++;
    if (count >= atMost) break;
    last = s;
  }
  return count;
}

/** The steps 1..steps that `keep` accepts, asking it about every one. */
function* everyStep(steps: number, keep: (step: number) => boolean): Generator<number> {
  for (let step = 1; step <= steps; step++) if (keep(step)) yield step;
}

/**
 * Warnings for trials whose schedule barely acts: a cubic schedule with one or two mask updates that prune
 * (its first, at s = 0, prunes nothing) is one-shot pruning in all but name, and a drop/grow schedule (RigL,
 * SET) with none trains a static sparse mask. Short
 * trials meet this with the papers' interval of 100 steps. One line per schedule, naming the worst trial and
 * the key to change; empty when every trial gets at least {@link FEW_UPDATES} updates.
 */
export function scheduleWarnings(
  trials: readonly { id: string; spec: { steps: number; pruner: PrunerSpec } }[],
) {
  const worst = new Map<
    string,
    { id: string; algorithm: string; steps: number; updates: number; count: number; interval: unknown }
  >();
  for (const t of trials) {
    const p = t.spec.pruner;
    if (!CHANGING.has(p.schedule.name)) continue;
    const updates = maskUpdates(p, t.spec.steps, FEW_UPDATES);
    if (updates >= FEW_UPDATES) continue;
    const w = worst.get(p.schedule.name);
    if (!w || updates < w.updates)
      worst.set(p.schedule.name, {
        id: t.id,
        algorithm: p.name,
        steps: t.spec.steps,
        updates,
        count: (w?.count ?? 0) + 1,
        interval: p.schedule.interval,
      });
    else w.count++;
  }
  return [...worst].map(
    ([name, w]) =>
      `${w.count} trial${w.count === 1 ? '' : 's'} get${w.count === 1 ? 's' : ''} fewer than ${FEW_UPDATES} mask updates that change anything from the ${name} schedule ` +
      `(${w.id.slice(0, 8)}: ${w.updates} in ${w.steps} steps at interval ${w.interval})` +
      (name === 'cubic'
        ? ', so gradual pruning is close to one-shot pruning'
        : w.updates === 0
          ? ', so the masks never change: it trains a static sparse mask'
          : ', so the masks barely change') +
      (skipsOptimizer(w.algorithm)
        ? `; set pruner.schedule.interval lower (each ${w.algorithm} update replaces an optimizer step: keep them under ${SKIPPED_SHARE_LIMIT * 100}% of the steps), or train longer`
        : '; set pruner.schedule.interval lower, or train longer'),
  );
}

/** Whether the algorithm's mask updates take the place of the optimizer's step on their steps. */
function skipsOptimizer(algorithm: string): boolean {
  return algorithms.get(algorithm).skipsOptimizerOnUpdate === true;
}

/**
 * A warning for trials that spend more than {@link SKIPPED_SHARE_LIMIT} of their steps on mask updates that
 * replace the optimizer's step (RigL's Algorithm 1, Evci et al. 2020, https://arxiv.org/abs/1911.11134; SET and
 * SRigL alike): such a step reads a batch and moves no weight, yet D counts its tokens, so the trial trained on
 * less data than D says, and compares unfairly with gradual pruning at the same D. Names the trial with the
 * largest share and the key to change; null when every trial is within the limit.
 */
export function skippedStepsWarning(
  trials: readonly { id: string; spec: { steps: number; pruner: PrunerSpec } }[],
): string | null {
  let worst: { id: string; name: string; steps: number; skipped: number; interval: unknown } | null = null;
  let count = 0;
  for (const t of trials) {
    const p = t.spec.pruner;
    if (t.spec.steps === 0 || !skipsOptimizer(p.name)) continue;
    // a drop/grow schedule's updates that change a mask are those that replace a weight: the skipped steps
    const skipped = maskUpdates(p, t.spec.steps);
    if (skipped / t.spec.steps <= SKIPPED_SHARE_LIMIT) continue;
    count++;
    if (!worst || skipped / t.spec.steps > worst.skipped / worst.steps)
      worst = { id: t.id, name: p.name, steps: t.spec.steps, skipped, interval: p.schedule.interval };
  }
  if (!worst) return null;
  const share = worst.skipped / worst.steps;
  return (
    `${count} trial${count === 1 ? '' : 's'} spend${count === 1 ? 's' : ''} more than ${SKIPPED_SHARE_LIMIT * 100}% of ${count === 1 ? 'its' : 'their'} steps on mask updates that replace the optimizer's step ` +
    `(${worst.id.slice(0, 8)}, ${worst.name}: ${worst.skipped} of ${worst.steps} steps at interval ${worst.interval}, as in RigL's Algorithm 1): ` +
    `D counts those steps' tokens, though they move no weight, so ${count === 1 ? 'it trains' : 'they train'} on up to ${Math.round(share * 100)}% less data than D says; ` +
    'set pruner.schedule.interval higher (RigL uses 100), or train longer'
  );
}
