import { fmt, sig as sigFigures } from '../util/format.js';
import { formatTable } from '../util/table.js';
import { NEWTON_STEP_TOLERANCE } from './convergence.js';
import { lowerBoundsOf, optimumUnsupported } from './optimal.js';
import { publishedCoefficients } from './published.js';
import type { LawFit } from './types.js';

/** Four significant figures by default ({@link sigFigures}). */
const sig = (v: number | null | undefined, digits = 4) => sigFigures(v, digits);
const range = (r: [number, number] | undefined) => (r ? `[${sig(r[0], 3)}, ${sig(r[1], 3)}]` : '-');

/**
 * Unit of each coefficient with one (the exponents have none), for fit-law's tables and the report's: `dataUnit`
 * is what D counts ("tokens", "images"), unknown for external points; `loss` what the loss is per ("nats/token";
 * "nats" for external points). N counts parameters.
 */
export function coefficientUnits(dataUnit: string | undefined, loss: string): Record<string, string> {
  return {
    a_S: `${loss}·N^b_N`,
    c_S: `${loss}·N^b_N`,
    a_D: dataUnit ?? 'units of D',
    c: loss,
    E: loss,
    A: `${loss}·N^alpha`,
    B: `${loss}·D^beta`,
  };
}

/**
 * The coefficient table: value, bootstrap interval, spread across starts, and the paper's values (T5/C4's
 * a_D counts tokens, ViT/JFT's images). `lossUnit` names the loss's unit (default "nats").
 */
export function coefficientTable(fit: LawFit, dataUnit?: string, lossUnit = 'nats'): string {
  const unitOf = coefficientUnits(dataUnit, lossUnit);
  const names = Object.keys(fit.params);
  const sparse = fit.form === 'sparse';
  return formatTable(names, [
    { header: 'coef', get: (n) => n },
    { header: 'value', get: (n) => sig(fit.params[n], 5), align: 'right' },
    { header: '95% bootstrap', get: (n) => range(fit.intervals[n]), align: 'right' },
    { header: 'across best starts', get: (n) => range(fit.startSpread[n]), align: 'right' },
    { header: 'unit', get: (n) => unitOf[n] ?? '' },
    ...(sparse
      ? [
          {
            header: 'paper T5/C4',
            get: (n: string) => sig(publishedCoefficients.t5[n as keyof typeof publishedCoefficients.t5], 3),
            align: 'right' as const,
          },
          {
            header: 'paper ViT/JFT',
            get: (n: string) =>
              sig(publishedCoefficients.vit[n as keyof typeof publishedCoefficients.vit], 3),
            align: 'right' as const,
          },
        ]
      : []),
  ]);
}

/**
 * Convergence in words, naming the test a converged fit passed: the scaled gradient, or the Newton step
 * where rounding stopped the line search above the gradient tolerance (see convergence.ts).
 */
export function convergenceLine(fit: LawFit): string {
  const grad = `scaled gradient ${sig(fit.gradNorm, 2)} (tol ${fit.gradTolerance})`;
  const byGradient = fit.gradNorm !== null && fit.gradNorm <= fit.gradTolerance;
  // a converged fit's other measure above its tolerance reads as a failed test without a word on it
  const unneeded =
    fit.converged && byGradient && fit.newtonStep !== null && fit.newtonStep > NEWTON_STEP_TOLERANCE
      ? ', not met and not needed: the gradient test passed'
      : '';
  const newton =
    fit.newtonStep === null
      ? null
      : `Newton step ${sig(fit.newtonStep, 2)} (tol ${NEWTON_STEP_TOLERANCE}${unneeded})`;
  const tests =
    fit.converged && !byGradient && newton
      ? `converged on the ${newton}; ${grad}`
      : `${fit.converged ? 'converged on the' : 'NOT CONVERGED:'} ${grad}${newton ? `; ${newton}` : ''}`;
  return `${tests}; ${fit.startsConverged}/${fit.startsTotal} starts converged, ${fit.startsAtBest} at the best loss`;
}

