import { isPrunerAxis } from '../../config/schema.js';
import { UsageError } from '../../errors.js';
import { Store } from '../../store/store.js';
import type { TrialRecord, TrialStatus } from '../../store/types.js';
import { finishedDependants, removalBlocker, removeTrials, trialFiles } from '../../sweep/trial-removal.js';
import { count } from '../../util/format.js';
import { listedSweep } from '../listed-sweep.js';
import { selectedTrials, trialsTable } from './runs.js';

export interface RunsRmOptions {
  db: string;
  sweep?: string;
  status?: TrialStatus;
  where?: string[];
  /** Remove them; without it the command says what it would remove and removes nothing. */
  yes?: boolean;
}

/**
 * The trials to remove: those the ids name (full or unique prefixes), or a sweep's trials at `--status` and
 * `--where`. A pruner condition leaves out the dense trials every pruner setting shares (fit-law keeps them in
 * its selections; removing one pruner's trials must not take the others' baselines).
 */
function chosenTrials(
  store: Store,
  ids: readonly string[],
  opts: RunsRmOptions,
): { trials: TrialRecord[]; denseKept: number } {
  const where = opts.where ?? [];
  if (ids.length > 0) {
    if (opts.sweep !== undefined || opts.status !== undefined || where.length > 0)
      throw new UsageError(
        'give trial ids, or --sweep NAME with --status and/or --where, not both: ids name their trials in any sweep',
      );
    const found = new Map<string, TrialRecord>();
    for (const id of ids) {
      const t = store.findTrial(id);
      if (!t) throw new UsageError(`no trial with id "${id}" in ${opts.db}; see "sparsebench runs list"`);
      found.set(t.id, t);
    }
    return { trials: [...found.values()], denseKept: 0 };
  }
  if (opts.sweep === undefined || (opts.status === undefined && where.length === 0))
    throw new UsageError(
      'name the trials to remove: their ids (see "sparsebench runs list"), or --sweep NAME with --status STATUS and/or --where KEY=VALUE',
    );
  const sweep = listedSweep(store, opts, 'trial')!;
  const chosen = selectedTrials(store, sweep, store.listTrials(sweep, opts.status), where);
  if (!where.some((w) => isPrunerAxis(w.split('=')[0]))) return { trials: chosen, denseKept: 0 };
  const trials = chosen.filter((t) => t.sparsity > 0);
  return { trials, denseKept: chosen.length - trials.length };
}

/** What goes with the trials besides their rows, in words. */
function withThem(store: Store, trials: readonly TrialRecord[]): string {
  const ids = trials.map((t) => t.id);
  const files = ids.flatMap((id) => trialFiles(store.path, id));
  const checkpoints = files.filter((f) => f.kind === 'checkpoint').length;
  const fits = store.fitsUsing(ids);
  const parts = [
    count(store.metricCount(ids), 'logged metric point'),
    count(checkpoints, 'checkpoint'),
    count(files.length - checkpoints, 'weights file'),
    fits.length === 0
      ? 'no stored fits'
      : `${fits.length === 1 ? 'fit' : 'fits'} ${fits.map((f) => `#${f}`).join(', ')} (made from them)`,
  ];
  return `with them: ${parts.join(', ')}`;
}

/** The sweeps the trials leave, and what a rerun of one does. */
function sweepsNote(store: Store, trials: readonly TrialRecord[], sweep: string | undefined): string | null {
  const sweeps = [...new Set(trials.flatMap((t) => store.sweepsOfTrial(t.id)))].sort();
  const others = sweeps.filter((s) => s !== sweep);
  const rerun = 'from step 0 (its config still lists them)';
  if (sweep !== undefined && others.length === 0)
    return `a rerun of sweep ${sweep} trains them again ${rerun}`;
  if (sweeps.length === 0) return null;
  return `they leave sweep${sweeps.length === 1 ? '' : 's'} ${sweeps.join(', ')}; a rerun of one trains them again ${rerun}`;
}

