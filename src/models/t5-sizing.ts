import { z } from 'zod';
import { FIRST_SENTINEL, layoutForInput } from '../data/span-corruption.js';
import { human } from '../util/human-schema.js';
import { blockHparams, type LayerCount, sizeBlocks } from './sizing.js';
import type { T5Shape } from './t5.js';

/** A T5 layer pair: encoder (4d² + 2·d·d_ff) plus decoder (8d² + 2·d·d_ff, with cross-attention). */
export const T5_LAYER: LayerCount = { a: 12, b: 4 };

/** The layer pair with T5 v1.1's gated MLPs, three matrices each (4d² + 3·d·d_ff, and 8d² + 3·d·d_ff). */
export const T5_GATED_LAYER: LayerCount = { a: 12, b: 6 };

/** The layer count of a t5 shape or config: gated MLPs hold three matrices, plain ones two. */
export function t5LayerCount(h: { ff_activation: string }): LayerCount {
  return h.ff_activation === 'gated-gelu' ? T5_GATED_LAYER : T5_LAYER;
}

/** Fixed hyperparameters of the `t5` family (the `model:` block). */
export const t5HparamsSchema = z
  .strictObject({
    family: z.literal('t5'),
    ...blockHparams,
    max_layers: human().pipe(z.number().int().min(1)).default(24),
    /** Share of input tokens masked (T5: 15%). */
    noise_density: z.number().gt(0).lt(0.5).default(0.15),
    /** Mean length of a masked span (T5: 3). */
    mean_span_length: z.number().min(1).default(3),
    /** Relative position buckets and the distance the last bucket starts at (T5: 32, 128). */
    rel_buckets: human().pipe(z.number().int().min(4)).default(32),
    rel_max_distance: human().pipe(z.number().int().min(8)).default(128),
    /**
     * MLP activation: relu as in T5 1.0, gelu, or gated-gelu as in T5 v1.1 (three matrices per MLP, so a given N
     * buys a smaller d_ff; T5 v1.1 base has d_ff/d_model = 2048/768, ff_ratio 2.67).
     */
    ff_activation: z.enum(['relu', 'gelu', 'gated-gelu']).default('relu'),
    /** Head tied to the token embedding with T5 1.0's d^-0.5 scaling (true), or a head of its own (T5 v1.1). */
    tied_embeddings: z.boolean().default(true),
  })
  // the log-spaced buckets run from the exact ones (half the decoder's buckets) to rel_max_distance: at or below
  // them the bucket formula divides by log(≤ 1), and distances fall into wrong or negative buckets
  .refine((h) => h.rel_max_distance > Math.floor(h.rel_buckets / 2), {
    message: "must be more than rel_buckets / 2 (the decoder's exact buckets), e.g. T5's 128 with 32 buckets",
    path: ['rel_max_distance'],
  });
export type T5Hparams = z.infer<typeof t5HparamsSchema>;

/**
 * The `t5` sizing rule: the shared rule ({@link sizeBlocks}) with n_layers counting encoder and decoder
 * layers in pairs (P = L · (12d² + 4·d·d_ff), or 12d² + 6·d·d_ff with gated MLPs). `inputLen` (train.seq_len) is the encoder input length; the
 * target length and the sentinel count follow from the span-corruption layout.
 */
export function sizeT5(nonzero: number, sparsity: number, h: T5Hparams, inputLen: number): T5Shape {
  const blocks = sizeBlocks('t5', nonzero, sparsity, h, t5LayerCount(h));
  const layout = layoutForInput(inputLen, h.noise_density, h.mean_span_length);
  return {
    family: 't5',
    vocab_size: FIRST_SENTINEL + layout.spans,
    ...blocks,
    input_len: layout.inputLen,
    target_len: layout.targetLen,
    noise_density: h.noise_density,
    mean_span_length: h.mean_span_length,
    rel_buckets: h.rel_buckets,
    rel_max_distance: h.rel_max_distance,
    ff_activation: h.ff_activation,
    // written only when untied, so the specs of tied trials hold what they held before the option
    ...(h.tied_embeddings ? {} : { tied_embeddings: false }),
  };
}
