import { basename } from 'node:path';
import type { SweepPlan } from '../../config/load.js';
import { LOCATOR_FIELDS } from '../../config/trial-spec.js';

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
 * The plan with every file and folder its trials read from this machine (the spec's locator fields: a user's text
 * file, IDX files, a CIFAR-10 folder, from-dense weights) moved into `dir` (a folder the tasks see, such as a
 * Kubernetes claim), each under a name of its own (`<n>-<basename>`, characters a shell or kubectl would read
 * otherwise replaced by `_`), and the copies that put them there. Trial ids do not change: locators are no part
 * of them. A plan that reads no such file comes back as it is, with no copies.
 */
export function planWithFilesIn(plan: SweepPlan, dir: string): { plan: SweepPlan; copies: HostCopy[] } {
  const moved = new Map<string, string>();
  const place = (from: string) => {
    if (!moved.has(from)) moved.set(from, `${dir}/${moved.size}-${basename(from).replace(/[^\w.-]/g, '_')}`);
    return moved.get(from) as string;
  };
  const trials = plan.trials.map((t) => {
    const spec = structuredClone(t.spec);
    for (const path of LOCATOR_FIELDS) {
      const at = holder(spec, path);
      const key = path[path.length - 1];
      const value = at?.[key];
      if (typeof value === 'string') at![key] = place(value);
      // an object of paths (an IDX set's files)
      else if (value !== null && typeof value === 'object')
        for (const [k, v] of Object.entries(value as Record<string, unknown>))
          if (typeof v === 'string') (value as Record<string, unknown>)[k] = place(v);
    }
    return { ...t, spec };
  });
  return {
    plan: moved.size === 0 ? plan : { ...plan, trials },
    copies: [...moved].map(([from, to]) => ({ from, to })),
  };
}
