import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { loadSweep, type SweepPlan } from '../../config/load.js';
import type { TrialPlan } from '../../config/plan.js';
import { planWarnings } from '../../config/plan-warnings.js';
import { assertBackendAvailable, type BackendName, resolveAuto } from '../../engine/backends.js';
import { nativeWarning } from '../../engine/native.js';
import { UsageError } from '../../errors.js';
import { shortShape } from '../../models/describe.js';
import { type T5Shape, t5WeightFlopsShare } from '../../models/t5.js';
import { dataUnitOf } from '../../report/units.js';
import { EmptyDatabaseError, OlderSchemaError, Store } from '../../store/store.js';
import { shownAxisColumns } from '../../store/trial-axes.js';
import { ProcessRunner } from '../../sweep/process-runner.js';
import { BarReporter, LineReporter, type SweepReporter } from '../../sweep/progress.js';
import { NONZERO_SHORT, runSweep, type SweepSummary } from '../../sweep/run-sweep.js';
import { InProcessRunner, type TrialRunner } from '../../sweep/trial-runner.js';
import { chooseWorkers, machineBudget, memoryWarning } from '../../sweep/worker-count.js';
import { count, flagNumber, fmt, fmtFlops, fmtValue } from '../../util/format.js';
import { formatTable } from '../../util/table.js';
import { checkpointCadence } from '../checkpoint-flags.js';
import { droppedNote } from '../dropped-note.js';
import { listenForStop } from '../stop-signals.js';
import { trialsTable } from './runs.js';

export interface SweepOptions {
  db: string;
  dryRun?: boolean;
  json?: boolean;
  backend?: BackendName;
  retryFailed?: boolean;
  checkpointMinutes?: string;
  checkpointSteps?: string;
  /** A whole number, or `auto` (the default): from the core count, free memory and the trials to train. */
  workers?: string;
}

