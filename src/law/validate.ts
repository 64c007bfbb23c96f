import { LawInputError } from './errors.js';
import type { LawPoint } from './types.js';

/** Values within this relative distance above their level's smallest count as one level (see {@link levelCount}). */
export const LEVEL_TOLERANCE = 0.01;

/**
 * How many levels positive values take: sorted, a value more than LEVEL_TOLERANCE above its level's smallest starts a
 * new one (so a series of values each close to the last is not one level, however wide it spans).
 */
export function levelCount(values: readonly number[], tolerance = LEVEL_TOLERANCE): number {
  const sorted = [...values].sort((a, b) => a - b);
  let count = 0;
  // measured from the level's smallest value, so values each close to the last do not chain into one wide level
  let start = Number.NEGATIVE_INFINITY;
  for (const v of sorted) {
    if (v <= start * (1 + tolerance)) continue;
    count++;
    start = v;
  }
  return count;
}

/**
 * Without a size group (external points), N within this fraction of each other counts as one model size:
 * sizing hits a target N within 5%, so a sweep's dense and sparse models of one target differ slightly
 * (24,064 and 24,000 for 24k).
 */
export const SAME_SIZE_TOLERANCE = 0.05;

/**
 * How many model sizes the points have: their sweep's N targets (`sizeGroup`) when every point has one, else N
 * levels within {@link SAME_SIZE_TOLERANCE}. Measured N of one target differ by a few weights across sparsities
 * (3,996 and 4,000 for 4k), which are not two sizes to fit b_N on.
 */
export function sizeCount(points: readonly Pick<LawPoint, 'nonzeroParams' | 'sizeGroup'>[]): number {
  return points.every((p) => p.sizeGroup !== undefined)
    ? new Set(points.map((p) => p.sizeGroup)).size
    : levelCount(
        points.map((p) => p.nonzeroParams),
        SAME_SIZE_TOLERANCE,
      );
}

/** Throws when a quantity takes fewer than `min` distinct values in the data. */
export function requireLevels(levels: number, min: number, what: string, hint?: string): void {
  if (levels >= min) return;
  const tail = hint === undefined ? '' : `: ${hint}`;
  throw new LawInputError(
    `the data have ${levels} distinct ${what} ${levels === 1 ? 'value' : 'values'}; at least ${min} needed${tail}`,
  );
}

/** The fields every point must have. */
const FIELDS = ['sparsity', 'nonzeroParams', 'tokens', 'loss'] as const;

/** Why a field value is invalid, or null when it is valid. Shared by fitLaw and the CSV parser. */
export function fieldProblem(field: (typeof FIELDS)[number], value: number): string | null {
  if (!Number.isFinite(value)) return 'must be a finite number';
  switch (field) {
    case 'sparsity':
      return value >= 0 && value < 1 ? null : 'must be in [0, 1)';
    case 'nonzeroParams':
    case 'tokens':
    case 'loss':
      return value > 0 ? null : 'must be > 0';
  }
}

/** Checks every point's fields; the error names the point (index and id) and what is valid. */
export function validatePoints(points: readonly LawPoint[]): void {
  if (!Array.isArray(points))
    throw new LawInputError('points must be an array of {sparsity, nonzeroParams, tokens, loss}');
  points.forEach((p, i) => {
    for (const field of FIELDS) {
      const value = (p as unknown as Record<string, unknown>)[field];
      const problem = typeof value === 'number' ? fieldProblem(field, value) : 'must be a number';
      if (problem !== null) {
        const label = p.id === undefined ? `point ${i}` : `point ${i} (id ${p.id})`;
        throw new LawInputError(`${label}: ${field} ${problem}, got ${String(value)}`);
      }
    }
  });
}

/**
 * Minimum number of points for a form with `k` coefficients: k + 1, so at least one degree of freedom
 * is left over the parameters (fewer points can be fitted exactly by many coefficient sets).
 */
export function minPoints(k: number): number {
  return k + 1;
}

/** Throws below {@link minPoints}; warns below 3·k points, where a fit is weakly determined. */
export function checkPointCount(n: number, k: number, formName: string): string[] {
  if (n < minPoints(k)) {
    throw new LawInputError(
      `form '${formName}' has ${k} coefficients and needs at least ${minPoints(k)} points; got ${n}`,
    );
  }
  return n < 3 * k
    ? [`${k} parameters from ${n} points: the fit is weakly determined (fewer than 3 per parameter)`]
    : [];
}
