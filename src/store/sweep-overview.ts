import type { Store } from './store.js';
import type { SweepRecord } from './types.js';

/** A sweep as `runs sweeps` lists it: its record, its trials by stored status, its fits, what runs rm took out. */
export interface SweepListing {
  sweep: SweepRecord;
  statuses: Record<string, number>;
  fits: number;
  removed: number;
}

/**
 * How many trials `runs rm` took out of a sweep since it last ran (its config still plans them; a rerun trains
 * them again). A trial a merge has since put back in the sweep does not count.
 */
export function removedFrom(store: Store, sweep: string): number {
  return (
    store.db
      .prepare(
        `SELECT COUNT(*) AS n FROM removed_trials r WHERE r.sweep = ?
         AND NOT EXISTS (SELECT 1 FROM sweep_trials m WHERE m.sweep = r.sweep AND m.trial_id = r.trial_id)`,
      )
      .get(sweep) as { n: number }
  ).n;
}

/**
 * Each sweep of a database with its trials by stored status, its stored fits and the trials `runs rm` took out of it
 * since it last ran, newest run first; and how many trials no sweep holds (left by a config that changed, or merged
 * in from a sweep that did not take them).
 */
export function sweepOverview(store: Store): { sweeps: SweepListing[]; trialsInNoSweep: number } {
  const counts = store.db
    .prepare(
      `SELECT m.sweep AS sweep, t.status AS status, COUNT(*) AS n FROM sweep_trials m
       JOIN trials t ON t.id = m.trial_id GROUP BY m.sweep, t.status`,
    )
    .all() as { sweep: string; status: string; n: number }[];
  const fits = new Map(
    (
      store.db
        .prepare('SELECT sweep, COUNT(*) AS n FROM fits WHERE sweep IS NOT NULL GROUP BY sweep')
        .all() as {
        sweep: string;
        n: number;
      }[]
    ).map((r) => [r.sweep, r.n]),
  );
  const orphans = store.db
    .prepare(
      'SELECT COUNT(*) AS n FROM trials t WHERE NOT EXISTS (SELECT 1 FROM sweep_trials m WHERE m.trial_id = t.id)',
    )
    .get() as { n: number };
  return {
    sweeps: store.listSweeps().map((sweep) => ({
      sweep,
      statuses: Object.fromEntries(counts.filter((c) => c.sweep === sweep.name).map((c) => [c.status, c.n])),
      fits: fits.get(sweep.name) ?? 0,
      removed: removedFrom(store, sweep.name),
    })),
    trialsInNoSweep: orphans.n,
  };
}