/** `sparsebench sweep`: validate, then print the plan (--dry-run) or train what is not finished. */
export async function sweepCommand(configPath: string, opts: SweepOptions): Promise<number> {
  const cadence = checkpointCadence(opts);
  const fixedWorkers = parseWorkers(opts.workers);
  const plan = loadSweep(configPath, { backend: opts.backend, db: opts.db });
  const native = nativeWarning();
  const warnings = native ? [...planWarnings(plan), native] : planWarnings(plan);
  const warn = () => {
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  };
  // named as the user asked for it: the flag, or the config's key
  const asked = (b: string) => (opts.backend ? `--backend ${b}` : `${configPath}: backend: ${b}`);
  if (opts.dryRun) {
    warn();
    // of every trial: a dry run does not know which are finished (a real run warns of those left to train)
    const memory = memoryWarning(plan.trials, machineBudget());
    if (memory) process.stderr.write(`warning: ${memory}\n`);
    // a backend missing here is a warning, not an error: the plan may be meant for another machine or a cluster
    // (wasm and cpu come with the install, and auto takes what there is)
    for (const backend of new Set(plan.trials.map((t) => t.spec.backend)))
      if (backend === 'webgpu' || backend === 'tensorflow')
        await assertBackendAvailable(backend, asked(backend)).catch((e: Error) =>
          process.stderr.write(`warning: ${e.message}; a sweep here would refuse it (exit 2)\n`),
        );
    const existing = existingState(plan, opts.db);
    const dropped = existing === 'older schema' ? existing : (existing?.dropped ?? null);
    if (dropped === 'older schema')
      process.stderr.write(
        `note: ${opts.db} has an older schema, which a dry run leaves as it is, so it cannot say whether this plan takes trials out of sweep ${plan.name}; \`sparsebench sweep\` upgrades the database and says so before it trains\n`,
      );
    else if (dropped && dropped.trials > 0) process.stderr.write(`${droppedNote(plan.name, dropped)}\n`);
    const known =
      existing === null || existing === 'older schema' ? null : knownNote(plan, opts, existing.status);
    if (known) process.stderr.write(`${known}\n`);
    process.stdout.write(
      opts.json
        ? `${JSON.stringify({ ...planJson(plan), warnings, dropped: dropped === 'older schema' ? null : dropped }, null, 2)}\n`
        : `${planText(plan)}\n`,
    );
    return 0;
  }
  // an unavailable backend is a usage error; checked before a new database is created, so nothing is
  // half-written, and for an existing one only when it has trials left to train on that backend
  const fresh = !existsSync(resolve(opts.db));
  if (fresh) await assertBackendsAvailable(plan.trials, asked);
  // a --db whose folder does not exist makes it (runs/ for the default), and says so: a typo there starts a new study
  const folder = dirname(resolve(opts.db));
  const newFolder = !existsSync(folder);
  const store = Store.open(opts.db, { create: true });
  if (newFolder)
    process.stderr.write(`sparsebench: made folder ${shownPath(folder)} for the new database ${opts.db}\n`);
  const toTrain = trialsToTrain(plan, store, opts.retryFailed ?? false);
  // the plan's warnings matter to what is trained: a rerun with nothing left to train leaves them to the dry run and the report
  if (toTrain.length > 0) warn();
  let engines: Set<string>;
  try {
    if (!fresh) await assertBackendsAvailable(toTrain, asked);
    engines = await enginesOf(toTrain);
  } catch (e) {
    store.close();
    throw e;
  }
  // once the sweep will run: a refused one changes nothing, so there is nothing to note
  const dropping = store.droppedBy(plan);
  if (dropping.trials > 0) process.stderr.write(`${droppedNote(plan.name, dropping)}\n`); // said again at the end
  const stop = listenForStop('the trials in training');
  const choice = fixedWorkers
    ? { workers: fixedWorkers, reason: `--workers ${fixedWorkers}` }
    : chooseWorkers(toTrain, machineBudget(), engines);
  const workers = Math.min(choice.workers, Math.max(1, toTrain.length));
  const memory = memoryWarning(toTrain, machineBudget());
  if (memory) process.stderr.write(`warning: ${memory}\n`);
  // one worker trains here; more train in child processes, and this process writes for all of them (training
  // one of several here as well was measured slower: this process runs without the workers' heap settings)
  const runners: TrialRunner[] =
    workers === 1
      ? [new InProcessRunner(() => stop.received() !== null)]
      : Array.from({ length: workers }, (_, i) => new ProcessRunner(`worker ${i + 1}`));
  const tty = process.stderr.isTTY;
  try {
    const reporter: SweepReporter = tty ? new BarReporter() : new LineReporter();
    process.stderr.write(`workers: ${workers} (${choice.reason})\n`);
    const summary: SweepSummary = await runSweep(plan, store, {
      reporter,
      retryFailed: opts.retryFailed,
      shouldStop: () => stop.received() !== null,
      checkpointMinutes: cadence.minutes,
      checkpointSteps: cadence.steps,
      runners,
    });
    // this run's own trials: another run of the same sweep name with an edited config may have replaced the
    // sweep's trial list meanwhile; each with this plan's axis values, so the table has the columns `runs list` has
    const trials = plan.trials.flatMap((t) => {
      const record = store.findTrial(t.id);
      return record ? [{ ...record, axes: t.axes }] : [];
    });
    const replaced = replacedSweepNote(plan, store);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ summary, db: store.path, trials }, null, 2)}\n`);
      if (summary.dropped.trials > 0)
        process.stderr.write(`${droppedNote(summary.sweep, summary.dropped)}\n`);
    } else {
      process.stdout.write(`${trialsTable(trials)}\n\n${summaryLine(summary, opts.db, trials)}\n`);
    }
    if (replaced) process.stderr.write(`${replaced}\n`);
    const stopped = stop.exitCode();
    if (stopped !== null) return stopped;
    // the exit status says whether the sweep holds failed trials, from this run or an earlier one, or (3)
    // trials another process took and has not finished, so that `sweep && fit-law` never fits a partial sweep
    if (summary.failed + summary.skippedFailed + summary.failedElsewhere > 0) return 1;
    if (summary.busy + summary.unfinishedElsewhere + summary.removed > 0) return 3;
    return summary.stoppedWorkers > 0 ? 4 : 0;
  } finally {
    stop.release();
    await Promise.all(runners.map((r) => r.close()));
    store.close();
  }
}

async function assertBackendsAvailable(
  trials: readonly TrialPlan[],
  source: (backend: string) => string,
): Promise<void> {
  for (const backend of new Set(trials.map((t) => t.spec.backend)))
    await assertBackendAvailable(backend, source(backend));
}

/**
 * For a dry run on an existing database: how many of the plan's trials it holds (`status`, by id) finished,
 * failed or begun, and so what a run would train; null when it holds none of them.
 */
function knownNote(plan: SweepPlan, opts: SweepOptions, status: ReadonlyMap<string, string>): string | null {
  const of = (want: string) => plan.trials.filter((t) => status.get(t.id) === want).length;
  const finished = of('finished');
  const failed = of('failed');
  const interrupted = of('interrupted');
  const running = of('running');
  if (finished + failed + interrupted + running === 0) return null;
  const train = plan.trials.length - finished - (opts.retryFailed ? 0 : failed);
  const parts = [
    `${finished} finished`,
    ...(failed > 0
      ? [`${failed} failed (${opts.retryFailed ? 'trained again' : 'left alone without --retry-failed'})`]
      : []),
    ...(interrupted > 0
      ? [
          `${interrupted} interrupted (resumed from a checkpoint where one was kept, else trained from the start)`,
        ]
      : []),
    ...(running > 0
      ? [`${running} recorded as running (taken over only where their process is gone or silent)`]
      : []),
  ];
  const would = train === 0 ? 'none of them' : running > 0 ? `up to ${train}` : String(train);
  return `note: ${opts.db} already holds ${finished + failed + interrupted + running} of this plan's ${count(plan.trials.length, 'trial')}: ${parts.join(', ')}; a run would train ${would}.`;
}

