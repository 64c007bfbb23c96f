import { trainedUpTo } from './fit-scope.js';
import { count, pct, plural, sig } from './format.js';
import type { FinalPoint } from './points.js';
import {
  comparedPair,
  compareSettings,
  otherLevelsNote,
  type SettingComparison,
  selectionOf,
  settingGroups,
} from './setting-fits.js';
import type { SettingLaw, SettingLawsLayout } from './specs/setting-laws.js';
import { sparsityLabel } from './specs/style.js';
import type { ReportData, StoredFit } from './types.js';
import { unitLabels } from './units.js';
import { staleness } from './warnings.js';

/** The id of the first figure of overlaid laws; further groups of fits get `-2`, `-3`, ... */
export const SETTING_LAWS_ID = 'setting-laws';

/** Whether a plot id is one of the figures of overlaid laws. */
export function isSettingLawsPlot(id: string): boolean {
  return id === SETTING_LAWS_ID || /^setting-laws-\d+$/.test(id);
}

/** One figure of overlaid laws: a group of fits selected by the same keys, the ones drawn and the ones not. */
export interface SettingLawsFigure {
  id: string;
  /** The keys the group's fits select by ("pruner.name", "seed"). */
  keys: string[];
  drawn: StoredFit[];
  /** The group's fits left out, each with why. */
  left: { fit: StoredFit; why: string }[];
  /** What Findings says of the group (the dense-equivalent sizes' intervals), or null when it says nothing. */
  comparison: SettingComparison | null;
}

/** The keys a fit selects by, in the order its conditions name them. */
const keysOf = (fit: StoredFit) => [...new Set(fit.where.map((c) => c.split('=')[0]))];

/** Why a fit's law is not drawn beside the others: unusable, not converged, or out of date; null when it is. */
function notDrawn(fit: StoredFit, stale: (fit: StoredFit) => string | null): string | null {
  if (fit.problem || !fit.params) return 'its coefficients cannot be used';
  if (!fit.converged) return 'it did not converge';
  if (stale(fit)) return 'it is out of date';
  return null;
}

/**
 * The figures of overlaid laws: one for each group of the sweep's newest per-selection fits that select on the
 * same keys (as "Laws by setting" compares them) in which two or more fits are drawable (usable coefficients,
 * converged, up to date), with Findings' comparison of the group; none otherwise.
 */
export function settingLawsFigures(data: ReportData, points: readonly FinalPoint[]): SettingLawsFigure[] {
  const stale = (f: StoredFit) => staleness(f, data, points);
  const figures: SettingLawsFigure[] = [];
  for (const group of settingGroups((data.settingFits ?? []).filter((f) => f.where.length > 0))) {
    const drawn = group.filter((f) => notDrawn(f, stale) === null);
    if (drawn.length < 2) continue;
    figures.push({
      id: figures.length === 0 ? SETTING_LAWS_ID : `${SETTING_LAWS_ID}-${figures.length + 1}`,
      keys: keysOf(group[0]),
      drawn,
      left: group.flatMap((fit) => {
        const why = notDrawn(fit, stale);
        return why ? [{ fit, why }] : [];
      }),
      comparison: compareSettings(group, trainedUpTo(data, points), stale),
    });
  }
  return figures;
}

/** A fit's legend label: its selection's value(s) when the group selects by one key, else its conditions. */
function labelOf(fit: StoredFit, keys: readonly string[]): string {
  const what =
    keys.length === 1 ? fit.where.map((c) => c.slice(c.indexOf('=') + 1)).join(', ') : selectionOf(fit);
  return `${what} (fit #${fit.id})`;
}

/** The laws a figure draws, each with the finished trials of the sweep its fit was made from. */
export function settingLaws(figure: SettingLawsFigure, points: readonly FinalPoint[]): SettingLaw[] {
  return figure.drawn.map((fit) => {
    const used = new Set(fit.inputs);
    return {
      label: labelOf(fit, figure.keys),
      params: fit.params!,
      points: points.filter((p) => used.has(p.id)),
    };
  });
}

/** The figure's title: what its fits select by. */
export function settingLawsTitle(figure: Pick<SettingLawsFigure, 'keys'>): string {
  return `Fitted laws by ${figure.keys.join(' and ')}, overlaid`;
}

