import { dataWhereSparsityPays, denseComputeOptimalData, optimalSparsity } from '../../law/optimal.js';
import type { SparseLawParams } from '../../law/types.js';
import { pct } from '../format.js';
import { type FinalPoint, logSpace } from '../points.js';
import { type DataUnit, unitLabels } from '../units.js';
import type { SpecOrMissing } from './spec.js';
import { CHART_CONFIG, logAxis, PANEL, type SparsityScales, sparsityEncoding } from './style.js';

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
/** The map's plot size in pixels. */
const MAP = { width: PANEL.width + 120, height: PANEL.height + 80 } as const;
/** Half a contour label's length along its line, in pixels, kept clear of the frame, markers and other labels. */
const LABEL_HALF = 42;

/** A point in the map's pixel space (x right, y down). */
interface Pixel {
  x: number;
  y: number;
}

/**
 * Where a contour's label goes: among its line's points (in pixels) that leave half a label clear of the frame,
 * the one farthest from the trial markers and the labels already placed (the line's middle point when none leaves
 * room), and the line's angle there (degrees, for a text mark), so the label lies on its own line. Null for a
 * line of fewer than three points.
 */
export function contourLabelAt(
  line: readonly Pixel[],
  avoid: readonly Pixel[],
  size: { width: number; height: number } = MAP,
): { index: number; angle: number } | null {
  if (line.length < 3) return null;
  const angleAt = (i: number) => {
    const a = (Math.atan2(line[i + 1].y - line[i - 1].y, line[i + 1].x - line[i - 1].x) * 180) / Math.PI;
    return a > 90 ? a - 180 : a < -90 ? a + 180 : a; // upright text, read left to right
  };
  let best: { index: number; score: number } | null = null;
  for (let i = 1; i < line.length - 1; i++) {
    const { x, y } = line[i];
    const rad = (angleAt(i) * Math.PI) / 180;
    const [dx, dy] = [Math.cos(rad) * LABEL_HALF, Math.sin(rad) * LABEL_HALF];
    // the label's two ends along the line must stay inside the frame
    const ends = [-1, 1].map((k) => ({ x: x + k * dx, y: y + k * dy }));
    if (!ends.every((e) => e.x >= 0 && e.x <= size.width && e.y >= 0 && e.y <= size.height)) continue;
    const score = Math.min(Infinity, ...avoid.map((a) => Math.hypot(a.x - x, a.y - y)));
    if (!best || score > best.score) best = { index: i, score };
  }
  const index = best?.index ?? Math.floor(line.length / 2);
  return { index, angle: angleAt(index) };
}

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
 * The box of N and C the trials span (smallest to largest of each), widened by a tenth of a decade on each side so a
 * marker on its edge stays inside it, drawn on the map as where it interpolates between measurements.
 */
export function trialBox(trials: readonly { N: number; C: number }[]): {
  n0: number;
  n1: number;
  c0: number;
  c1: number;
} {
  const pad = 10 ** 0.1;
  const ns = trials.map((t) => t.N);
  const cs = trials.map((t) => t.C);
  return {
    n0: Math.min(...ns) / pad,
    n1: Math.max(...ns) * pad,
    c0: Math.min(...cs) / pad,
    c1: Math.max(...cs) * pad,
  };
}

/**
 * Optimal sparsity over (N, C): a heat map of S_opt with labelled contour lines (readable without
 * colour), the dense compute-optimal frontier C = 6N·D_opt(N), and the sweep's trials at their compute inside a
 * dashed box ({@link trialBox}): the part of the map the measurements span.
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
  const pixel = (N: number, C: number): Pixel => ({
    x: (MAP.width * Math.log(N / nLo)) / Math.log(nHi / nLo),
    y: MAP.height * (1 - Math.log(C / cLo) / Math.log(cHi / cLo)),
  });
  const trials = points.map((q) => ({ N: q.N, C: trialCompute(q), group: q.group }));
  // the box the trials span: inside it the map interpolates between measurements, outside it the law extrapolates
  const box = trialBox(trials);
  // each label on its own line, rotated along it, clear of the markers and of the labels placed before it
  const avoid = trials.map((t) => pixel(t.N, t.C));
  for (const s of CONTOUR_LEVELS) {
    const pts = logSpace(nLo, nHi, 120)
      .map((N) => ({ N, C: computeForOptimalSparsity(p, N, s) }))
      .filter((q) => inRange(q.C));
    for (const q of pts) lines.push({ line: 'S_opt contour', level: pct(s), N: q.N, C: q.C });
    const at = contourLabelAt(
      pts.map((q) => pixel(q.N, q.C)),
      avoid,
    );
    if (!at) continue;
    const { N, C } = pts[at.index];
    labels.push({ N, C, angle: at.angle, text: `S_opt = ${pct(s)}` });
    avoid.push(pixel(N, C));
  }
  for (const N of logSpace(nLo, nHi, 60)) {
    const C = 6 * N * denseComputeOptimalData(p, N);
    if (inRange(C)) lines.push({ line: 'dense compute-optimal', level: 'opt', N, C });
  }
  const x = {
    field: 'N',
    type: 'quantitative',
    scale: { type: 'log', domain: [nLo, nHi], nice: false },
    axis: logAxis('N, non-zero parameters (log scale)', nLo, nHi),
  };
  const y = {
    field: 'C',
    type: 'quantitative',
    scale: { type: 'log', domain: [cLo, cHi], nice: false },
    axis: logAxis(`C, compute (${unitLabels(unit, family).compute}, log scale)`, cLo, cHi),
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description:
      'Loss-optimal sparsity over non-zero parameters N and compute C under the fitted law, with contours at 0 (where sparsity starts to pay), 25, 50, 75 and 90 percent.',
    width: MAP.width,
    height: MAP.height,
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
      // a white halo under each label hides its line there, so the label reads as part of that line
      ...['halo', 'text'].map((part) => ({
        data: { values: labels },
        mark: {
          type: 'text',
          fontSize: 12,
          fontWeight: 'bold',
          align: 'center',
          baseline: 'middle',
          ...(part === 'halo'
            ? { color: 'white', stroke: 'white', strokeWidth: 5, strokeJoin: 'round', aria: false }
            : { color: '#111' }),
        },
        encoding: {
          x,
          y,
          angle: { field: 'angle', type: 'quantitative', scale: null },
          text: { field: 'text', type: 'nominal' },
        },
      })),
      {
        data: { values: [box] },
        mark: {
          type: 'rect',
          filled: false,
          stroke: '#b30000',
          strokeWidth: 1.5,
          strokeDash: [5, 3],
          description: 'the range of N and C the trials span; outside it the map is extrapolation',
        },
        encoding: {
          x: { ...x, field: 'n0' },
          x2: { field: 'n1' },
          y: { ...y, field: 'c0' },
          y2: { field: 'c1' },
        },
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