/**
 * What running the plan would take out of an existing database's sweep of the same name, and the status there of
 * each of the plan's trials, read in one opening: null when there is no database yet (or an empty file, which the
 * sweep would fill); 'older schema' when only an upgrade, which a dry run does not make, would let it be read.
 * Throws the sweep's own {@link UsageError} for a --db it would refuse (a folder, a file that is not a database).
 */
function existingState(
  plan: SweepPlan,
  db: string,
): { dropped: SweepSummary['dropped']; status: Map<string, string> } | 'older schema' | null {
  // a path where no database can be made, or one that cannot be read as one, is refused as the sweep itself would
  if (!existsSync(resolve(db))) {
    Store.assertNewPath(db);
    return null;
  }
  if (statSync(resolve(db)).isFile() && statSync(resolve(db)).size === 0) return null;
  try {
    const store = Store.open(db, { create: false, read: 'only' });
    try {
      return { dropped: store.droppedBy(plan), status: store.statusesOf(plan.trials.map((t) => t.id)) };
    } finally {
      store.close();
    }
  } catch (e) {
    if (e instanceof OlderSchemaError) return 'older schema';
    // an empty SQLite file is a database the sweep would fill
    if (e instanceof EmptyDatabaseError) return null;
    throw e;
  }
}

/** The engines the trials will run on (`auto` resolved as the trainer will resolve it). */
async function enginesOf(trials: readonly TrialPlan[]): Promise<Set<string>> {
  const engines = new Set<string>();
  for (const b of new Set(trials.map((t) => t.spec.backend)))
    engines.add(b === 'auto' ? (await resolveAuto()).name : b);
  return engines;
}

/** `--workers`: a whole number from 1 to 64, or `auto`/absent (null: choose). */
function parseWorkers(text: string | undefined): number | null {
  if (text === undefined || text === 'auto') return null;
  const v = flagNumber(text);
  if (!Number.isInteger(v) || v < 1 || v > 64)
    throw new UsageError(`--workers ${text}: expected auto or a whole number from 1 to 64`);
  return v;
}