/** The trials chosen and what their removal takes, read without writing: trial ids, and the listing to print. */
function surveyed(ids: string[], opts: RunsRmOptions) {
  const store = Store.open(opts.db, { create: false, read: 'upgrading' });
  try {
    const { trials, denseKept } = chosenTrials(store, ids, opts);
    const from = opts.sweep === undefined ? opts.db : `sweep ${opts.sweep} in ${opts.db}`;
    if (trials.length === 0) {
      const criteria = [
        ...(opts.status ? [`--status ${opts.status}`] : []),
        ...(opts.where ?? []).map((w) => `--where ${w}`),
      ];
      return { ids: [], statuses: new Map(), from, listing: '', blocker: null, criteria: criteria.join(' ') };
    }
    const kept =
      denseKept > 0
        ? 'the dense trials (S = 0) every pruner setting shares are kept: give their ids to remove them\n'
        : '';
    const note = sweepsNote(store, trials, opts.sweep);
    const dependants = finishedDependants(trials, store.listTrials(null), store.path);
    const sweepsOf = [...new Set(dependants.flatMap((t) => store.sweepsOfTrial(t.id)))].sort();
    const started =
      dependants.length > 0
        ? `${count(dependants.length, 'finished from-dense trial')} (${dependants
            .slice(0, 3)
            .map((t) => t.id.slice(0, 8))
            .join(
              ', ',
            )}${dependants.length > 3 ? ', …' : ''}) started from their weights: ${dependants.length === 1 ? 'it stays' : 'they stay'}, ` +
          `but a config that names a removed trial in pruner.options.trial can no longer be planned${sweepsOf.length > 0 ? ` (sweep${sweepsOf.length === 1 ? '' : 's'} ${sweepsOf.join(', ')} cannot run again as written)` : ''}; remove ${dependants.length === 1 ? 'it' : 'them'} too, or keep these\n`
        : '';
    return {
      ids: trials.map((t) => t.id),
      statuses: new Map(trials.map((t) => [t.id, t.status])),
      from,
      listing: `${trialsTable(trials)}\n${withThem(store, trials)}\n${kept}${note ? `${note}\n` : ''}${started}`,
      blocker: removalBlocker(trials, store.listTrials(null), store.path),
      criteria: '',
    };
  } finally {
    store.close();
  }
}

/**
 * `sparsebench runs rm`: removes trials with their metrics, checkpoints, weights and the fits made from them. Without
 * `--yes` it says what it would remove and removes nothing; bad input, or trials that cannot go now, change nothing.
 */
export async function runsRmCommand(ids: string[], opts: RunsRmOptions): Promise<number> {
  const chosen = surveyed(ids, opts);
  const trials = count(chosen.ids.length, 'trial');
  if (chosen.ids.length === 0) {
    process.stdout.write(`no trial of ${chosen.from} matches ${chosen.criteria}; nothing removed\n`);
    return 0;
  }
  if (!opts.yes) {
    process.stdout.write(
      `would remove ${trials} of ${chosen.from}:\n\n${chosen.listing}` +
        (chosen.blocker
          ? `cannot remove them now: ${chosen.blocker}\n`
          : 'nothing removed: run it again with --yes to remove them\n'),
    );
    return chosen.blocker ? 2 : 0;
  }
  if (chosen.blocker) throw new UsageError(`cannot remove ${trials}: ${chosen.blocker}; nothing was removed`);
  // checked again under the write lock, where nothing can claim them meanwhile
  const store = Store.open(opts.db, { create: false, write: true });
  try {
    const { fits } = removeTrials(store, chosen.ids, chosen.statuses);
    const andFits =
      fits.length > 0
        ? ` and ${fits.length === 1 ? 'fit' : 'fits'} ${fits.map((f) => `#${f}`).join(', ')}`
        : '';
    process.stdout.write(`removed ${trials} of ${chosen.from}${andFits}:\n\n${chosen.listing}`);
    return 0;
  } finally {
    store.close();
  }
}
