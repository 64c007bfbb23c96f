import { LawInputError } from '../law/errors.js';
import { sparseForm } from '../law/forms/sparse.js';
import { denseComputeOptimalData } from '../law/optimal.js';
import { EXTRAPOLATED_OPTIMUM } from '../law/optimal-summary.js';
import { pointsFromTrials } from '../law/sweep-points.js';
import { parseAxisCondition, SelectionError, selectTrials } from '../law/trial-selection.js';
import { checkPointCount, validatePoints } from '../law/validate.js';
import { embeddingShareWarning, nonzeroEmbeddings, outputHeadParams } from '../models/embedding-share.js';
import { baselineWarning } from '../sparsity/baseline-check.js';
import { shownStatus } from '../store/owner.js';
import { DEFAULT_DB } from '../store/store.js';
import { shArg } from '../util/shell.js';
import { relativeMisses } from './findings.js';
import { fitOwnPoints, fitPools } from './fit-scope.js';
import { count, firstLine, pct, plural, sig } from './format.js';
import { type FinalPoint, levels } from './points.js';
import { sparsityLabel } from './specs/style.js';
import type { ReportData, ReportedFit, StoredFit } from './types.js';
import { unitLabels } from './units.js';

/** A bootstrap interval wider than this factor (hi / lo) means the data do not pin the coefficient down. */
export const WIDE_INTERVAL = 10;
/** A held-out miss above this (relative) may mean the law does not extrapolate to larger N... */
export const HOLDOUT_MISS = 0.05;
/** ...when it is also this many times the largest miss on the trials fitted: worse than the fit itself. */
export const HOLDOUT_WORSE = 1.5;

/** A problem the reader must know about, or a part of the report that is missing and why. */
export interface Notice {
  level: 'warning' | 'missing';
  text: string;
  /** Details, shown as a list under the text. */
  items?: string[];
}

/**
 * The command that stores a fit for this sweep (with --db when the database is not the default one, and the
 * `--where` conditions of the fit it would replace).
 */
export function fitCommand(data: ReportData, where: readonly string[] = []): string {
  return `sparsebench fit-law${sweepFlags(data)}${where.map((w) => ` --where ${w}`).join('')}`;
}

/** `--sweep NAME`, with `--db PATH` when the database is not the default one, for a command about this sweep. */
export function sweepFlags(data: ReportData): string {
  const db = data.dbPath === DEFAULT_DB ? '' : ` --db ${data.dbPath}`;
  return ` --sweep ${data.sweep.name}${db}`;
}

/**
 * Unfinished, failed and interrupted trials, sparse trials without a dense baseline, embeddings a large share
 * of N, and too few sparsity levels for the sparse law.
 */
export function trialNotices(data: ReportData, points: readonly FinalPoint[]): Notice[] {
  const out: Notice[] = [];
  const n = data.trials.length;
  const by = (status: string) => data.trials.filter((t) => t.status === status);
  const open = [...by('pending'), ...by('running')];
  // a running trial whose process is gone trains no further until a sweep resumes it: say so, as runs list does
  const stalled = by('running').filter((t) => shownStatus(t) !== 'running').length;
  if (open.length > 0)
    out.push({
      level: 'warning',
      text:
        `The sweep is not finished: ${by('running').length} running${stalled > 0 ? ` (${stalled} of them with their process gone or silent: run the sweep again to resume ${stalled === 1 ? 'it' : 'them'})` : ''} and ${by('pending').length} pending of ${plural(n, 'trial')}. ` +
        'Final-loss plots show the finished trials only; rebuild the report when the sweep is done.',
    });
  for (const status of ['failed', 'interrupted'] as const) {
    const ts = by(status);
    if (ts.length === 0) continue;
    const why = ts
      .slice(0, 3)
      .map((t) => `${t.id.slice(0, 8)}${t.error ? `: ${firstLine(t.error, 120)}` : ''}`)
      .join('; ');
    out.push({
      level: 'warning',
      text:
        `${plural(ts.length, 'trial')} ${status} (${why}${ts.length > 3 ? '; …' : ''}); ${ts.length === 1 ? 'it is' : 'they are'} left out of every plot of final loss` +
        (status === 'failed'
          ? `; \`sparsebench sweep ${shArg(data.sweep.configPath)}${data.dbPath === DEFAULT_DB ? '' : ` --db ${shArg(data.dbPath)}`} --retry-failed\` trains ${ts.length === 1 ? 'it' : 'them'} again.`
          : `; running the sweep again resumes ${ts.length === 1 ? 'it' : 'them'}.`),
    });
  }
  if (n > 0 && points.length === 0)
    out.push({
      level: 'missing',
      text: 'No trial has finished yet, so there are no final losses, law or optimal sparsity to show.',
    });
  const baseline = baselineWarning(data.trials);
  if (baseline) out.push({ level: 'warning', text: `${baseline[0].toUpperCase()}${baseline.slice(1)}.` });
  const embeddings = embeddingShareWarning(
    data.trials.map((t) => ({
      sparsity: t.sparsity,
      target: t.nonzeroTarget,
      nonzero: t.nonzeroParams ?? t.plannedNonzero,
      embedding: nonzeroEmbeddings(t.spec, t.embeddingParams),
      head: outputHeadParams(t.spec),
    })),
    data.family ?? 'lm',
  );
  if (embeddings)
    out.push({ level: 'warning', text: `${embeddings[0].toUpperCase()}${embeddings.slice(1)}.` });
  const finishedLevels = levels(points.map((p) => p.sparsity));
  if (finishedLevels.length === 1)
    out.push({
      level: 'missing',
      text:
        `Only one sparsity level (${sparsityLabel(finishedLevels[0])}) has finished trials: the sparse law needs at least two, ` +
        'so sparsity effects cannot be fitted or compared.',
    });
  return out;
}

