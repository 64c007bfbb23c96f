import { Store } from '../../store/store.js';
import { sweepOverview } from '../../store/sweep-overview.js';
import { TRIAL_STATUSES } from '../../store/types.js';
import { count } from '../../util/format.js';
import { formatTable } from '../../util/table.js';

/** `sparsebench runs sweeps`'s flags. */
export interface RunsSweepsOptions {
  db: string;
  json?: boolean;
}

/** A sweep's trials by status in words, in the order a study moves through them: "25 finished, 2 failed". */
function statusText(statuses: Record<string, number>): string {
  const parts = [...TRIAL_STATUSES]
    .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))
    .filter((s) => (statuses[s] ?? 0) > 0)
    .map((s) => `${statuses[s]} ${s}`);
  return parts.join(', ') || 'none';
}

const ORDER = ['finished', 'running', 'interrupted', 'failed', 'pending'];

/**
 * `sparsebench runs sweeps`: the sweeps a database holds, newest run first (the one `runs list`, fit-law and report
 * take by default on top), each with its trials by status, its stored fits, when it was last run and its config
 * file; and how many trials no sweep holds.
 */
export async function runsSweepsCommand(opts: RunsSweepsOptions): Promise<number> {
  const store = Store.open(opts.db, { create: false, read: 'upgrading' });
  try {
    const { sweeps, trialsInNoSweep } = sweepOverview(store);
    if (opts.json) {
      const rows = sweeps.map(({ sweep, statuses, fits, removed }) => ({
        name: sweep.name,
        trials: Object.values(statuses).reduce((a, b) => a + b, 0),
        statuses,
        removed,
        fits,
        lastRun: sweep.updatedAt,
        firstRun: sweep.createdAt,
        configPath: sweep.configPath,
      }));
      process.stdout.write(`${JSON.stringify({ sweeps: rows, trialsInNoSweep }, null, 2)}\n`);
      return 0;
    }
    const table = formatTable(sweeps, [
      { header: 'sweep', get: (s) => s.sweep.name },
      {
        header: 'trials',
        get: (s) => String(Object.values(s.statuses).reduce((a, b) => a + b, 0)),
        align: 'right',
      },
      {
        header: 'status',
        get: (s) => `${statusText(s.statuses)}${s.removed > 0 ? `; ${s.removed} removed (runs rm)` : ''}`,
      },
      { header: 'fits', get: (s) => String(s.fits), align: 'right' },
      { header: 'last run', get: (s) => s.sweep.updatedAt },
      { header: 'config', get: (s) => s.sweep.configPath },
    ]);
    const lines = [
      `sweeps in ${opts.db}: ${sweeps.length}${sweeps.length > 1 ? ' (newest run first: the default of runs list, fit-law and report)' : ''}`,
    ];
    if (sweeps.length > 0) lines.push('', table);
    // a trial can be in several sweeps (a shared dense baseline), so the sweeps' counts need not add up
    if (trialsInNoSweep > 0)
      lines.push(
        '',
        `${count(trialsInNoSweep, 'trial')} ${trialsInNoSweep === 1 ? 'is' : 'are'} in no sweep (left by a config that changed, or merged in without their sweep): \`sparsebench runs list --all\` lists every trial with its sweeps ('-' for none)`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    store.close();
  }
}
