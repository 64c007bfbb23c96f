import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPrunerAxis } from '../../config/schema.js';
import { TRIAL_ID_PREFIX } from '../../config/trial-spec.js';
import { UsageError } from '../../errors.js';
import { readPointsCsv } from '../../law/csv.js';
import { coefficientTable, fitSummaryLines, span } from '../../law/describe.js';
import { eachSummary } from '../../law/each-summary.js';
import { LawInputError } from '../../law/errors.js';
import type { FigureSpread } from '../../law/figure-spread.js';
import { checkLawInput, defaultDelta, defaultFitOptions, fitLaw, validateFitOptions } from '../../law/fit.js';
import type { LawForm } from '../../law/forms/form.js';
import { lawForms } from '../../law/forms/index.js';
import { holdoutSplit, refitProblem } from '../../law/holdout.js';
import { lowerBoundsOf, optimalSparsity, optimumUnsupported, sparseParams } from '../../law/optimal.js';
import { queryExtrapolation } from '../../law/query-reach.js';
import {
  noneFinishedError,
  type OptimalQuery,
  pointsFromTrials,
  unfinishedWarning,
} from '../../law/sweep-points.js';
import {
  type AxisCondition,
  eachValues,
  parseAxisCondition,
  pooledSettingsWarning,
  selectTrials,
} from '../../law/trial-selection.js';
import type { FitOptions, HuberKind, LawFit, LawPoint } from '../../law/types.js';
import { dataUnitOf, unitLabels } from '../../report/units.js';
import { baselineWarning } from '../../sparsity/baseline-check.js';
import { Store } from '../../store/store.js';
import type { TrialRecord } from '../../store/types.js';
import { fmt, parseHumanNumber, sig } from '../../util/format.js';
import { knownSweep } from '../listed-sweep.js';
import { selection } from '../selection.js';

export interface FitLawOptions {
  db: string;
  /** Whether --db was given on the command line (external points are stored only then). */
  dbGiven: boolean;
  sweep?: string;
  points?: string;
  form: string;
  loss?: HuberKind;
  delta?: string;
  starts?: string;
  seed?: string;
  bootstrap?: string;
  holdout?: string;
  optimal: string[];
  /** `--where KEY=VALUE` conditions on the sweep's extra axes (repeatable). */
  where?: string[];
  /** `--each KEY`: one fit per value of the sweep's axis KEY. */
  each?: string;
  /** `--exclude ID`: trials (ids or unique prefixes) left out of the fit, kept in the database (repeatable). */
  exclude?: string[];
  /** False with --no-store: print the fit, store nothing. */
  store?: boolean;
  json?: boolean;
}

/** The points one fit is made from, and what the output says of them. */
interface Selected {
  points: LawPoint[];
  sweep: string | null;
  /** What D counts, when the points come from a sweep. */
  dataUnit?: string;
  /** What the loss is per, when the points come from a sweep ("nats/token"). */
  lossUnit?: string;
  /** Settings of the sweep's extra axes the points pool, in words, or null. */
  pooled: string | null;
  /** Trials of the selection that have no final loss, in words, or null. */
  unfinished: string | null;
  /** Why there is nothing to fit when none of the selection's trials has finished, or null. */
  noneFinished?: string | null;
  /** What the points' D leaves out where they prune a pretrained model (from-dense), in words, or null. */
  pretrained?: string | null;
  /** The `--where` conditions, as written. */
  where: AxisCondition[];
  /** The trials `--exclude` left out of the selection (full ids). */
  excluded: string[];
  /** Sparse points the chinchilla form leaves out. */
  dropped: number;
}

/**
 * An answer to `--optimal`: S_opt at N and C, its 95% bootstrap interval and spread over tied starts, and how far
 * N or C lies beyond the fitted trials (an extrapolation of the law).
 */
type Answer = OptimalQuery & { S_opt: number; extrapolation?: string } & FigureSpread;

