import { computeOptimalExponents } from '../law/dense-law.js';
import { nearZero } from '../law/describe.js';
import type { FigureSpread } from '../law/figure-spread.js';
import {
  dataMultipleWhereSparsityPays,
  denseEquivalentFactor,
  lowerBoundsOf,
  optimalSparsityAtDataMultiple,
} from '../law/optimal.js';
import { weakOptimumWarning } from '../law/optimal-summary.js';
import { publishedCoefficients } from '../law/published.js';
import { quantile } from '../law/stats.js';
import type { LawFit, OptimalSparsitySummary, SparseLawParams } from '../law/types.js';
import { count, listed, pct, plural, sig, times } from './format.js';
import { type FinalPoint, levels, mean } from './points.js';
import { sparsityLabel } from './specs/style.js';
import type { DenseFit, StoredFit } from './types.js';
import { type DataUnit, unitLabels } from './units.js';

/** Data multiples of the headline sentences: 4× (the issue's example), 10× and 100× (the paper's). */
export const HEADLINE_MULTIPLES = [4, 10, 100];
/** Sparsities for dense-equivalent sizes when the sweep has no sparse level: the paper's three. */
const PAPER_SPARSITIES = [0.5, 0.75, 0.875];
/** N of the paper's smallest T5 model (SCIENCE.md §4): the scale the published coefficients hold at. */
export const PAPER_SMALLEST_N = 1.33e6;
/**
 * Non-zero N of the paper's smallest ViT run: 12 layers of 12·768² weights at scale 1/128 (the least N in the
 * authors' ViT/JFT data, N = 12·12·768²·scale·(1 − S)).
 */
export const PAPER_SMALLEST_VIT_N = 6.64e5;

/**
 * What a dense-law fit says, in words: its exponents with their 95% bootstrap intervals, and how a compute
 * budget is best split between N and D under it, N_opt ∝ C^(beta/(alpha+beta)) (Hoffmann et al. 2022, eq. 4,
 * https://arxiv.org/abs/2203.15556), beside the split Hoffmann et al. found with the same form. `chosen`: drawn because
 * `report --fit` chose it, though the sweep may have sparse-law fits.
 */
export function denseLawFinding(fit: DenseFit, chosen = false): string | null {
  if (!fit.params) return null;
  if (!fit.converged)
    return `The dense law (fit #${fit.id}) did not converge, so its coefficients are where the optimiser stopped, not an optimum: it gives no findings (see the warnings).`;
  const withInterval = (k: 'alpha' | 'beta') => {
    const r = fit.fit.intervals[k];
    return `${k} = ${sig(fit.params![k], 3)}${r ? ` (95% bootstrap: ${sig(r[0], 3)} to ${sig(r[1], 3)})` : ''}`;
  };
  const e = computeOptimalExponents(fit.params);
  const floor = lowerBoundsOf(fit.fit).includes('E')
    ? 'with no floor (E is at its lower bound 0: the data do not show an irreducible loss)'
    : `towards E = ${sig(fit.params.E, 3)}`;
  return (
    `The dense law (fit #${fit.id}): loss falls as N^−alpha and D^−beta ${floor}, with ${withInterval('alpha')} and ${withInterval('beta')}. ` +
    `Under it a compute budget C is best spent with N growing as C^${sig(e.n, 2)} and D as C^${sig(e.d, 2)} ` +
    `(Hoffmann et al. 2022 found C^0.46 and C^0.54 with this form); it says nothing about sparsity: ${
      chosen
        ? "this report draws it because --fit chose it; without --fit the report draws the sweep's sparse-law fit"
        : 'the sparse law (`fit-law` without `--form`) does, from trials at two or more sparsity levels'
    }.`
  );
}

/** The paper's fit a sweep is compared with: ViT/JFT for image models, T5/C4 for language models. */
export function paperReference(unit: DataUnit): { name: string; params: SparseLawParams } {
  return unit === 'images'
    ? { name: 'ViT/JFT', params: publishedCoefficients.vit }
    : { name: 'T5/C4', params: publishedCoefficients.t5 };
}

/**
 * What the fitted law says, in words, each figure beside the paper's value for the same kind of model
 * (T5/C4 for tokens, ViT/JFT for images; where sparsity pays, beside both): where sparsity starts to pay,
 * the optimal sparsity at a few data multiples, and the dense-equivalent size of the given sparsity levels,
 * each with its 95% bootstrap interval when `spread` (the stored fit's summary) has it, and its range over the fit's
 * starts tied at the best loss where they disagree. Pure: coefficients in, sentences out.
 */
