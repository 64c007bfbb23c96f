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
 * Slurm's default MaxArraySize: a task id must be below it (0 to 1000), and an array job holds at most that many.
 */
export const DEFAULT_MAX_ARRAY_SIZE = 1001;

/**
 * One array job of a submission: Slurm task ids `array` (the `--array` that overrides the script's; null: the
 * script's own, the whole plan), each standing for plan index `offset` + task id; `tasks` of them.
 */
export interface ArrayChunk {
  offset: number;
  array: string | null;
  tasks: number;
}

/**
 * The array jobs that submit the plan's trials not finished in the study database (`finished`: ids finished
 * there), each with the throttle `%K` of `maxParallel`. A task id must be below the cluster's MaxArraySize, so the
 * indices are cut at its multiples, each piece an array job of its own whose task ids count from its offset (plan
 * index 1,500 is task 499 of the job at offset 1,001). One job with `array` null when the whole plan is pending and
 * fits (the script's own `--array`); no job when every trial is finished.
 */
export function unfinishedArrays(
  ids: readonly string[],
  finished: ReadonlySet<string>,
  maxParallel?: number,
  maxArraySize = DEFAULT_MAX_ARRAY_SIZE,
): { chunks: ArrayChunk[]; pending: number } {
  const pending = ids.flatMap((id, i) => (finished.has(id) ? [] : [i]));
  if (pending.length === 0) return { chunks: [], pending: 0 };
  if (pending.length === ids.length && ids.length <= maxArraySize)
    return { chunks: [{ offset: 0, array: null, tasks: ids.length }], pending: ids.length };
  const byOffset = new Map<number, number[]>();
  for (const i of pending) {
    const offset = Math.floor(i / maxArraySize) * maxArraySize;
    const tasks = byOffset.get(offset) ?? [];
    tasks.push(i - offset);
    byOffset.set(offset, tasks);
  }
  const throttle = maxParallel ? `%${maxParallel}` : '';
  const chunks = [...byOffset].map(([offset, tasks]) => ({
    offset,
    array: `${arrayRanges(tasks)}${throttle}`,
    tasks: tasks.length,
  }));
  return { chunks, pending: pending.length };
}
