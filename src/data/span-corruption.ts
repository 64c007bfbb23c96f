import type { Rng } from '../util/rng.js';

/** Special token ids after the 256 bytes: padding doubles as the decoder's start token (as in T5). */
export const PAD_ID = 256;
export const EOS_ID = 257;
/** Sentinel i (T5's extra_id_i) is FIRST_SENTINEL + i. */
export const FIRST_SENTINEL = 258;

/** Lengths of one span-corruption example. */
export interface SpanLayout {
  /** Raw text tokens consumed per example. */
  rawLen: number;
  noiseTokens: number;
  spans: number;
  /** Encoder input: kept tokens, one sentinel per span, EOS. */
  inputLen: number;
  /** Decoder target: sentinel + span tokens per span, EOS. */
  targetLen: number;
}

/**
 * Rounds to the nearest integer, halves to even, as numpy's `np.round` and Python's `round` do in T5's span
 * corruption (`random_spans_noise_mask`), so layouts match the reference code: 70 · 0.15 = 10.5 → 10.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Layout for `rawLen` raw tokens (T5, Raffel et al. 2020, https://arxiv.org/abs/1910.10683: round(n · density)
 * noise tokens in round(noise / mean span) spans, rounding halves to even as its code does).
 */
export function spanLayout(rawLen: number, noiseDensity: number, meanSpan: number): SpanLayout {
  const noiseTokens = Math.min(Math.max(roundHalfEven(rawLen * noiseDensity), 1), rawLen - 1);
  const spans = Math.max(1, roundHalfEven(noiseTokens / meanSpan));
  return {
    rawLen,
    noiseTokens,
    spans,
    inputLen: rawLen - noiseTokens + spans + 1,
    targetLen: noiseTokens + spans + 1,
  };
}

/**
 * The raw length whose encoder input is exactly `inputLen` tokens (T5's random_spans_helper). Input length
 * grows by 0 or 1 per raw token, so every length from a few tokens up is reachable.
 */
export function layoutForInput(inputLen: number, noiseDensity: number, meanSpan: number): SpanLayout {
  for (let raw = 2; raw <= inputLen * 4 + 8; raw++) {
    const l = spanLayout(raw, noiseDensity, meanSpan);
    if (l.inputLen === inputLen) {
      // the longest raw length with this input length uses the most text
      let best = l;
      for (let r = raw + 1; spanLayout(r, noiseDensity, meanSpan).inputLen === inputLen; r++) {
        best = spanLayout(r, noiseDensity, meanSpan);
      }
      return best;
    }
  }
  throw new Error(`no span-corruption layout has an input of ${inputLen} tokens`);
}

/** Splits `total` items into `parts` non-empty segments at random (uniform over compositions). */
function randomSegmentation(total: number, parts: number, rng: Rng): number[] {
  const cuts = rng.shuffle(Array.from({ length: total - 1 }, (_, i) => i + 1)).slice(0, parts - 1);
  cuts.sort((a, b) => a - b);
  const out: number[] = [];
  let prev = 0;
  for (const c of [...cuts, total]) {
    out.push(c - prev);
    prev = c;
  }
  return out;
}

/**
 * One span-corruption example (Raffel et al. 2020, arXiv:1910.10683, §3.1.4): noise spans of the raw text
 * are replaced by sentinels in the input, and the target lists each sentinel followed by the span it hides.
 * Spans alternate kept/noise, starting with kept text, with random span lengths (mean `meanSpan`).
 * Writes into `input` [inputLen] and `target` [targetLen].
 */
export function corruptSpans(
  raw: ArrayLike<number>,
  layout: SpanLayout,
  rng: Rng,
  input: Int32Array,
  target: Int32Array,
): void {
  const noise = randomSegmentation(layout.noiseTokens, layout.spans, rng);
  const kept = randomSegmentation(layout.rawLen - layout.noiseTokens, layout.spans, rng);
  let r = 0;
  let i = 0;
  let t = 0;
  for (let s = 0; s < layout.spans; s++) {
    for (let k = 0; k < kept[s]; k++) input[i++] = raw[r++];
    input[i++] = FIRST_SENTINEL + s;
    target[t++] = FIRST_SENTINEL + s;
    for (let k = 0; k < noise[s]; k++) target[t++] = raw[r++];
  }
  input[i++] = EOS_ID;
  target[t++] = EOS_ID;
  if (i !== layout.inputLen || t !== layout.targetLen) throw new Error('span corruption: length mismatch');
}
