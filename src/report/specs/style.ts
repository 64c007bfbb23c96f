import { pct } from '../format.js';

/*
 * One visual style per sparsity level, shared by every plot, so a level looks the same everywhere and
 * stays distinguishable without colour: each level has its own colour, marker shape and line dash.
 */

/**
 * Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), darkest first so the
 * dense baseline, the usual reference, is the most prominent.
 */
const COLOURS = ['#000000', '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442'];
/** Vega marker shapes, chosen to differ in outline, not only in size. */
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'wedge', 'stroke'];
/** Line dashes (Vega strokeDash arrays): solid first, then increasingly sparse patterns. */
const DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [12, 4],
  [4, 4, 1, 4],
  [1, 3],
  [10, 2, 2, 2, 2, 2],
];

/** The legend label of a sparsity level: "dense", "50% sparse". */
export function sparsityLabel(s: number): string {
  return s === 0 ? 'dense' : `${pct(s)} sparse`;
}

/** Scales for colour, shape and dash over the given sparsity levels (in ascending order). */
export interface SparsityScales {
  domain: string[];
  colour: string[];
  shape: string[];
  dash: number[][];
}

/** Distinct levels in ascending order and their scales; levels beyond the palette reuse it cyclically. */
export function sparsityScales(levels: readonly number[]): SparsityScales {
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  return {
    domain: sorted.map(sparsityLabel),
    colour: sorted.map((_, i) => COLOURS[i % COLOURS.length]),
    shape: sorted.map((_, i) => SHAPES[i % SHAPES.length]),
    dash: sorted.map((_, i) => DASHES[i % DASHES.length]),
  };
}

/** The `sparsity` legend title, shared so Vega-Lite merges the colour, shape and dash legends into one. */
export const SPARSITY_TITLE = 'sparsity';

/** Encoding channels for a nominal `group` field holding {@link sparsityLabel} values. */
export function sparsityEncoding(scales: SparsityScales, channels: ('color' | 'shape' | 'strokeDash')[]) {
  const enc: Record<string, unknown> = {};
  const base = { field: 'group', type: 'nominal' as const, title: SPARSITY_TITLE, sort: scales.domain };
  if (channels.includes('color'))
    enc.color = { ...base, scale: { domain: scales.domain, range: scales.colour } };
  if (channels.includes('shape'))
    enc.shape = { ...base, scale: { domain: scales.domain, range: scales.shape } };
  if (channels.includes('strokeDash'))
    enc.strokeDash = { ...base, scale: { domain: scales.domain, range: scales.dash } };
  return enc;
}

/** The label of the dense trials where markers are shaped by pruner setting: every setting shares them. */
export const SHARED_DENSE = 'dense (every setting)';

/**
 * Marker shape by pruner setting (a nominal `setting` field), for a plot that pools several settings and keeps
 * colour for sparsity: the dense trials, which every setting shares, a circle; each setting its own shape.
 */
export function settingShapeEncoding(settings: readonly string[]) {
  const domain = [SHARED_DENSE, ...settings];
  return {
    shape: {
      field: 'setting',
      type: 'nominal' as const,
      title: 'pruner setting',
      sort: domain,
      scale: { domain, range: domain.map((_, i) => SHAPES[i % SHAPES.length]) },
    },
  };
}

/**
 * Colour, marker shape and line dash by setting (a nominal `setting` field), for a plot that sets several
 * settings' laws side by side: `shared` (trials several settings share, such as the dense baseline), when given,
 * first in black, a circle; each setting in turn one of Okabe & Ito's other colours, a shape and a dash of its own
 * (the first solid). One legend: the three channels share field, title and domain.
 */
export function settingEncoding(settings: readonly string[], shared: string | null, title: string) {
  const domain = shared === null ? [...settings] : [shared, ...settings];
  const offset = shared === null ? 1 : 0;
  const pick = <T>(list: readonly T[]) => domain.map((_, i) => list[(i + offset) % list.length]);
  const base = { field: 'setting', type: 'nominal' as const, title, sort: domain };
  return {
    color: { ...base, scale: { domain, range: pick(COLOURS) } },
    shape: { ...base, scale: { domain, range: pick(SHAPES) } },
    // the first setting's line solid (the shared trials have no line)
    strokeDash: {
      ...base,
      scale: {
        domain,
        range: [
          ...(shared === null ? [] : [DASHES[0]]),
          ...settings.map((_, i) => DASHES[i % DASHES.length]),
        ],
      },
    },
  };
}

