import { listed, sig } from '../util/format.js';
import { nearZero } from './describe.js';
import { type CoefficientSamples, figureSpread } from './figure-spread.js';
import {
  dataMultipleWhereSparsityPays,
  denseComputeOptimalData,
  denseEquivalentFactor,
  optimalSparsity,
  optimalSparsityAtDataMultiple,
} from './optimal.js';
import type { LawPoint, OptimalSparsitySummary, SparseLawParams } from './types.js';

/** Data multiples reported by default: from compute-optimal to 100× overtrained (the report's 4, 10, 100 among them). */
const DEFAULT_MULTIPLES = [1, 2, 4, 10, 100];
/** Sparsities reported by default: the paper's levels. */
const DEFAULT_SPARSITIES = [0.5, 0.75, 0.875];

/**
 * The optimal-sparsity figures of a sparse fit, for {@link LawFit.optimal}: where sparsity starts to pay, S_opt
 * at multiples of the dense compute-optimal data, and dense-equivalent sizes (Frantar et al. 2023,
 * https://arxiv.org/abs/2309.08520, §2.2). With `samples`, each figure also carries its spread over the
 * bootstrap replicates and the starts tied at the best loss ({@link figureSpread}); `queries` adds S_opt at given
 * non-zero parameters N and compute C (the closed form of {@link optimalSparsity}), with its spread likewise.
 */
export function summariseOptimalSparsity(
  params: SparseLawParams,
  multiples: readonly number[] = DEFAULT_MULTIPLES,
  sparsities: readonly number[] = DEFAULT_SPARSITIES,
  samples?: CoefficientSamples,
  queries: readonly { N: number; C: number }[] = [],
): OptimalSparsitySummary {
  // each figure's limit where a replicate's law is flat in S: sparsity never pays there
  const spread = (figure: (p: SparseLawParams) => number, flatLimit: number) =>
    samples ? figureSpread(samples, figure, flatLimit) : {};
  return {
    data_multiple_where_sparsity_pays: dataMultipleWhereSparsityPays(params),
    ...(samples ? { pays: spread((p) => dataMultipleWhereSparsityPays(p), Number.POSITIVE_INFINITY) } : {}),
    at_data_multiples: multiples.map((m) => ({
      data_multiple: m,
      sparsity: optimalSparsityAtDataMultiple(params, m),
      ...spread((p) => optimalSparsityAtDataMultiple(p, m), 0),
    })),
    dense_equivalent: sparsities.map((s) => ({
      sparsity: s,
      factor: denseEquivalentFactor(params, s),
      ...spread((p) => denseEquivalentFactor(p, s), 1),
    })),
    ...(queries.length > 0
      ? {
          queries: queries.map((q) => ({
            nonzero_params: q.N,
            compute: q.C,
            sparsity: optimalSparsity(params, q.N, q.C),
            ...spread((p) => optimalSparsity(p, q.N, q.C), 0),
          })),
        }
      : {}),
  };
}

/** S_opt spans wider than this over the bootstrap's 95% interval: the data do not pin the optimum down. */
export const WEAK_OPTIMUM_INTERVAL = 0.2;
/** S_opt differs by more than this across starts tied at the best loss: the fit's own value is one of many. */
export const WEAK_OPTIMUM_STARTS = 0.05;

/**
 * A warning when the fit's S_opt figures are weakly determined: at some data multiple the bootstrap interval
 * spans more than {@link WEAK_OPTIMUM_INTERVAL} in sparsity, or starts that tied at the best loss disagree by
 * more than {@link WEAK_OPTIMUM_STARTS}. Names the multiple whose spread is widest (`times` marks it: fit-law's x,
 * the report's ×). Null otherwise, or without spreads (a fit without bootstrap and a single start at the best loss).
 */
export function weakOptimumWarning(o: OptimalSparsitySummary, times = 'x'): string | null {
  // to two decimals, so ranges that differ only by rounding count as equally wide
  const width = (r?: [number, number]) => (r ? Math.round((r[1] - r[0]) * 100) / 100 : 0);
  const weak = o.at_data_multiples.filter(
    (a) => width(a.interval) > WEAK_OPTIMUM_INTERVAL || width(a.starts) > WEAK_OPTIMUM_STARTS,
  );
  if (weak.length === 0) return null;
  // the widest; of equally wide ones, the largest multiple
  const a = weak.reduce((x, y) =>
    width(y.interval) + width(y.starts) >= width(x.interval) + width(x.starts) ? y : x,
  );
  const range = (r: [number, number]) =>
    `${+nearZero(r[0]).toPrecision(2)} to ${+nearZero(r[1]).toPrecision(2)}`;
  const spreads = [
    a.interval ? `${range(a.interval)} over the 95% bootstrap` : '',
    width(a.starts) > WEAK_OPTIMUM_STARTS / 10
      ? `${range(a.starts!)} across the starts tied at the best loss`
      : '',
  ].filter(Boolean);
  return `the optimal-sparsity figures are weakly determined by these points: S_opt at ${a.data_multiple}${times} is ${+nearZero(a.sparsity).toPrecision(2)} in this fit but ${spreads.join(' and ')}; read each figure with its range`;
}

