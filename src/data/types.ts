import { splitStride } from './split-stride.js';
/** A tokenised text source: train and held-out validation streams over a fixed vocabulary. */
export interface TokenCorpus {
  vocabSize: number;
  train: Uint16Array;
  validation: Uint16Array;
  /** Lowest achievable loss in nats per token, when known (synthetic sources); else null. */
  entropyFloor: number | null;
  /** One line for logs and reports. */
  description: string;
}

/** Byte-level tokens: every byte is a token, so any text needs no tokenizer and vocab is 256. */
export const BYTE_VOCAB = 256;

/** Bytes of a string (UTF-8) as tokens. */
export function bytesToTokens(bytes: Uint8Array): Uint16Array {
  return Uint16Array.from(bytes);
}

/**
 * Deterministic document split: every k-th document (k = round(1 / fraction)), starting at k/2, is
 * validation. Interleaving keeps both sets spread over the whole source (Brown is ordered by genre).
 */
export function splitDocuments<T>(
  docs: readonly T[],
  validationFraction: number,
): { train: T[]; validation: T[] } {
  const k = splitStride(validationFraction);
  const train: T[] = [];
  const validation: T[] = [];
  docs.forEach((d, i) => {
    (i % k === Math.floor(k / 2) ? validation : train).push(d);
  });
  return { train, validation };
}

/** Joins documents into one stream of byte tokens, separated by a blank line. */
export function joinDocuments(docs: readonly string[]): Uint16Array {
  return bytesToTokens(Buffer.from(docs.join('\n\n'), 'utf8'));
}
