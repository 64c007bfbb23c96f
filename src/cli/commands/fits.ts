import { parseAxisCondition, SelectionError, selectTrials } from '../../law/trial-selection.js';
import type { LawFit } from '../../law/types.js';
import { conditionsOf, excludedOf } from '../../report/load.js';
import { Store } from '../../store/store.js';
import type { FitRecord, SweepRecord, TrialRecord } from '../../store/types.js';
import { formatTable } from '../../util/table.js';
import { listedSweep } from '../listed-sweep.js';

export interface RunsFitsOptions {
  db: string;
  sweep?: string;
  all?: boolean;
  json?: boolean;
}

/**
 * What a listing shows of a stored fit: its id, form, the trials it chose, how it went, its bootstrap replicates,
 * how many finished trials its selection has now that it was not made from (`finishedNotInFit`), and how many of
 * the trials it was made from the sweep no longer holds (`inputsNotInSweep`); null where that cannot be told, for a
 * fit of external points or of another sweep than `trials`.
 */
function row(f: FitRecord, sweep: { name: string; trials: TrialRecord[]; axes: SweepRecord['axes'] } | null) {
  const result = f.result as Partial<LawFit>;
  return {
    id: f.id,
    sweep: f.sweep,
    form: f.form,
    where: conditionsOf(f.options),
    excluded: excludedOf(f.options),
    points: result.n_points ?? f.inputs.length,
    converged: f.converged,
    rmse_log: typeof result.rmse_log === 'number' ? result.rmse_log : null,
    bootstrap: result.bootstrap?.requested ?? 0,
    finishedNotInFit: sweep && f.sweep === sweep.name ? finishedNotIn(f, sweep.trials, sweep.axes) : null,
    // its trials the sweep no longer holds (run again with another plan, a merge, runs rm): the fit is out of date
    inputsNotInSweep: sweep && f.sweep === sweep.name ? notInSweep(f.inputs, sweep.trials) : null,
    createdAt: f.createdAt,
  };
}

/** Finished trials a fit's selection holds now that the fit was not made from (nor left out with --exclude); null when it cannot select now. */
function finishedNotIn(
  f: FitRecord,
  trials: readonly TrialRecord[],
  axes: SweepRecord['axes'],
): number | null {
  // the trials --exclude left out are not news to the fit
  const used = new Set([...f.inputs, ...excludedOf(f.options)]);
  try {
    const chosen = selectTrials(trials, axes, conditionsOf(f.options).map(parseAxisCondition));
    // a dense-law fit is made from the dense trials alone
    const of = f.form === 'chinchilla' ? chosen.filter((t) => t.sparsity === 0) : chosen;
    return of.filter((t) => t.status === 'finished' && t.finalValLoss !== null && !used.has(t.id)).length;
  } catch (e) {
    if (e instanceof SelectionError) return null;
    throw e;
  }
}

/**
 * `sparsebench runs fits`: the stored fits of a sweep (default: the most recently run; `--all`: every fit), oldest
 * first, each with the `--where` selection that tells fits of one sweep apart, and which one `report` draws.
 */
export async function runsFitsCommand(opts: RunsFitsOptions): Promise<number> {
  const store = Store.open(opts.db, { create: false, read: 'upgrading' });
  try {
    const sweep = listedSweep(store, opts, 'fit');
    const record = sweep === null ? null : store.getSweep(sweep);
    const context = record
      ? { name: record.name, trials: store.listTrials(record.name), axes: record.axes }
      : null;
    const fits = store.listFits(sweep).map((f) => row(f, context));
    // what `report` draws without --fit: the newest sparse fit whose trials are all in the sweep, else the newest dense one
    const drawn =
      sweep === null ? null : (store.defaultFit(sweep, 'sparse') ?? store.defaultFit(sweep, 'chinchilla'));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ sweep, reportDraws: drawn?.id ?? null, fits }, null, 2)}\n`);
      return 0;
    }
    const title = sweep === null ? `all fits in ${opts.db}` : `fits of sweep ${sweep}`;
    if (fits.length === 0) {
      process.stdout.write(`${title}: none (run "sparsebench fit-law")\n`);
      return 0;
    }
    const table = formatTable(fits, [
      { header: 'id', get: (f) => String(f.id), align: 'right' },
      ...(sweep === null
        ? [{ header: 'sweep', get: (f: ReturnType<typeof row>) => f.sweep ?? '(points)' }]
        : []),
      { header: 'form', get: (f) => f.form },
      {
        header: 'trials chosen',
        get: (f) =>
          (f.where.length > 0 ? f.where.join(', ') : 'all') +
          (f.excluded.length > 0 ? `, without ${f.excluded.map((id) => id.slice(0, 8)).join(', ')}` : ''),
      },
      { header: 'points', get: (f) => String(f.points), align: 'right' },
      { header: 'converged', get: (f) => (f.converged ? 'yes' : 'NO') },
      {
        header: 'RMSE log',
        get: (f) => (f.rmse_log === null ? '-' : f.rmse_log.toPrecision(3)),
        align: 'right',
      },
      { header: 'bootstrap', get: (f) => (f.bootstrap > 0 ? String(f.bootstrap) : 'none'), align: 'right' },
      {
        header: 'finished not in it',
        get: (f) => (f.finishedNotInFit === null ? '-' : String(f.finishedNotInFit)),
        align: 'right',
      },
      {
        header: 'its trials not in sweep',
        get: (f) => (f.inputsNotInSweep === null ? '-' : String(f.inputsNotInSweep)),
        align: 'right',
      },
      { header: 'stored', get: (f) => f.createdAt },
      {
        header: 'note',
        get: (f) => (f.id === drawn?.id ? 'report draws this (report --fit ID for another)' : ''),
      },
    ]);
    process.stdout.write(`${title}: ${fits.length}\n\n${table}\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** How many of these trial ids the sweep's trials do not hold. */
function notInSweep(ids: readonly string[], trials: readonly TrialRecord[]): number {
  const held = new Set(trials.map((t) => t.id));
  return ids.filter((id) => !held.has(id)).length;
}
