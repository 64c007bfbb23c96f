import type { LawFit } from '../../law/types.js';
import { conditionsOf } from '../../report/load.js';
import { Store } from '../../store/store.js';
import type { FitRecord } from '../../store/types.js';
import { formatTable } from '../../util/table.js';
import { listedSweep } from '../listed-sweep.js';

export interface RunsFitsOptions {
  db: string;
  sweep?: string;
  all?: boolean;
  json?: boolean;
}

/** What a listing shows of a stored fit: its id, form, the trials it chose, and how it went. */
function row(f: FitRecord) {
  const result = f.result as Partial<LawFit>;
  return {
    id: f.id,
    sweep: f.sweep,
    form: f.form,
    where: conditionsOf(f.options),
    points: result.n_points ?? f.inputs.length,
    converged: f.converged,
    rmse_log: typeof result.rmse_log === 'number' ? result.rmse_log : null,
    createdAt: f.createdAt,
  };
}

/**
 * `sparsebench runs fits`: the stored fits of a sweep (default: the most recently run; `--all`: every fit), oldest
 * first, each with the `--where` selection that tells fits of one sweep apart, and which one `report` draws.
 */
export async function runsFitsCommand(opts: RunsFitsOptions): Promise<number> {
  const store = Store.open(opts.db, { create: false, read: 'upgrading' });
  try {
    const sweep = listedSweep(store, opts, 'fit');
    const fits = store.listFits(sweep).map(row);
    // what `report` draws without --fit: the newest sparse fit, else the newest dense one
    const drawn =
      sweep === null ? null : (store.latestFit(sweep, 'sparse') ?? store.latestFit(sweep, 'chinchilla'));
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
      { header: 'trials chosen', get: (f) => (f.where.length > 0 ? f.where.join(', ') : 'all') },
      { header: 'points', get: (f) => String(f.points), align: 'right' },
      { header: 'converged', get: (f) => (f.converged ? 'yes' : 'NO') },
      {
        header: 'RMSE log',
        get: (f) => (f.rmse_log === null ? '-' : f.rmse_log.toPrecision(3)),
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