/**
 * The planned trials a run would train now: not finished, and not failed unless retrying. By id, so a trial
 * another sweep of the database already finished counts as finished.
 */
function trialsToTrain(plan: SweepPlan, store: Store, retryFailed: boolean) {
  const status = store.statusesOf(plan.trials.map((t) => t.id));
  return plan.trials.filter((t) => {
    const s = status.get(t.id);
    return s !== 'finished' && (retryFailed || s !== 'failed');
  });
}

function summaryLine(s: SweepSummary, db: string, trials: readonly { status: string }[]): string {
  const parts = [`${s.trained} trained`, `${s.alreadyFinished} already finished`];
  if (s.failed)
    parts.push(
      `${s.failed} failed (run it again with --retry-failed to train ${s.failed === 1 ? 'it' : 'them'} again)`,
    );
  if (s.skippedFailed) parts.push(`${s.skippedFailed} failed earlier (use --retry-failed)`);
  if (s.finishedElsewhere) parts.push(`${s.finishedElsewhere} finished by another process`);
  if (s.failedElsewhere) parts.push(`${s.failedElsewhere} failed in another process`);
  if (s.busy) parts.push(`${s.busy} still running in another process (run this sweep again once it ends)`);
  if (s.unfinishedElsewhere)
    parts.push(
      `${s.unfinishedElsewhere} left unfinished by another process (run this sweep again to train them)`,
    );
  if (s.removed)
    parts.push(
      `${s.removed} removed from the database while it ran (runs rm; run this sweep again to train ${s.removed === 1 ? 'it' : 'them'})`,
    );
  if (s.stoppedWorkers > 0)
    parts.push(
      `${s.stoppedWorkers} interrupted when ${s.stoppedWorkers === 1 ? 'its worker process was' : 'their worker processes were'} stopped by a signal (run it again to resume)`,
    );
  if (s.interrupted) {
    const left = (status: string) => trials.filter((t) => t.status === status).length;
    parts.push(
      `stopped: ${left('interrupted')} interrupted, ${left('pending')} not started (run it again to resume)`,
    );
  }
  const line = `sweep ${s.sweep}: ${count(s.total, 'trial')}: ${parts.join(', ')}. Database: ${db}`;
  const notes = [line];
  // said at the start too: again at the end only after a run long enough to have scrolled it away
  if (s.dropped.trials > 0 && s.trained > 0) notes.push(droppedNote(s.sweep, s.dropped));
  const short = s.nonzeroShort;
  if (short)
    notes.push(
      `note: ${count(short.count, 'trial')} finished more than ${NONZERO_SHORT * 100}% below the non-zero count planned ` +
        `(furthest: ${short.id.slice(0, 8)}, N ${short.got} against ${short.planned}, ${((short.got / short.planned - 1) * 100).toFixed(1)}%): ` +
        "weights its masks keep ended exactly zero, as SRigL's neuron ablation or a unit left without outgoing weights " +
        '(its incoming weights get no gradient) makes them; the fit uses the measured N',
    );
  return notes.join('\n');
}

function planJson(plan: SweepPlan) {
  return {
    name: plan.name,
    file: plan.file,
    axes: plan.axes,
    trials: plan.trials,
    total_flops: plan.trials.reduce((a, t) => a + t.flops, 0),
    // what total_flops and each trial's flops count: C = 6·N/(1−S)·D, FLOPs only where D counts tokens
    compute_unit: dataUnit(plan) === 'tokens' ? 'FLOPs' : '6·N/(1−S)·images',
  };
}

/** A path relative to the working directory when it lies below it (as the user most likely typed it). */
function shownPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** What D counts in this sweep (one family per sweep). */
const dataUnit = (plan: SweepPlan) => dataUnitOf(plan.trials[0]?.spec.model.family);

