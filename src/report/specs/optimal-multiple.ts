import { denseComputeOptimalData, optimalSparsityAtDataMultiple } from '../../law/optimal.js';
import { publishedCoefficients } from '../../law/published.js';
import type { SparseLawParams } from '../../law/types.js';
import { type FinalPoint, logSpace } from '../points.js';
import type { SpecOrMissing } from './spec.js';
import { CHART_CONFIG, logAxis, PANEL, type SparsityScales, sparsityEncoding } from './style.js';

/** Data multiples drawn: from half the compute-optimal data to 1000× past it. */
const MULTIPLE_RANGE: [number, number] = [0.5, 1000];

/** The widest the axis grows to hold trials: past these a trial is drawn at the edge, and counted. */
const MULTIPLE_LIMITS: [number, number] = [1e-3, 1e5];

/** Each trial's multiple of its dense compute-optimal data under the fit: D/(1−S) ÷ D_opt(N). */
function trialMultiples(p: SparseLawParams, points: readonly FinalPoint[]) {
  return points
    .map((q) => ({ group: q.group, m: q.D / (1 - q.achieved) / denseComputeOptimalData(p, q.N) }))
    .filter((q) => Number.isFinite(q.m) && q.m > 0);
}

/**
 * The axis range of {@link optimalMultipleSpec}: [0.5, 1000], widened to half the least and twice the greatest
 * trial multiple, within [1e-3, 1e5]; and how many trials lie below and above it (drawn at its edges).
 */
export function multipleAxis(
  p: SparseLawParams,
  points: readonly FinalPoint[],
): { lo: number; hi: number; below: number; above: number } {
  const ms = trialMultiples(p, points).map((q) => q.m);
  const lo = Math.max(MULTIPLE_LIMITS[0], Math.min(MULTIPLE_RANGE[0], ...ms.map((m) => m / 2)));
  const hi = Math.min(MULTIPLE_LIMITS[1], Math.max(MULTIPLE_RANGE[1], ...ms.map((m) => m * 2)));
  return { lo, hi, below: ms.filter((m) => m < lo).length, above: ms.filter((m) => m > hi).length };
}

/**
 * S_opt against the data multiple past dense compute-optimal training, for the fit and for the paper's
 * two published fits (independent of N), with the sweep's trials placed at their own multiples.
 */
export function optimalMultipleSpec(
  p: SparseLawParams,
  points: readonly FinalPoint[],
  scales: SparsityScales,
): SpecOrMissing {
  const { lo, hi } = multipleAxis(p, points);
  // a trial beyond the axis is drawn at its edge (the caption counts them), never outside the frame
  const markers = trialMultiples(p, points).map((q) => ({ ...q, m: Math.min(hi, Math.max(lo, q.m)) }));
  const sources: [string, SparseLawParams][] = [
    ['this fit', p],
    ['paper T5/C4', publishedCoefficients.t5],
    ['paper ViT/JFT', publishedCoefficients.vit],
  ];
  const rows = sources.flatMap(([source, c]) =>
    logSpace(lo, hi, 80).map((m) => ({ source, m, S: optimalSparsityAtDataMultiple(c, m) })),
  );
  const x = {
    field: 'm',
    type: 'quantitative',
    scale: { type: 'log', domain: [lo, hi], nice: false },
    axis: logAxis(
      'compute as dense data, C/(6N) = D/(1−S), ÷ dense compute-optimal data (log scale)',
      lo,
      hi,
    ),
  };
  const y = {
    field: 'S',
    type: 'quantitative',
    scale: { domain: [0, 1] },
    axis: { title: 'loss-optimal sparsity S_opt', format: '.0%' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description:
      'Optimal sparsity against the data multiple past compute-optimal, for this fit and the paper’s published fits.',
    width: PANEL.width + 120,
    height: PANEL.height,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: {
            field: 'source',
            type: 'nominal',
            title: 'coefficients',
            scale: { domain: sources.map((s) => s[0]), range: ['#000000', '#0072B2', '#D55E00'] },
          },
          strokeDash: {
            field: 'source',
            type: 'nominal',
            title: 'coefficients',
            scale: {
              domain: sources.map((s) => s[0]),
              range: [
                [1, 0],
                [6, 3],
                [2, 2],
              ],
            },
          },
        },
      },
      {
        data: { values: markers.map((q) => ({ ...q, S: 0 })) },
        mark: { type: 'point', filled: false, size: 70, strokeWidth: 1.5, color: '#444', yOffset: -6 },
        encoding: { x, y, ...sparsityEncoding(scales, ['shape']) },
      },
    ],
    resolve: { legend: { shape: 'independent' } },
    config: CHART_CONFIG,
  };
}
