import { UsageError } from '../errors.js';
import { denseParams } from '../law/dense-law.js';
import { lowerBoundsOf, optimumUndetermined, optimumUnsupported, sparseParams } from '../law/optimal.js';
import type { LawFit } from '../law/types.js';
import type { Store } from '../store/store.js';
import { removedFrom } from '../store/sweep-overview.js';
import type { FitRecord, MetricPoint, TrialRecord } from '../store/types.js';
import type { DenseFit, ReportData, ReportedFit, StoredFit, StoredQuery } from './types.js';
import { dataUnitOf } from './units.js';

/** Metrics the report plots; the others (lr, sparsity) stay in the database. */
const PLOTTED_METRICS = ['train_loss', 'val_loss'] as const;

/** The law forms a report draws: the sparse law, or the dense one in its place. */
const REPORTED_FORMS: readonly string[] = ['sparse', 'chinchilla'];

/**
 * Reads everything a report of `sweep` (default: the most recently run) shows, with its newest sparse-law
 * fit or the stored fit `fitId`. Throws UsageError for an empty database, an unknown sweep (naming the
 * sweeps there are), a fit id of a fit to a points file, or one that is not a sparse fit of that sweep (naming those
 * there are).
 */
export function loadReportData(store: Store, dbPath: string, sweepName?: string, fitId?: number): ReportData {
  if (fitId !== undefined) refusePointsFit(store.getFit(fitId), dbPath);
  // a fit chosen by id names its sweep: --sweep is needed only to report another sweep's trials, which is refused
  const fitSweep =
    fitId === undefined || sweepName !== undefined ? null : (store.getFit(fitId)?.sweep ?? null);
  const name = sweepName ?? fitSweep ?? store.latestSweep();
  if (name === null)
    throw new UsageError(`${dbPath} holds no sweeps yet; run "sparsebench sweep <config>" first`);
  const sweep = store.getSweep(name);
  if (!sweep) {
    const known = store.listSweeps().map((s) => s.name);
    throw new UsageError(
      `--sweep ${name}: no sweep of that name in ${dbPath}; known: ${known.join(', ') || 'none'}`,
    );
  }
  const trials = store.listTrials(name);
  const curves: Record<string, MetricPoint[]> = {};
  for (const t of trials) curves[t.id] = PLOTTED_METRICS.flatMap((m) => store.metrics(t.id, m));
  const chosen = fitId === undefined ? null : chosenFit(store, name, fitId);
  const record = chosen ? (chosen.form === 'sparse' ? chosen : null) : store.defaultFit(name, 'sparse');
  const family =
    (sweep.config as { model?: { family?: string } } | null)?.model?.family ?? trials[0]?.spec.model.family;
  // the dense law stands in for a sparse one only: when no sparse fit is stored, or a dense one was chosen
  const dense = chosen
    ? chosen.form === 'sparse'
      ? null
      : chosen
    : record
      ? null
      : store.defaultFit(name, 'chinchilla');
  const drawn = record ?? dense;
  const fitTrialsOutside = drawn ? trialsOutside(store, drawn, trials) : [];
  return {
    dbPath,
    sweep,
    trials,
    curves,
    fit: record ? withLevelsChecked(toStoredFit(record), record, [...trials, ...fitTrialsOutside]) : null,
    denseFit: dense ? toDenseFit(dense) : null,
    fitTrialsOutside,
    settingFits: newestFitPerSelection(store, name, trials, chosen),
    fitChosen: fitId !== undefined,
    removedTrials: removedFrom(store, name),
    newerFitsPassedOver:
      chosen || !record
        ? []
        : store
            .listFits(name)
            .filter((f) => f.form === 'sparse' && f.id !== record.id && f.createdAt > record.createdAt)
            .map((f) => f.id),
    unit: dataUnitOf(family),
    family,
  };
}

/**
 * Refuses `--fit ID` of a fit to a points file (`fit-law --points`): a report draws a sweep's trials with their fits,
 * and that fit has no sweep (its database may hold none), so the message says where its figures are instead.
 */
function refusePointsFit(record: FitRecord | null, dbPath: string): void {
  if (!record || record.sweep !== null) return;
  throw new UsageError(
    `--fit ${record.id}: fit #${record.id} was fitted to a points file (${record.source}), not to a sweep's trials, ` +
      `and report draws sweeps only; its figures are in "sparsebench fit-law --points ${record.source}" ` +
      `(which fits the points again) and "sparsebench runs fits --db ${dbPath} --all"`,
  );
}

/**
 * A sparse fit stored before fit-law judged whether its points determine the optimum (no `optimumUndetermined`):
 * judged here from its trials, as fit-law judges now (see {@link optimumUndetermined}), when every one of them is
 * still in the database; otherwise as stored.
 */
function withLevelsChecked(fit: StoredFit, record: FitRecord, trials: readonly TrialRecord[]): StoredFit {
  if ((record.result as LawFit).optimumUndetermined !== undefined || fit.optimumProblem) return fit;
  const byId = new Map(trials.map((t) => [t.id, t]));
  const points = fit.inputs.flatMap((id) => {
    const t = byId.get(id);
    return t ? [{ sparsity: t.achievedSparsity ?? t.sparsity, tokens: t.tokens ?? t.tokensTarget }] : [];
  });
  if (points.length === 0 || points.length !== fit.inputs.length) return fit;
  const problem = optimumUndetermined(points);
  // the summary lines read the result: judged there too, so they give no figures the report withholds
  return { ...fit, optimumProblem: problem, fit: { ...fit.fit, optimumUndetermined: problem } };
}

