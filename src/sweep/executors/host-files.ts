import { basename } from 'node:path';
import type { SweepPlan } from '../../config/load.js';

/**
 * Where a trial spec names a file or folder of the machine that planned it: a user's text file, IDX files, a
 * CIFAR-10 folder, a from-dense weights file. These are locators, left out of the trial id (its data and weights
 * are identified by their content hashes), so they can be moved without changing a trial's identity.
 */
const HOST_PATHS: readonly (readonly string[])[] = [
  ['data', 'path'],
  ['data', 'paths', 'train_images'],
  ['data', 'paths', 'train_labels'],
  ['data', 'paths', 'validation_images'],
  ['data', 'paths', 'validation_labels'],
  ['data', 'dir'],
  ['pruner', 'options', 'weights'],
];

/** One file or folder to copy from this machine to where the tasks read it. */
export interface HostCopy {
  from: string;
  to: string;
}

/** The object holding the last key of `path` in `root`, or null where the path does not lead to one. */
function holder(root: unknown, path: readonly string[]): Record<string, unknown> | null {
  let cur = root;
  for (const k of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>) : null;
}

/**
 * The plan with every file and folder its trials read from this machine moved into `dir` (a folder the tasks
 * see, such as a Kubernetes claim), each under a name of its own (`<n>-<basename>`), and the copies that put
 * them there. Trial ids do not change (see {@link HOST_PATHS}); a plan that reads no such file comes back as it is,
 * with no copies.
 */
export function planWithFilesIn(plan: SweepPlan, dir: string): { plan: SweepPlan; copies: HostCopy[] } {
  const moved = new Map<string, string>();
  const trials = plan.trials.map((t) => {
    const spec = structuredClone(t.spec);
    for (const path of HOST_PATHS) {
      const at = holder(spec, path);
      const key = path[path.length - 1];
      const from = at?.[key];
      if (typeof from !== 'string') continue;
      if (!moved.has(from)) moved.set(from, `${dir}/${moved.size}-${basename(from)}`);
      at![key] = moved.get(from);
    }
    return { ...t, spec };
  });
  return {
    plan: moved.size === 0 ? plan : { ...plan, trials },
    copies: [...moved].map(([from, to]) => ({ from, to })),
  };
}
