import { isCoreAxis, isPrunerAxis } from '../config/schema.js';
import { fmtValue } from '../util/format.js';
import type { TrialRecord } from './types.js';

/** The sweep axes beyond S, N, D and seed that these trials record (pruner.name, train.optimizer.lr), in order. */
export function extraAxisKeys(trials: readonly Pick<TrialRecord, 'axes'>[]): string[] {
  return [...new Set(trials.flatMap((t) => Object.keys(t.axes ?? {})))].filter((k) => !isCoreAxis(k));
}

/** The settings of a mapping as "a.b 2, c x", nested keys joined by dots. */
function flatSettings(v: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(v).flatMap(([k, x]) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? flatSettings(x as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k} ${typeof x === 'object' ? JSON.stringify(x) : x}`],
  );
}

/**
 * A setting's value in words: a whole pruner as its name and its other settings ("gmp (schedule.interval 2)"),
 * or its name alone with `byName` (when the names tell the listed pruners apart).
 */
export function settingText(v: unknown, byName: boolean): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  const { name, ...rest } = v as Record<string, unknown>;
  const others = flatSettings(rest);
  if (typeof name !== 'string') return others.join(', ');
  return others.length > 0 && !byName ? `${name} (${others.join(', ')})` : name;
}

/**
 * The column an extra axis gets in a trial table or CSV: its key, except an axis that lists whole pruners
 * (`pruner`), whose name the algorithm's own column has: `pruner.setting`.
 */
export function extraAxisHeader(key: string): string {
  return key === 'pruner' ? 'pruner.setting' : key;
}

/**
 * A trial's value of an extra axis as a table shows it; '-' where it has none, and for a dense trial's pruner
 * axes: a dense trial is the baseline every pruner setting shares, so they do not apply to it. A mapping (a whole
 * pruner) is given in words, or with `exact` as JSON.
 */
export function extraAxisCell(t: Pick<TrialRecord, 'axes' | 'sparsity'>, key: string, exact = false): string {
  if (!t.axes || !(key in t.axes) || (t.sparsity === 0 && isPrunerAxis(key))) return '-';
  // a whole pruner in words ("gmp (schedule.interval 20)"), or as JSON where `exact` (CSV) asks for it
  return exact ? fmtValue(t.axes[key]) : settingText(t.axes[key], false);
}

/**
 * Whether every cell of an extra axis (as {@link extraAxisCell} shows it) is a number or '-': such a column is
 * right-aligned; one of words (a pruner's name, a whole pruner's settings) reads left-aligned.
 */
export function extraAxisNumeric(trials: readonly TrialRecord[], key: string): boolean {
  return trials.every((t) => /^(-|[-+]?[0-9.]+(e[-+]?[0-9]+)?)$/i.test(extraAxisCell(t, key)));
}
