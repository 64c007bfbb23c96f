/** Steps in a row a training loss must stay above the divergence bound before a trial is failed as diverged. */
export const DIVERGED_STEPS = 10;

/** Steps in a row above the bound that fail a trial when they are its last: it ends diverged, not on one spike. */
export const DIVERGED_AT_END = 3;

/** A trial's watch for divergence: checks each step's loss, and says where the current run above the bound began. */
export interface DivergenceWatch {
  /** Checks step `step`'s training loss: the failure's message, or null. */
  check(loss: number, step: number): string | null;
  /** First step of the current run of losses above the bound, null when the last loss was below it: a checkpoint keeps it. */
  readonly runStart: number | null;
}

/**
 * Watches a trial's training losses, step by step, for divergence: a loss that is not finite fails at once; a loss
 * above `bound` (2 ln K, twice the loss of uniform guessing over K outputs) fails once it has stayed there for
 * {@link DIVERGED_STEPS} steps in a row, or for the last {@link DIVERGED_AT_END} up to `lastStep` (a trial that ends
 * there; a trial shorter than that, all of it). One batch's spike does not, not even the last one's: with
 * few classes the bound is low (1.39 nats for 2), and a noisy batch can pass it and recover. `outputs` names K in
 * messages ("vocab", "classes"). A resumed trial passes the `runStart` its checkpoint kept, so a run above the bound
 * that a stop cut in two counts whole.
 */
export function divergenceWatch(
  bound: number,
  lastStep: number,
  outputs: string,
  runStart: number | null = null,
): DivergenceWatch {
  let since = runStart;
  return {
    get runStart() {
      return since;
    },
    check(loss, step) {
      if (!Number.isFinite(loss)) return `training loss is ${loss} at step ${step}`;
      if (loss <= bound) {
        since = null;
        return null;
      }
      since ??= step;
      const run = step - since + 1;
      const endsThere = step === lastStep && run >= Math.min(DIVERGED_AT_END, lastStep);
      if (run < DIVERGED_STEPS && !endsThere) return null;
      const span =
        run === 1
          ? 'at its only step'
          : `for ${run} steps in a row, from step ${since}${endsThere ? ', to its end' : ''}`;
      return `diverged: training loss ${loss.toFixed(3)} at step ${step} is above 2 ln(${outputs}) = ${bound.toFixed(3)}, twice that of uniform guessing, ${span}`;
    },
  };
}
