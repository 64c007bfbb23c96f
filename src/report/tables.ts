import { coefficientUnits } from '../law/describe.js';
import { publishedCoefficients } from '../law/published.js';
import type { LawFit, SparseLawParams } from '../law/types.js';
import { shortShape } from '../models/describe.js';
import { shownStatus } from '../store/owner.js';
import { shownAxisColumns } from '../store/trial-axes.js';
import type { TrialRecord } from '../store/types.js';
import { fmtDuration } from '../util/format.js';
import { count, firstLine, interval, pct, sig } from './format.js';
import { dataOf } from './points.js';
import type { Block } from './types.js';
import { type DataUnit, unitLabels } from './units.js';

/** Longest error text shown in the trial table; the full text is in `sparsebench runs show`. */
const ERROR_CHARS = 80;

/**
 * The trial table: plan and results of every trial, in plan order, every status; `csvCommand`, the command that
 * gives it as CSV, is named in its caption. `excludedFrom`: the drawn fit, whose `--exclude`d trials the note
 * column names.
 */
export function trialTable(
  trials: readonly TrialRecord[],
  unit: DataUnit,
  family?: string,
  csvCommand?: string,
  excludedFrom?: { id: number; excluded: readonly string[] },
): Block {
  const note = (t: TrialRecord) =>
    [
      excludedFrom?.excluded.includes(t.id) ? `left out of fit #${excludedFrom.id} (--exclude)` : '',
      t.error ? firstLine(t.error, ERROR_CHARS) : '',
    ]
      .filter(Boolean)
      .join('; ');
  const u = unitLabels(unit, family);
  // classification accuracy, where the family measures it (vit)
  const accuracy = trials.some((t) => t.finalValAccuracy !== null);
  // what else tells trials apart: seeds when there are several, and the sweep's other axes (lr, pruner)
  const seeds = new Set(trials.map((t) => t.seed)).size > 1;
  const extra = shownAxisColumns(trials);
  return {
    kind: 'table',
    caption:
      'Every trial of the sweep in plan order. S: target sparsity; N: non-zero parameters excluding embeddings (measured once finished); ' +
      `D: ${u.d} trained (asked for, until finished); shape: layers × d_model, heads, d_ff (a sparse trial trains the dense shape of N/(1 − S) weights, masked); loss in ${u.loss}; ${u.rate} and wall time as each trial measured them, beside the sweep's other workers when it ran several.` +
      (extra.length > 0
        ? ` ${extra.map((c) => c.header).join(', ')}: the other settings the sweep varies ('-' where one does not apply, as pruner settings to the dense trials every pruner shares).`
        : '') +
      (csvCommand ? ` As CSV, with every measured value in full: \`${csvCommand}\`.` : ''),
    columns: [
      { header: 'trial' },
      { header: 'status' },
      { header: 'pruner' },
      { header: 'S', align: 'right' },
      { header: 'N', align: 'right' },
      { header: `D (${u.d})`, align: 'right' },
      { header: 'shape' },
      ...(seeds ? [{ header: 'seed', align: 'right' as const }] : []),
      // numbers right-aligned; words (a pruner's name, a whole pruner's settings) left, where they read
      ...extra.map((c) => ({ header: c.header, ...(c.numeric ? { align: 'right' as const } : {}) })),
      { header: 'final val loss', align: 'right' },
      ...(accuracy ? [{ header: 'final val accuracy', align: 'right' as const }] : []),
      { header: 'achieved sparsity', align: 'right' },
      { header: u.rate, align: 'right' },
      { header: 'wall time', align: 'right' },
      { header: 'note' },
    ],
    rows: trials.map((t) => [
      t.id.slice(0, 8),
      shownStatus(t),
      t.pruner,
      pct(t.sparsity),
      count(t.nonzeroParams ?? t.plannedNonzero),
      count(dataOf(t)),
      t.spec.model?.d_model === undefined ? '-' : shortShape(t.spec.model),
      ...(seeds ? [String(t.seed)] : []),
      ...extra.map((c) => c.cell(t)),
      t.finalValLoss === null ? '-' : t.finalValLoss.toFixed(4),
      ...(accuracy ? [t.finalValAccuracy === null ? '-' : t.finalValAccuracy.toFixed(4)] : []),
      t.achievedSparsity === null ? '-' : t.achievedSparsity.toFixed(4),
      count(t.tokensPerSecond),
      t.wallSeconds === null ? '-' : fmtDuration(t.wallSeconds),
      note(t),
    ]),
  };
}