/** Why `fit-law` would refuse this sweep's finished trials for the sparse form, or null when it would fit them. */
export function sparseFitRefusal(data: ReportData): string | null {
  const points = pointsFromTrials(data.trials);
  try {
    validatePoints(points);
    checkPointCount(points.length, sparseForm.paramNames.length, sparseForm.name);
    sparseForm.check(points);
    return null;
  } catch (e) {
    if (e instanceof LawInputError) return e.message;
    throw e;
  }
}

/** What a stored fit (sparse or dense) records of the trials it was made from. */
export type FitInputs = Pick<StoredFit, 'id' | 'createdAt' | 'inputs' | 'where'>;

/**
 * Whether the stored fit was made from the trials that are finished now, and if not, what changed: trials that
 * finished after it was made, finished trials it did not use (from before it: a merged database, or another
 * `--where`), and its trials that are no longer finished or no longer in the sweep (the sweep was run again
 * under its name with another plan, or the fit came with a merged database).
 */
export function staleness(
  fit: FitInputs,
  data: ReportData,
  points: readonly FinalPoint[],
  what = 'stored fit',
): string | null {
  const now = new Set(selectedIds(fit, data, points));
  const used = new Set(fit.inputs);
  const inSweep = new Set(data.trials.map((t) => t.id));
  const finishedAt = new Map(data.trials.map((t) => [t.id, t.finishedAt]));
  const added = [...now].filter((id) => !used.has(id));
  const since = added.filter((id) => (finishedAt.get(id) ?? '') > fit.createdAt).length;
  const unused = added.length - since;
  const gone = [...used].filter((id) => !now.has(id));
  const outside = gone.filter((id) => !inSweep.has(id)).length;
  const unfinished = gone.length - outside;
  if (added.length === 0 && gone.length === 0) return null;
  const parts = [
    since > 0 ? `${plural(since, 'trial')} finished since` : '',
    unused > 0
      ? `${plural(unused, 'finished trial')} of this sweep ${unused === 1 ? 'is' : 'are'} not in it`
      : '',
    unfinished > 0 ? `${unfinished} of its trials ${unfinished === 1 ? 'is' : 'are'} no longer finished` : '',
    outside === 0
      ? ''
      : `${outside === used.size ? `none of its ${plural(outside, 'trial')} is in` : `${outside} of its trials ${outside === 1 ? 'is' : 'are'} no longer in`} this sweep (it was run again under this name with another plan, or the fit came with a merged database)`,
  ].filter(Boolean);
  const list =
    parts.length > 1 ? `${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}` : parts[0];
  return `The ${what} #${fit.id} (${fit.createdAt}) is out of date: ${list}.`;
}

/**
 * Ids of the finished trials a fit made now with the same `--where` conditions would use: all of them
 * without conditions, or when the sweep no longer has the axes they name.
 */
function selectedIds(fit: FitInputs, data: ReportData, points: readonly FinalPoint[]): string[] {
  const finished = points.map((p) => p.id);
  if (fit.where.length === 0) return finished;
  try {
    const chosen = new Set(
      selectTrials(data.trials, data.sweep.axes, fit.where.map(parseAxisCondition)).map((t) => t.id),
    );
    return finished.filter((id) => chosen.has(id));
  } catch (e) {
    if (e instanceof SelectionError) return finished;
    throw e;
  }
}