export function lawFindings(
  p: SparseLawParams,
  sparsities: readonly number[],
  unit: DataUnit = 'tokens',
  spread?: OptimalSparsitySummary,
): string[] {
  // the interval is of the replicates that imply the figure: say how many were left out, as fit-law does (once, after
  // the figures, when every interval counts the same replicates); and the range over the starts tied at the best
  // loss, where they disagree as shown: the fit alone does not pin the figure
  const shared = sharedReplicateCounts(spread);
  const counts = (f: FigureSpread) =>
    `${f.replicatesFlat ? `; ${plural(f.replicatesFlat, 'replicate')} flat in S, where sparsity never pays, counted at that limit` : ''}` +
    `${f.replicatesWithout ? `; ${plural(f.replicatesWithout, 'replicate')} implying no optimum left out` : ''}`;
  const boot = (f: FigureSpread | undefined, show: (v: number) => string) => {
    const range = (r: [number, number]) =>
      r.map((v) => (v === null || v === Number.POSITIVE_INFINITY ? '∞' : show(nearZero(v))));
    const parts: string[] = [];
    if (f?.interval) parts.push(`95% bootstrap: ${range(f.interval).join(' to ')}${shared ? '' : counts(f)}`);
    const starts = f?.starts && range(f.starts);
    if (starts && starts[0] !== starts[1]) parts.push(`starts tied at the best loss: ${starts.join(' to ')}`);
    return parts.length > 0 ? ` (${parts.join('; ')})` : '';
  };
  const atMultiple = (m: number) =>
    boot(
      spread?.at_data_multiples.find((a) => a.data_multiple === m),
      (v) => pct(v, 2),
    );
  const atLevel = (s: number) =>
    boot(
      spread?.dense_equivalent.find((d) => d.sparsity === s),
      times,
    );
  const t5 = publishedCoefficients.t5;
  const vit = publishedCoefficients.vit;
  const paper = paperReference(unit);
  const levelsShown = sparsities.filter((s) => s > 0 && s < 1);
  const shown = levelsShown.length > 0 ? levelsShown : PAPER_SPARSITIES;
  const [m0] = HEADLINE_MULTIPLES;
  const [s0] = shown;
  const out = [
    `From the fitted law, at ${m0}× the compute-optimal data, the loss-optimal sparsity is ${pct(optimalSparsityAtDataMultiple(p, m0), 2)}${atMultiple(m0)}; ` +
      `at any data size, a model with ${pct(s0)} sparsity matches a dense model ${times(denseEquivalentFactor(p, s0))}${atLevel(s0)} larger ` +
      `trained on the same data (the paper's ${paper.name} coefficients give ${pct(optimalSparsityAtDataMultiple(paper.params, m0), 2)} and ${times(denseEquivalentFactor(paper.params, s0))}).`,
    `From the fitted law, sparsity starts to pay once training runs past ${times(dataMultipleWhereSparsityPays(p))}${boot(spread?.pays, times)} the compute-optimal data of a dense model ` +
      `of the same non-zero size (the paper's coefficients give ${times(dataMultipleWhereSparsityPays(t5))} for T5/C4, ${times(dataMultipleWhereSparsityPays(vit))} for ViT/JFT).`,
    `From the fitted law, the loss-optimal sparsity at ${listed(HEADLINE_MULTIPLES.map((m) => `${m}×`))} the compute-optimal data: ` +
      `${listed(HEADLINE_MULTIPLES.map((m) => `${pct(optimalSparsityAtDataMultiple(p, m), 2)}${atMultiple(m)}`))} ` +
      `(the paper's ${paper.name} coefficients give ${listed(HEADLINE_MULTIPLES.map((m) => pct(optimalSparsityAtDataMultiple(paper.params, m), 2)))}).`,
    `From the fitted law, the dense-equivalent size at equal non-zero parameters is ${listed(shown.map((s) => `${times(denseEquivalentFactor(p, s))}${atLevel(s)} at ${pct(s)}`))} ` +
      `(the paper's ${paper.name} coefficients give ${listed(shown.map((s) => times(denseEquivalentFactor(paper.params, s))))}).`,
  ];
  // figures the bootstrap leaves wide are said to be so first, before they are read as results
  const weak = spread ? weakOptimumWarning(spread, '×') : null;
  if (weak) out.unshift(`${weak[0].toUpperCase()}${weak.slice(1)}, not as measurements.`);
  if (shared)
    out.push(
      `Every 95% bootstrap interval above is of the same replicates${counts(shared).replace(/^; /, ': ').replaceAll('; ', ', and ')}` +
        (shared.replicatesWithout
          ? ': the intervals describe the replicates that imply an optimum, so they understate the uncertainty.'
          : '.'),
    );
  return out;
}

