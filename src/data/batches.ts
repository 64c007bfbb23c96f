import type { TokenBatch } from '../models/types.js';
import { spreadIndices } from './held-out.js';
import { ShuffledPasses, windowPasses } from './shuffled-passes.js';

/** The shuffled passes of a trial's seed over a training stream's windows of seqLen + 1 tokens. */
export function windowOrder(stream: Uint16Array, seqLen: number, seed: number): ShuffledPasses {
  const w = seqLen + 1;
  if (stream.length < w)
    throw new Error(`the training stream has ${stream.length} tokens, fewer than one window (${w})`);
  const { count, offsets } = windowPasses(stream.length, w);
  return new ShuffledPasses(count, offsets, seed);
}

/**
 * Training batch `batch` (from 0): the next `batchSize` windows of seqLen + 1 tokens in the passes' order (examples
 * first + batch·B to first + batch·B + B − 1). [B, T+1] row-major.
 */
export function windowBatch(
  stream: Uint16Array,
  order: ShuffledPasses,
  batch: number,
  batchSize: number,
  seqLen: number,
  first = 0,
): TokenBatch {
  const w = seqLen + 1;
  const tokens = new Int32Array(batchSize * w); // [B, T+1]
  for (const [b, { index, offset }] of order.batch(batch, batchSize, first).entries()) {
    const start = offset + index * w;
    tokens.set(stream.subarray(start, start + w), b * w);
  }
  return { tokens, batchSize, seqLen };
}

/**
 * The fixed held-out set: up to `maxTokens` predicted tokens as non-overlapping windows spread evenly over the
 * whole validation stream ({@link spreadIndices}), grouped into batches. Same windows for every evaluation and
 * trial.
 */
export function validationBatches(
  stream: Uint16Array,
  seqLen: number,
  maxTokens: number,
  batchSize: number,
): TokenBatch[] {
  const w = seqLen + 1;
  const available = Math.floor(stream.length / w);
  if (available < 1)
    throw new Error(`the validation stream has ${stream.length} tokens, fewer than one window (${w})`);
  const windows = spreadIndices(available, Math.max(1, Math.floor(maxTokens / seqLen)));
  const batches: TokenBatch[] = [];
  for (let first = 0; first < windows.length; first += batchSize) {
    const chosen = windows.slice(first, first + batchSize);
    const tokens = new Int32Array(chosen.length * w); // [n, T+1]
    for (const [i, win] of chosen.entries()) tokens.set(stream.subarray(win * w, (win + 1) * w), i * w);
    batches.push({ tokens, batchSize: chosen.length, seqLen });
  }
  return batches;
}
