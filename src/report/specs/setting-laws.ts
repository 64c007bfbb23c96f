import { sparseLoss } from '../../law/optimal.js';
import type { SparseLawParams } from '../../law/types.js';
import { count } from '../format.js';
import { type FinalPoint, levels, logSpace, mean, pickLevels } from '../points.js';
import { type DataUnit, unitLabels } from '../units.js';
import type { SpecOrMissing } from './spec.js';
import { CHART_CONFIG, FACET_AXES, logAxis, PANEL, settingEncoding, sparsityLabel } from './style.js';

/** Panels at most (one per sparsity level); the rest are named in the caption. */
export const MAX_SETTING_LAW_PANELS = 4;
/** Samples along each law curve: smooth on a log axis at panel width. */
const CURVE_SAMPLES = 40;
/** Law curves extend this factor beyond the measured N on each side. */
const CURVE_MARGIN = 1.5;
/** The loss axis spans the drawn measured losses ×/÷ this: law curves beyond it are clipped. */
const Y_MARGIN = 1.04;
/** Panels narrower than the report's usual ones, so that three fit in a row. */
const NARROW = { width: 300, height: 240 } as const;

/** Labelled ticks on the loss axis at most. */
const MAX_LOSS_TICKS = 7;
/** Steps between loss ticks, the smallest that keeps at most {@link MAX_LOSS_TICKS} chosen. */
const LOSS_STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/**
 * Round loss values in [lo, hi] to label a log loss axis that spans less than a decade (where Vega's own log
 * ticks crowd: 4.0, 4.2, 4.4, ... every 0.2 over a factor of two): multiples of the smallest round step that
 * leaves at most {@link MAX_LOSS_TICKS}, with the format that shows that step's digits.
 */
export function lossTicks(lo: number, hi: number): { values: number[]; format: string } {
  const step = LOSS_STEPS.find((st) => Math.floor(hi / st) - Math.ceil(lo / st) + 1 <= MAX_LOSS_TICKS) ?? 10;
  const values: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi; k++) values.push(Number((k * step).toPrecision(12)));
  return { values, format: step < 0.1 ? '.2f' : step < 1 ? '.1f' : '.0f' };
}

/** One setting's law as the plot draws it: its legend label, coefficients, and the trials it was made from. */
export interface SettingLaw {
  label: string;
  params: SparseLawParams;
  points: readonly FinalPoint[];
}

/** Where the plot sets the laws side by side: the data D held fixed and one panel per sparsity level. */
export interface SettingLawsLayout {
  /** The sweep's D level drawn (its target): the largest at which the laws' trials trained. */
  dLevel: number;
  /** The mean measured D of the drawn trials at that level, at which every law is evaluated. */
  dMeasured: number;
  /** The other D levels of the laws' trials, not drawn. */
  otherD: number[];
  /** Each panel's sparsity level and the S every law is evaluated at there (its trials' mean measured S). */
  panels: { level: number; S: number }[];
  /** Sparsity levels at that D left out (more levels than panels). */
  leftOut: number[];
  /** The label of trials that two or more of the laws were made from (the dense ones, usually), or null. */
  shared: string | null;
}

/** Legend label of the trials several laws were made from. */
export function sharedLabel(allDense: boolean, inEvery: boolean): string {
  if (allDense) return inEvery ? 'dense, in every fit' : 'dense, in several fits';
  return inEvery ? 'in every fit' : 'in several fits';
}

/** How many of the laws were made from each trial, by trial id. */
function uses(laws: readonly SettingLaw[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const law of laws)
    for (const id of new Set(law.points.map((p) => p.id))) n.set(id, (n.get(id) ?? 0) + 1);
  return n;
}

/** Each trial once, among the laws' points. */
function distinct(laws: readonly SettingLaw[]): FinalPoint[] {
  const byId = new Map<string, FinalPoint>();
  for (const law of laws) for (const p of law.points) byId.set(p.id, p);
  return [...byId.values()];
}

/**
 * Where to set the laws side by side: at the largest D level their trials trained at (the longest-trained, which
 * any use of a law's size term leans on most), one panel per sparsity level there, each law at the panel's mean
 * measured S (the same for every law, so the lines compare at equal sparsity); null when no trial was drawn.
 */
export function settingLawsLayout(laws: readonly SettingLaw[]): SettingLawsLayout | null {
  const all = distinct(laws);
  if (all.length === 0) return null;
  const dLevels = levels(all.map((p) => p.dTarget));
  const dLevel = dLevels[dLevels.length - 1];
  const atD = all.filter((p) => p.dTarget === dLevel);
  const sLevels = levels(atD.map((p) => p.sparsity));
  const shown = pickLevels(sLevels, MAX_SETTING_LAW_PANELS);
  const usedBy = uses(laws);
  const shared = atD.filter((p) => (usedBy.get(p.id) ?? 0) >= 2);
  return {
    dLevel,
    dMeasured: mean(atD.map((p) => p.D)),
    otherD: dLevels.slice(0, -1),
    panels: shown.map((level) => ({
      level,
      S: mean(atD.filter((p) => p.sparsity === level).map((p) => p.achieved)),
    })),
    leftOut: sLevels.filter((s) => !shown.includes(s)),
    shared:
      shared.length === 0
        ? null
        : sharedLabel(
            shared.every((p) => p.sparsity === 0),
            shared.every((p) => usedBy.get(p.id) === laws.length),
          ),
  };
}

