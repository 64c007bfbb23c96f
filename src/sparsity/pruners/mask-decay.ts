import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { EVERY_STEP, steInit, steUpdate } from './ste-family.js';

/** Options of pruning-mask decay. */
export interface MaskDecayOptions {
  /** How β falls from 1 to 0: linear max(0, 1 − p) or exponential e^(−rate·p), p the decay progress. */
  decay: 'linear' | 'exponential';
  /** Fraction of training at which β starts to fall (before it: dense forward). */
  start: number;
  /** Fraction of training from which β = 0: hard N:M masks in the forward pass while fine-tuning. */
  end: number;
  /** Exponential decay only: β = e^(−rate·p). */
  rate: number;
}

/** The exponential decay's default rate: β ≈ e^-5 ≈ 0.007 just before it drops to 0 at `end`. */
const DEFAULT_RATE = 5;

/** β after `step` steps: 1 before start, decaying over [start, end), 0 from end on. */
export function maskDecayBeta(step: number, totalSteps: number, o: MaskDecayOptions): number {
  const start = Math.round(o.start * totalSteps);
  const end = Math.max(start, Math.round(o.end * totalSteps));
  if (step < start) return 1;
  if (step >= end) return 0;
  const p = (step - start) / (end - start);
  return o.decay === 'linear' ? Math.max(0, 1 - p) : Math.exp(-o.rate * p);
}

/**
 * Pruning-mask decay for N:M (Kao et al. 2022, arXiv:2209.07617): instead of zeroing pruned weights, the
 * forward pass scales them by β_t, falling from 1 to 0 (linear max(0, 1 − c·t) or exponential e^(−c·t),
 * c set by start/end), with gradients passed straight through to the dense weights and N:M masks recomputed
 * every step; from `end` on β = 0 and the model fine-tunes with hard N:M masks in the forward pass, still recomputed
 * from |w| every step with gradients passed straight through, as in the decay code of Kao et al.'s group
 * (Bambhaniya et al. 2024, https://arxiv.org/abs/2402.04744, whose fine-tuning phase is a straight-through step
 * mask). So a pruned weight gets the whole gradient g, not β·g, at every β.
 */
export const maskDecay: Algorithm<MaskDecayOptions> = {
  name: 'mask-decay',
  summary: 'N:M mask decay: pruned weights scaled by β_t (1 → 0) in the forward pass, then hard N:M masks',
  paper: 'https://arxiv.org/abs/2209.07617',
  options: z
    .strictObject({
      // linear: the simpler of Kao et al.'s two decays, with no rate to tune
      decay: z.enum(['linear', 'exponential']).default('linear').describe('β_t: linear or exponential'),
      // 0: decay from the first step (training from scratch, no dense warm-up)
      start: z.number().min(0).max(1).default(0).describe('fraction of training at which β starts to fall'),
      // 0.75: the last quarter fine-tunes with hard masks (as T_end = 75% for RigL)
      end: z
        .number()
        .min(0)
        .max(1)
        .default(0.75)
        .describe('fraction of training from which β = 0 (fine-tuning)'),
      rate: z
        .number()
        .positive()
        .default(DEFAULT_RATE)
        .describe('exponential only: β = e^(-rate·p), p from 0 to 1'),
    })
    .refine((o) => o.end >= o.start, { message: 'end must be at least start', path: ['end'] })
    // linear decay reads no rate: another would give trials that train alike two ids
    .refine((o) => o.decay === 'exponential' || o.rate === DEFAULT_RATE, {
      message: 'rate is read by decay: exponential only; leave it out with decay: linear',
      path: ['rate'],
    }),
  defaultSchedule: { ...EVERY_STEP },
  patterns: ['nm'],
  schedules: ['periodic'],
  needsGradients: false,
  application: { mode: 'soft', prunedScale: maskDecayBeta },
  init: steInit,
  update: steUpdate,
};