/**
 * The replicate counts every figure's interval in `spread` shares (flat in S, implying no optimum), when there are
 * several intervals, they all agree, and some count is not 0; else null (each interval then says its own).
 */
function sharedReplicateCounts(spread: OptimalSparsitySummary | undefined): FigureSpread | null {
  if (!spread) return null;
  const figures = [spread.pays, ...spread.at_data_multiples, ...spread.dense_equivalent].filter(
    (f): f is FigureSpread => f?.interval !== undefined,
  );
  const key = (f: FigureSpread) => `${f.replicatesFlat ?? 0}|${f.replicatesWithout ?? 0}`;
  if (figures.length < 2 || new Set(figures.map(key)).size > 1 || key(figures[0]) === '0|0') return null;
  return { replicatesFlat: figures[0].replicatesFlat, replicatesWithout: figures[0].replicatesWithout };
}

/** Each fitted point's miss, |predicted / measured − 1|: relative to the measured loss, as the held-out check gives it. */
export function relativeMisses(fit: Pick<LawFit, 'residuals'>): number[] {
  return fit.residuals.filter((r) => r.measured > 0).map((r) => Math.abs(r.predicted / r.measured - 1));
}

/** How well the stored fit reproduces its points, in words; `named` gives the fit's id after `law`. */
export function fitQualityFinding(
  fit: Pick<StoredFit, 'id' | 'fit'>,
  law = 'The law',
  named = true,
): string | null {
  const f = fit.fit;
  const rel = relativeMisses(f);
  if (!Number.isFinite(f.rmse_log) || rel.length === 0) return null;
  return (
    `${law}${named ? ` (fit #${fit.id})` : ''} reproduces the ${plural(f.n_points, 'fitted trial')} with an RMS error of ${sig(f.rmse_log, 2)} in log loss (about ${pct(f.rmse_log, 2)} of the loss); ` +
    `the largest miss is ${pct(Math.max(...rel), 2)} of the measured loss.`
  );
}

/** Sparse trials' embeddings more than this factor of their dense peers' are named beside the comparison. */
const EMBEDDINGS_WIDER = 1.05;

/** What N leaves out, as the findings name it: the embeddings, and the output head where the models have their own. */
function headWords(family: string | undefined, points: readonly FinalPoint[]): string {
  if (family === 'vit') return 'embedding and classifier-head';
  return points.some((p) => (p.head ?? 0) > 0) ? 'embedding and output-head' : 'embedding';
}

/**
 * Direct comparisons, no law involved: in every (N, D) cell with a finished dense trial, each sparse
 * trial's final loss against the dense one at the same non-zero parameters and data; summarised per
 * sparsity level. Plus the best trial.
 */
export function dataFindings(
  points: readonly FinalPoint[],
  unit: DataUnit = 'tokens',
  family?: string,
): string[] {
  const u = unitLabels(unit, family);
  if (points.length === 0) return [];
  const out: string[] = [];
  // a cell: the same N and D, and the same non-pruner settings (learning rate, ...) when the sweep varies them
  const cell = (p: FinalPoint) => `${p.nTarget}|${p.dTarget}|${p.context}`;
  const dense = new Map<string, FinalPoint[]>();
  for (const p of points) if (p.sparsity === 0) dense.set(cell(p), [...(dense.get(cell(p)) ?? []), p]);
  const sparseLevels = levels(points.map((p) => p.sparsity)).filter((s) => s > 0);
  if (sparseLevels.length > 0 && dense.size === 0) {
    out.push(
      'No dense (S = 0) trial has finished, so sparse models cannot be compared with dense ones directly.',
    );
  }
  // each pruner setting counted on its own (not pooled), all of them in one finding per sparsity level
  const variants = [...new Set(points.filter((p) => p.sparsity > 0).map((p) => p.variant))].sort();
  for (const s of dense.size > 0 ? sparseLevels : []) {
    const counts: { v: string; text: string; widers: number[] }[] = [];
    for (const v of variants) {
      const pairs = points
        .filter((p) => p.sparsity === s && p.variant === v && dense.has(cell(p)))
        .map((p) => ({ p, dense: dense.get(cell(p)) as FinalPoint[] }));
      if (pairs.length === 0) continue;
      const diffs = pairs.map(({ p, dense }) => p.loss / mean(dense.map((d) => d.loss)) - 1);
      const better = diffs.filter((d) => d < 0).length;
      const m = mean(diffs);
      const signed = (d: number) => `${d < 0 ? '−' : '+'}${pct(Math.abs(d), 2)}`;
      // a mean alone hides one comparison that carries it: the median and the range say so
      const spreadWords =
        diffs.length >= 3
          ? `, median ${signed(quantile(diffs, 0.5))}, from ${signed(Math.min(...diffs))} to ${signed(Math.max(...diffs))}`
          : '';
      counts.push({
        v,
        text: `${better} of ${plural(diffs.length, 'comparison')} (mean ${signed(m)}${spreadWords})`,
        widers: pairs.map(({ p, dense }) => p.embedding / mean(dense.map((d) => d.embedding))),
      });
    }
    if (counts.length === 0) continue;
    const wider = mean(counts.flatMap((c) => c.widers));
    const embeddings =
      wider > EMBEDDINGS_WIDER
        ? `, with ${sig(wider, 3)}× the dense models' ${headWords(family, points)} parameters, which N leaves out.`
        : '.';
    // equal N and D is not equal compute: a sparse model trains its dense shape, C = 6·N/(1 − S)·D
    const lead = `Measured: at equal non-zero parameters and data (so ${times(1 / (1 - s))} the dense models' training compute), ${sparsityLabel(s)} models`;
    out.push(
      counts.length === 1
        ? `${lead}${counts[0].v ? ` (${counts[0].v})` : ''} reached a lower final loss than dense in ${counts[0].text}${embeddings}`
        : `${lead} reached a lower final loss than dense in ${listed(counts.map((c) => `${c.text} for ${c.v}`))}${embeddings}`,
    );
  }
  // without a second seed, nothing says how much of a difference is noise
  if (out.some((f) => f.startsWith('Measured: at equal')) && new Set(points.map((p) => p.seed)).size === 1)
    out.push(
      'Measured on one seed: how much of each difference is seed-to-seed noise is not measured (`seed: [0, 1, 2]` in the sweep measures it, and `fit-law --each seed` how far the law moves).',
    );
  const where = (p: FinalPoint) =>
    `${sparsityLabel(p.sparsity)}${p.variant ? `, ${p.variant}` : ''}, N = ${count(p.N)}, D = ${count(p.D)} ${u.d}`;
  const best = points.reduce((a, b) => (b.loss < a.loss ? b : a));
  out.push(`Lowest final validation loss: ${sig(best.loss, 4)} ${u.loss} (${where(best)}).`);
  // a classifier's accuracy, which its loss alone does not give
  const scored = points.filter((p) => typeof p.accuracy === 'number');
  if (scored.length > 0) {
    const top = scored.reduce((a, b) => ((b.accuracy as number) > (a.accuracy as number) ? b : a));
    out.push(
      `Highest final validation accuracy: ${pct(top.accuracy, 3)} (${top.id === best.id ? 'the same trial' : where(top)}).`,
    );
  }
  return out;
}

/**
 * How far below the paper's scale the sweep is, when its largest N is more than 10× below the paper's smallest
 * model of the family (T5, or for image models ViT); else null. `fitted`: whether the report shows a fit's
 * coefficients (the sentence then says what they are worth beside the paper's).
 */
export function scaleFinding(
  points: readonly FinalPoint[],
  unit: DataUnit = 'tokens',
  fitted = true,
): string | null {
  if (points.length === 0) return null;
  const nMax = Math.max(...points.map((p) => p.N));
  const [smallest, model] =
    unit === 'images' ? [PAPER_SMALLEST_VIT_N, 'JFT-4B ViT'] : [PAPER_SMALLEST_N, 'T5'];
  if (nMax >= smallest / 10) return null;
  const below = `${sig(smallest / nMax, 2)}× fewer than the paper's smallest ${model} (${count(smallest)})`;
  return (
    `Scale: these models have at most ${count(nMax)} non-zero parameters, ${below}` +
    (fitted
      ? "; the coefficients fitted here need not match the paper's, and the paper's figures beside ours show how far they are."
      : '; a law fitted to them need not match the paper’s.')
  );
}
