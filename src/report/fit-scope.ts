import type { FinalPoint } from './points.js';
import type { StoredFit } from './types.js';

/**
 * The trials a fit chose with `--where`, in words ("pruner.name=rigl, and the dense trials every pruner setting
 * shares"), or null when it was made from the whole sweep (or there is no fit).
 */
export function fitScope(fit: Pick<StoredFit, 'where'> | null | undefined): string | null {
  if (!fit || fit.where.length === 0) return null;
  const dense = fit.where.some((w) => w.startsWith('pruner.'))
    ? ', and the dense trials every pruner setting shares'
    : '';
  return `${fit.where.join(', ')}${dense}`;
}

/**
 * The points a law is drawn through: those the fit was made from when it chose some with `--where` (a law of
 * one pruner drawn through every pruner's points would read as the whole study's), else all of them.
 */
export function pointsOfFit(
  points: readonly FinalPoint[],
  fit: Pick<StoredFit, 'where' | 'inputs'> | null | undefined,
): FinalPoint[] {
  if (!fitScope(fit)) return [...points];
  const used = new Set(fit!.inputs);
  return points.filter((p) => used.has(p.id));
}
