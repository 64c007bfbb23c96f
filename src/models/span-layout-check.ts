import type { TrialPlan } from '../config/plan.js';
import { layoutForInput } from '../data/span-corruption.js';
import type { T5Shape } from './t5.js';

/** Relative departure of a short input's noise density or mean span from the config's that the plan names. */
export const SPAN_LAYOUT_TOLERANCE = 0.2;

/**
 * A plan warning when t5 inputs are too short for the span-corruption objective the config asks: whole noise
 * tokens and spans (Raffel et al. 2020, https://arxiv.org/abs/1910.10683) then give a noise density or mean span
 * more than {@link SPAN_LAYOUT_TOLERANCE} off (seq_len 8: 1-token spans for a mean of 3), a different objective
 * than the trial spec's `noise_density` and `mean_span_length` say. Names the shortest such seq_len; null when
 * none departs.
 */
export function spanLayoutWarning(trials: readonly TrialPlan[]): string | null {
  let worst: { seqLen: number; text: string } | null = null;
  for (const t of trials) {
    // every trial is looked at (a model.noise_density axis gives one seq_len several layouts); the cost is small
    if (t.spec.model.family !== 't5' || (worst && worst.seqLen < t.spec.seq_len)) continue;
    const m = t.spec.model as T5Shape;
    const l = layoutForInput(t.spec.seq_len, m.noise_density, m.mean_span_length);
    const density = l.noiseTokens / l.rawLen;
    const span = l.noiseTokens / l.spans;
    const off = (got: number, want: number) => Math.abs(got / want - 1) > SPAN_LAYOUT_TOLERANCE;
    if (!off(density, m.noise_density) && !off(span, m.mean_span_length)) continue;
    worst = {
      seqLen: t.spec.seq_len,
      text:
        `t5 inputs of seq_len ${t.spec.seq_len} hold ${l.noiseTokens} noise token${l.noiseTokens === 1 ? '' : 's'} of ${l.rawLen} in ${l.spans} span${l.spans === 1 ? '' : 's'}: ` +
        `noise density ${density.toFixed(2)} and mean span ${span.toFixed(1)}, where the config asks ${m.noise_density} and ${m.mean_span_length}; ` +
        'whole tokens and spans cannot do better at this length, so these trials train a different objective (a longer seq_len comes closer)',
    };
  }
  return worst?.text ?? null;
}
