import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';

/**
 * The sweep a `runs` listing shows: `--sweep NAME` (checked, naming the sweeps there are), else the most recently
 * run; null with `--all`, for every `what` (trial, fit) in the database. Both flags, or a database without
 * sweeps, are a UsageError.
 */
export function listedSweep(
  store: Store,
  opts: { db: string; sweep?: string; all?: boolean },
  what: string,
): string | null {
  if (opts.all && opts.sweep !== undefined)
    throw new UsageError(
      `--sweep ${opts.sweep} and --all: give one (--all lists every ${what} in the database)`,
    );
  if (opts.all) return null;
  const sweep = opts.sweep ?? store.latestSweep();
  if (sweep === null) {
    // fit-law --points stores fits outside any sweep: --all lists them
    const fits = store.listFits(null).length;
    throw new UsageError(
      `${opts.db} holds no sweeps yet${fits > 0 ? `; it holds ${fits === 1 ? 'a fit' : `${fits} fits`} of points files (fit-law --points): --all lists every ${what}` : ''}`,
    );
  }
  return knownSweep(store, sweep, opts.db);
}

/** `name` when `db` holds a sweep of that name; else a UsageError naming the sweeps it does hold. */
export function knownSweep(store: Store, name: string, db: string): string {
  if (!store.getSweep(name)) {
    const known = store.listSweeps().map((s) => s.name);
    throw new UsageError(`no sweep named "${name}" in ${db}; known: ${known.join(', ') || 'none'}`);
  }
  return name;
}
