import { isCoreAxis, isPrunerAxis } from '../config/schema.js';
import { fmtValue } from '../util/format.js';
import type { TrialRecord } from './types.js';

/** The sweep axes beyond S, N, D and seed that these trials record (pruner.name, train.optimizer.lr), in order. */
export function extraAxisKeys(trials: readonly Pick<TrialRecord, 'axes'>[]): string[] {
  return [...new Set(trials.flatMap((t) => Object.keys(t.axes ?? {})))].filter((k) => !isCoreAxis(k));
}

/** The settings of a mapping by their dotted keys ("schedule.interval" → "2"), in order. */
function flatEntries(v: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(v).flatMap(([k, x]): [string, string][] =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? flatEntries(x as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, typeof x === 'object' ? JSON.stringify(x) : String(x)]],
  );
}

/** The settings of a mapping as "a.b 2, c x", nested keys joined by dots; only the `only` keys where given. */
function flatSettings(v: Record<string, unknown>, only?: ReadonlySet<string>): string[] {
  return flatEntries(v)
    .filter(([k]) => !only || only.has(k))
    .map(([k, x]) => `${k} ${x}`);
}

/**
 * A setting's value in words: a whole pruner as its name and its other settings ("gmp (schedule.interval 2)"),
 * or its name alone with `byName` (when the names tell the listed pruners apart).
 */
export function settingText(v: unknown, byName: boolean, only?: ReadonlySet<string>): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  const { name, ...rest } = v as Record<string, unknown>;
  const others = flatSettings(rest, only);
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

/** A trial's value of an extra axis as a CSV field: exact (JSON for a mapping), empty where it has none. */
export function extraAxisCsvCell(t: Pick<TrialRecord, 'axes' | 'sparsity'>, key: string): string {
  const cell = extraAxisCell(t, key, true);
  return cell === '-' ? '' : cell;
}

/** A column a table for people gives one of the sweep's other axes. */
export interface AxisColumn {
  key: string;
  header: string;
  /** Every cell a number or '-': right-aligned; words read left-aligned. */
  numeric: boolean;
  cell(t: Pick<TrialRecord, 'axes' | 'sparsity'>): string;
}

/**
 * The columns a table for people (runs list, the dry run, the report) gives the sweep's other axes: one per axis,
 * except a list of whole pruners whose names already tell them apart (the pruner column says it all); where names
 * repeat, its cells give each setting's name and only the settings in which the listed pruners differ
 * ("gmp (schedule.interval 10)", not every schedule key they share). CSV keeps every axis in full.
 */
export function shownAxisColumns(trials: readonly Pick<TrialRecord, 'axes' | 'sparsity'>[]): AxisColumn[] {
  return extraAxisKeys(trials).flatMap((key): AxisColumn[] => {
    const base = { key, header: extraAxisHeader(key) };
    if (key !== 'pruner') {
      const cell = (t: Pick<TrialRecord, 'axes' | 'sparsity'>) => extraAxisCell(t, key);
      return [{ ...base, cell, numeric: trials.every((t) => NUMBER.test(cell(t))) }];
    }
    const values = [
      ...new Map(
        trials
          .filter((t) => t.sparsity > 0 && t.axes && key in t.axes)
          .map((t) => [fmtValue(t.axes![key]), t.axes![key]]),
      ).values(),
    ];
    const names = values.map((v) =>
      v !== null && typeof v === 'object' ? (v as { name?: unknown }).name : v,
    );
    if (new Set(names).size === values.length) return [];
    const varying = varyingKeys(values);
    const cell = (t: Pick<TrialRecord, 'axes' | 'sparsity'>) =>
      extraAxisCell(t, key) === '-' ? '-' : settingText(t.axes![key], false, varying);
    return [{ ...base, cell, numeric: false }];
  });
}

/** What a number or an empty cell looks like. */
const NUMBER = /^(-|[-+]?[0-9.]+(e[-+]?[0-9]+)?)$/i;

/** The dotted keys in which these mappings differ (a key one lacks counts as differing). */
function varyingKeys(values: readonly unknown[]): Set<string> {
  const maps = values.map(
    (v) => new Map(v !== null && typeof v === 'object' ? flatEntries(v as Record<string, unknown>) : []),
  );
  const keys = new Set(maps.flatMap((m) => [...m.keys()]));
  return new Set([...keys].filter((k) => new Set(maps.map((m) => m.get(k) ?? '\u0000')).size > 1));
}
