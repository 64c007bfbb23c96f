import type { TokenBatch } from '../models/types.js';
import type { Rng } from '../util/rng.js';
import { spreadIndices } from './held-out.js';

/**
 * A training batch: `batchSize` windows of seqLen + 1 tokens at uniformly random offsets of the stream.
 * [B, T+1] row-major.
 */
export function sampleBatch(stream: Uint16Array, batchSize: number, seqLen: number, rng: Rng): TokenBatch {
  const w = seqLen + 1;
  if (stream.length < w)
    throw new Error(`the training stream has ${stream.length} tokens, fewer than one window (${w})`);
  const tokens = new Int32Array(batchSize * w);
  for (let b = 0; b < batchSize; b++) {
    const start = rng.int(stream.length - w + 1);
    for (let j = 0; j < w; j++) tokens[b * w + j] = stream[start + j];
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