/**
 * The trials a fit was made from that are no longer in the sweep (`trials`) but still in the database: the sweep
 * was run again with another plan, or the fit came with a merged database.
 */
function trialsOutside(store: Store, fit: FitRecord, trials: readonly TrialRecord[]): TrialRecord[] {
  const inSweep = new Set(trials.map((t) => t.id));
  // a whole trial id only (a prefix could name another trial)
  return fit.inputs
    .filter((id) => !inSweep.has(id) && /^[0-9a-f]{16}$/.test(id))
    .flatMap((id) => store.findTrial(id) ?? []);
}

/**
 * The newest sparse-law fit of each trial selection of a sweep (its `--where` conditions; none for the whole
 * sweep), in the order of their selections, when there are two or more selections; else none. The fit chosen
 * with `--fit` stands for its selection in place of the newest.
 */
function newestFitPerSelection(
  store: Store,
  sweep: string,
  trials: readonly TrialRecord[],
  chosen: FitRecord | null,
): StoredFit[] {
  const newest = new Map<string, FitRecord>();
  const selection = (r: FitRecord) => [...conditionsOf(r.options)].sort().join(', ');
  // oldest first, so each selection's last one is its newest
  for (const r of store.listFits(sweep)) if (r.form === 'sparse') newest.set(selection(r), r);
  if (chosen?.form === 'sparse') newest.set(selection(chosen), chosen);
  if (newest.size < 2) return [];
  return [...newest.entries()]
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([, r]) => withLevelsChecked(toStoredFit(r), r, [...trials, ...trialsOutside(store, r, trials)]));
}

/** The stored fit `id`, checked to be a sparse-law or dense-law fit of `sweep`. */
function chosenFit(store: Store, sweep: string, id: number): FitRecord {
  const record = store.getFit(id);
  if (record && record.sweep === sweep && REPORTED_FORMS.includes(record.form)) return record;
  // each with its form and --where conditions: fits of one sweep differ by them
  const ids = REPORTED_FORMS.flatMap((form) =>
    store.fitIds(sweep, form).map((i) => {
      const where = conditionsOf(store.getFit(i)?.options);
      return `${i} (${[form, ...where].join(', ')})`;
    }),
  );
  const why = !record
    ? 'no stored fit has that id'
    : record.sweep !== sweep
      ? `it is a fit of sweep ${record.sweep}`
      : `it is a ${record.form} fit; the report draws the ${REPORTED_FORMS.join(' or ')} law`;
  throw new UsageError(
    `--fit ${id}: ${why}; fits of sweep ${sweep}: ${ids.length > 0 ? ids.join(', ') : 'none (run "sparsebench fit-law")'}`,
  );
}

/**
 * What every stored fit shows the report, sparse or dense: its record's fields, the result with every list and
 * map present (fits stored before one was kept lack it), and its coefficients as `check` reads them, or why
 * they cannot drive the law (flagged, not thrown).
 */
function storedFitOf<P>(record: FitRecord, fit: LawFit, check: (fit: LawFit) => P): ReportedFit<P> {
  let params: P | null = null;
  let problem: string | null = null;
  try {
    params = check(fit);
  } catch (e) {
    problem = (e as Error).message;
  }
  return {
    id: record.id,
    createdAt: record.createdAt,
    converged: record.converged,
    inputs: record.inputs,
    where: conditionsOf(record.options),
    excluded: excludedOf(record.options),
    fit: {
      ...fit,
      params: fit.params ?? {},
      residuals: fit.residuals ?? [],
      // warnings of fits stored before they pointed at the table's column rather than the JSON field
      warnings: (fit.warnings ?? []).map((w) =>
        w.replace('(see startSpread)', '(see the "across best starts" column)'),
      ),
      intervals: fit.intervals ?? {},
      startSpread: fit.startSpread ?? {},
    },
    params,
    problem,
  };
}

/** A stored dense-law fit record as the report uses it. */
export function toDenseFit(record: FitRecord): DenseFit {
  return storedFitOf(record, record.result as LawFit, (fit) => denseParams(fit.params ?? {}));
}

/** The `--where` conditions stored with a fit's options, as "key=value". */
export function conditionsOf(options: unknown): string[] {
  const where = (options as { where?: unknown } | null)?.where;
  return Array.isArray(where)
    ? where.flatMap((c) =>
        c && typeof c === 'object' && 'key' in c && 'value' in c ? [`${c.key}=${c.value}`] : [],
      )
    : [];
}

/** The trials a stored fit's options say `--exclude` left out of it (full ids); empty when none. */
export function excludedOf(options: unknown): string[] {
  const exclude = (options as { exclude?: unknown } | null)?.exclude;
  return Array.isArray(exclude) ? exclude.filter((id): id is string => typeof id === 'string') : [];
}

/** A stored sparse-law fit record as the report uses it, with why it implies no optimum when it does not. */
export function toStoredFit(record: FitRecord): StoredFit {
  const result = record.result as LawFit & { queries?: StoredQuery[] };
  const { queries, ...fit } = result;
  return {
    ...storedFitOf(record, fit, sparseParams),
    optimumProblem:
      optimumUnsupported(lowerBoundsOf({ ...fit, warnings: fit.warnings ?? [] }), fit.runOff ?? []) ??
      fit.optimumUndetermined ??
      null,
    queries: Array.isArray(queries) ? queries : [],
  };
}
