import { z } from 'zod';
import { fmt } from '../util/format.js';
import type { LmShape } from './lm.js';

/**
 * Fixed hyperparameters of the `lm` family (the `model:` block). Sizing turns them plus (N, S) into a shape.
 */
export const lmHparamsSchema = z.strictObject({
  family: z.literal('lm').default('lm'),
  /** d_model per layer: d_model = aspect_ratio · n_layers. 32 reproduces the reference model (4 layers, d 128). */
  aspect_ratio: z.number().positive().default(32),
  /** Width of one attention head; d_model is a multiple of it. 16 keeps tiny models multi-headed. */
  head_dim: z.number().int().min(1).default(16),
  /** Preferred d_ff / d_model (GPT-2 uses 4); d_ff absorbs the rounding of d_model so N is hit closely. */
  ff_ratio: z.number().positive().default(4),
  /** Output head shares the token embedding (standard for small LMs; keeps embeddings a small share). */
  tied_embeddings: z.boolean().default(true),
  /** Upper bound on depth the sizing rule may choose. */
  max_layers: z.number().int().min(1).default(48),
});
export type LmHparams = z.infer<typeof lmHparamsSchema>;

/** Largest dense prunable count the rule will produce; far beyond what a CPU trains in a day. */
const MAX_PRUNABLE = 1e11;

/** Dense prunable parameters (attention + MLP matrices) of a shape: L · (4d² + 2·d·d_ff). */
export function lmPrunableCount(s: Pick<LmShape, 'n_layers' | 'd_model' | 'd_ff'>): number {
  return s.n_layers * (4 * s.d_model * s.d_model + 2 * s.d_model * s.d_ff);
}

/** Smallest dense prunable count the rule reaches: one layer, one head, d_ff at its lower ratio bound. */
export function lmMinPrunable(h: LmHparams): number {
  const d = h.head_dim;
  return 4 * d * d + 2 * d * Math.max(1, Math.ceil(d * ffBounds(h)[0]));
}

/** d_ff / d_model may range over [ff_ratio/4, ff_ratio·4] while absorbing rounding. */
function ffBounds(h: LmHparams): [number, number] {
  return [h.ff_ratio / 4, h.ff_ratio * 4];
}

/** Raised when no shape has the requested size; the caller adds where in the config the size came from. */
export class SizingError extends Error {
  override name = 'SizingError';
}

/**
 * The `lm` sizing rule. For target non-zero count N at sparsity S the dense prunable count must be
 * P = N / (1 − S) (the paper counts N as non-zero attention + MLP weights, no embeddings).
 * 1. Depth: L = round(cbrt(P / (12 · a²))) with a = aspect_ratio, i.e. d_model ≈ a · L at d_ff = 4·d.
 * 2. Width: d_model is the multiple of head_dim next to sqrt(P / (L · (4 + 2r))), r = ff_ratio, whichever
 *    leaves d_ff closest to r · d_model (in log ratio).
 * 3. d_ff = round((P / L − 4d²) / (2d)), which lands P within 1/(12·d) of its target.
 * Neighbouring depths are tried when no width fits. Throws {@link SizingError} if N is unreachable.
 */
export function sizeLm(
  nonzero: number,
  sparsity: number,
  h: LmHparams,
  ctx: { vocabSize: number; seqLen: number },
): LmShape {
  const target = nonzero / (1 - sparsity);
  const minP = lmMinPrunable(h);
  if (!(target >= minP) || target > MAX_PRUNABLE) {
    throw new SizingError(
      `no lm shape has ${fmt(nonzero)} non-zero parameters at sparsity ${sparsity}: that needs ${fmt(target)} dense prunable parameters, ` +
        `but the lm sizing rule (head_dim ${h.head_dim}, ff_ratio ${h.ff_ratio}) reaches ${fmt(minP)} to ${fmt(MAX_PRUNABLE)}, ` +
        `i.e. N from ${fmt(minP * (1 - sparsity))} at this sparsity`,
    );
  }
  const l0 = clamp(Math.round(Math.cbrt(target / (12 * h.aspect_ratio ** 2))), 1, h.max_layers);
  const depths = [l0];
  for (let k = 1; k < h.max_layers; k++) depths.push(l0 - k, l0 + k);
  for (const layers of depths.filter((l) => l >= 1 && l <= h.max_layers)) {
    const shape = bestWidth(target, layers, h);
    if (shape) {
      return {
        family: 'lm',
        vocab_size: ctx.vocabSize,
        seq_len: ctx.seqLen,
        ...shape,
        tied_embeddings: h.tied_embeddings,
      };
    }
  }
  throw new SizingError(
    `no lm shape within ${h.max_layers} layers has ${fmt(target)} dense prunable parameters`,
  );
}

function bestWidth(
  target: number,
  layers: number,
  h: LmHparams,
): { d_model: number; n_layers: number; n_heads: number; d_ff: number } | null {
  const [lo, hi] = ffBounds(h);
  const ideal = Math.sqrt(target / (layers * (4 + 2 * h.ff_ratio)));
  const base = Math.max(1, Math.floor(ideal / h.head_dim));
  let best: { d_model: number; n_layers: number; n_heads: number; d_ff: number } | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const heads of [base - 1, base, base + 1, base + 2]) {
    if (heads < 1) continue;
    const d = heads * h.head_dim;
    const ff = Math.round((target / layers - 4 * d * d) / (2 * d));
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
