import { z } from 'zod';
import { human } from '../../util/human-schema.js';
import type { Schedule, ScheduleContext } from '../types.js';

/** Options of the N:M staircase. */
export interface StaircaseOptions {
  /** Fraction of training trained dense before the first level. */
  start: number;
  /** Fraction of training at which the final n:m is reached; fine-tuning at n:m afterwards. */
  end: number;
  /** Steps between mask updates (1: masks recomputed every step, as in Kao et al.). */
  interval: number;
}

/**
 * Kept-per-group levels from (m − 1):m down to n:m, halving in between: 2:4 → [3, 2]; 1:8 → [7, 4, 2, 1];
 * 3:8 → [7, 4, 3].
 */
export function staircaseLevels(n: number, m: number): number[] {
  const levels = [m - 1];
  for (let k = Math.floor(m / 2); k > n; k = Math.floor(k / 2))
    if (k < levels[levels.length - 1]) levels.push(k);
  if (levels[levels.length - 1] !== n) levels.push(n);
  return levels;
}

function nmOf(ctx: ScheduleContext | undefined): { n: number; m: number } {
  const p = ctx?.pattern;
  if (p?.name !== 'nm' || typeof p.n !== 'number' || typeof p.m !== 'number')
    throw new Error('schedule nm-staircase needs pattern nm with n and m');
  return { n: p.n, m: p.m };
}

/** The level (kept per group) after `step` steps, or m before `start` (dense). */
function keptAt(step: number, totalSteps: number, o: StaircaseOptions, n: number, m: number): number {
  const start = Math.round(o.start * totalSteps);
  const end = Math.max(start, Math.round(o.end * totalSteps));
  const levels = staircaseLevels(n, m);
  if (step < start) return m;
  if (step >= end || levels.length === 1) return n;
  // the levels before n share [start, end) equally; n itself holds from end on
  const frames = levels.length - 1;
  return levels[Math.min(frames - 1, Math.floor(((step - start) / (end - start)) * frames))];
}

/**
 * Sparse structure decay (Kao et al. 2022, arXiv:2209.07617): dense until `start`, then N:M tightened step by
 * step, (m − 1):m → (m/2):m → … → n:m, in equal frames until `end`, then n:m while fine-tuning. Sparsity at a
 * level k is 1 − k/m; masks change every `interval` steps and at every level change.
 */
export const nmStaircase: Schedule<StaircaseOptions> = {
  name: 'nm-staircase',
  gradual: true,
  summary: 'N:M structure decay: dense, then (m-1):m, m/2:m, ... n:m in equal frames from start to end',
  options: z
    .strictObject({
      // 0: sparse from the first step (training from scratch); Kao et al. also try a dense warm-up
      start: z.number().min(0).max(1).default(0).describe('fraction of training trained dense first'),
      // 0.75: the last quarter fine-tunes at n:m (as T_end = 75% for RigL)
      end: z.number().min(0).max(1).default(0.75).describe('fraction of training at which n:m is reached'),
      interval: human().pipe(z.number().int().min(1)).default(1).describe('steps between mask updates'),
    })
    .refine((o) => o.end >= o.start, { message: 'end must be at least start', path: ['end'] }),
  patterns: ['nm'],
  isUpdateStep(step, totalSteps, o, ctx) {
    if (step <= 0) return false;
    const { n, m } = nmOf(ctx);
    const start = Math.round(o.start * totalSteps);
    if (keptAt(step, totalSteps, o, n, m) !== keptAt(step - 1, totalSteps, o, n, m)) return true;
    return step >= start && (step - start) % o.interval === 0;
  },
  sparsityAt(step, totalSteps, target, o, ctx) {
    const { n, m } = nmOf(ctx);
    const kept = keptAt(step, totalSteps, o, n, m);
    return kept === n ? target : 1 - kept / m;
  },
};
