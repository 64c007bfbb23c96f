/**
 * Which of `available` held-out units (windows of a validation stream, or images) the fixed evaluation set
 * uses when it holds only `wanted` of them: `wanted` indices spread evenly from the first unit to the last
 * (k·available/wanted, rounded down), so a small set samples the whole held-out split (every genre of a
 * corpus ordered by document, every class of an image set ordered by label) instead of its first few
 * documents or classes. All of them, in order, when `wanted` ≥ `available`.
 */
export function spreadIndices(available: number, wanted: number): number[] {
  const n = Math.min(available, wanted);
  return Array.from({ length: n }, (_, k) => Math.floor((k * available) / n));
}
