import { isCoreAxis, isPrunerAxis } from '../config/schema.js';
import { settingText } from '../store/trial-axes.js';
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
 * The axis a condition's key names: the axis itself, or a setting inside an axis whose values are mappings
 * (`pruner.name` of a `pruner` axis that lists whole pruners), with the path to it; null when none does.
 */
function axisOf(
  extra: readonly { key: string; values: string[] }[],
  key: string,
): { axis: { key: string; values: string[] }; path: string[] } | null {
  const exact = extra.find((a) => a.key === key);
  if (exact) return { axis: exact, path: [] };
  const outer = extra.find((a) => key.startsWith(`${a.key}.`));
  return outer ? { axis: outer, path: key.slice(outer.key.length + 1).split('.') } : null;
}

/**
 * The pieces of a pruner whose default a pruner that leaves them out has (a list of whole pruners where one sets
 * `distribution: erk` and another nothing: the other is uniform). The schedule's default depends on the algorithm,
 * so a pruner without one has no schedule to select by.
 */
const PIECE_DEFAULTS: Record<string, string> = { pattern: 'unstructured', distribution: 'uniform' };

/**
 * The text of the setting at `path` inside an axis value (a mapping, as JSON); the value itself for no path. Inside
 * a whole pruner, a piece (pattern, distribution, schedule) is its name however it is written (`erk` or
 * `{name: erk, ...}`: `pruner.distribution=erk` selects both), its options are found under it
 * (`pruner.distribution.name`), and a pattern or distribution left out is the default it trains with.
 */
