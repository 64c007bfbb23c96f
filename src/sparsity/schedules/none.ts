import { z } from 'zod';
import type { Schedule } from '../types.js';

/** Masks never change after initialisation (dense training, static sparse training). */
export const none: Schedule<Record<string, never>> = {
  name: 'none',
  summary: 'masks are set once before training and never change',
  options: z.strictObject({}),
  isUpdateStep: () => false,
  sparsityAt: (_step, _total, target) => target,
};