/** Unit of each sparse-law coefficient (paper units: N in parameters, D in tokens or images); '-' for exponents. */
const units = (unit: DataUnit, family?: string): Record<string, string> => ({
  ...coefficientUnits(unitLabels(unit).d, unitLabels(unit, family).loss),
  b_S: '-',
  b_N: '-',
  b_D: '-',
});

/** How the intervals of every coefficient table are made, for its caption. */
const INTERVALS_CAPTION =
  'Intervals: 95% bootstrap percentiles over converged replicates, and the range across optimiser starts that reached the best loss.';

/**
 * A fit's coefficients, each with its value, 95% bootstrap interval, range across the starts at the best loss
 * and unit, then the `extra` columns (e.g. published values) per coefficient.
 */
function fitCoefficients(
  fit: LawFit,
  caption: string,
  unitOf: Record<string, string>,
  extra: { header: string; get: (k: string) => string }[] = [],
): Block {
  return {
    kind: 'table',
    caption,
    columns: [
      { header: 'coefficient' },
      { header: 'this fit', align: 'right' },
      { header: '95% bootstrap interval', align: 'right' },
      { header: 'across best starts', align: 'right' },
      { header: 'unit' },
      ...extra.map((e) => ({ header: e.header, align: 'right' as const })),
    ],
    rows: Object.keys(fit.params).map((k) => [
      k,
      sig(fit.params[k], 4),
      interval(fit.intervals[k]),
      interval(fit.startSpread[k]),
      unitOf[k] ?? '',
      ...extra.map((e) => e.get(k)),
    ]),
  };
}

/** Coefficients with their 95% bootstrap intervals and spread across starts, beside the paper's Table 1. */
export function coefficientTable(fit: LawFit, unit: DataUnit, family?: string): Block {
  const paper = (set: SparseLawParams) => (k: string) => sig(set[k as keyof SparseLawParams], 3);
  return fitCoefficients(
    fit,
    `Sparse-law coefficients, L(S, N, D) = (a_S (1 − S)^b_S + c_S) · N^(−b_N) + (a_D / D)^b_D + c. ${INTERVALS_CAPTION} ` +
      'Paper: Frantar et al. 2023, Table 1 (ViT: D in images).',
    units(unit, family),
    [
      { header: 'paper T5/C4', get: paper(publishedCoefficients.t5) },
      { header: 'paper ViT/JFT', get: paper(publishedCoefficients.vit) },
    ],
  );
}

/** Units of the dense-law coefficients (N in parameters, D in tokens or images); '-' for exponents. */
const denseUnits = (unit: DataUnit, family?: string): Record<string, string> => ({
  ...coefficientUnits(unitLabels(unit).d, unitLabels(unit, family).loss),
  alpha: '-',
  beta: '-',
});

/** A dense-law (Chinchilla form) fit's coefficients with their 95% bootstrap intervals and spread across starts. */
export function denseCoefficientTable(fit: LawFit, unit: DataUnit, family?: string): Block {
  return fitCoefficients(
    fit,
    `Dense-law coefficients, L(N, D) = E + A / N^alpha + B / D^beta (Hoffmann et al. 2022, eq. 2; D in ${unitLabels(unit).d}). ${INTERVALS_CAPTION}`,
    denseUnits(unit, family),
  );
}

/** A two-column table of labelled values. */
export function keyValueTable(caption: string, rows: readonly [string, string][]): Block {
  return {
    kind: 'table',
    caption,
    columns: [{ header: 'item' }, { header: 'value' }],
    rows: rows.map((r) => [...r]),
  };
}
