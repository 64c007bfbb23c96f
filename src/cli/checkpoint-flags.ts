import { UsageError } from '../errors.js';
import { flagNumber } from '../util/format.js';

/** `--checkpoint-minutes M` and `--checkpoint-steps K` as given on the command line (strings, or absent). */
export interface CheckpointFlags {
  checkpointMinutes?: string;
  checkpointSteps?: string;
}

/** Default minutes between checkpoints of a trial in training. */
export const DEFAULT_CHECKPOINT_MINUTES = 10;

/**
 * The checkpoint cadence: minutes (a number ≥ 0, default 10) and steps (a whole number ≥ 0, default 0 = off).
 * Throws UsageError naming the flag for anything else.
 */
export function checkpointCadence(opts: CheckpointFlags): { minutes: number; steps: number } {
  const minutes =
    opts.checkpointMinutes === undefined
      ? DEFAULT_CHECKPOINT_MINUTES
      : flagNumber(opts.checkpointMinutes, { plain: true });
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new UsageError(
      `--checkpoint-minutes ${opts.checkpointMinutes}: expected a number of minutes >= 0, e.g. 10`,
    );
  const steps = opts.checkpointSteps === undefined ? 0 : flagNumber(opts.checkpointSteps);
  if (!Number.isSafeInteger(steps) || steps < 0)
    throw new UsageError(
      `--checkpoint-steps ${opts.checkpointSteps}: expected a whole number of steps >= 0 (0: off)`,
    );
  return { minutes, steps };
}
