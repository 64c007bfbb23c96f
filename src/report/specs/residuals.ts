import type { Residual } from '../../law/types.js';
import type { TrialRecord } from '../../store/types.js';
import { type DataUnit, unitLabels } from '../units.js';
import type { SpecOrMissing } from './spec.js';
import {
  CHART_CONFIG,
  logAxis,
  PANEL,
  type SparsityScales,
  sparsityEncoding,
  sparsityLabel,
} from './style.js';

/** Label of residual points whose trial is no longer in the sweep (e.g. the plan changed since the fit). */
const OUTSIDE_GROUP = 'not in sweep';

/** Loss ticks on the square scatter's axes at most: ten decimals in 280 pixels crowd. */
const LOSS_TICKS = 5;
/** The residual axis extends this fraction of its span beyond the extreme residuals, so no marker sits on the frame. */
const RESIDUAL_PAD = 0.08;

/**
 * A sub-plot title placed from the plot's frame, not from its axes' extent: side by side, the titles line up
 * whatever the axis labels and titles (a y title longer than the plot is tall would lift the title above the other).
 */
const panelTitle = (text: string) => ({ text, frame: 'group' as const });

/** The extent of `values` padded by {@link RESIDUAL_PAD} of its span on each side (±1 when they are all one value). */
export function paddedDomain(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo) * RESIDUAL_PAD || 1;
  return [lo - pad, hi + pad];
}

/** A residual with a finite measured and a positive predicted loss: one that can be drawn. */
const drawable = (r: Residual) =>
  Number.isFinite(r.predicted) && Number.isFinite(r.measured) && r.predicted > 0;

/**
 * The fit's predicted against measured final loss (with the identity line) beside the relative residual
 * (measured − predicted) / measured against N (the relative error the held-out check and the findings give), both from the residuals stored with the fit. The fit's trials that are no
 * longer in the sweep are grey crosses: against N too when `outside` (from the database) has them, else on
 * the left only, their N unknown.
 */
export function residualsSpec(
  residuals: readonly Residual[],
  trials: readonly TrialRecord[],
  scales: SparsityScales,
  unit: DataUnit,
  family?: string,
  outside: readonly TrialRecord[] = [],
): SpecOrMissing {
  const lossUnit = unitLabels(unit, family).loss;
  const byId = new Map(trials.map((t) => [t.id, t]));
  const elsewhere = new Map(outside.map((t) => [t.id, t]));
  const rows = residuals.filter(drawable).map((r) => {
    const t = r.id === undefined ? undefined : byId.get(r.id);
    const o = r.id === undefined || t ? undefined : elsewhere.get(r.id);
    const N = (x: TrialRecord) => x.nonzeroParams ?? x.plannedNonzero;
    return {
      group: t ? sparsityLabel(t.sparsity) : OUTSIDE_GROUP,
      N: t ? N(t) : o ? N(o) : null,
      predicted: r.predicted,
      measured: r.measured,
      residual: ((r.measured - r.predicted) / r.measured) * 100,
    };
  });
  if (rows.length === 0) return { missing: 'the stored fit has no residuals.' };
  const known = rows.filter((r) => r.N !== null);
  const lossValues = rows.flatMap((r) => [r.predicted, r.measured]);
  const lo = Math.min(...lossValues);
  const hi = Math.max(...lossValues);
  const pad = (hi - lo) * 0.05 || lo * 0.01;
  const domain = [lo - pad, hi + pad];
  const groups = rows.some((r) => r.group === OUTSIDE_GROUP)
    ? {
        ...scales,
        domain: [...scales.domain, OUTSIDE_GROUP],
        colour: [...scales.colour, '#999999'],
        shape: [...scales.shape, 'cross'],
      }
    : scales;
  const style = sparsityEncoding(groups, ['color', 'shape']);
  const point = { type: 'point', filled: false, size: 80, strokeWidth: 2 };
  const scatter = {
    width: PANEL.height,
    height: PANEL.height,
    title: panelTitle('predicted vs measured'),
    layer: [
      {
        data: { values: [{ a: domain[0] }, { a: domain[1] }] },
        mark: { type: 'line', color: '#777', strokeDash: [4, 3] },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: point,
        encoding: {
          x: {
            field: 'measured',
            type: 'quantitative',
            scale: { domain, zero: false },
            axis: { title: `measured final loss (${lossUnit})`, tickCount: LOSS_TICKS },
          },
          y: {
            field: 'predicted',
            type: 'quantitative',
            scale: { domain, zero: false },
            axis: { title: `predicted by the fit (${lossUnit})`, tickCount: LOSS_TICKS },
          },
          ...style,
        },
      },
    ],
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'Predicted against measured final loss, and relative residuals against N, by sparsity.',
    resolve: { scale: { color: 'shared', shape: 'shared' } },
    config: CHART_CONFIG,
  };
  // without a trial of the sweep to take N from, there is no residual-against-N panel to draw
  if (known.length === 0)
    return {
      ...spec,
      description: 'Predicted against measured final loss, by sparsity.',
      hconcat: [scatter],
    };
  const ns = known.map((r) => r.N as number);
  // a third of a decade either side, so the extreme points are not drawn on the frame
  const nDomain = [Math.min(...ns) / 1.3, Math.max(...ns) * 1.3];
  const residual = {
    width: PANEL.width,
    height: PANEL.height,
    title: panelTitle('residuals'),
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#777' },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
      {
        data: { values: known },
        mark: point,
        encoding: {
          x: {
            field: 'N',
            type: 'quantitative',
            scale: { type: 'log', domain: nDomain, nice: false },
            axis: logAxis('N, non-zero parameters (log scale)', nDomain[0], nDomain[1]),
          },
          y: {
            field: 'residual',
            type: 'quantitative',
            scale: { domain: paddedDomain([0, ...known.map((r) => r.residual)]), nice: false },
            axis: { title: '(measured − predicted) / measured (%)' },
          },
          ...style,
        },
      },
    ],
  };
  return { ...spec, hconcat: [scatter, residual] };
}

/**
 * Where the trials of the residuals drawn are: in the sweep, out of it but still in the database (`outside`:
 * the sweep was run again with another plan), or in neither (the fit came with a merged database).
 */
export function residualPlacement(
  residuals: readonly Residual[],
  trials: readonly TrialRecord[],
  outside: readonly TrialRecord[] = [],
): { inSweep: number; elsewhere: number; unknown: number } {
  const ids = new Set(trials.map((t) => t.id));
  const kept = new Set(outside.map((t) => t.id));
  const drawn = residuals.filter(drawable);
  const inSweep = drawn.filter((r) => r.id !== undefined && ids.has(r.id)).length;
  const elsewhere = drawn.filter((r) => r.id !== undefined && !ids.has(r.id) && kept.has(r.id)).length;
  return { inSweep, elsewhere, unknown: drawn.length - inSweep - elsewhere };
}