/** Plot size of a single panel, in CSS pixels: fits two panels side by side in a 1200-pixel page. */
export const PANEL = { width: 420, height: 280 } as const;

/**
 * Resolution of a wrapped facet (`columns`): an x axis under every panel, on the scale they share. With the
 * default shared axis Vega-Lite draws x axes along the bottom of the grid only, so when the last row has empty
 * cells an axis hangs under an empty cell and the panel above it has no tick labels.
 */
export const FACET_AXES = { axis: { x: 'independent' as const } };

/**
 * Shared chart config: a readable font size, no chart border, and axis/legend styling. Vega's default
 * (10-11 px labels) is small once a report page is scaled to fit a paper column.
 */
export const CHART_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#888' },
  axis: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: 'normal' as const,
    grid: true,
    gridOpacity: 0.4,
  },
  legend: { labelFontSize: 12, titleFontSize: 13, symbolStrokeWidth: 2, symbolSize: 90, labelLimit: 260 },
  header: { labelFontSize: 13, titleFontSize: 13 },
  title: { fontSize: 15, anchor: 'start' as const },
};

/** Labelled ticks on a log axis at most: beyond, only every k-th power of ten. */
const MAX_LOG_TICKS = 10;
/** Digit ticks (1..9 × 10^k) closer than this fraction of the axis are thinned out, the rounder one kept. */
const MIN_FINE_GAP = 1 / 8;
/** Digits by roundness: the order in which digit ticks are kept when neighbours crowd. */
const ROUNDNESS = [1, 2, 5, 3, 4, 6, 8, 7, 9];

/**
 * Tick values for a log axis over [lo, hi]: 1, 2 and 5 × 10^k inside it (1..9 × 10^k when that leaves fewer
 * than three, thinned so that no two are closer than {@link MIN_FINE_GAP} of the axis, the rounder kept: 10k
 * rather than 9k; the two ends when even that leaves fewer than two), so every labelled tick is a round number
 * and none is dropped for overlap. Over many decades, powers of ten only, every k-th to keep at most
 * {@link MAX_LOG_TICKS}.
 */
export function logTicks(lo: number, hi: number): number[] {
  const within = (mantissas: readonly number[], step = 1) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) && (m !== 1 || e % step === 0)) out.push(v);
      }
    return out;
  };
  const coarse = within([1, 2, 5]);
  if (coarse.length > MAX_LOG_TICKS) {
    const decades = within([1]);
    return within([1], Math.ceil(decades.length / MAX_LOG_TICKS));
  }
  if (coarse.length >= 3) return coarse;
  const minGap = Math.log10(hi / lo) * MIN_FINE_GAP;
  const kept: number[] = [];
  for (const m of ROUNDNESS)
    for (const v of within([m]))
      if (kept.every((k) => Math.abs(Math.log10(v / k)) >= minGap * (1 - 1e-9))) kept.push(v);
  // a domain narrower than one digit step (6.1k-6.9k): its two ends
  return kept.length >= 2 ? kept.sort((a, b) => a - b) : [lo, hi];
}

/** Values from 1 up to this are labelled with SI prefixes (5k, 20M); an axis reaching beyond, as powers of ten. */
const SI_MAX = 1e9;
/** Values from this up to 10 000 are labelled as plain decimals (0.5, 1, 100) when SI prefixes do not fit. */
const PLAIN_MIN = 0.01;

/**
 * The one label form of a log axis with these ticks: SI prefixes ('~s': 5k, 20M) for counts in [1, 1e9); plain
 * decimals for values in [0.01, 10 000) ('~g': 0.5, 100); else every label in e-notation without a plus sign
 * (1e17, 2e-8), the form the report's tables use, rather than '~s' or '~g' switching form along the axis
 * (100n, 1µ, 0.00001, 1e+17).
 */
export function logLabels(values: readonly number[]): { format: string } | { labelExpr: string } {
  if (values.every((v) => v >= 1 && v < SI_MAX)) return { format: '~s' };
  if (values.every((v) => v >= PLAIN_MIN && v < 1e4)) return { format: '~g' };
  return { labelExpr: "replace(format(datum.value, '.0e'), 'e+', 'e')" };
}

/** A log axis over [lo, hi] with {@link logTicks} and {@link logLabels}: no label overlap to thin them. */
export function logAxis(title: string, lo: number, hi: number) {
  const values = logTicks(lo, hi);
  return { title, ...logLabels(values), values, labelOverlap: false };
}
