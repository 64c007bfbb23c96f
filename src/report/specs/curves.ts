import { count } from '../format.js';
import { levels, pickLevels, prunersByName, prunerVariant } from '../points.js';
import type { ReportData } from '../types.js';
import { unitLabels } from '../units.js';
import type { SpecOrMissing } from './spec.js';
import {
  CHART_CONFIG,
  FACET_AXES,
  logAxis,
  PANEL,
  type SparsityScales,
  sparsityEncoding,
  sparsityLabel,
} from './style.js';

/** Points per training-loss line: enough for the shape, few enough to keep the SVG small. */
const POINTS_PER_LINE = 100;
/** Panels (one per N level) at most; more are unreadable in a page width. */
export const MAX_CURVE_PANELS = 6;
/** N levels at most when each pruner setting has a row of panels (one per N level), so a row fits the page. */
export const MAX_CURVE_PANELS_PER_SETTING = 3;

interface CurveRow {
  trial: string;
  group: string;
  panel: string;
  kind: 'train' | 'val';
  tokens: number;
  loss: number;
}

/** The curves' loss axis ends this factor above the highest starting loss. */
const SPIKE_MARGIN = 1.05;

/**
 * The top of the curves' loss axis: {@link SPIKE_MARGIN} above the highest training loss any drawn trial started
 * at, when some drawn loss (training or validation) later rose beyond it (a spike); null when none did (the axis
 * then spans the data). Drawn: the trials of the panels drawn, their points past zero data.
 */
export function lossCeiling(data: ReportData): number | null {
  const panels = new Set(curvePanels(data));
  const drawn = data.trials
    .filter((t) => panels.has(t.nonzeroTarget))
    .map((t) => (data.curves[t.id] ?? []).filter((p) => Number.isFinite(p.value) && p.tokens > 0));
  const starts = drawn.flatMap((pts) => pts.find((p) => p.name === 'train_loss')?.value ?? []);
  if (starts.length === 0) return null;
  const top = Math.max(...starts) * SPIKE_MARGIN;
  const spiked = drawn.some((pts) =>
    pts.some((p) => (p.name === 'train_loss' || p.name === 'val_loss') && p.value > top),
  );
  return spiked ? top : null;
}

/**
 * Means over windows of equal width on the log axis the curves are drawn on (`bins` across the logged span), each
 * at the geometric mean of its points' data seen: early steps, where loss falls fastest, keep their own points
 * (a window of equal step count there would average the first steps' high losses into a point drawn later, and
 * the line would pass above the validation losses of those steps), later ones are averaged to show the trend.
 */
export function logWindowMeans(points: readonly { tokens: number; value: number }[], bins: number) {
  if (points.length <= bins) return points.map((p) => ({ tokens: p.tokens, value: p.value }));
  const lo = Math.log(points[0].tokens);
  const width = (Math.log(points[points.length - 1].tokens) - lo) / bins || 1;
  const windows = new Map<number, { tokens: number; value: number }[]>();
  for (const p of points) {
    const k = Math.min(bins - 1, Math.floor((Math.log(p.tokens) - lo) / width));
    windows.set(k, [...(windows.get(k) ?? []), p]);
  }
  return [...windows.values()].map((w) => ({
    tokens: w.length === 1 ? w[0].tokens : Math.exp(w.reduce((s, p) => s + Math.log(p.tokens), 0) / w.length),
    value: w.reduce((s, p) => s + p.value, 0) / w.length,
  }));
}

/**
 * The pruner settings the curves are drawn apart by, a row of panels each: the sparse trials' settings of the
 * sweep's pruner axes, when there are two or more; else none.
 */
export function curveSettings(data: ReportData): string[] {
  const byName = prunersByName(data.trials);
  const settings = [...new Set(data.trials.map((t) => prunerVariant(t, byName)))]
    .filter((v) => v !== '')
    .sort();
  return settings.length >= 2 ? settings : [];
}

/** The N levels drawn (a panel each, in each setting's row). */
export function curvePanels(data: ReportData): number[] {
  const max = curveSettings(data).length > 0 ? MAX_CURVE_PANELS_PER_SETTING : MAX_CURVE_PANELS;
  return pickLevels(levels(data.trials.map((t) => t.nonzeroTarget)), max);
}

/**
 * Training curves: loss against data seen, one line per trial, styled by sparsity level, one panel per
 * non-zero parameter count N, and a row of panels per pruner setting where the sweep has several (the dense
 * trials, which every setting shares, drawn in each row). Lines are training loss averaged over windows of
 * steps; markers are the validation loss at each evaluation. Running and failed trials are drawn as far as
 * they logged.
 */