/** What Findings' check of the group's dense-equivalent sizes says, for the caption. */
export function comparisonSentence(c: SettingComparison | null): string {
  if (!c)
    return ' Findings compare no dense-equivalent sizes of these fits (the table says why), so no check of whether they differ beyond noise comes with this plot.';
  const level = `${pct(c.level)} sparsity${c.beyondTrials ? ' (beyond the sparsities trained at: an extrapolation)' : ''}`;
  if (c.apart === null)
    return ` Not every fit has bootstrap intervals, so whether they differ beyond noise is not judged (fit-law --bootstrap).`;
  const pair = comparedPair(c);
  const [top, bottom] = [c.sorted[0].fit, c.sorted[c.sorted.length - 1].fit];
  const verdict = c.seeds
    ? c.apart
      ? 'do not overlap: the law moves from seed to seed by more than one fit’s bootstrap interval allows, so the spread of these lines is the better measure of its uncertainty'
      : 'overlap: this check does not show the law moving from seed to seed beyond its fits’ bootstrap intervals'
    : c.apart
      ? `do not overlap: there the fit of ${selectionOf(top)} gives a larger dense-equivalent size than that of ${selectionOf(bottom)}`
      : 'overlap: this check finds no difference between the settings there (which does not show them alike)';
  return (
    ` Noise: at ${level}, the 95% bootstrap intervals of the dense-equivalent sizes of ${pair} ${verdict} (see Findings).` +
    otherLevelsNote(c, c.sorted.length > 2 ? 'the highest and the lowest' : 'the two') +
    ' The lines themselves carry no intervals.'
  );
}

/** The caption: what is drawn, what is held fixed, which trials are left out, and whether the laws differ beyond noise. */
export function settingLawsCaption(
  figure: SettingLawsFigure,
  layout: SettingLawsLayout,
  data: Pick<ReportData, 'unit' | 'family'>,
): string {
  const u = unitLabels(data.unit, data.family);
  const d = `${count(layout.dLevel)} ${u.d}`;
  const measuredD =
    Math.abs(layout.dMeasured / layout.dLevel - 1) > 0.005
      ? ` (at its trials’ mean measured D, ${sig(layout.dMeasured, 3)})`
      : '';
  const otherD =
    layout.otherD.length > 0
      ? ` Trials at D = ${layout.otherD.map((v) => count(v)).join(', ')} are not drawn: the comparison is at one D, the largest.`
      : '';
  const leftOut =
    layout.leftOut.length > 0
      ? ` Sparsities ${layout.leftOut.map(sparsityLabel).join(', ')} are left out (at most as many panels as drawn).`
      : '';
  const shared = layout.shared
    ? ` Black circles: the trials ${layout.shared.startsWith('dense') ? 'at S = 0 ' : ''}that ${layout.shared.endsWith('every fit') ? 'every' : 'more than one'} fit was made from, drawn once.`
    : '';
  const left = figure.left.map(({ fit, why }) => `fit #${fit.id} (${selectionOf(fit)}), as ${why}`);
  const notDrawnText = left.length > 0 ? ` Not drawn: ${left.join('; ')}.` : '';
  return (
    `Lines: the validation loss each ${figure.keys.join(' and ')} setting's fitted law (one fit per setting, ${plural(figure.drawn.length, 'fit')}) predicts against N, at D = ${d}${measuredD}; ` +
    `one panel per sparsity level, where every law is taken at the same S (the panel's mean measured sparsity), so where one line lies below another, that setting's law predicts the lower loss at equal S, N and D. ` +
    `Markers: each fit's own trials at that D, in its colour and shape.${shared}${otherD}${leftOut}${notDrawnText}` +
    comparisonSentence(figure.comparison)
  );
}

/** The text a reader who cannot see the figure gets. */
export function settingLawsAlt(
  figure: SettingLawsFigure,
  layout: SettingLawsLayout,
  data: Pick<ReportData, 'unit' | 'family'>,
): string {
  return (
    `Line charts, one per sparsity level (${layout.panels.map((p) => sparsityLabel(p.level)).join(', ')}): validation loss against non-zero parameters on log axes at D = ${count(layout.dLevel)} ${unitLabels(data.unit, data.family).d}, ` +
    `one line per ${figure.keys.join(' and ')} setting's fitted law (${figure.drawn.map((f) => selectionOf(f)).join('; ')}), colour and dash by setting, with each fit's measured trials as markers in its colour.`
  );
}
