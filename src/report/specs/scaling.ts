import { sparseLoss } from '../../law/optimal.js';
import type { SparseLawParams } from '../../law/types.js';
import { count } from '../format.js';
import { type FinalPoint, levels, logSpace, mean, pickLevels } from '../points.js';
import { type DataUnit, type UnitLabels, unitLabels } from '../units.js';
import type { SpecOrMissing } from './spec.js';
import {
  CHART_CONFIG,
  FACET_AXES,
  logAxis,
  PANEL,
  SHARED_DENSE,
  type SparsityScales,
  settingShapeEncoding,
  sparsityEncoding,
  sparsityLabel,
} from './style.js';

/** Panels at most (one per level of the other axis); the rest are named in the caption. */
export const MAX_SCALING_PANELS = 4;
/** Samples along each law curve: smooth on a log axis at panel width. */
const CURVE_SAMPLES = 40;
/** Law curves extend this factor beyond the measured range on each side, to show the trend. */
const CURVE_MARGIN = 1.5;
/** The loss axis spans the measured losses ×/÷ this: law curves beyond it are clipped. */
const Y_MARGIN = 1.04;

/** Which input is on the x axis: N (non-zero parameters) or D (tokens or images). */
export type ScalingAxis = 'N' | 'D';

const axisTitle = (axis: ScalingAxis, u: UnitLabels) =>
  axis === 'N' ? 'N, non-zero parameters excl. embeddings (log scale)' : `D, training ${u.d} (log scale)`;

const panelOf = (axis: ScalingAxis, p: FinalPoint) => (axis === 'N' ? p.dTarget : p.nTarget);
const panelLabel = (axis: ScalingAxis, v: number, u: UnitLabels) =>
  axis === 'N' ? `D = ${count(v)} ${u.d}` : `N = ${count(v)}`;

/**
 * The pruner settings a scaling plot's points pool (sorted), when there are two or more: their markers are then
 * shaped by setting, not by sparsity (colour still tells sparsity). Empty for one setting, or none.
 */
export function scalingSettings(points: readonly FinalPoint[]): string[] {
  const settings = [...new Set(points.map((p) => p.variant).filter((v) => v !== ''))].sort();
  return settings.length >= 2 ? settings : [];
}

/** Levels of the facet variable (D when N is on x, and vice versa) that get a panel. */
export function scalingPanels(points: readonly FinalPoint[], axis: ScalingAxis): number[] {
  return pickLevels(levels(points.map((p) => panelOf(axis, p))), MAX_SCALING_PANELS);
}

/**
 * Final validation loss against N (or D) on log-log axes, one marker style per sparsity level (colour by
 * sparsity and shape by pruner setting when the points pool several settings), one panel
 * per level of the other variable, with the fitted law drawn through each level at that panel's mean
 * measured S, N or D (the law's own {@link sparseLoss}). Without usable coefficients only the measurements
 * are drawn; with `lawAtDenseOnly` (a dense law written as the sparse one) the law is drawn at S = 0 only.
 */
export function scalingSpec(
  points: readonly FinalPoint[],
  params: SparseLawParams | null,
  scales: SparsityScales,
  axis: ScalingAxis,
  unit: DataUnit,
  family?: string,
  lawAtDenseOnly = false,
): SpecOrMissing {
  const u = unitLabels(unit, family);
  if (points.length === 0)
    return { missing: 'no trial has finished yet, so there are no final losses to plot.' };
  const xs = points.map((p) => (axis === 'N' ? p.N : p.D));
  if (new Set(xs).size < 2)
    return { missing: `every finished trial has the same ${axis}, so there is no ${axis} trend to plot.` };
  const panels = scalingPanels(points, axis);
  const settings = scalingSettings(points);
  const rows: Record<string, unknown>[] = [];
  const lo = Math.min(...xs) / CURVE_MARGIN;
  const hi = Math.max(...xs) * CURVE_MARGIN;
  for (const v of panels) {
    const inPanel = points.filter((p) => panelOf(axis, p) === v);
    const panel = panelLabel(axis, v, u);
    for (const p of inPanel)
      rows.push({
        kind: 'measured',
        panel,
        group: p.group,
        setting: p.variant === '' ? SHARED_DENSE : p.variant,
        x: axis === 'N' ? p.N : p.D,
        loss: p.loss,
      });
    if (!params) continue;
    // a dense law says nothing about sparsity: its line is drawn for the dense trials only
    for (const s of levels(inPanel.map((p) => p.sparsity)).filter((v) => !lawAtDenseOnly || v === 0)) {
      const same = inPanel.filter((p) => p.sparsity === s);
      const S = mean(same.map((p) => p.achieved));
      const other = mean(same.map((p) => (axis === 'N' ? p.D : p.N)));
      for (const x of logSpace(lo, hi, CURVE_SAMPLES)) {
        const loss = axis === 'N' ? sparseLoss(params, S, x, other) : sparseLoss(params, S, other, x);
        if (Number.isFinite(loss) && loss > 0)
          rows.push({ kind: 'law', panel, group: sparsityLabel(s), x, loss });
      }
    }
  }
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { type: 'log', domain: [lo, hi], nice: false },
    axis: logAxis(axisTitle(axis, u), lo, hi),
  };
  const losses = points.map((p) => p.loss);
  const y = {
    field: 'loss',
    type: 'quantitative',
    // the measured range plus a margin: Vega's "nice" log domain would span whole decades (1 to 10)
    scale: {
      type: 'log',
      domain: [Math.min(...losses) / Y_MARGIN, Math.max(...losses) * Y_MARGIN],
      nice: false,
    },
    axis: { title: `final val. loss (${u.loss}, log)`, format: '.2f' },
  };
  const layers: Record<string, unknown>[] = [
    {
      transform: [{ filter: "datum.kind === 'measured'" }],
      mark: { type: 'point', filled: false, size: 80, strokeWidth: 2, clip: true },
      // several pruner settings pooled: shape tells the setting, colour the sparsity
      encoding:
        settings.length > 0
          ? { x, y, ...sparsityEncoding(scales, ['color']), ...settingShapeEncoding(settings) }
          : { x, y, ...sparsityEncoding(scales, ['color', 'shape']) },
    },
  ];
  if (params) {
    layers.unshift({
      transform: [{ filter: "datum.kind === 'law'" }],
      mark: { type: 'line', strokeWidth: 1.5, clip: true },
      encoding: { x, y, ...sparsityEncoding(scales, ['color', 'strokeDash']) },
    });
  }
  const order = panels.map((v) => panelLabel(axis, v, u));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Final validation loss against ${axis === 'N' ? 'non-zero parameters N' : `training ${u.d} D`}, log-log, by sparsity${params ? ', with the fitted law' : ''}.`,
    data: { values: rows },
    facet: {
      field: 'panel',
      type: 'nominal',
      sort: order,
      title: axis === 'N' ? `training ${u.d} D` : 'non-zero parameters N',
    },
    columns: Math.min(2, order.length),
    spec: { width: PANEL.width, height: PANEL.height, layer: layers },
    // each panel its own x axis (on the shared scale): a wrapped grid's last row may not fill every column
    resolve: FACET_AXES,
    config: CHART_CONFIG,
  };
}
