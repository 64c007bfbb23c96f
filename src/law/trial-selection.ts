import { isCoreAxis } from '../config/schema.js';
import type { TrialRecord } from '../store/types.js';
import { parseHumanNumber } from '../util/format.js';

/** One `--where KEY=VALUE` condition: trials at that value of one of the sweep's extra axes. */
export interface AxisCondition {
  key: string;
  value: string;
}

/** Why a `--where` condition cannot select anything; the message names the flag and what is valid. */
export class SelectionError extends Error {}

/** An axis value as `--where` compares it: strings as written, everything else as JSON. */
export function axisValueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Whether an axis value in `--where` text ({@link axisValueText}) is the one `text` writes: numbers compare as
 * numbers, in the config's syntax (1e-3 is 0.001, 50k is 50000), anything else as written.
 */
export function isAxisValue(valueText: string, text: string): boolean {
  const key = (t: string) => {
    const n = parseHumanNumber(t);
    return n === null ? `text:${t}` : `number:${n}`;
  };
  return key(valueText) === key(text);
}

/** Parses `--where KEY=VALUE`. */
export function parseAxisCondition(text: string): AxisCondition {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1)
    throw new SelectionError(`--where ${text}: expected KEY=VALUE, e.g. --where pruner.name=gmp`);
  return { key: text.slice(0, at).trim(), value: text.slice(at + 1).trim() };
}

/** The sweep's axes beyond S, N, D and seed: what distinguishes trials at the same grid point. */
export function extraAxes(
  axes: readonly { key: string; values: unknown[] }[],
): { key: string; values: string[] }[] {
  return axes
    .filter((a) => !isCoreAxis(a.key))
    .map((a) => ({ key: a.key, values: a.values.map(axisValueText) }));
}

/**
 * The trials at every condition's axis value. Dense trials (S = 0) are kept under a `pruner.*`
 * condition: every pruner setting shares them (they have one id), and the law needs its S = 0 points.
 * Throws {@link SelectionError} for a key that is not one of the sweep's extra axes or a value it does
 * not take, naming the valid ones, and for two values of one key (which no trial has).
 */
export function selectTrials(
  trials: readonly TrialRecord[],
  axes: readonly { key: string; values: unknown[] }[],
  conditions: readonly AxisCondition[],
): TrialRecord[] {
  const extra = extraAxes(axes);
  for (const [i, c] of conditions.entries()) {
    const other = conditions.slice(0, i).find((o) => o.key === c.key && !isAxisValue(o.value, c.value));
    if (other)
      throw new SelectionError(
        `--where ${other.key}=${other.value} and --where ${c.key}=${c.value}: a trial has one ${c.key}, so no ` +
          `trial has both; fit one setting at a time`,
      );
    const axis = extra.find((a) => a.key === c.key);
    if (!axis)
      throw new SelectionError(
        `--where ${c.key}=${c.value}: ${c.key} is not an axis of this sweep beyond S, N, D and seed; ` +
          `valid: ${extra.map((a) => a.key).join(', ') || 'none (the sweep varies nothing else)'}`,
      );
    if (!axis.values.some((v) => isAxisValue(v, c.value)))
      throw new SelectionError(
        `--where ${c.key}=${c.value}: the sweep's ${c.key} values are ${axis.values.join(', ')}`,
      );
    // (a sweep recorded before one-value lists stopped being axes)
    if (axis.values.length === 1)
      throw new SelectionError(
        `--where ${c.key}=${c.value}: every trial of the sweep has it (${c.key} takes that one value), so it selects them all and names no setting; leave it out`,
      );
  }
  return trials.filter((t) =>
    conditions.every(
      (c) =>
        (c.key.startsWith('pruner.') && t.sparsity === 0) ||
        isAxisValue(axisValueText(t.axes?.[c.key]), c.value),
    ),
  );
}

/**
 * The extra axes whose finished trials hold more than one setting (pruner.name gmp and static, two learning
 * rates), as "key (v1, v2)", and a condition that picks one ("key=v1"); null when nothing is pooled. Dense
 * trials do not count for pruner axes, which they share.
 */
export function pooledSettings(
  trials: readonly TrialRecord[],
  axes: readonly { key: string; values: unknown[] }[],
): { pooled: string[]; example: string } | null {
  const finished = trials.filter((t) => t.status === 'finished' && t.finalValLoss !== null);
  const pooled = extraAxes(axes).flatMap((a) => {
    const relevant = a.key.startsWith('pruner.') ? finished.filter((t) => t.sparsity > 0) : finished;
    const seen = [...new Set(relevant.map((t) => axisValueText(t.axes?.[a.key])))];
    return seen.length > 1 ? [`${a.key} (${seen.join(', ')})`] : [];
  });
  if (pooled.length === 0) return null;
  const [first] = extraAxes(axes).filter((a) => pooled.some((p) => p.startsWith(`${a.key} `)));
  return { pooled, example: `${first.key}=${first.values[0]}` };
}

/** A warning when finished trials of more than one setting of an extra axis would be pooled into one law, else null. */
export function pooledSettingsWarning(
  trials: readonly TrialRecord[],
  axes: readonly { key: string; values: unknown[] }[],
): string | null {
  const p = pooledSettings(trials, axes);
  if (!p) return null;
  return (
    `the points pool several settings of ${p.pooled.join(' and ')} into one law, as if they trained alike; ` +
    `fit one setting at a time, e.g. --where ${p.example}`
  );
}