/** A fit made and (unless --no-store) stored, with its answers to `--optimal`. */
interface Made {
  selected: Selected;
  fit: LawFit;
  answers: Answer[];
  fitId: number | null;
  /** Whether its optimal-sparsity figures stand: a converged sparse fit that implies an optimum. */
  usable: boolean;
}

/** `sparsebench fit-law`: fit the law to a sweep's finished trials (or a CSV), store and print it. */
export async function fitLawCommand(opts: FitLawOptions): Promise<number> {
  if (!lawForms[opts.form])
    throw new UsageError(`--form ${opts.form}: unknown; valid: ${Object.keys(lawForms).join(', ')}`);
  const options = fitOptions(opts);
  const queries = opts.optimal.map(parseQuery);
  const where = (opts.where ?? []).map((w) => selection(() => parseAxisCondition(w)));
  if (where.length > 0 && opts.points)
    throw new UsageError(
      '--where selects trials of a sweep; it does not apply to --points (filter the CSV instead)',
    );
  const exclude = opts.exclude ?? [];
  if (exclude.length > 0 && opts.points)
    throw new UsageError(
      `--exclude ${exclude[0]} leaves a trial of a sweep out; it does not apply to --points (leave its row out of the CSV instead)`,
    );
  if (opts.each !== undefined && opts.points)
    throw new UsageError(
      '--each fits one law per setting of a sweep; it does not apply to --points (one CSV per setting instead)',
    );
  if (opts.each !== undefined && where.some((c) => c.key === opts.each))
    throw new UsageError(
      `--each ${opts.each} and --where ${opts.each}=...: --each already fits every ${opts.each}; give one of them`,
    );
  if (opts.sweep !== undefined && opts.points)
    throw new UsageError(
      `--sweep ${opts.sweep} names a sweep of a database; it does not apply to --points (give one of them)`,
    );
  if (queries.length > 0 && opts.form !== 'sparse')
    throw new UsageError('--optimal needs the sparse form (--form sparse)');

  let store: Store | null = null;
  try {
    let selections: Selected[];
    if (opts.points) {
      selections = [forForm(csvSelection(opts.points), opts.form)];
      // a database there is opened (and checked) now; a new one is made only once the fit stands, so a
      // refused fit (too few points, a --holdout that leaves none) leaves no empty database behind
      if (opts.dbGiven && existsSync(resolve(opts.db))) store = Store.open(opts.db, { create: true });
      else if (opts.dbGiven) Store.assertNewPath(opts.db);
    } else {
      // the fit is stored, unless --no-store
      store = Store.open(
        opts.db,
        opts.store === false ? { create: false, read: 'upgrading' } : { create: false, write: true },
      );
      const sweep = opts.sweep ?? store.latestSweep();
      if (!sweep)
        throw new UsageError(`${opts.db} holds no sweeps yet; run "sparsebench sweep <config>" first`);
      knownSweep(store, sweep, opts.db);
      const axes = store.getSweep(sweep)!.axes;
      const trials = store.listTrials(sweep);
      const each = opts.each;
      // the dense form fits the dense trials alone, which every pruner setting shares: one fit, not one per setting
      if (each !== undefined && opts.form === 'chinchilla' && isPrunerAxis(each))
        throw new UsageError(
          `--each ${each} --form chinchilla: the dense law is fitted to the dense trials alone, which every ${each} shares, so each fit would be the same; fit it once without --each (--each seed still fits one per seed)`,
        );
      const conditions =
        each === undefined
          ? [where]
          : selection(() => eachValues(axes, each)).map((value) => [...where, { key: each, value }]);
      const excluded = excludedTrials(trials, exclude, sweep);
      selections = conditions.map((c) =>
        forForm(sweepSelection(trials, axes, sweep, c, excluded), opts.form),
      );
      // a trial the fit would not have chosen anyway: most likely a slip (another pruner's, a mistyped prefix)
      const chosen = new Set(selections.flatMap((sel) => sel.excluded));
      const stray = [...excluded].find((id) => !chosen.has(id));
      if (stray)
        throw new UsageError(
          `--exclude ${stray.slice(0, 8)}: that trial is not among the trials ${where.length > 0 ? `at ${where.map((c) => `${c.key}=${c.value}`).join(' and ')}` : 'this fit chooses'}, so leaving it out changes nothing; check the id (runs list --sweep ${sweep})`,
        );
    }
    // every selection is checked before any is fitted: with --each, one that cannot be fitted stores nothing
    for (const sel of selections) preflight(sel, opts, options);
    const made: Made[] = [];
    for (const sel of selections) {
      const fit = fitFrom(sel.points, opts.form, options, queries, () => sourceOf(sel, opts));
      if (opts.points && opts.dbGiven && opts.store !== false)
        store ??= Store.open(opts.db, { create: true });
      made.push(complete(sel, fit, queries, opts, options, store));
    }
    if (opts.json) {
      const docs = made.map((m) => jsonOf(m, opts));
      const doc = opts.each === undefined ? docs[0] : { each: opts.each, fits: docs };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      const blocks = made.map((m) => describe(m, opts.points ?? opts.db));
      if (opts.each !== undefined)
        blocks.push(
          eachSummary(
            opts.each,
            made.map((m) => ({
              value: m.selected.where.find((c) => c.key === opts.each)?.value ?? '',
              fitId: m.fitId,
              fit: m.fit,
              usable: m.usable,
            })),
          ),
        );
      process.stdout.write(`${blocks.join('\n\n')}\n`);
    }
    // stored and printed, marked so; the exit status tells a script (`fit-law && report`) not to go on as if it had
    const failed = made.filter((m) => !m.fit.converged);
    if (failed.length > 0) {
      const which =
        opts.each === undefined
          ? 'the fit did'
          : `the ${failed.length === 1 ? 'fit' : 'fits'} of ${failed.map((m) => whereText(m.selected).join(' and ')).join(', ')} did`;
      process.stderr.write(
        `sparsebench: ${which} NOT converge; treat ${failed.length === 1 ? 'its' : 'their'} coefficients as unreliable (exit 1)\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    store?.close();
  }
}

/** The points of a CSV file as a selection. */
function csvSelection(path: string): Omit<Selected, 'dropped'> {
  const read = readPoints(path);
  return {
    points: read.points,
    sweep: null,
    pooled: read.pooled
      ? `the points pool several settings of ${read.pooled} into one law, as if they trained alike; fit one setting at a time: keep its rows and the dense ones (whose setting is empty)`
      : null,
    unfinished: null,
    where: [],
    excluded: [],
  };
}

/**
 * The trials `--exclude` names (full ids or unique prefixes of at least 4 hex digits), each one of the sweep's;
 * a UsageError for one that names none of them, or several.
 */
function excludedTrials(
  trials: readonly TrialRecord[],
  exclude: readonly string[],
  sweep: string,
): Set<string> {
  const out = new Set<string>();
  for (const text of exclude) {
    const prefix = text.toLowerCase();
    if (!TRIAL_ID_PREFIX.test(prefix))
      throw new UsageError(
        `--exclude ${text}: not a trial id; give the 16 hex digits of an id, or a unique prefix of at least 4 (see "sparsebench runs list")`,
      );
    const found = trials.filter((t) => t.id.startsWith(prefix));
    if (found.length !== 1)
      throw new UsageError(
        found.length === 0
          ? `--exclude ${text}: no trial of sweep ${sweep} has an id starting with it (see "sparsebench runs list --sweep ${sweep}")`
          : `--exclude ${text}: the ids of ${found.length} trials of sweep ${sweep} start with it; give more of the id`,
      );
    if (found[0].status !== 'finished' || found[0].finalValLoss === null)
      throw new UsageError(
        `--exclude ${text}: trial ${found[0].id.slice(0, 8)} is ${found[0].status}, with no final loss: no fit includes it, so there is nothing to leave out`,
      );
    out.add(found[0].id);
  }
  return out;
}

/** The finished trials of a sweep at the `where` conditions, as a selection. */
function sweepSelection(
  all: readonly TrialRecord[],
  axes: readonly { key: string; values: unknown[] }[],
  sweep: string,
  where: AxisCondition[],
  exclude: ReadonlySet<string>,
): Omit<Selected, 'dropped'> {
  const chosen = selection(() => selectTrials(all, axes, where));
  const trials = chosen.filter((t) => !exclude.has(t.id));
  const family = trials[0]?.spec.model.family;
  return {
    points: pointsFromTrials(trials),
    sweep,
    dataUnit: dataUnitOf(family),
    lossUnit: unitLabels(dataUnitOf(family), family).loss,
    pooled: pooledSettingsWarning(trials, axes),
    unfinished: unfinishedWarning(trials),
    // of the trials chosen: a finished one left out with --exclude is not "none finished"
    noneFinished: noneFinishedError(chosen),
    pretrained: baselineWarning(trials),
    where,
    excluded: chosen.filter((t) => exclude.has(t.id)).map((t) => t.id),
  };
}

/** A selection as the form sees it: the chinchilla form keeps the dense points alone. */
function forForm(sel: Omit<Selected, 'dropped'>, form: string): Selected {
  if (form !== 'chinchilla') return { ...sel, dropped: 0 };
  const dense = sel.points.filter((p) => p.sparsity === 0);
  return { ...sel, points: dense, dropped: sel.points.length - dense.length };
}

/** The `--where` conditions of a selection, as written ("pruner.name=gmp"). */
const whereText = (sel: Selected) => sel.where.map((c) => `${c.key}=${c.value}`);

/** The trials `--exclude` left out of a selection, in words (", without trials 43eb3dd3, 9c2f4049"), or ''. */
const excludedText = (sel: Selected) =>
  sel.excluded.length === 0
    ? ''
    : `, without ${sel.excluded.length === 1 ? 'trial' : 'trials'} ${sel.excluded.map((id) => id.slice(0, 8)).join(', ')} (--exclude)`;

/** Where a selection's points come from, for errors: a CSV, or a sweep and its conditions. */
function sourceOf(sel: Selected, opts: FitLawOptions): string {
  const where = whereText(sel);
  const source = opts.points
    ? `--points ${opts.points}`
    : `sweep ${sel.sweep} in ${opts.db}${where.length > 0 ? `, where ${where.join(' and ')}` : ''}${excludedText(sel)}`;
  // the count an error gives is of the dense points alone: say so, and how many sparse ones were left out
  return sel.dropped > 0 ? `${source} (dense points only, S = 0: ${sel.dropped} sparse left out)` : source;
}

/** The checks a selection must pass before anything is fitted: the `--holdout` given, and the points themselves. */
function preflight(sel: Selected, opts: FitLawOptions, options: FitOptions): void {
  const form = lawForms[opts.form];
  if (sel.noneFinished) throw new LawInputError(`${sourceOf(sel, opts)}: ${sel.noneFinished}`);
  if (opts.holdout !== undefined) checkHoldout(opts.holdout, options.holdout ?? 0, sel.points, form);
  try {
    checkLawInput(sel.points, opts.form);
  } catch (e) {
    if (e instanceof LawInputError) throw new LawInputError(`${sourceOf(sel, opts)}: ${e.message}`);
    throw e;
  }
}

/** A fit's warnings, its answers to `--optimal`, and its record in the store (unless --no-store). */
function complete(
  selected: Selected,
  fit: LawFit,
  queries: readonly OptimalQuery[],
  opts: FitLawOptions,
  options: FitOptions,
  store: Store | null,
): Made {
  if (selected.dropped > 0)
    fit.warnings.push(`${selected.dropped} sparse points left out: the chinchilla form is for S = 0 data`);
  if (selected.pooled) fit.warnings.push(selected.pooled);
  if (selected.unfinished) fit.warnings.push(selected.unfinished);
  if (selected.pretrained) fit.warnings.push(selected.pretrained);
  // a fit with a term at its bound has no trade-off to optimise: its closed forms would report the bound; and
  // points with too few levels of S or D leave the optimum free
  const unsupported =
    opts.form === 'sparse'
      ? (optimumUnsupported(lowerBoundsOf(fit), fit.runOff ?? []) ?? fit.optimumUndetermined ?? null)
      : null;
  const params = opts.form === 'sparse' && !unsupported && fit.converged ? sparseParams(fit) : null;
  if (unsupported && queries.length > 0) fit.warnings.push(`--optimal not answered: ${unsupported}`);
  else if (!fit.converged && queries.length > 0)
    fit.warnings.push(
      '--optimal not answered: the fit did not converge, so its coefficients are not an optimum',
    );
  // each answer with its spread over the bootstrap (computed by the fit), and how far it reaches beyond the trials
  const answers: Answer[] = params
    ? queries.map((q, i) => {
        const { nonzero_params: _n, compute: _c, sparsity: _s, ...spread } = fit.optimal?.queries?.[i] ?? {};
        const S_opt = optimalSparsity(params, q.N, q.C);
        const beyond = queryExtrapolation(q, selected.points, S_opt);
        return {
          ...q,
          S_opt,
          ...spread,
          ...(beyond ? { extrapolation: beyond } : {}),
        };
      })
    : [];
  const where = selected.where;
  const fitId =
    store && opts.store !== false
      ? store.saveFit({
          sweep: selected.sweep,
          source: opts.points ?? 'db',
          form: opts.form,
          options: {
            ...options,
            ...(where.length > 0 ? { where } : {}),
            ...(selected.excluded.length > 0 ? { exclude: selected.excluded } : {}),
          },
          result: { ...fit, queries: answers },
          inputs: selected.points.map((p, i) => p.id ?? `row${i + 1}`),
          converged: fit.converged,
        })
      : null;
  return { selected, fit, answers, fitId, usable: params !== null };
}

/** One fit as the `--json` document. */
function jsonOf(m: Made, opts: FitLawOptions): Record<string, unknown> {
  const { optimal, ...rest } = m.fit;
  return {
    ...rest,
    optimal: m.answers,
    optimal_summary: optimal ?? null,
    fit_id: m.fitId,
    sweep: m.selected.sweep,
    source: opts.points ?? opts.db,
    where: whereText(m.selected),
    exclude: m.selected.excluded,
  };
}

/**
 * A `--holdout` the user gave that leaves too few points to refit on is a usage error, found before the fit
 * runs (the default holdout, a fraction, is only a warning on data too small for it). Points too few for
 * the fit itself are left to the fit's own error.
 */
function checkHoldout(text: string, holdout: number, points: readonly LawPoint[], form: LawForm): void {
  if (holdout === 0 || refitProblem(points, form) !== null) return;
  if (holdout >= points.length)
    throw new UsageError(
      `--holdout ${text}: asks for ${holdout} points of the ${points.length} to fit, leaving none to refit on; ` +
        'give fewer, or a fraction such as 0.2',
    );
  const { test, train } = holdoutSplit(points, holdout);
  const problem = refitProblem(train, form);
  if (problem !== null) {
    const minN = Math.min(...test.map((p) => p.nonzeroParams));
    throw new UsageError(
      `--holdout ${text}: holds out ${test.length} of the ${points.length} points (every model size with ` +
        `N ≥ ${fmt(minN)}, so that no size is split), leaving ${train.length} to refit on: ${problem}. ` +
        'Hold out fewer, or give --holdout 0 for no held-out check',
    );
  }
}

/** {@link fitLaw}, its input errors naming where the points came from (`source()`: a CSV, or a sweep). */
function fitFrom(
  points: LawPoint[],
  form: string,
  options: Parameters<typeof fitLaw>[2],
  queries: readonly OptimalQuery[],
  source: () => string,
): LawFit {
  try {
    return fitLaw(points, form, options, queries);
  } catch (e) {
    if (e instanceof LawInputError) throw new LawInputError(`${source()}: ${e.message}`);
    throw e;
  }
}

function describe(m: Made, source: string): string {
  const { fit, answers, fitId, selected } = m;
  const where = whereText(selected);
  // the --where conditions name whose law it is: fits of one sweep differ by them alone
  const only = where.length > 0 ? `, only the trials at ${where.join(' and ')}` : '';
  const what = selected.sweep
    ? `sweep ${selected.sweep} (${source})${only}${excludedText(selected)}`
    : source;
  const lines = [
    `${fit.form} scaling law fit of ${what}${fitId !== null ? `, stored as fit #${fitId}` : ''}`,
    '',
    coefficientTable(fit, selected.dataUnit, selected.lossUnit),
    '',
    ...fitSummaryLines(fit),
  ];
  for (const a of answers) {
    const spread = [
      ...(a.interval ? [`95% bootstrap ${span(a.interval, 2)}`] : []),
      ...(a.starts && sig(a.starts[0], 3) !== sig(a.starts[1], 3)
        ? [`best starts ${span(a.starts, 2)}`]
        : []),
    ];
    lines.push(
      `S_opt(N=${a.N.toExponential(3)}, C=${a.C.toExponential(3)}) = ${a.S_opt.toFixed(4)}${spread.length > 0 ? ` (${spread.join('; ')})` : ''}`,
    );
    if (a.extrapolation)
      lines.push(`  beyond the fitted trials, an extrapolation of the law: ${a.extrapolation}`);
  }
  if (fit.warnings.length > 0) lines.push('', 'warnings:', ...fit.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}

/** The points of a CSV file, and the settings its rows pool (see {@link readPointsCsv}). */
function readPoints(path: string): { points: LawPoint[]; pooled: string | null } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--points ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return readPointsCsv(text, path);
}

function number(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = parseHumanNumber(text);
  if (v === null) throw new UsageError(`${flag} ${text}: expected a number`);
  return v;
}

function fitOptions(opts: FitLawOptions): FitOptions {
  const d = defaultFitOptions(opts.form);
  const o: FitOptions = {
    ...d,
    loss: opts.loss ?? d.loss,
    // δ follows the residual's kind: --loss huber alone takes the authors' δ on raw loss
    delta: number('--delta', opts.delta, opts.loss ? defaultDelta(opts.loss) : d.delta),
    starts: number('--starts', opts.starts, d.starts),
    seed: number('--seed', opts.seed, d.seed),
    bootstrap: number('--bootstrap', opts.bootstrap, d.bootstrap),
    holdout: number('--holdout', opts.holdout, d.holdout ?? 0),
  };
  try {
    validateFitOptions(o, {
      loss: '--loss',
      delta: '--delta',
      starts: '--starts',
      seed: '--seed',
      bootstrap: '--bootstrap',
      holdout: '--holdout',
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return o;
}

/** Parses `N=1e8,C=1e21`. */
export function parseQuery(text: string): OptimalQuery {
  const parts = Object.fromEntries(
    text.split(',').map((kv) => {
      const [k, v] = kv.split('=');
      return [k?.trim(), v === undefined ? null : parseHumanNumber(v)];
    }),
  );
  const N = parts.N;
  const C = parts.C;
  const keys = Object.keys(parts);
  if (typeof N !== 'number' || typeof C !== 'number' || N <= 0 || C <= 0 || keys.length !== 2) {
    throw new UsageError(
      `--optimal ${text}: expected N=<non-zero params>,C=<compute 6·N/(1-S)·D: training FLOPs where D counts tokens, 6·N/(1-S)·images for image models>, both > 0, e.g. N=1e8,C=1e21`,
    );
  }
  return { N, C };
}