function settingIn(valueText: string, path: readonly string[]): string | undefined {
  if (path.length === 0) return valueText;
  let v: unknown;
  try {
    v = JSON.parse(valueText);
  } catch {
    return undefined;
  }
  const pruner = v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string';
  const piece = pruner && path.length >= 1 && ['pattern', 'distribution', 'schedule'].includes(path[0]);
  for (const [i, k] of path.entries()) {
    if (v === null || typeof v !== 'object') return undefined;
    const next = (v as Record<string, unknown>)[k];
    v = i === 0 && piece ? pieceAsTrained(k, next) : next;
  }
  // a piece by its name, where it has one (a schedule's options without a name: as written)
  if (piece && path.length === 1 && isMapping(v) && typeof v.name === 'string') v = v.name;
  return v === undefined ? undefined : axisValueText(v);
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A pruner piece as written, read as the pruner trains with it: a name alone is a mapping of that name; a pattern or
 * distribution left out, or written without a name (`distribution: {embeddings: true}`), is its default (see
 * {@link PIECE_DEFAULTS}) with those options. A schedule's default depends on the algorithm: left as written.
 */
function pieceAsTrained(key: string, written: unknown): unknown {
  if (typeof written === 'string') return { name: written };
  if (!(key in PIECE_DEFAULTS)) return written;
  if (written === undefined) return { name: PIECE_DEFAULTS[key] };
  return isMapping(written) && written.name === undefined
    ? { name: PIECE_DEFAULTS[key], ...written }
    : written;
}

/** The keys of an axis value that is a mapping (as JSON), or none. */
function mappingKeys(valueText: string): string[] {
  try {
    const v = JSON.parse(valueText) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
  } catch {
    return [];
  }
}

/** The keys a `--where` may name: each extra axis, and the settings inside an axis of mappings. */
function selectableKeys(extra: readonly { key: string; values: string[] }[]): string[] {
  return extra.flatMap((a) => [
    a.key,
    ...[...new Set(a.values.flatMap(mappingKeys))].map((k) => `${a.key}.${k}`),
  ]);
}

/** What `--where` and `--each` may name: the extra axes, and seed when the sweep trains several. */
function selectableAxes(
  axes: readonly { key: string; values: unknown[] }[],
): { key: string; values: string[] }[] {
  const seeds = axes.filter((a) => a.key === 'seed' && a.values.length > 1);
  return [...extraAxes(axes), ...seeds.map((a) => ({ key: a.key, values: a.values.map(axisValueText) }))];
}

/**
 * The axis `key` names among the selectable ones, with the distinct values of the setting it names and whether some of
 * the axis values lack it; throws {@link SelectionError} starting with `flag` (`--where k=v`) when the sweep has no such
 * axis, naming the valid keys.
 */
function settingValues(
  extra: readonly { key: string; values: string[] }[],
  key: string,
  flag: string,
): { at: NonNullable<ReturnType<typeof axisOf>>; values: string[]; someLack: boolean } {
  const at = axisOf(extra, key);
  // S, N and D are what the law is fitted over: every selection keeps all of them
  if (!at && isCoreAxis(key) && key !== 'seed')
    throw new SelectionError(
      `${flag}: ${key} is one of the law's own variables (S, N, D), which a fit spans, not a setting to select; ` +
        `valid: ${selectableKeys(extra).join(', ') || 'none (the sweep varies nothing else)'} (\`runs list --where ${key}=...\` lists the trials at one value)`,
    );
  if (!at)
    throw new SelectionError(
      `${flag}: ${key} is not an axis of this sweep beyond S, N and D (seed is one when it has several values); ` +
        `valid: ${selectableKeys(extra).join(', ') || 'none (the sweep varies nothing else)'}`,
    );
  const found = at.axis.values.map((v) => settingIn(v, at.path));
  return {
    at,
    values: [...new Set(found.flatMap((v) => v ?? []))],
    someLack: found.some((v) => v === undefined),
  };
}

/**
 * The values `fit-law --each KEY` fits one law for: those of the sweep's axis KEY (a setting inside an axis of
 * whole pruners, such as pruner.name, or seed when the sweep trains several), in the sweep's order. Throws
 * {@link SelectionError} for a key that is not such an axis, or one that takes a single value.
 */
export function eachValues(axes: readonly { key: string; values: unknown[] }[], key: string): string[] {
  const { values, someLack } = settingValues(selectableAxes(axes), key, `--each ${key}`);
  if (values.length === 0)
    throw new SelectionError(
      `--each ${key}: none of the sweep's settings gives ${key} a value; valid: ${selectableKeys(extraAxes(axes)).join(', ')}`,
    );
  if (values.length < 2 && someLack)
    throw new SelectionError(
      `--each ${key}: only some of the sweep's settings give it a value (${values.join(', ')}), so there is no second one to fit; --where ${key}=${values[0]} selects those`,
    );
  if (values.length < 2)
    throw new SelectionError(
      `--each ${key}: every trial of the sweep has ${key} = ${values[0]}, so there is one selection; fit without --each`,
    );
  return values;
}

/**
 * The trials at every condition's axis value. Dense trials (S = 0) are kept under a pruner condition: every
 * pruner setting shares them (they have one id), and the law needs its S = 0 points. A condition may name a
 * setting inside an axis of mappings (`--where pruner.name=gmp` where the sweep lists whole pruners), or a seed
 * of a sweep that trains several (dense trials are a seed's own: they are not kept across seeds). Throws
 * {@link SelectionError} for a key that is not one of the sweep's extra axes or a value it does not take,
 * naming the valid ones, for two values of one key (which no trial has), and for a key every trial shares.
 */
export function selectTrials(
  trials: readonly TrialRecord[],
  axes: readonly { key: string; values: unknown[] }[],
  conditions: readonly AxisCondition[],
): TrialRecord[] {
  // seeds too, when the sweep trains several: a law fitted to one seed shows how far the fit moves seed to seed
  const extra = selectableAxes(axes);
  const found = conditions.map((c, i) => {
    const other = conditions.slice(0, i).find((o) => o.key === c.key && !isAxisValue(o.value, c.value));
    if (other)
      throw new SelectionError(
        `--where ${other.key}=${other.value} and --where ${c.key}=${c.value}: a trial has one ${c.key}, so no ` +
          `trial has both; fit one setting at a time`,
      );
    const { at, values, someLack } = settingValues(extra, c.key, `--where ${c.key}=${c.value}`);
    if (values.length === 0)
      throw new SelectionError(
        `--where ${c.key}=${c.value}: none of the sweep's settings gives ${c.key} a value; valid: ${selectableKeys(extraAxes(axes)).join(', ')}`,
      );
    if (!values.some((v) => isAxisValue(v, c.value)))
      throw new SelectionError(
        `--where ${c.key}=${c.value}: the sweep's ${c.key} values are ${values.join(', ')}`,
      );
    // (a sweep recorded before one-value lists stopped being axes, or a setting every listed pruner shares)
    if (values.length === 1 && !someLack)
      throw new SelectionError(
        `--where ${c.key}=${c.value}: every trial of the sweep has it (${c.key} takes that one value), so it selects them all and names no setting; leave it out`,
      );
    return { c, at };
  });
  return trials.filter((t) =>
    found.every(
      ({ c, at }) =>
        (isPrunerAxis(c.key) && t.sparsity === 0) ||
        isAxisValue(
          settingIn(
            axisValueText(t.axes?.[at.axis.key] ?? (at.axis.key === 'seed' ? t.seed : undefined)),
            at.path,
          ) ?? '',
          c.value,
        ),
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
    const relevant = isPrunerAxis(a.key) ? finished.filter((t) => t.sparsity > 0) : finished;
    const seen = [
      ...new Map(relevant.map((t) => [axisValueText(t.axes?.[a.key]), t.axes?.[a.key]])).values(),
    ];
    if (seen.length < 2) return [];
    // whole pruners in words: their names where those tell them apart, else with their settings
    const names = seen.map((v) => settingIn(axisValueText(v), ['name']));
    const byName = names.every((n) => n !== undefined) && new Set(names).size === names.length;
    return [`${a.key} (${seen.map((v) => settingText(v, byName)).join(', ')})`];
  });
  if (pooled.length === 0) return null;
  const [first] = extraAxes(axes).filter((a) => pooled.some((p) => p.startsWith(`${a.key} `)));
  // an axis of whole pruners: picked by name when their names tell them apart
  const names = first.values.map((v) => settingIn(v, ['name']));
  const byName = names.every((n) => n !== undefined) && new Set(names).size === names.length;
  return { pooled, example: byName ? `${first.key}.name=${names[0]}` : `${first.key}=${first.values[0]}` };
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
