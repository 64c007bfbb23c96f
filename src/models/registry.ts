import type { z } from 'zod';
import { type LmShape, lmFamily } from './lm.js';
import { type LmHparams, lmHparamsSchema, sizeLm } from './sizing.js';
import type { ModelFamily } from './types.js';

/** Everything a sweep needs to know about a family: its config schema, sizing rule and model. */
export interface FamilyEntry<Shape = unknown, Hparams = unknown> {
  model: ModelFamily<Shape>;
  /** The `model:` block (fixed hyperparameters), with defaults. */
  hparams: z.ZodType<Hparams>;
  /** Shape for target non-zero count N at sparsity S (throws SizingError if unreachable). */
  size(
    nonzero: number,
    sparsity: number,
    hparams: Hparams,
    ctx: { vocabSize: number; seqLen: number },
  ): Shape;
}

const lm: FamilyEntry<LmShape, LmHparams> = { model: lmFamily, hparams: lmHparamsSchema, size: sizeLm };

/** Model families by config name. One explicit list. */
export const families: Record<string, FamilyEntry<unknown, unknown>> = { lm };

/** Valid `model.family` values. */
export const FAMILY_NAMES = Object.keys(families);