/**
 * Without a sparse-law fit: why none is stored and the command that makes one (or why fit-law would refuse
 * these trials), and what stands in its place: a stored dense-law fit, with what makes it weak.
 */
function sparseFitMissing(data: ReportData, points: readonly FinalPoint[]): Notice[] {
  const dense = data.denseFit;
  const denseCmd = `\`${fitCommand(data, dense?.where)} --form chinchilla\``;
  // do not send the reader to a fit-law that would refuse these trials: say why it would
  const refusal = sparseFitRefusal(data);
  // fit-law's refusal names its way out, the dense law: say what the report does with it
  const denseWay =
    refusal?.includes("'chinchilla'") && !dense
      ? `; ${denseCmd} fits the dense law, which this report then draws through the dense trials`
      : '';
  const next =
    refusal === null
      ? `run \`${fitCommand(data)}\`, then rebuild this report`
      : `none can be made from the finished trials yet (fit-law: ${refusal}${denseWay})`;
  const instead = dense
    ? `The sparse law's coefficients and optimal sparsity are left out; the dense-law fit #${dense.id} stands in their place (its line through the dense trials, its coefficients under Scaling-law fit).`
    : "The law's curves, coefficients and optimal sparsity are left out; everything else is shown.";
  const out: Notice[] = [
    {
      level: 'missing',
      text:
        dense && data.fitChosen
          ? `Fit #${dense.id}, chosen with --fit, is a dense-law fit: the sparse law's coefficients and optimal sparsity are left out, and the dense law stands in their place (its line through the dense trials, its coefficients under Scaling-law fit).`
          : `No sparse-law fit is stored for sweep ${data.sweep.name}: ${next}. ${instead}`,
    },
  ];
  if (!dense) return out;
  // the dense law is fitted to the dense trials only: judged out of date against those
  out.push(
    ...storedFitNotices(
      dense,
      'dense-law fit',
      denseCmd,
      data,
      points.filter((p) => p.sparsity === 0),
    ),
  );
  return out;
}

/**
 * Everything that makes the stored fit weak, in words: missing or unusable, not converged, out of date,
 * wide bootstrap intervals, a poor held-out check, the fit's own warnings (fit-law's), and trials
 * far from the region where the optimal-sparsity findings apply.
 */
export function fitNotices(data: ReportData, points: readonly FinalPoint[]): Notice[] {
  const fit = data.fit;
  if (!fit) return sparseFitMissing(data, points);
  const extra: Notice[] = [];
  if (fit.params) {
    // the fit's own trials: others finished since it are no part of what it says
    const multiples = fitOwnPoints(points, fit)
      .map((p) => p.D / (1 - p.achieved) / denseComputeOptimalData(fit.params!, p.N))
      .filter(Number.isFinite);
    const hi = Math.max(...multiples);
    if (multiples.length > 0 && hi < 1)
      extra.push({
        level: 'warning',
        text:
          `Under this fit every trial's compute, as the data a dense model of its N would train on, C/(6N) = D/(1−S), was below that model's compute-optimal data ` +
          `(${sig(Math.min(...multiples), 2)}× to ${sig(hi, 2)}×), while the optimal-sparsity findings are about training past it: they are extrapolations of the law, not measurements.`,
      });
  }
  // first: a law of several settings at once describes none of them, whatever else holds
  const pooled = fitPools(data, fit);
  const first: Notice[] = pooled
    ? [
        {
          level: 'warning',
          text: `Fit #${fit.id} pools several settings of ${pooled.pooled.join(' and ')} into one law, as if they trained alike: its coefficients and optimal sparsity describe none of them. Fit one setting at a time (\`${fitCommand(data, [pooled.example])}\`) and draw it with \`sparsebench report --fit ID\`${(data.settingFits ?? []).some((f) => f.where.length > 0) ? '; "Laws by setting" sets the fits of each setting stored so far side by side' : ''}.`,
        },
      ]
    : [];
  // said above in the report's words: fit-law's own line (in fits stored since it gives one) is not repeated
  const shown =
    extra.length > 0
      ? {
          ...fit,
          fit: { ...fit.fit, warnings: fit.fit.warnings.filter((w) => !w.startsWith(EXTRAPOLATED_OPTIMUM)) },
        }
      : fit;
  return [
    ...first,
    ...storedFitNotices(shown, 'fit', `\`${fitCommand(data, fit.where)}\``, data, points, extra),
  ];
}

