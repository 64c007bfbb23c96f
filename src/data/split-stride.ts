/**
 * Every how many documents, text chunks or images a held-out split holds one out: k = round(1 / fraction), at least 2.
 * The split holds out exactly 1/k of them, so a `validation_fraction` of the form 1/k (0.5, 0.25, 0.1, 0.05) is
 * held out as asked and any other is rounded to one (0.45 holds out 0.5, 0.15 holds out 1/7).
 */
export function splitStride(validationFraction: number): number {
  return Math.max(2, Math.round(1 / validationFraction));
}
