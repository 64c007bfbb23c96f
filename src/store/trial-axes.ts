import { isCoreAxis, isPrunerAxis } from '../config/schema.js';
import { fmtValue } from '../util/format.js';
import type { TrialRecord } from './types.js';

/** The sweep axes beyond S, N, D and seed that these trials record (pruner.name, train.optimizer.lr), in order. */
export function extraAxisKeys(trials: readonly TrialRecord[]): string[] {
  return [...new Set(trials.flatMap((t) => Object.keys(t.axes ?? {})))].filter((k) => !isCoreAxis(k));
}

/**
 * A trial's value of an extra axis as a table shows it; '-' where it has none, and for a dense trial's pruner
 * axes: a dense trial is the baseline every pruner setting shares, so they do not apply to it.
 */
export function extraAxisCell(t: TrialRecord, key: string): string {
  return t.axes && key in t.axes && !(t.sparsity === 0 && isPrunerAxis(key)) ? fmtValue(t.axes[key]) : '-';
}