/**
 * What makes a stored fit (sparse, or the dense one standing in for it) weak, in words: unusable, not
 * converged, no bootstrap, out of date, wide intervals, a poor held-out check, and fit-law's own warnings.
 * `kind` names it ("fit", "dense-law fit"); `cmd` is the command that makes it again; `extra` notices go
 * before fit-law's own warnings, which are the details under the report's.
 */
function storedFitNotices(
  fit: ReportedFit<unknown>,
  kind: string,
  cmd: string,
  data: ReportData,
  points: readonly FinalPoint[],
  extra: readonly Notice[] = [],
): Notice[] {
  const out: Notice[] = [];
  if (fit.problem)
    out.push({
      level: 'missing',
      text: `The stored ${kind} #${fit.id} cannot be used (${fit.problem}); run ${cmd} again.`,
    });
  if (!fit.converged)
    out.push({
      level: 'warning',
      text: `The stored ${kind} #${fit.id} did NOT converge (scaled gradient ${sig(fit.fit.gradNorm, 2)}, tolerance ${fit.fit.gradTolerance}): treat its coefficients and every figure derived from them as unreliable.`,
    });
  if (!fit.fit.bootstrap)
    out.push({
      level: 'warning',
      text: `Fit #${fit.id} was made without bootstrap replicates (fit-law --bootstrap 0): the coefficients below come without intervals, so nothing here says how well the data determine them. Run ${cmd} for a fit with intervals.`,
    });
  const stale = staleness(fit, data, points, `stored ${kind}`);
  if (stale) out.push({ level: 'warning', text: `${stale} Run ${cmd} again.` });
  const wide = Object.entries(fit.fit.intervals)
    .filter(([, [lo, hi]]) => !(lo > 0 && hi / lo <= WIDE_INTERVAL))
    .map(([k]) => k);
  if (wide.length > 0)
    out.push({
      level: 'warning',
      text: `The 95% bootstrap intervals of ${wide.join(', ')} span more than a factor ${WIDE_INTERVAL}: the data do not determine these coefficients, so the findings derived from them are indicative only.`,
    });
  const h = fit.fit.holdout;
  // judged against the fit's own misses: a law that misses its fitted trials by 10% is not worse at larger N for
  // missing the held-out ones by 6.5%
  const fitted = Math.max(0, ...relativeMisses(fit.fit));
  if (
    h &&
    !h.error &&
    h.max_abs_rel_error !== null &&
    h.max_abs_rel_error > HOLDOUT_MISS &&
    h.max_abs_rel_error > HOLDOUT_WORSE * fitted
  )
    out.push({
      level: 'warning',
      text: `Held-out check: refitted without the ${h.n_heldout} largest-N trials, the law misses them by up to ${pct(h.max_abs_rel_error, 2)}, against at most ${pct(fitted, 2)} for the full fit on all its trials; it does not extrapolate reliably in N.`,
    });
  out.push(...extra);
  if (fit.fit.warnings.length > 0)
    out.push({
      level: 'warning',
      text: `fit-law's own warnings for fit #${fit.id}:`,
      items: fit.fit.warnings,
    });
  return out;
}

/** A one-line status of the sweep: finished / total, and the fit used. */
export function statusLine(data: ReportData, points: readonly FinalPoint[]): string {
  const finished = data.trials.filter((t) => t.status === 'finished').length;
  const fit = data.fit
    ? `sparse-law fit #${data.fit.id} of ${data.fit.createdAt}`
    : data.denseFit
      ? `${data.fitChosen ? 'chosen with --fit: ' : 'no sparse-law fit stored; '}dense-law fit #${data.denseFit.id} of ${data.denseFit.createdAt}`
      : 'no sparse-law fit stored';
  const ns = levels(points.map((p) => p.N));
  const ds = levels(points.map((p) => p.D));
  const range = (v: number[]) =>
    v.length === 0 ? '-' : v.length === 1 ? count(v[0]) : `${count(v[0])}–${count(v[v.length - 1])}`;
  // trials runs rm took out, which the config still plans: the counts would pass for complete without them
  const removed = data.removedTrials
    ? ` (${plural(data.removedTrials, 'more planned trial')} removed with runs rm since the sweep last ran; a rerun trains ${data.removedTrials === 1 ? 'it' : 'them'} again)`
    : '';
  return `${finished} of ${plural(data.trials.length, 'trial')} finished${removed}; N = ${range(ns)} non-zero parameters, D = ${range(ds)} ${unitLabels(data.unit).d}; ${fit}.`;
}
