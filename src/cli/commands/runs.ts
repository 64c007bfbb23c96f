import { UsageError } from '../../errors.js';
import {
  type AxisCondition,
  isAxisValue,
  parseAxisCondition,
  selectTrials,
} from '../../law/trial-selection.js';
import { describeShape, embeddingWords } from '../../models/describe.js';
import { curvesCsv } from '../../store/curves-csv.js';
import { shownStatus } from '../../store/owner.js';
import { plannedData } from '../../store/planned-data.js';
import { Store } from '../../store/store.js';
import { removedFrom } from '../../store/sweep-overview.js';
import { shownAxisColumns } from '../../store/trial-axes.js';
import { type SortKey, sortedTrials } from '../../store/trial-order.js';
import { trialsCsv } from '../../store/trials-csv.js';
import { startedUnfinished, type TrialRecord, type TrialStatus } from '../../store/types.js';
import { checkpointStep } from '../../sweep/checkpoints.js';
import { count, fmt, parseHumanNumber } from '../../util/format.js';
import { formatTable } from '../../util/table.js';
import { listedSweep } from '../listed-sweep.js';
import { selection } from '../selection.js';

const num = (v: number | null, digits = 4) => (v === null ? '-' : v.toFixed(digits));

/** Throughput's unit: "tok/s" or "img/s" (both, when a table mixes families). */
function rateUnit(trials: readonly TrialRecord[]): string {
  const units = new Set(trials.map((t) => plannedData(t.spec).unit));
  if (units.size !== 1) return 'tok|img/s';
  return units.has('images') ? 'img/s' : 'tok/s';
}

/**
 * The trial table shared by `runs list` and `sweep`. A sweep's extra axes (e.g. `train.optimizer.lr`) get a
 * column each, named by their key, so trials that differ only there can be told apart; with `sweepsOf` (a listing of
 * every trial), the sweeps each trial is in.
 */
export function trialsTable(
  trials: readonly TrialRecord[],
  sweepsOf?: (id: string) => readonly string[],
): string {
  const extra = shownAxisColumns(trials);
  return formatTable(trials, [
    { header: 'id', get: (t) => t.id },
    // every trial of a database (--all): the sweeps each is in, '-' for none
    ...(sweepsOf ? [{ header: 'sweeps', get: (t: TrialRecord) => sweepsOf(t.id).join(', ') || '-' }] : []),
    { header: 'status', get: (t) => shownStatus(t) },
    { header: 'pruner', get: (t) => t.pruner },
    { header: 'S', get: (t) => String(t.sparsity), align: 'right' },
    { header: 'N', get: (t) => fmt(t.nonzeroParams ?? t.plannedNonzero), align: 'right' },
    {
      header: 'D',
      get: (t) => fmt(t.tokens ?? plannedData(t.spec).amount),
      align: 'right',
    },
    { header: 'seed', get: (t) => String(t.seed), align: 'right' },
    ...extra.map((c) => ({
      header: c.header,
      get: (t: TrialRecord) => c.cell(t),
      ...(c.numeric ? { align: 'right' as const } : {}),
    })),
    { header: 'val loss', get: (t) => num(t.finalValLoss), align: 'right' },
    // classification accuracy, where a family measures it (vit)
    ...(trials.some((t) => t.finalValAccuracy !== null)
      ? [{ header: 'val acc', get: (t: TrialRecord) => num(t.finalValAccuracy, 3), align: 'right' as const }]
      : []),
    { header: 'sparsity', get: (t) => num(t.achievedSparsity, 3), align: 'right' },
    {
      header: rateUnit(trials),
      get: (t) => (t.tokensPerSecond === null ? '-' : fmt(t.tokensPerSecond)),
      align: 'right',
    },
    { header: 'backend', get: (t) => t.backend ?? '-' },
  ]);
}

export interface RunsListOptions {
  db: string;
  sweep?: string;
  all?: boolean;
  status?: TrialStatus;
  json?: boolean;
  csv?: boolean;
  /** `--where KEY=VALUE` conditions on the sweep's other axes, as fit-law takes them (repeatable). */
  where?: string[];
  /** `--sort KEY`: the order of the listing (default: the plan's). */
  sort?: SortKey;
  /** `--curves`: every logged point of the trials listed, as one long CSV. */
  curves?: boolean;
}