/** How {@link extrapolatedOptimumWarning} begins when every figure lies beyond the points, for a reader that would otherwise say the same. */
export const EXTRAPOLATED_OPTIMUM = "every point's compute";

/** How {@link extrapolatedOptimumWarning} begins when the points reach some of the figures' data multiples. */
export const PARTLY_EXTRAPOLATED = 'the points reach at most';

/**
 * A warning when optimal-sparsity figures lie beyond every point: each point's compute is measured as a multiple of
 * the dense compute-optimal data of its N under the fit (the data a dense model of that N trains on with the point's
 * compute, C/(6N) = D/(1−S)). Below 1× for every point, all the figures (1× to 100×) are extrapolations of the law's
 * form; otherwise those at multiples above the highest point's are. Null when the points reach 100×.
 */
export function extrapolatedOptimumWarning(
  params: SparseLawParams,
  points: readonly Pick<LawPoint, 'sparsity' | 'nonzeroParams' | 'tokens'>[],
): string | null {
  const multiples = points
    .map((p) => p.tokens / (1 - p.sparsity) / denseComputeOptimalData(params, p.nonzeroParams))
    .filter(Number.isFinite);
  if (multiples.length === 0) return null;
  const hi = Math.max(...multiples);
  const x = (v: number) => `${sig(v, 2)}x`;
  // some figures within the points' reach, the others beyond it
  const beyond = DEFAULT_MULTIPLES.filter((m) => m > hi);
  if (beyond.length === 0) return null;
  if (hi >= 1)
    return (
      `${PARTLY_EXTRAPOLATED} ${x(hi)} the dense compute-optimal data of their N under this fit (as the data a dense model ` +
      `of that N would train on with their compute, C/(6N) = D/(1-S)): the optimal-sparsity figures at ${beyond.map(x).join(', ')} ` +
      'lie beyond every point, extrapolations of the law, not measurements'
    );
  return (
    `${EXTRAPOLATED_OPTIMUM}, as the data a dense model of its N would train on (C/(6N) = D/(1-S)), is below that model's ` +
    `compute-optimal data under this fit (${x(Math.min(...multiples))} to ${x(hi)}): the optimal-sparsity figures, ` +
    `at 1x to 100x of it, are extrapolations of the law, not measurements`
  );
}

/** A figure's sparsity this far above the largest fitted one lies beyond it (measured sparsities round a little). */
export const SPARSITY_REACH_TOLERANCE = 0.005;

/**
 * A warning when optimal-sparsity figures sit at sparsities above the largest the law was fitted to: S_opt at a
 * data multiple, or a dense-equivalent size at a sparsity no point reaches. The law's form carries them there; no
 * trial measured them. (`fit-law --optimal` marks its own answers: see `queryExtrapolation`.) Null when every
 * figure lies within the fitted sparsities.
 */
export function beyondSparsityWarning(
  o: OptimalSparsitySummary,
  points: readonly Pick<LawPoint, 'sparsity'>[],
): string | null {
  if (points.length === 0) return null;
  const top = Math.max(...points.map((p) => p.sparsity));
  const above = (s: number) => s > top + SPARSITY_REACH_TOLERANCE;
  const multiples = o.at_data_multiples
    .filter((a) => above(a.sparsity))
    .map((a) => `${a.data_multiple}x (${sig(a.sparsity, 2)})`);
  const sizes = o.dense_equivalent.filter((d) => above(d.sparsity)).map((d) => percent(d.sparsity));
  const parts = [
    ...(multiples.length > 0 ? [`S_opt at ${listed(multiples)}`] : []),
    ...(sizes.length > 0
      ? [`the dense-equivalent size${sizes.length === 1 ? '' : 's'} at ${listed(sizes)}`]
      : []),
  ];
  if (parts.length === 0) return null;
  const one = multiples.length + sizes.length === 1;
  return `${parts.join(', and ')} ${one ? 'lies' : 'lie'} above the largest sparsity fitted (${percent(top)}): ${one ? 'an extrapolation' : 'extrapolations'} of the law in S, not ${one ? 'a measurement' : 'measurements'}`;
}

/** A sparsity as a percentage to three digits: 0.875 → "87.5%". */
const percent = (s: number) => `${+(s * 100).toPrecision(3)}%`;