/** A row of the plot's data: a measured trial, or a sample of a law's curve. */
export interface SettingLawRow {
  kind: 'measured' | 'law';
  /** The panel's sparsity label ("dense", "50% sparse"). */
  panel: string;
  /** The law's label, or for a trial several laws share, the layout's `shared` label. */
  setting: string;
  N: number;
  loss: number;
}

/**
 * The plot's rows: in each panel, every law's loss against N at the panel's S and the layout's D (over the
 * measured N range, widened by {@link CURVE_MARGIN}), and each trial at that D and sparsity once, labelled with
 * the one law made from it, or as shared.
 */
export function settingLawRows(laws: readonly SettingLaw[], layout: SettingLawsLayout): SettingLawRow[] {
  const all = distinct(laws);
  const Ns = all.map((p) => p.N);
  const [lo, hi] = [Math.min(...Ns) / CURVE_MARGIN, Math.max(...Ns) * CURVE_MARGIN];
  const usedBy = uses(laws);
  const owner = new Map(laws.flatMap((law) => law.points.map((p) => [p.id, law.label] as const)));
  const rows: SettingLawRow[] = [];
  for (const { level, S } of layout.panels) {
    const panel = sparsityLabel(level);
    for (const law of laws)
      for (const N of logSpace(lo, hi, CURVE_SAMPLES)) {
        const loss = sparseLoss(law.params, S, N, layout.dMeasured);
        if (Number.isFinite(loss) && loss > 0) rows.push({ kind: 'law', panel, setting: law.label, N, loss });
      }
    for (const p of all.filter((q) => q.dTarget === layout.dLevel && q.sparsity === level))
      rows.push({
        kind: 'measured',
        panel,
        setting: (usedBy.get(p.id) ?? 0) >= 2 && layout.shared ? layout.shared : (owner.get(p.id) as string),
        N: p.N,
        loss: p.loss,
      });
  }
  return rows;
}

/**
 * Several settings' fitted laws overlaid: loss against N (log-log) at one D, one panel per sparsity level, one
 * line per setting (colour, dash and marker by setting), with each setting's measured trials at that D in its
 * colour and the trials several settings share (the dense baseline) once, in black. Lines compare at equal S
 * and D, so where one lies below another that setting's law predicts the lower loss there.
 */
export function settingLawsSpec(laws: readonly SettingLaw[], unit: DataUnit, family?: string): SpecOrMissing {
  if (laws.length < 2) return { missing: 'fewer than two settings have a law to compare.' };
  const layout = settingLawsLayout(laws);
  if (!layout) return { missing: 'none of the fits names a finished trial of this sweep.' };
  const u = unitLabels(unit, family);
  const rows = settingLawRows(laws, layout);
  const Ns = distinct(laws).map((p) => p.N);
  const [lo, hi] = [Math.min(...Ns) / CURVE_MARGIN, Math.max(...Ns) * CURVE_MARGIN];
  const measured = rows.filter((r) => r.kind === 'measured').map((r) => r.loss);
  const lossesShown = measured.length > 0 ? measured : rows.map((r) => r.loss);
  const x = {
    field: 'N',
    type: 'quantitative',
    scale: { type: 'log', domain: [lo, hi], nice: false },
    axis: logAxis('N, non-zero parameters (log scale)', lo, hi),
  };
  const yDomain = [Math.min(...lossesShown) / Y_MARGIN, Math.max(...lossesShown) * Y_MARGIN];
  const y = {
    field: 'loss',
    type: 'quantitative',
    scale: { type: 'log', domain: yDomain, nice: false },
    axis: { title: `val. loss (${u.loss}, log)`, ...lossTicks(yDomain[0], yDomain[1]), labelOverlap: false },
  };
  const enc = settingEncoding(
    laws.map((l) => l.label),
    layout.shared,
    'fit',
  );
  const order = layout.panels.map((p) => sparsityLabel(p.level));
  // three panels in a row; four in two rows of two, as narrow; one or two as wide as the report's others
  const narrow = order.length >= 3;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Loss against non-zero parameters N predicted by each setting's fitted law at D = ${count(layout.dLevel)} ${u.d}, one panel per sparsity, with the measured trials.`,
    data: { values: rows },
    facet: {
      field: 'panel',
      type: 'nominal',
      sort: order,
      title: `sparsity, at D = ${count(layout.dLevel)} ${u.d}`,
    },
    columns: order.length === 3 ? 3 : Math.min(2, order.length),
    spec: {
      ...(narrow ? NARROW : PANEL),
      layer: [
        {
          transform: [{ filter: "datum.kind === 'law'" }],
          mark: { type: 'line', strokeWidth: 2, clip: true },
          encoding: { x, y, color: enc.color, strokeDash: enc.strokeDash },
        },
        {
          transform: [{ filter: "datum.kind === 'measured'" }],
          mark: { type: 'point', filled: false, size: 70, strokeWidth: 2, clip: true },
          encoding: { x, y, color: enc.color, shape: enc.shape },
        },
      ],
    },
    resolve: FACET_AXES,
    config: CHART_CONFIG,
  };
}