/** Quality, held-out check and optimal-sparsity headlines, one line each. */
export function fitSummaryLines(fit: LawFit): string[] {
  const lines = [
    `objective: mean Huber on ${fit.objective.loss === 'huber-log' ? 'log loss' : 'loss'}, delta ${fit.objective.delta}; ${convergenceLine(fit)}`,
    `fit loss ${sig(fit.loss, 4)}, RMSE on log loss ${sig(fit.rmse_log, 3)}, RMSE on loss ${sig(fit.rmse, 3)}, ${fit.n_points} points`,
  ];
  if (fit.bootstrap) {
    lines.push(
      `bootstrap: ${fit.bootstrap.converged}/${fit.bootstrap.requested} replicates converged (${fit.bootstrap.failed} failed, excluded)`,
    );
  }
  const h = fit.holdout;
  if (h) {
    lines.push(
      h.error
        ? 'held-out check: not run (the warnings say why)'
        : `held-out check: refit on ${h.n_train} points without the ${h.n_heldout} with N >= ${fmt(h.heldout_min_nonzero_params)}; ` +
            `predicting them: RMSE(log) ${sig(h.rmse_log, 3)}, max |rel error| ${sig((h.max_abs_rel_error ?? Number.NaN) * 100, 3)}%` +
            (h.converged ? '' : ' (refit NOT converged)'),
    );
  }
  const o = fit.optimal;
  const unsupported =
    fit.form === 'sparse'
      ? (optimumUnsupported(lowerBoundsOf(fit), fit.runOff ?? []) ?? fit.optimumUndetermined ?? null)
      : null;
  if (unsupported) lines.push(`optimal sparsity: none: ${unsupported}`);
  else if (o) {
    const at = o.at_data_multiples.map((a) => `${a.data_multiple}x: ${sig(a.sparsity, 2)}`).join(', ');
    const eq = o.dense_equivalent.map((d) => `${d.sparsity * 100}%: ${sig(d.factor, 3)}x`).join(', ');
    // the point figures first, then how far they move
    lines.push(
      `optimal sparsity: pays beyond ${sig(o.data_multiple_where_sparsity_pays, 3)}x the dense compute-optimal data; S_opt at ${at}`,
      `dense-equivalent size at equal non-zeros: ${eq}`,
      ...spreadLines(o, 'interval', '95% bootstrap'),
      ...spreadLines(o, 'starts', `across the ${fit.startsAtBest} starts at the best loss`),
    );
  }
  return lines;
}

/** A figure below 1e-6 is 0 to a reader (a replicate at a limit gives 1e-302x, or an S_opt of 9e-16). */
export const nearZero = (v: number) => (Math.abs(v) < 1e-6 ? 0 : v);

/** A figure's range: "0.031 to 0.46" ("inf" where some replicates put it at infinity). */
export const span = (r: [number, number], digits: number, unit = '') =>
  r
    .map((v) => (v === null || v === Number.POSITIVE_INFINITY ? 'inf' : `${sig(nearZero(v), digits)}${unit}`))
    .join(' to ');

/**
 * The optimal-sparsity figures' spread, one line each for S_opt (with where sparsity pays) and the
 * dense-equivalent sizes, indented under the figures; none without spreads (a fit stored before they were kept,
 * no bootstrap, or for `starts` one start at the best loss), and none for starts that agree to 3 digits.
 */
function spreadLines(
  o: NonNullable<LawFit['optimal']>,
  which: 'interval' | 'starts',
  label: string,
): string[] {
  const pays = o.pays?.[which];
  const at = o.at_data_multiples.filter((a) => a[which]);
  if (!pays || at.length === 0) return [];
  const agree = (r: [number, number]) => sig(r[0], 3) === sig(r[1], 3);
  if (which === 'starts' && agree(pays) && at.every((a) => agree(a.starts!))) return [];
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const flat = which === 'interval' ? (o.pays?.replicatesFlat ?? 0) : 0;
  const left = which === 'interval' ? (o.pays?.replicatesWithout ?? 0) : 0;
  const notes = [
    flat > 0
      ? `${n(flat, 'replicate finds', 'replicates find')} loss flat in S, where sparsity never pays: counted as S_opt 0`
      : '',
    left > 0
      ? `${n(left, 'replicate implies', 'replicates imply')} no optimum and ${left === 1 ? 'is' : 'are'} left out`
      : '',
  ].filter(Boolean);
  const without = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  const eq = o.dense_equivalent.filter((d) => d[which]);
  return [
    `  ${label}: pays beyond ${span(pays, 2, 'x')}; S_opt at ${at.map((a) => `${a.data_multiple}x: ${span(a[which]!, 2)}`).join(', ')}${without}`,
    ...(eq.length > 0
      ? [
          `  ${label}, dense-equivalent: ${eq.map((d) => `${d.sparsity * 100}%: ${span(d[which]!, 3, 'x')}`).join(', ')}`,
        ]
      : []),
  ];
}
