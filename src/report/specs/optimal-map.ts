import { dataWhereSparsityPays, denseComputeOptimalData, optimalSparsity } from '../../law/optimal.js';
import type { SparseLawParams } from '../../law/types.js';
import { pct } from '../format.js';
import { type FinalPoint, logSpace } from '../points.js';
import { type DataUnit, unitLabels } from '../units.js';
import type { SpecOrMissing } from './spec.js';
import { CHART_CONFIG, PANEL, type SparsityScales, sparsityEncoding } from './style.js';

/** Heat-map cells per axis: smooth enough on screen, small enough to keep the SVG near 200 kB. */
const GRID = 36;
/**
 * Optimal-sparsity contour levels drawn as lines: 0, where sparsity starts to pay (below it S_opt is 0), then the
 * paper's levels and their neighbours.
 */
export const CONTOUR_LEVELS = [0, 0.25, 0.5, 0.75, 0.9];
/** The map spans N from the smallest measured / this to the largest measured × N_UP (larger models are the point). */
const N_DOWN = 3;
const N_UP = 100;
/** At most this many decades of compute: beyond that the map is all one colour. */
const MAX_DECADES = 14;

/** Training compute of a trial, C = 6·N/(1−S)·D (sparse training costed as dense; SCIENCE.md §2). */
export function trialCompute(p: Pick<FinalPoint, 'N' | 'D' | 'achieved'>): number {
  return (6 * p.N * p.D) / (1 - p.achieved);
}

/**
 * Compute at which S_opt(N, C) = s: inverting the closed form, C = 6N · D_pay(N) · (1−s)^(−(b_S+b_D)/b_D),
 * where D_pay is the dense-equivalent data beyond which sparsity pays (S_opt = 0 there).
 */
export function computeForOptimalSparsity(p: SparseLawParams, N: number, s: number): number {
  return 6 * N * dataWhereSparsityPays(p, N) * (1 - s) ** (-(p.b_S + p.b_D) / p.b_D);
}

/** N and C ranges of the map: the measured trials, and enough compute to reach the top contour. */
export function mapRanges(p: SparseLawParams, points: readonly FinalPoint[]) {
  const ns = points.map((q) => q.N);
  const nLo = Math.min(...ns) / N_DOWN;
  const nHi = Math.max(...ns) * N_UP;
  const trialC = points.map(trialCompute);
  const top = CONTOUR_LEVELS[CONTOUR_LEVELS.length - 1];
  const cLo = Math.min(...trialC, 6 * nLo * denseComputeOptimalData(p, nLo)) / 3;
  const cHi = Math.min(
    Math.max(...trialC, computeForOptimalSparsity(p, nHi, top)) * 3,
    cLo * 10 ** MAX_DECADES,
  );
  return { nLo, nHi, cLo, cHi };
}

/**
 * Optimal sparsity over (N, C): a heat map of S_opt with labelled contour lines (readable without
 * colour), the dense compute-optimal frontier C = 6N·D_opt(N), and the sweep's trials at their compute.
 */
export function optimalMapSpec(
  p: SparseLawParams,
  points: readonly FinalPoint[],
  scales: SparsityScales,
  unit: DataUnit = 'tokens',
  family?: string,
): SpecOrMissing {
  if (points.length === 0) return { missing: 'no trial has finished yet.' };
  const { nLo, nHi, cLo, cHi } = mapRanges(p, points);
  if (![nLo, nHi, cLo, cHi].every((v) => Number.isFinite(v) && v > 0) || cHi <= cLo)
    return { missing: 'the fitted coefficients give no finite compute range for the map.' };
  const ns = logSpace(nLo, nHi, GRID + 1);
  const cs = logSpace(cLo, cHi, GRID + 1);
  const cells: Record<string, number>[] = [];
  for (let i = 0; i < GRID; i++)
    for (let j = 0; j < GRID; j++) {
      const S = optimalSparsity(p, Math.sqrt(ns[i] * ns[i + 1]), Math.sqrt(cs[j] * cs[j + 1]));
      cells.push({ n0: ns[i], n1: ns[i + 1], c0: cs[j], c1: cs[j + 1], S });
    }
  const lines: Record<string, unknown>[] = [];
  const labels: Record<string, unknown>[] = [];
  const inRange = (C: number) => Number.isFinite(C) && C >= cLo && C <= cHi;
  for (const [k, s] of CONTOUR_LEVELS.entries()) {
    const pts = logSpace(nLo, nHi, 60)
      .map((N) => ({ N, C: computeForOptimalSparsity(p, N, s) }))
      .filter((q) => inRange(q.C));
    for (const q of pts) lines.push({ line: 'S_opt contour', level: pct(s), N: q.N, C: q.C });
    // labels staggered along their lines so neighbouring contours' labels do not overlap
    const at = pts[Math.floor((pts.length * (k + 1)) / (CONTOUR_LEVELS.length + 1))];
    if (at) labels.push({ N: at.N, C: at.C, text: `S_opt = ${pct(s)}` });
  }
  for (const N of logSpace(nLo, nHi, 60)) {
    const C = 6 * N * denseComputeOptimalData(p, N);
    if (inRange(C)) lines.push({ line: 'dense compute-optimal', level: 'opt', N, C });
  }
  const trials = points.map((q) => ({ N: q.N, C: trialCompute(q), group: q.group }));
  const x = {
    field: 'N',
    type: 'quantitative',
    scale: { type: 'log', domain: [nLo, nHi], nice: false },
    axis: { title: 'N, non-zero parameters (log scale)', format: '~s' },
  };
  const y = {
    field: 'C',
    type: 'quantitative',
    scale: { type: 'log', domain: [cLo, cHi], nice: false },
    axis: { title: `C, compute (${unitLabels(unit, family).compute}, log scale)`, format: '.0e' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description:
      'Loss-optimal sparsity over non-zero parameters N and compute C under the fitted law, with contours at 0 (where sparsity starts to pay), 25, 50, 75 and 90 percent.',
    width: PANEL.width + 120,
    height: PANEL.height + 80,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect', opacity: 0.85, aria: false }, // one ARIA label per cell would triple the SVG
        encoding: {
          x: { ...x, field: 'n0' },
          x2: { field: 'n1' },
          y: { ...y, field: 'c0' },
          y2: { field: 'c1' },
          color: {
            field: 'S',
            type: 'quantitative',
            title: 'optimal sparsity',
            scale: { scheme: 'blues', domain: [0, 1] },
            legend: { format: '.0%' },
          },
        },
      },
      {
        data: { values: lines },
        mark: { type: 'line', color: '#111', strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          detail: { field: 'level', type: 'nominal' },
          strokeDash: {
            field: 'line',
            type: 'nominal',
            title: 'lines',
            scale: {
              domain: ['S_opt contour', 'dense compute-optimal'],
              range: [
                [1, 0],
                [6, 4],
              ],
            },
          },
        },
      },
      {
        data: { values: labels },
        mark: { type: 'text', fontSize: 12, fontWeight: 'bold', color: '#111', dy: -8, align: 'center' },
        encoding: { x, y, text: { field: 'text', type: 'nominal' } },
      },
      {
        data: { values: trials },
        mark: { type: 'point', filled: true, fill: 'white', stroke: '#111', size: 70, strokeWidth: 1.5 },
        encoding: { x, y, ...sparsityEncoding(scales, ['shape']) },
      },
    ],
    resolve: { legend: { shape: 'independent' } },
    config: CHART_CONFIG,
  };
}