/** `sparsebench runs list`. */
export async function runsListCommand(opts: RunsListOptions): Promise<number> {
  if ([opts.json, opts.csv, opts.curves].filter(Boolean).length > 1)
    throw new UsageError('--json, --csv and --curves: give one');
  const store = Store.open(opts.db, { create: false, read: 'upgrading' });
  try {
    const sweep = listedSweep(store, opts, 'trial');
    const trials = sortedTrials(
      selectedTrials(store, sweep, store.listTrials(sweep, opts.status), opts.where ?? []),
      opts.sort,
    );
    if (opts.curves) process.stdout.write(curvesCsv(trials, (id) => store.metrics(id)));
    else if (opts.csv) process.stdout.write(trialsCsv(trials));
    else if (opts.json) {
      // shownStatus: the status as the table shows it (a running trial whose process is gone says so)
      const shown = trials.map((t) => ({
        ...t,
        shownStatus: shownStatus(t),
        ...(sweep === null ? { sweeps: store.sweepsOfTrial(t.id) } : {}),
      }));
      // the trials runs rm took out of the sweep, which its config still plans
      const removed = sweep === null ? {} : { removed: removedFrom(store, sweep) };
      process.stdout.write(`${JSON.stringify({ sweep, ...removed, trials: shown }, null, 2)}\n`);
    } else {
      const title = sweep === null ? `all trials in ${opts.db}` : `sweep ${sweep}`;
      // with --status or --where, how many of how many: "0 trials" alone reads as an empty sweep
      const where = opts.where ?? [];
      const shown =
        opts.status === undefined && where.length === 0
          ? count(trials.length, 'trial')
          : `${trials.length} of ${count(store.listTrials(sweep).length, 'trial')}${opts.status ? ` ${opts.status}` : ''}${where.length > 0 ? ` at ${conditionsText(where)}` : ''}`;
      const sweepsOf = sweep === null ? (id: string) => store.sweepsOfTrial(id) : undefined;
      const table = trials.length > 0 ? `\n${trialsTable(trials, sweepsOf)}\n` : '';
      const removed = sweep === null ? 0 : removedFrom(store, sweep);
      process.stdout.write(`${title}: ${shown}${removed > 0 ? `; ${removedText(removed)}` : ''}\n${table}`);
    }
    return 0;
  } finally {
    store.close();
  }
}

/** What `runs rm` took out of a sweep, in words, with what brings it back. */
export function removedText(removed: number): string {
  return `${count(removed, 'more trial')} removed (runs rm) since it last ran: its config still plans ${removed === 1 ? 'it' : 'them'}, and a rerun trains ${removed === 1 ? 'it' : 'them'} again`;
}

/**
 * The trials at the `--where` conditions: the planned S, N or D (`sparsity=0.5`), or a setting of the sweep's other
 * axes as fit-law selects them (dense trials stay under a pruner condition); all of them without conditions.
 * Conditions on one key pick the trials at any of its values (`--where seed=1 --where seed=2`), conditions on
 * different keys the trials at all of them. Conditions need one sweep, whose axes they name. Shared by `runs list`
 * and `runs rm`.
 */
export function selectedTrials(
  store: Store,
  sweep: string | null,
  trials: TrialRecord[],
  where: readonly string[],
): TrialRecord[] {
  if (where.length === 0) return trials;
  if (sweep === null)
    throw new UsageError(
      `--where ${where[0]} and --all: --where names axes of one sweep; give --sweep NAME instead of --all`,
    );
  const byKey = conditionsByKey(where.map((w) => selection(() => parseAxisCondition(w))));
  const all = [...byKey.keys()].some((k) => k in PLANNED) ? store.listTrials(sweep) : [];
  const axes = store.getSweep(sweep)!.axes;
  let chosen = trials;
  for (const [key, conditions] of byKey) {
    const at = new Set(
      conditions.flatMap((c) =>
        // S, N and D (as planned) pick trials of a listing, which fit-law's selections span whole
        key in PLANNED ? atPlannedValue(chosen, all, c) : selection(() => selectTrials(chosen, axes, [c])),
      ),
    );
    chosen = chosen.filter((t) => at.has(t));
  }
  return chosen;
}

/** The conditions grouped by key, in order of first mention; a value given twice counts once. */
function conditionsByKey(conditions: readonly AxisCondition[]): Map<string, AxisCondition[]> {
  const byKey = new Map<string, AxisCondition[]>();
  for (const c of conditions) {
    const same = byKey.get(c.key) ?? [];
    if (!same.some((o) => isAxisValue(o.value, c.value))) same.push(c);
    byKey.set(c.key, same);
  }
  return byKey;
}

/** The trials planned at a grid value (`sparsity=0.5`); refused for a value the sweep (`all` its trials) lacks. */
function atPlannedValue(trials: TrialRecord[], all: readonly TrialRecord[], c: AxisCondition): TrialRecord[] {
  const value = parseHumanNumber(c.value);
  const of = PLANNED[c.key];
  const there = [...new Set(all.map(of))].sort((a, b) => a - b);
  if (value === null || !there.includes(value))
    throw new UsageError(`--where ${c.key}=${c.value}: the sweep's ${c.key} values are ${there.join(', ')}`);
  return trials.filter((t) => of(t) === value);
}

/** The `--where` conditions in words for a listing's count: "pruner.name=gmp or rigl, seed=1". */
export function conditionsText(where: readonly string[]): string {
  const byKey = conditionsByKey(where.map((w) => selection(() => parseAxisCondition(w))));
  return [...byKey.values()].map((cs) => `${cs[0].key}=${cs.map((c) => c.value).join(' or ')}`).join(', ');
}

