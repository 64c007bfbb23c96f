import { parseHumanNumber } from '../util/format.js';
import { closest, getAt, keyName } from '../util/issues.js';
import { CORE_AXES, isCoreAxis } from './schema.js';
import type { ConfigPath, YamlSource } from './yaml-source.js';

/** A sweep axis beyond the core four: a setting given a list of values. */
export interface ExtraAxis {
  /** Dotted key, e.g. `train.optimizer.lr`. */
  key: string;
  /** Path of the setting in the config. */
  path: ConfigPath;
  values: unknown[];
  /** Where value i was written (file:line:col). */
  locate(i: number): string;
}

/** Sets `value` at `path` of a plain object, creating mappings on the way. */
export function setAt(root: Record<string, unknown>, path: ConfigPath, value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string | number, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

/**
 * Takes the dotted keys out of the `sweep:` block (`train.optimizer.lr: [1e-3, 3e-3]`) as axes. A key that is
 * neither a core axis nor dotted is reported (a typo of a core axis would otherwise vanish silently) and
 * removed, so that validation can go on and report every other problem too.
 */
export function takeDottedAxes(
  raw: Record<string, unknown>,
  src: YamlSource,
): { axes: ExtraAxis[]; errors: string[] } {
  const sweep = raw.sweep;
  if (sweep === null || typeof sweep !== 'object' || Array.isArray(sweep)) return { axes: [], errors: [] };
  const axes: ExtraAxis[] = [];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(sweep as Record<string, unknown>)) {
    if (isSweepSetting(key)) continue;
    const path = key.split('.');
    if (path.length < 2 || path.some((p) => p === '') || ['sweep', 'name'].includes(path[0])) {
      const guess = closest(key, CORE_AXES);
      errors.push(
        `${src.locateKey(['sweep'], key)}: sweep.${key}: unknown sweep axis "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; ` +
          `valid: ${CORE_AXES.join(', ')}, zip, or the dotted key of another setting (e.g. train.optimizer.lr)`,
      );
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) {
      // an empty axis would plan no trials at all, and replace the sweep's plan with nothing
      errors.push(`${src.locate(['sweep', key])}: sweep.${key}: needs at least one value`);
      delete (sweep as Record<string, unknown>)[key];
      continue;
    }
    axes.push({
      key,
      path,
      values,
      locate: (i) => src.locate(Array.isArray(value) ? ['sweep', key, i] : ['sweep', key]),
    });
    delete (sweep as Record<string, unknown>)[key];
  }
  for (const key of Object.keys(sweep)) {
    if (!isSweepSetting(key)) delete (sweep as Record<string, unknown>)[key];
  }
  return { axes, errors };
}

/** A key of `sweep:` that is not another setting's axis: a core axis, or `zip`. */
const isSweepSetting = (key: string) => isCoreAxis(key) || key === 'zip';

/** An axis written in place: a list where the schema wants one value (`batch_size: [16, 32]`). */
export function inlineAxis(path: ConfigPath, raw: unknown, src: YamlSource): ExtraAxis {
  const values = getAt(raw, path) as unknown[];
  return { key: keyName(path), path, values, locate: (i) => src.locate([...path, i]) };
}

/** Every combination of axis values (the last axis varies fastest). */
export function cartesian<T>(lists: readonly (readonly T[])[]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((combo) => list.map((v) => [...combo, v])), [[]]);
}

/**
 * A value listed twice in an axis (compared as JSON, numbers written as text as the numbers they are): most likely a typo for another level, and it would be
 * planned once. One message per repeat, located where it is written; `name` is the key as the user wrote it.
 */
export function repeatedValues(axis: ExtraAxis, name: string): string[] {
  const first = new Map<string, number>();
  const out: string[] = [];
  for (const [i, v] of axis.values.entries()) {
    // as the schema reads it: "3e-3" and 0.003 are one learning rate
    const key = JSON.stringify(typeof v === 'string' ? (parseHumanNumber(v) ?? v) : v);
    const j = first.get(key);
    if (j === undefined) first.set(key, i);
    else
      out.push(
        `${axis.locate(i)}: ${name}[${i}]: listed twice (also at [${j}]); give each value once (repeated trials come from seed)`,
      );
  }
  return out;
}

/**
 * One line per setting swept twice, as a list in place and again under `sweep:` (say `train.batch_size`):
 * only one of the lists could be planned, so it is an error naming both places.
 */
export function sweptTwice(dotted: readonly ExtraAxis[], inline: readonly ExtraAxis[]): string[] {
  return inline.flatMap((a) => {
    const other = dotted.find((d) => d.key === a.key);
    return other
      ? [
          `${other.locate(0)}: sweep.${a.key}: ${a.key} is also a list in place at ${a.locate(0)}; ` +
            'give its values in one of the two places',
        ]
      : [];
  });
}
