import { loadSweep, type SweepPlan } from '../../config/load.js';
import type { BackendName } from '../../engine/backends.js';
import { UsageError } from '../../errors.js';
import { shortShape } from '../../models/describe.js';
import { Store } from '../../store/store.js';
import { BarReporter, LineReporter, type SweepReporter } from '../../sweep/progress.js';
import { runSweep, type SweepSummary } from '../../sweep/run-sweep.js';
import { startWorkers } from '../../sweep/workers.js';
import { fmt, fmtFlops } from '../../util/format.js';
import { formatTable } from '../../util/table.js';
import { trialsTable } from './runs.js';

export interface SweepOptions {
  db: string;
  dryRun?: boolean;
  json?: boolean;
  backend?: BackendName;
  retryFailed?: boolean;
  checkpointMinutes?: string;
  checkpointSteps?: string;
  workers?: string;
  /** Set on the helper processes `--workers` starts: quiet, no summary. */
  worker?: boolean;
}

/** A non-negative number from a flag, or a usage error naming it. */
function nonNegative(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`${flag} ${text}: expected a number >= 0`);
  return v;
}

/** `sparsebench sweep`: validate, then print the plan (--dry-run) or train what is not finished. */
export async function sweepCommand(configPath: string, opts: SweepOptions): Promise<number> {
  const checkpointMinutes = nonNegative('--checkpoint-minutes', opts.checkpointMinutes, 10);
  const checkpointSteps = Math.floor(nonNegative('--checkpoint-steps', opts.checkpointSteps, 0));
  const workers = Math.floor(nonNegative('--workers', opts.workers, 1));
  if (workers < 1 || workers > 64)
    throw new UsageError(`--workers ${opts.workers}: expected a whole number from 1 to 64`);
  const plan = loadSweep(configPath, { backend: opts.backend });
  if (opts.dryRun) {
    process.stdout.write(opts.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${planText(plan)}\n`);
    return 0;
  }
  const store = Store.open(opts.db, { create: true });
  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) process.exit(s === 'SIGINT' ? 130 : 143); // second signal: stop now
    signal = s;
    process.stderr.write(
      `\n${s}: stopping after marking the current trial interrupted (again to stop now)\n`,
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const finishedBefore = new Set(store.listTrials(plan.name, 'finished').map((t) => t.id));
  const tty = process.stderr.isTTY && !opts.worker;
  const helpers = startWorkers(workers - 1, workerArgs(configPath, opts), tty);
  const forward = (s: NodeJS.Signals) => {
    for (const w of helpers) w.child.kill(s);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const reporter: SweepReporter = opts.worker
      ? new LineReporter()
      : tty
        ? new BarReporter()
        : new LineReporter();
    const poll =
      helpers.length > 0 && reporter.setOverall
        ? setInterval(() => reporter.setOverall?.(store.listTrials(plan.name, 'finished').length), 2000)
        : null;
    const own = await runSweep(plan, store, {
      reporter,
      retryFailed: opts.retryFailed,
      shouldStop: () => signal !== null,
      checkpointMinutes,
      checkpointSteps,
    });
    const codes = await Promise.all(helpers.map((w) => w.done));
    if (poll) clearInterval(poll);
    if (opts.worker) return own.failed > 0 ? 1 : 0;
    const trials = store.listTrials(plan.name);
    const summary: SweepSummary =
      helpers.length === 0
        ? own
        : {
            ...own,
            // with helpers, count from the database: who trained what does not matter
            trained: trials.filter((t) => t.status === 'finished' && !finishedBefore.has(t.id)).length,
            alreadyFinished: finishedBefore.size,
            failed: trials.filter((t) => t.status === 'failed').length - own.skippedFailed,
            busy: 0,
            interrupted: own.interrupted || codes.some((c) => c === 130 || c === 143),
          };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ summary, db: store.path, trials }, null, 2)}\n`);
    } else {
      process.stdout.write(`${trialsTable(trials)}\n\n${summaryLine(summary, opts.db)}\n`);
    }
    if (signal) return signal === 'SIGINT' ? 130 : 143;
    // the exit status says whether the sweep holds failed trials, from this run or an earlier one
    return summary.failed + summary.skippedFailed > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    store.close();
  }
}

/** The flags a helper process needs to train the same sweep the same way. */
function workerArgs(config: string, o: SweepOptions): string[] {
  const args = [config, '--db', o.db];
  if (o.backend) args.push('--backend', o.backend);
  if (o.retryFailed) args.push('--retry-failed');
  if (o.checkpointMinutes !== undefined) args.push('--checkpoint-minutes', o.checkpointMinutes);
  if (o.checkpointSteps !== undefined) args.push('--checkpoint-steps', o.checkpointSteps);
  return args;
}

function summaryLine(s: SweepSummary, db: string): string {
  const parts = [`${s.trained} trained`, `${s.alreadyFinished} already finished`];
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.skippedFailed) parts.push(`${s.skippedFailed} failed earlier (use --retry-failed)`);
  if (s.busy) parts.push(`${s.busy} running in another process`);
  if (s.interrupted) parts.push('interrupted');
  return `sweep ${s.sweep}: ${s.total} trials: ${parts.join(', ')}. Database: ${db}`;
}

function planJson(plan: SweepPlan) {
  return {
    name: plan.name,
    file: plan.file,
    axes: plan.axes,
    trials: plan.trials,
    total_flops: plan.trials.reduce((a, t) => a + t.flops, 0),
  };
}

function planText(plan: SweepPlan): string {
  const table = formatTable(plan.trials, [
    { header: 'id', get: (t) => t.id },
    { header: 'S', get: (t) => String(t.spec.sparsity), align: 'right' },
    { header: 'N target', get: (t) => fmt(t.spec.nonzero_params), align: 'right' },
    {
      header: 'shape (L x d, heads, ff)',
      get: (t) => shortShape(t.spec.model),
    },
    { header: 'dense', get: (t) => String(t.dense_params), align: 'right' },
    { header: 'non-zero', get: (t) => String(t.nonzero_params), align: 'right' },
    { header: 'total', get: (t) => String(t.total_params), align: 'right' },
    { header: 'tokens', get: (t) => fmt(t.train_tokens), align: 'right' },
    { header: 'steps', get: (t) => String(t.spec.steps), align: 'right' },
    { header: 'pruner', get: (t) => t.spec.pruner.name },
    { header: 'FLOPs', get: (t) => fmtFlops(t.flops), align: 'right' },
  ]);
  const total = plan.trials.reduce((a, t) => a + t.flops, 0);
  const axes = plan.axes.map((a) => `${a.key}=[${a.values.join(', ')}]`).join('  ');
  return [
    `sweep ${plan.name} (${plan.file}): ${plan.trials.length} trials`,
    `axes: ${axes}`,
    '',
    table,
    '',
    `total estimated training compute: ${fmtFlops(total)} FLOPs (C = 6 * N/(1-S) * D)`,
  ].join('\n');
}
