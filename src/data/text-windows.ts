import type { TrialSpec } from '../config/trial-spec.js';
import type { TokenBatch } from '../models/types.js';
import { sampleBatch, validationBatches } from './batches.js';
import type { BatchSource } from './source.js';
import { loadCorpus } from './spec.js';

/** Next-token windows of a text source for a decoder-only LM: D counts predicted tokens (batch × seq_len). */
export function textWindowSource(spec: TrialSpec): BatchSource<TokenBatch> {
  const corpus = loadCorpus(spec.data);
  const validation = validationBatches(corpus.validation, spec.seq_len, spec.eval.tokens, spec.batch_size);
  return {
    unitsPerBatch: spec.batch_size * spec.seq_len,
    sample: (rng) => sampleBatch(corpus.train, spec.batch_size, spec.seq_len, rng),
    validation,
    heldOutUnits: validation.reduce((n, b) => n + b.batchSize * b.seqLen, 0),
    entropyFloor: corpus.entropyFloor,
    description: corpus.description,
  };
}
