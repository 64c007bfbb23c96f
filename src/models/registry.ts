import type { z } from 'zod';
import type { TrialSpec } from '../config/trial-spec.js';
import { imageSource } from '../data/image-source.js';
import type { BatchSource } from '../data/source.js';
import { layoutForInput } from '../data/span-corruption.js';
import { spanCorruptionSource } from '../data/span-source.js';
import type { DataSpec } from '../data/spec.js';
import { IMAGE_SOURCES, imageGeometry, TEXT_SOURCES, vocabSizeOf } from '../data/spec.js';
import { textWindowSource } from '../data/text-windows.js';
import { type LmShape, lmFamily } from './lm.js';
import { type LmHparams, lmHparamsSchema, sizeLm } from './sizing.js';
import { type SpanBatch, type T5Shape, t5Family } from './t5.js';
import { sizeT5, type T5Hparams, t5HparamsSchema } from './t5-sizing.js';
import type { Batch, ModelFamily, TokenBatch } from './types.js';
import { type ImageBatch, type VitShape, vitFamily } from './vit.js';
import { sizeVit, type VitHparams, vitHparamsSchema } from './vit-sizing.js';

/** What sizing may look at besides N and S. */
export interface SizingContext {
  data: DataSpec;
  /** train.seq_len: the input length of text families. */
  seqLen: number;
}

/** The text one example of a text family reads, and the D units it counts. */
export interface TextWindow {
  /** Tokens of text one example reads from a stream. */
  raw: number;
  /** D units (tokens) the example counts, and evaluates on when held out. */
  units: number;
  /** How `raw` follows from the config, for messages: "seq_len + 1 = 33". */
  why: string;
}

/** Everything a sweep needs to know about a family: its config schema, sizing rule, data and model. */
export interface FamilyEntry<Shape = unknown, Hparams = unknown, B extends Batch = Batch> {
  model: ModelFamily<Shape, B>;
  /** The `model:` block (fixed hyperparameters), with defaults. */
  hparams: z.ZodType<Hparams>;
  /** What D counts for this family. */
  unit: 'tokens' | 'images';
  /** `data.source` values this family can train on. */
  dataSources: readonly string[];
  /** The largest data vocabulary the family can read (t5: bytes, its ids from 256 up are sentinels). */
  maxDataVocab?: number;
  /**
   * What `train.seq_len` means to the family: its shortest valid value and why, or null for a family that
   * does not read it (vit: an image is one sequence of its patches).
   */
  seqLen: { min: number; why: string } | null;
  /**
   * For a text family, what one example reads from a stream at `train.seq_len` (`model` is the family's
   * hyperparameters or a shape it sized: both carry what the window depends on). Absent for image families.
   */
  textWindow?(seqLen: number, model: Hparams): TextWindow;
  /** Shape for target non-zero count N at sparsity S (throws SizingError if unreachable). */
  size(nonzero: number, sparsity: number, hparams: Hparams, ctx: SizingContext): Shape;
  /** D units one training batch counts (so steps = floor(D / unitsPerBatch)). */
  unitsPerBatch(spec: Pick<TrialSpec, 'batch_size' | 'seq_len'>): number;
  /** Training and held-out batches for a trial. */
  source(spec: TrialSpec): BatchSource<B>;
}

const lm: FamilyEntry<LmShape, LmHparams, TokenBatch> = {
  model: lmFamily,
  hparams: lmHparamsSchema,
  unit: 'tokens',
  dataSources: TEXT_SOURCES,
  seqLen: { min: 1, why: 'a window of at least one token' },
  textWindow: (seqLen) => ({ raw: seqLen + 1, units: seqLen, why: `seq_len + 1 = ${seqLen + 1}` }),
  size: (n, s, h, ctx) => sizeLm(n, s, h, { vocabSize: vocabSizeOf(ctx.data), seqLen: ctx.seqLen }),
  unitsPerBatch: (spec) => spec.batch_size * spec.seq_len,
  source: textWindowSource,
};

const t5: FamilyEntry<T5Shape, T5Hparams, SpanBatch> = {
  model: t5Family,
  hparams: t5HparamsSchema,
  unit: 'tokens',
  dataSources: TEXT_SOURCES,
  maxDataVocab: 256,
  // the shortest span-corruption input: one kept token, one sentinel standing for a noise span, the end token
  seqLen: { min: 3, why: 'an encoder input holds at least one kept token, a sentinel and the end token' },
  textWindow: (seqLen, h) => {
    const raw = layoutForInput(seqLen, h.noise_density, h.mean_span_length).rawLen;
    return {
      raw,
      units: seqLen,
      why: `${raw}, the text a span-corruption example with an encoder input of seq_len ${seqLen} tokens reads`,
    };
  },
  size: (n, s, h, ctx) => sizeT5(n, s, h, ctx.seqLen),
  unitsPerBatch: (spec) => spec.batch_size * spec.seq_len,
  source: spanCorruptionSource,
};

const vit: FamilyEntry<VitShape, VitHparams, ImageBatch> = {
  model: vitFamily,
  hparams: vitHparamsSchema,
  unit: 'images',
  dataSources: IMAGE_SOURCES,
  seqLen: null,
  size: (n, s, h, ctx) => sizeVit(n, s, h, imageGeometry(ctx.data)),
  unitsPerBatch: (spec) => spec.batch_size,
  source: imageSource,
};

const erase = <S, H, B extends Batch>(f: FamilyEntry<S, H, B>) =>
  f as unknown as FamilyEntry<unknown, unknown, Batch>;

/** Model families by config name. One explicit list. */
export const families: Record<string, FamilyEntry<unknown, unknown, Batch>> = {
  lm: erase(lm),
  t5: erase(t5),
  vit: erase(vit),
};

/** Valid `model.family` values. */
export const FAMILY_NAMES = Object.keys(families);
