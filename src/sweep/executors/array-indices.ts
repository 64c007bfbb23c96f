/**
 * Array indices as Slurm's `--array` writes them: ascending runs of consecutive indices as `a-b`, single ones
 * as they are, joined by commas ([0, 1, 2, 5, 7, 8] → "0-2,5,7-8").
 */
export function arrayRanges(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The `--array` value that submits only the plan's trials not finished in the study database (`finished`: ids
 * finished there), with the throttle `%K` of `maxParallel`; null when none is finished (the script's own
 * `--array` covers the whole plan), and an empty list when every one is.
 */
export function unfinishedArray(
  ids: readonly string[],
  finished: ReadonlySet<string>,
  maxParallel?: number,
): { array: string | null; pending: number } {
  const pending = ids.flatMap((id, i) => (finished.has(id) ? [] : [i]));
  if (pending.length === ids.length) return { array: null, pending: pending.length };
  if (pending.length === 0) return { array: '', pending: 0 };
  return { array: `${arrayRanges(pending)}${maxParallel ? `%${maxParallel}` : ''}`, pending: pending.length };
}
