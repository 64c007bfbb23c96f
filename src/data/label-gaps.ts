import { readFileSync } from 'node:fs';
import type { TrialPlan } from '../config/plan.js';

/** Labels listed in a warning at most; the rest are counted. */
const LISTED = 8;

/**
 * The labels 0..max that an IDX label file's labels leave out, where max is its largest label: the classification
 * head gets max + 1 outputs, so every one left out is an output no example trains (a stray label 200 among
 * 0-9 makes a 201-class head). Null for a file that cannot be read as one (planning checked it already).
 */
export function unusedLabels(path: string): { classes: number; unused: number[] } | null {
  let lab: Buffer;
  try {
    lab = readFileSync(path);
  } catch {
    return null;
  }
  if (lab.length < 8) return null;
  const seen = new Set(lab.subarray(8, 8 + lab.readUInt32BE(4)));
  if (seen.size === 0) return null;
  const classes = Math.max(...seen) + 1;
  const unused: number[] = [];
  for (let c = 0; c < classes; c++) if (!seen.has(c)) unused.push(c);
  return { classes, unused };
}

/**
 * A warning for each IDX training-label file of the plan whose labels leave classes out (see {@link
 * unusedLabels}): the head's size, its share of the parameters N leaves out and the starting loss depend on it.
 */
export function labelGapWarnings(trials: readonly Pick<TrialPlan, 'spec'>[]): string[] {
  const files = new Set(
    trials.flatMap((t) => (t.spec.data.source === 'idx' ? [t.spec.data.paths.train_labels] : [])),
  );
  return [...files].flatMap((path) => {
    const gaps = unusedLabels(path);
    if (!gaps || gaps.unused.length === 0) return [];
    const listed = gaps.unused.slice(0, LISTED).join(', ');
    const more = gaps.unused.length > LISTED ? ` and ${gaps.unused.length - LISTED} more` : '';
    return [
      `data.train_labels: ${path} has labels up to ${gaps.classes - 1}, so the classification head has ${gaps.classes} outputs, but no example has label${gaps.unused.length === 1 ? '' : 's'} ${listed}${more}: ${gaps.unused.length} of the outputs never train (their size and the starting loss depend on them); relabel the classes 0 to ${gaps.classes - gaps.unused.length - 1} if that is not meant`,
    ];
  });
}
