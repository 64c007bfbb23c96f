import type { TrialSpec } from '../config/trial-spec.js';
import type { TokenBatch } from '../models/types.js';
import { validationBatches, windowBatch, windowOrder } from './batches.js';
import { firstExample } from './first-example.js';
import type { BatchSource } from './source.js';
import { loadCorpus } from './spec.js';

/** Next-token windows of a text source for a decoder-only LM: D counts predicted tokens (batch × seq_len). */
export function textWindowSource(spec: TrialSpec): BatchSource<TokenBatch> {
  const corpus = loadCorpus(spec.data);
  const validation = validationBatches(corpus.validation, spec.seq_len, spec.eval.tokens, spec.batch_size);
  const order = windowOrder(corpus.train, spec.seq_len, spec.seed);
  const first = firstExample(spec);
  return {
    unitsPerBatch: spec.batch_size * spec.seq_len,
    sample: (batch) => windowBatch(corpus.train, order, batch, spec.batch_size, spec.seq_len, first),
    validation,
    heldOutUnits: validation.reduce((n, b) => n + b.batchSize * b.seqLen, 0),
    entropyFloor: corpus.entropyFloor,
    description: corpus.description,
  };
}
