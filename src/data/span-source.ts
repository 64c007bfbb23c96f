import type { TrialSpec } from '../config/trial-spec.js';
import type { SpanBatch, T5Shape } from '../models/t5.js';
import { Rng } from '../util/rng.js';
import { firstExample } from './first-example.js';
import { spreadIndices } from './held-out.js';
import { ShuffledPasses, windowPasses } from './shuffled-passes.js';
import type { BatchSource } from './source.js';
import { corruptSpans, FIRST_SENTINEL, PAD_ID, type SpanLayout } from './span-corruption.js';
import { loadCorpus } from './spec.js';

/** Fixed seed of the held-out set's noise masks: the same validation examples for every trial. */
const VALIDATION_SEED = 20_231_017;

/**
 * Span-corruption examples from a text source for the `t5` family. D counts encoder input tokens
 * (batch × input_len), as the paper's T5 runs count tokens (steps × 128 × 512).
 */
export function spanCorruptionSource(spec: TrialSpec): BatchSource<SpanBatch> {
  const s = spec.model as T5Shape;
  const corpus = loadCorpus(spec.data);
  const layout = layoutOf(s);
  const make = (stream: Uint16Array, starts: number[], rng: Rng): SpanBatch => {
    const b = starts.length;
    const input = new Int32Array(b * s.input_len);
    const target = new Int32Array(b * s.target_len);
    const decoderIn = new Int32Array(b * s.target_len);
    starts.forEach((start, i) => {
      const raw = stream.subarray(start, start + layout.rawLen);
      const inRow = input.subarray(i * s.input_len, (i + 1) * s.input_len);
      const tRow = target.subarray(i * s.target_len, (i + 1) * s.target_len);
      corruptSpans(raw, layout, rng, inRow, tRow);
      // teacher forcing: the decoder sees the target shifted right behind a start token
      decoderIn[i * s.target_len] = PAD_ID;
      decoderIn.set(tRow.subarray(0, s.target_len - 1), i * s.target_len + 1);
    });
    return { input, decoderIn, target, batchSize: b };
  };
  const available = Math.floor(corpus.validation.length / layout.rawLen);
  if (available < 1 || corpus.train.length < layout.rawLen) {
    throw new Error(`the text is too short for span corruption windows of ${layout.rawLen} tokens`);
  }
  // held-out windows spread over the whole validation stream, not its first documents
  const windows = spreadIndices(available, Math.max(1, Math.floor(spec.eval.tokens / s.input_len)));
  const valRng = Rng.seeded(VALIDATION_SEED);
  const validation: SpanBatch[] = [];
  for (let first = 0; first < windows.length; first += spec.batch_size) {
    const starts = windows.slice(first, first + spec.batch_size).map((win) => win * layout.rawLen);
    validation.push(make(corpus.validation, starts, valRng));
  }
  const { count, offsets } = windowPasses(corpus.train.length, layout.rawLen);
  const order = new ShuffledPasses(count, offsets, spec.seed);
  const first = firstExample(spec);
  return {
    unitsPerBatch: spec.batch_size * s.input_len,
    sample: (batch, rng) => {
      const starts = order
        .batch(batch, spec.batch_size, first)
        .map(({ index, offset }) => offset + index * layout.rawLen);
      return make(corpus.train, starts, rng);
    },
    validation,
    heldOutUnits: windows.length * s.input_len,
    entropyFloor: null,
    description: `${corpus.description}; span corruption of ${layout.rawLen}-token windows (${layout.spans} spans, ${layout.noiseTokens} noise tokens)`,
  };
}

/**
 * The span-corruption layout a shape was sized with, read from the shape itself (spans from its sentinel
 * count, noise tokens from its target length), not recomputed: a trial planned when the layout was worked out
 * differently (before half-to-even rounding) trains exactly as its frozen shape says.
 */
export function layoutOf(s: T5Shape): SpanLayout {
  const spans = s.vocab_size - FIRST_SENTINEL;
  const noiseTokens = s.target_len - spans - 1;
  // input = raw − noise + spans + 1, so raw = input + noise − spans − 1
  return {
    rawLen: s.input_len + noiseTokens - spans - 1,
    noiseTokens,
    spans,
    inputLen: s.input_len,
    targetLen: s.target_len,
  };
}
