import { textStreamLengths, trainImageCount } from '../data/stream-sizes.js';
import { families } from '../models/registry.js';
import { fmt } from '../util/format.js';
import type { TrialPlan } from './plan.js';

/**
 * Passes over the training split above which repeated data is worth clearly less than new data: Muennighoff et
 * al. 2023 (https://arxiv.org/abs/2305.16264) find up to about 4 epochs nearly as good as unique data.
 */
export const EPOCHS_LIMIT = 4;

/**
 * How many times a trial reads its training split over: the text it reads (D in units, times the raw tokens
 * one unit's example takes) or the images it sees, over what the split holds. For Brown, a lower bound of the
 * split's length is used while it already shows the trial within {@link EPOCHS_LIMIT}.
 */
export function epochsOf(trial: TrialPlan): number {
  const s = trial.spec;
  const family = families[s.model.family];
  const window = family.textWindow?.(s.seq_len, s.model);
  if (!window) return trial.train_tokens / trainImageCount(s.data);
  const read = (trial.train_tokens * window.raw) / window.units;
  return read / textStreamLengths(s.data, { train: read / EPOCHS_LIMIT, validation: 0 }).train;
}

/**
 * A plan warning when trials read their training split more than {@link EPOCHS_LIMIT} times: the law's data
 * term takes D as unique data, so those points understate what D of new data would give. Names the trial
 * that repeats most; null when none passes the limit.
 */
export function repeatedDataWarning(trials: readonly TrialPlan[]): string | null {
  const cache = new Map<string, number>();
  let worst: { trial: TrialPlan; epochs: number } | null = null;
  let over = 0;
  for (const trial of trials) {
    const s = trial.spec;
    // the text window (t5's depends on its noise settings too), or null for images, fixes the epochs per D
    const window = families[s.model.family].textWindow?.(s.seq_len, s.model) ?? null;
    const key = JSON.stringify([s.data, s.model.family, window, trial.train_tokens]);
    const epochs = cache.get(key) ?? epochsOf(trial);
    cache.set(key, epochs);
    if (epochs <= EPOCHS_LIMIT) continue;
    over++;
    if (!worst || epochs > worst.epochs) worst = { trial, epochs };
  }
  if (!worst) return null;
  const unit = families[worst.trial.spec.model.family].unit;
  return (
    `${over} of ${trials.length} trials read their training data more than ${EPOCHS_LIMIT} times over (up to ${fmt(worst.epochs)} epochs, ` +
    `D = ${fmt(worst.trial.train_tokens)} ${unit}): the law's data term takes D as new data, and repeated data is worth clearly less past about ` +
    `${EPOCHS_LIMIT} epochs (Muennighoff et al. 2023); give more data or smaller budgets`
  );
}
