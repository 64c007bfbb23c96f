import { UsageError } from '../errors.js';
import { sparseParams } from '../law/optimal.js';
import type { LawFit } from '../law/types.js';
import type { Store } from '../store/store.js';
import type { FitRecord, MetricPoint } from '../store/types.js';
import type { ReportData, StoredFit, StoredQuery } from './types.js';
import { dataUnitOf } from './units.js';

/** Metrics the report plots; the others (lr, sparsity) stay in the database. */
const PLOTTED_METRICS = ['train_loss', 'val_loss'] as const;

/**
 * Reads everything a report of `sweep` (default: the most recently run) shows. Throws UsageError for an
 * empty database or an unknown sweep, naming the sweeps there are.
 */
export function loadReportData(store: Store, dbPath: string, sweepName?: string): ReportData {
  const name = sweepName ?? store.latestSweep();
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
  const record = store.latestFit(name, 'sparse');
  const family =
    (sweep.config as { model?: { family?: string } } | null)?.model?.family ?? trials[0]?.spec.model.family;
  return {
    dbPath,
    sweep,
    trials,
    curves,
    fit: record ? toStoredFit(record) : null,
    unit: dataUnitOf(family),
  };
}

/** A stored fit record as the report uses it; coefficients that cannot drive the law are flagged, not thrown. */
export function toStoredFit(record: FitRecord): StoredFit {
  const result = record.result as LawFit & { queries?: StoredQuery[] };
  const { queries, ...fit } = result;
  let params: StoredFit['params'] = null;
  let problem: string | null = null;
  try {
    params = sparseParams(fit);
  } catch (e) {
    problem = (e as Error).message;
  }
  return {
    id: record.id,
    createdAt: record.createdAt,
    converged: record.converged,
    inputs: record.inputs,
    fit: {
      ...fit,
      params: fit.params ?? {},
      residuals: fit.residuals ?? [],
      warnings: fit.warnings ?? [],
      intervals: fit.intervals ?? {},
      startSpread: fit.startSpread ?? {},
    },
    params,
    problem,
    queries: Array.isArray(queries) ? queries : [],
  };
}
