import { z } from 'zod';
import { fmt } from '../util/format.js';
import { human } from '../util/human-schema.js';
import type { LmShape } from './lm.js';

/** Hyperparameters every Transformer family's sizing rule reads. */
export const blockHparams = {
  /** d_model per layer: d_model ≈ aspect_ratio · n_layers. 32 reproduces the reference lm (4 layers, d 128). */
  aspect_ratio: z.number().positive().default(32),
  /** Width of one attention head; d_model is a multiple of it. 16 keeps tiny models multi-headed. */
  head_dim: human().pipe(z.number().int().min(1)).default(16),
  /** Preferred d_ff / d_model (GPT-2 and T5 use 4); d_ff absorbs the rounding of d_model so N is hit closely. */
  ff_ratio: z.number().positive().default(4),
  /** Upper bound on depth the sizing rule may choose. */
  max_layers: human().pipe(z.number().int().min(1)).default(48),
};
export type BlockHparams = { aspect_ratio: number; head_dim: number; ff_ratio: number; max_layers: number };

/**
 * Fixed hyperparameters of the `lm` family (the `model:` block). Sizing turns them plus (N, S) into a shape.
 */
export const lmHparamsSchema = z.strictObject({
  family: z.literal('lm').default('lm'),
  ...blockHparams,
  /** Output head shares the token embedding (standard for small LMs; keeps embeddings a small share). */
  tied_embeddings: z.boolean().default(true),
});
export type LmHparams = z.infer<typeof lmHparamsSchema>;

/**
 * Prunable weights of one layer as A·d² + B·d·d_ff: lm and vit blocks (attention 4d², MLP 2·d·d_ff) are
 * {A: 4, B: 2}; a T5 encoder + decoder layer pair (self, cross attention and two MLPs) is {A: 12, B: 4}.
 */
export interface LayerCount {
  a: number;
  b: number;
}

/** The block dimensions sizing chooses. */
export interface BlockShape {
  d_model: number;
  n_layers: number;
  n_heads: number;
  d_ff: number;
}

/** Largest dense prunable count the rule will produce; far beyond what a CPU trains in a day. */
const MAX_PRUNABLE = 1e11;

/** Dense prunable parameters of block dimensions: L · (A·d² + B·d·d_ff). */
export function blockPrunableCount(
  s: Pick<BlockShape, 'n_layers' | 'd_model' | 'd_ff'>,
  c: LayerCount,
): number {
  return s.n_layers * (c.a * s.d_model * s.d_model + c.b * s.d_model * s.d_ff);
}

/** Dense prunable parameters (attention + MLP matrices) of an lm shape: L · (4d² + 2·d·d_ff). */
export function lmPrunableCount(s: Pick<LmShape, 'n_layers' | 'd_model' | 'd_ff'>): number {
  return blockPrunableCount(s, LM_LAYER);
}

export const LM_LAYER: LayerCount = { a: 4, b: 2 };

/** Smallest dense prunable count the rule reaches: one layer, one head, d_ff at its lower ratio bound. */
export function minPrunable(h: BlockHparams, c: LayerCount): number {
  const d = h.head_dim;
  return c.a * d * d + c.b * d * Math.max(1, Math.ceil(d * ffBounds(h)[0]));
}

/** Smallest dense prunable count of the lm rule. */
export function lmMinPrunable(h: BlockHparams): number {
  return minPrunable(h, LM_LAYER);
}

/** d_ff / d_model may range over [ff_ratio/4, ff_ratio·4] while absorbing rounding. */
function ffBounds(h: BlockHparams): [number, number] {
  return [h.ff_ratio / 4, h.ff_ratio * 4];
}

/** Raised when no shape has the requested size; the caller adds where in the config the size came from. */
export class SizingError extends Error {
  override name = 'SizingError';
}

/**
 * The sizing rule shared by every family. For target non-zero count N at sparsity S the dense prunable
 * count must be P = N / (1 − S) (the paper counts N as non-zero attention + MLP weights, no embeddings).
 * With a layer holding A·d² + B·d·d_ff prunable weights and r = ff_ratio, a = aspect_ratio:
 * 1. Depth: L = round(cbrt(P / ((A + B·r) · a²))), i.e. d_model ≈ a · L at d_ff = r·d.
 * 2. Width: d_model is the multiple of head_dim next to sqrt(P / (L · (A + B·r))), whichever leaves d_ff
 *    closest to r · d_model (in log ratio).
 * 3. d_ff = round((P / L − A·d²) / (B·d)), which lands P within a fraction of a percent of its target.
 * Neighbouring depths are tried when no width fits. Throws {@link SizingError} if N is unreachable.
 */
export function sizeBlocks(
  family: string,
  nonzero: number,
  sparsity: number,
  h: BlockHparams,
  c: LayerCount,
): BlockShape {
  const target = nonzero / (1 - sparsity);
  const minP = minPrunable(h, c);
  if (!(target >= minP) || target > MAX_PRUNABLE) {
    throw new SizingError(
      `no ${family} shape has ${fmt(nonzero)} non-zero parameters at sparsity ${sparsity}: that needs ${fmt(target)} dense prunable parameters, ` +
        `but the ${family} sizing rule (head_dim ${h.head_dim}, ff_ratio ${h.ff_ratio}) reaches ${fmt(minP)} to ${fmt(MAX_PRUNABLE)}, ` +
        `i.e. N from ${fmt(minP * (1 - sparsity))} to ${fmt(MAX_PRUNABLE * (1 - sparsity))} at this sparsity`,
    );
  }
  const perLayer = c.a + c.b * h.ff_ratio;
  const l0 = clamp(Math.round(Math.cbrt(target / (perLayer * h.aspect_ratio ** 2))), 1, h.max_layers);
  const depths = [l0];
  for (let k = 1; k < h.max_layers; k++) depths.push(l0 - k, l0 + k);
  for (const layers of depths.filter((l) => l >= 1 && l <= h.max_layers)) {
    const shape = bestWidth(target, layers, h, c);
    if (shape) return shape;
  }
  throw new SizingError(
    `no ${family} shape within ${h.max_layers} layers has ${fmt(target)} dense prunable parameters`,
  );
}

/** The `lm` sizing rule: {@link sizeBlocks} with lm layers (4d² + 2·d·d_ff). */
export function sizeLm(
  nonzero: number,
  sparsity: number,
  h: LmHparams,
  ctx: { vocabSize: number; seqLen: number },
): LmShape {
  const blocks = sizeBlocks('lm', nonzero, sparsity, h, LM_LAYER);
  return {
    family: 'lm',
    vocab_size: ctx.vocabSize,
    seq_len: ctx.seqLen,
    ...blocks,
    tied_embeddings: h.tied_embeddings,
  };
}

function bestWidth(target: number, layers: number, h: BlockHparams, c: LayerCount): BlockShape | null {
  const [lo, hi] = ffBounds(h);
  const ideal = Math.sqrt(target / (layers * (c.a + c.b * h.ff_ratio)));
  const base = Math.max(1, Math.floor(ideal / h.head_dim));
  let best: BlockShape | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const heads of [base - 1, base, base + 1, base + 2]) {
    if (heads < 1) continue;
    const d = heads * h.head_dim;
    const ff = Math.round((target / layers - c.a * d * d) / (c.b * d));
    if (ff < 1 || ff / d < lo || ff / d > hi) continue;
    const score = Math.abs(Math.log(ff / d / h.ff_ratio));
    if (score < bestScore) {
      bestScore = score;
      best = { d_model: d, n_layers: layers, n_heads: heads, d_ff: ff };
    }
  }
  return best;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