export function curvesSpec(data: ReportData, scales: SparsityScales): SpecOrMissing {
  const ns = curvePanels(data);
  const panels = new Set(ns);
  const settings = curveSettings(data);
  const byName = prunersByName(data.trials);
  const panelOf = (setting: string, n: number) =>
    setting === '' ? `N = ${count(n)}` : `${setting}, N = ${count(n)}`;
  const rows: CurveRow[] = [];
  for (const t of data.trials) {
    if (!panels.has(t.nonzeroTarget)) continue;
    const pts = data.curves[t.id] ?? [];
    const train = pts.filter((p) => p.name === 'train_loss' && Number.isFinite(p.value) && p.tokens > 0);
    const val = pts.filter((q) => q.name === 'val_loss' && Number.isFinite(q.value) && q.tokens > 0);
    // a dense trial in every setting's row: the baseline each pruner's sparse trials are read against
    const copies = settings.length > 0 && t.sparsity === 0 ? settings : [prunerVariant(t, byName)];
    for (const setting of copies) {
      const base = {
        trial: copies.length > 1 ? `${t.id} ${setting}` : t.id,
        group: sparsityLabel(t.sparsity),
        panel: panelOf(settings.length > 0 ? setting : '', t.nonzeroTarget),
      };
      for (const p of logWindowMeans(train, POINTS_PER_LINE))
        rows.push({ ...base, kind: 'train', tokens: p.tokens, loss: p.value });
      for (const p of val) rows.push({ ...base, kind: 'val', tokens: p.tokens, loss: p.value });
    }
  }
  // a line needs two points: a trial that failed at its second step has none to draw
  const perTrain = new Map<string, number>();
  for (const r of rows) if (r.kind === 'train') perTrain.set(r.trial, (perTrain.get(r.trial) ?? 0) + 1);
  const hasLines = [...perTrain.values()].some((n) => n >= 2);
  const hasVal = rows.some((r) => r.kind === 'val');
  if (!hasLines && !hasVal)
    return {
      missing:
        rows.length === 0
          ? 'no trial has logged any loss yet.'
          : 'no trial has logged more than one training loss or any validation loss (they stopped at their first steps).',
    };
  const panelOrder =
    settings.length > 0
      ? settings.flatMap((s) => ns.map((n) => panelOf(s, n)))
      : ns.map((n) => panelOf('', n));
  const u = unitLabels(data.unit, data.family);
  // the data's own range: Vega's "nice" log domain would run to the next whole decade (200k drawn to 1M)
  const seen = rows.map((r) => r.tokens);
  const [first, last] = [Math.min(...seen), Math.max(...seen)];
  const [lo, hi] = first < last ? [first, last] : [first / 2, last * 2];
  const x = {
    field: 'tokens',
    // what each point's description reads (images for an image model), besides the axis
    title: `D, ${u.d} seen`,
    type: 'quantitative',
    scale: { type: 'log', domain: [lo, hi], nice: false },
    axis: logAxis(`D, ${u.d} seen (log scale)`, lo, hi),
  };
  // up to the highest starting loss: a spike above it (a step's loss at a mask update) is cut, not allowed to
  // squeeze every curve into the bottom of the panel
  const top = lossCeiling(data);
  const losses = rows.map((r) => r.loss);
  const y = {
    field: 'loss',
    type: 'quantitative',
    scale:
      top === null
        ? { zero: false }
        : { zero: false, domain: [Math.min(...losses) / SPIKE_MARGIN, top], nice: false },
    axis: { title: `loss (${u.loss})` },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Training and validation loss against ${u.d} seen, one line per trial, by sparsity and N.`,
    data: { values: rows },
    facet: {
      field: 'panel',
      type: 'nominal',
      sort: panelOrder,
      title:
        settings.length > 0
          ? 'a row per pruner setting (dense trials, which every setting shares, in each), a panel per non-zero parameters N (embeddings excluded)'
          : 'non-zero parameters N (embeddings excluded)',
      // a label wider than its panel would widen the cell and leave the y axis standing apart from the panel
      header: { labelLimit: PANEL.width },
    },
    // a row per setting: as many columns as N levels
    columns: settings.length > 0 ? ns.length : Math.min(2, panelOrder.length),
    spec: {
      width: PANEL.width,
      height: PANEL.height,
      // only layers with data: an empty one makes Vega warn of an infinite extent
      layer: [
        hasLines && {
          transform: [{ filter: "datum.kind === 'train'" }],
          mark: { type: 'line', strokeWidth: 1.5, clip: true, aria: false },
          encoding: {
            x,
            y,
            detail: { field: 'trial', type: 'nominal' },
            ...sparsityEncoding(scales, ['color', 'strokeDash']),
          },
        },
        hasVal && {
          transform: [{ filter: "datum.kind === 'val'" }],
          mark: { type: 'point', filled: false, size: 45, strokeWidth: 1.5, clip: true },
          encoding: {
            x,
            y,
            detail: { field: 'trial', type: 'nominal' },
            ...sparsityEncoding(scales, ['color', 'shape']),
          },
        },
      ].filter(Boolean),
    },
    resolve: FACET_AXES,
    config: CHART_CONFIG,
  };
}
