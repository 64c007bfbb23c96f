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

/**
 * Tick values for a log axis over [lo, hi]: 1, 2 and 5 × 10^k inside it (1..9 × 10^k when that leaves fewer
 * than three, the two ends when even that leaves fewer than two), so every labelled tick is a round number and
 * none is dropped for overlap.
 */
export function logTicks(lo: number, hi: number): number[] {
  const within = (mantissas: readonly number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    return out;
  };
  const coarse = within([1, 2, 5]);
  if (coarse.length >= 3) return coarse;
  const fine = within([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // a domain narrower than one digit step (6.1k-6.9k): its two ends
  return fine.length >= 2 ? fine : [lo, hi];
}

/** A log axis over [lo, hi] with {@link logTicks}: no label overlap to thin them. */
export function logAxis(title: string, lo: number, hi: number) {
  return { title, format: '~s', values: logTicks(lo, hi), labelOverlap: false };
}
