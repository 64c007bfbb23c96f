import type { TokenBatch } from '../models/types.js';
import type { Rng } from '../util/rng.js';

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
 * The fixed held-out set: consecutive non-overlapping windows from the start of the validation stream,
 * up to `maxTokens` predicted tokens, grouped into batches. Same windows for every evaluation and trial.
 */
export function validationBatches(
  stream: Uint16Array,
  seqLen: number,
  maxTokens: number,
  batchSize: number,
): TokenBatch[] {
  const w = seqLen + 1;
  const windows = Math.min(Math.floor(stream.length / w), Math.max(1, Math.floor(maxTokens / seqLen)));
  if (windows < 1)
    throw new Error(`the validation stream has ${stream.length} tokens, fewer than one window (${w})`);
  const batches: TokenBatch[] = [];
  for (let first = 0; first < windows; first += batchSize) {
    const n = Math.min(batchSize, windows - first);
    const tokens = new Int32Array(n * w);
    tokens.set(stream.subarray(first * w, (first + n) * w));
    batches.push({ tokens, batchSize: n, seqLen });
  }
  return batches;
}