/** The grid values a trial was planned at, by the config's key: what `runs list --where` matches S, N and D on. */
const PLANNED: Record<string, (t: TrialRecord) => number> = {
  sparsity: (t) => t.sparsity,
  nonzero_params: (t) => t.nonzeroTarget,
  tokens: (t) => t.tokensTarget,
};

export interface RunsShowOptions {
  db: string;
  json?: boolean;
}

/**
 * The parameters of a trial N leaves out: its embeddings and output head (where it has its own), and where the pruner
 * prunes them (`distribution.embeddings`) how many stay non-zero. The models' registry loads here, for `runs show`
 * alone.
 */
async function embeddingsLine(t: TrialRecord): Promise<string> {
  const { nonzeroEmbeddings, outputHeadParams } = await import('../../models/embedding-share.js');
  const words = embeddingWords(t.embeddingParams, outputHeadParams(t.spec));
  const pruned = t.sparsity > 0 && t.spec.pruner?.distribution?.embeddings === true;
  if (!pruned) return `${words}, not in N`;
  return `${words}, not in N; ${nonzeroEmbeddings(t.spec, t.embeddingParams)} of them non-zero: pruned`;
}

/** `sparsebench runs show <id>`. */
export async function runsShowCommand(id: string, opts: RunsShowOptions): Promise<number> {
  const store = Store.open(opts.db, { create: false, read: 'upgrading' });
  try {
    const t = store.findTrial(id.toLowerCase());
    if (!t) throw new UsageError(`no trial with id "${id}" in ${opts.db}; see "sparsebench runs list"`);
    const metrics = store.metrics(t.id);
    const sweeps = store.sweepsOfTrial(t.id);
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ ...t, shownStatus: shownStatus(t), sweeps, metrics }, null, 2)}\n`,
      );
      return 0;
    }
    const m = t.spec.model;
    const embeddings = await embeddingsLine(t);
    const lines = [
      `trial ${t.id} (${shownStatus(t)}${t.attempts > 1 ? `, ${t.attempts} attempts` : ''}) in sweep(s) ${sweeps.join(', ') || '-'}`,
      `model     ${describeShape(m)}`,
      `params    dense prunable ${t.denseParams}, total ${t.totalParams} (${embeddings})`,
      `sparsity  target ${t.sparsity}, achieved ${num(t.achievedSparsity, 4)}; non-zero ${t.nonzeroParams ?? '-'} (planned ${t.plannedNonzero}, asked ${t.nonzeroTarget})`,
      `pruner    ${JSON.stringify(t.spec.pruner)}`,
      `data      ${JSON.stringify(t.spec.data)}`,
      `training  ${plannedData(t.spec).text}; ` +
        `lr ${t.spec.optimizer.lr}, seed ${t.seed}, backend ${t.backend ?? t.spec.backend}`,
      `results   val loss ${num(t.finalValLoss)}${t.finalValAccuracy === null ? '' : `, val accuracy ${num(t.finalValAccuracy, 4)}`}, train loss ${num(t.finalTrainLoss)}, ${t.tokensPerSecond === null ? '-' : fmt(t.tokensPerSecond)} ${rateUnit([t])}, ${t.wallSeconds === null ? '-' : `${t.wallSeconds.toFixed(1)} s`}`,
    ];
    // a message that names its step already need not repeat it
    const at =
      t.errorStep !== null && !new RegExp(`\\bstep ${t.errorStep}\\b`).test(t.error ?? '')
        ? ` (step ${t.errorStep})`
        : '';
    if (t.error) lines.push(`error     ${t.error}${at}`);
    // where a rerun takes an unfinished trial up: from its checkpoint, or from the start
    if (startedUnfinished(t.status)) {
      const from = checkpointStep(opts.db, t.id);
      const stopped =
        t.status === 'interrupted' && t.errorStep !== null ? `stopped at step ${t.errorStep}; ` : '';
      lines.push(
        `resume    ${stopped}${from === null ? `no checkpoint: a rerun${t.status === 'failed' ? ' with --retry-failed' : ''} trains it from step 0` : `checkpoint at step ${from}: a rerun${t.status === 'failed' ? ' with --retry-failed' : ''} resumes from there`}`,
      );
    }
    const val = metrics.filter((p) => p.name === 'val_loss');
    const accuracy = new Map(metrics.filter((p) => p.name === 'val_accuracy').map((p) => [p.step, p.value]));
    if (val.length > 0) {
      lines.push(
        '',
        formatTable(val, [
          { header: 'step', get: (p) => String(p.step), align: 'right' },
          { header: plannedData(t.spec).unit, get: (p) => String(p.tokens), align: 'right' },
          { header: 'val loss', get: (p) => p.value.toFixed(4), align: 'right' },
          ...(accuracy.size > 0
            ? [
                {
                  header: 'val acc',
                  get: (p: (typeof val)[number]) => num(accuracy.get(p.step) ?? null, 4),
                  align: 'right' as const,
                },
              ]
            : []),
        ]),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    store.close();
  }
}
