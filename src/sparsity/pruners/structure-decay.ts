import { z } from 'zod';
import type { Algorithm } from '../types.js';
import { steInit, steUpdate } from './ste-family.js';

/**
 * Sparse structure decay for N:M (Kao et al. 2022, arXiv:2209.07617): the N:M structure is tightened step
 * by step, (m − 1):m → (m/2):m → … → n:m (the nm-staircase schedule), with dense weights kept, gradients
 * passed straight through and masks recomputed from |w| every step; the last quarter fine-tunes at n:m, its masks
 * still recomputed every step and its gradients still straight through (the authors' group's code does the same).
 */
export const structureDecay: Algorithm<Record<string, never>> = {
  name: 'structure-decay',
  summary: 'N:M structure decay: (m-1):m → m/2:m → … → n:m over training, straight-through, then n:m',
  paper: 'https://arxiv.org/abs/2209.07617',
  options: z.strictObject({}),
  // the staircase's defaults: sparse from the start, n:m reached at 75%, masks recomputed every step
  defaultSchedule: { name: 'nm-staircase' },
  patterns: ['nm'],
  schedules: ['nm-staircase'],
  needsGradients: false,
  application: { mode: 'soft' },
  init: steInit,
  update: steUpdate,
};