function planText(plan: SweepPlan): string {
  const unit = dataUnit(plan);
  // C = 6·N/(1−S)·D is FLOPs only where D counts tokens; for images it is the law's 6·N/(1−S)·images
  // C = 6·N/(1−S)·D is FLOPs only for the decoder-only lm: t5's decoder sees the targets, not D's input tokens
  const compute =
    unit === 'images' ? 'C (6·N/(1−S)·img)' : plan.config.model.family === 't5' ? 'C (6·N/(1−S)·D)' : 'FLOPs';
  const rows = plan.trials;
  const table = formatTable(rows, [
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
    { header: unit, get: (t) => fmt(t.train_tokens), align: 'right' },
    { header: 'steps', get: (t) => String(t.spec.steps), align: 'right' },
    { header: 'pruner', get: (t) => t.spec.pruner.name },
    // the sweep's other axes, as runs list shows them: whole pruners listed that share a name differ there
    ...shownAxisColumns(rows.map((t) => ({ axes: t.axes, sparsity: t.spec.sparsity }))).map((c) => ({
      header: c.header,
      get: (t: TrialPlan) => c.cell({ axes: t.axes, sparsity: t.spec.sparsity }),
      ...(c.numeric ? { align: 'right' as const } : {}),
    })),
    { header: compute, get: (t) => fmtFlops(t.flops), align: 'right' },
  ]);
  const total = plan.trials.reduce((a, t) => a + t.flops, 0);
  const zip = plan.config.sweep.zip;
  const axes =
    plan.axes.map((a) => `${a.key}=[${a.values.map(fmtValue).join(', ')}]`).join('  ') +
    (zip ? `  (${zip.join(', ')} advance together)` : '');
  return [
    `sweep ${plan.name} (${shownPath(plan.file)}): ${count(plan.trials.length, 'trial')}`,
    `axes: ${axes}`,
    '',
    table,
    '',
    unit === 'images'
      ? `total estimated training compute: C = 6 * N/(1-S) * D = ${fmtFlops(total)} with D in ${unit} (the law's compute; FLOPs are about C times the tokens per image)`
      : plan.trials.every((t) => t.spec.model.family === 't5')
        ? `total estimated training compute: C = 6 * N/(1-S) * D = ${fmtFlops(total)} with D in encoder input tokens (the law's compute; the decoder's weights see only the shorter targets, so the weight matrices' FLOPs are ${(weightFlops(plan) / total).toFixed(2)} of C)`
        : `total estimated training compute: ${fmtFlops(total)} FLOPs (C = 6 * N/(1-S) * D)`,
  ].join('\n');
}

/** The t5 trials' weight-matrix training FLOPs: each trial's C times its {@link t5WeightFlopsShare}. */
function weightFlops(plan: SweepPlan): number {
  return plan.trials.reduce((a, t) => a + t.flops * t5WeightFlopsShare(t.spec.model as T5Shape), 0);
}

/**
 * A note when the sweep's trial list in the database is no longer this run's plan: another `sweep` of the same
 * name with another config saved it while this one trained (the later config wins; this run's trials stay in
 * the database). Null when it is still this plan.
 */
export function replacedSweepNote(plan: SweepPlan, store: Store): string | null {
  const mine = new Set(plan.trials.map((t) => t.id));
  const now = store.listTrials(plan.name).map((t) => t.id);
  const foreign = now.filter((id) => !mine.has(id)).length;
  // trials `runs rm` took out of the database are not in it at all: the summary says so, not this note
  const left = [...mine].filter((id) => !now.includes(id) && store.findTrial(id) !== null).length;
  if (foreign === 0 && left === 0) return null;
  return (
    `note: sweep ${plan.name} was saved again with another config while this run trained (another sweep of the same name): ` +
    `it now holds ${now.length} trials, ${foreign} not in this run's plan, and ${left} of this run's are no longer in it; ` +
    "the table above is this run's trials, and fit-law and report read the sweep as it is now"
  );
}
