import { denseAsSparse } from '../law/dense-law.js';
import type { SparseLawParams } from '../law/types.js';
import { excludedNote, fitScope, pointsOfFit } from './fit-scope.js';
import { count, plural, sig } from './format.js';
import { type FinalPoint, finalPoints, levels } from './points.js';
import { renderSvg } from './render.js';
import {
  settingLaws,
  settingLawsAlt,
  settingLawsCaption,
  settingLawsFigures,
  settingLawsTitle,
} from './setting-laws-plot.js';
import {
  curvePanels,
  curveSettings,
  curvesSpec,
  lossCeiling,
  MAX_CURVE_PANELS,
  MAX_CURVE_PANELS_PER_SETTING,
} from './specs/curves.js';
import { optimalMapSpec } from './specs/optimal-map.js';
import { multipleAxis, optimalMultipleSpec } from './specs/optimal-multiple.js';
import { residualPlacement, residualsSpec } from './specs/residuals.js';
import { MAX_SCALING_PANELS, scalingPanels, scalingSettings, scalingSpec } from './specs/scaling.js';
import { settingLawsLayout, settingLawsSpec } from './specs/setting-laws.js';
import { isMissing, type SpecOrMissing } from './specs/spec.js';
import { type SparsityScales, sparsityScales } from './specs/style.js';
import type { RenderedPlot, ReportData, StoredFit } from './types.js';

/**
 * What every plot builder gets: the data, its final points, those the law is drawn through (the fit's own when
 * it chose some with `--where`, else all), and the shared sparsity styles.
 */
export interface PlotContext {
  data: ReportData;
  points: FinalPoint[];
  fitted: FinalPoint[];
  scales: SparsityScales;
}

/** One plot of the report: its texts and how to build its spec. */
export interface PlotDef {
  id: string;
  title: string;
  caption(ctx: PlotContext): string;
  /** The text a reader who cannot see the plot gets: what it shows, as drawn for this data. */
  alt(ctx: PlotContext): string;
  build(ctx: PlotContext): SpecOrMissing;
}

/** Why a plot of the sparse law is not drawn when there is no sparse-law fit to draw it with. */
const noFit = (ctx: PlotContext) =>
  ctx.data.fitChosen && ctx.data.denseFit
    ? `fit #${ctx.data.denseFit.id}, chosen with --fit, is a dense-law fit, which says nothing about sparsity.`
    : 'no usable sparse-law fit is stored for this sweep (see the warnings above).';

/**
 * Why the stored fit gives no optimal sparsity to draw: it implies none (a term at its bound), or it did not
 * converge (its coefficients are where the optimiser stopped); null when it gives one, or without a fit.
 */
function optimumMissing(fit: StoredFit | null | undefined): string | null {
  if (!fit) return null;
  if (!fit.converged) return `fit #${fit.id} did not converge, so it implies no optimal sparsity to draw.`;
  return fit.optimumProblem;
}

/** A note naming the panels left out when there are more levels than panels. */
function omitted(
  all: readonly number[],
  shown: readonly number[],
  what: string,
  max: number,
  drawn = 'panels are drawn',
): string {
  const left = all.filter((v) => !shown.includes(v));
  return left.length === 0
    ? ''
    : ` At most ${max} ${drawn}; ${what} = ${left.map((v) => count(v)).join(', ')} ${left.length === 1 ? 'is' : 'are'} left out (they are in the table).`;
}

/**
 * The law the scaling plots draw: the sparse-law fit's; without one, a stored dense-law fit's, written as the
 * sparse law at S = 0 (drawn through the dense trials only); null when neither is usable.
 */
export function drawnLaw(data: ReportData): { id: number; params: SparseLawParams; dense: boolean } | null {
  if (data.fit) return data.fit.params ? { id: data.fit.id, params: data.fit.params, dense: false } : null;
  const d = data.denseFit;
  return d?.params ? { id: d.id, params: denseAsSparse(d.params), dense: true } : null;
}

/** The points a scaling plot draws: with a law, those its fit was made from; without one, all. */
const scalingPoints = (ctx: PlotContext) => (drawnLaw(ctx.data) ? ctx.fitted : ctx.points);

/** Which trials the markers are, when the fit chose some: its selection, and how many others the table holds. */
function markersScope(ctx: PlotContext): string {
  const fit = ctx.data.fit ?? ctx.data.denseFit;
  const scope = fitScope(fit);
  const excluded = excludedNote(fit);
  if (!scope)
    return excluded
      ? `each finished trial fit #${fit!.id} was made from (${excluded}; it is in the table, not drawn)`
      : 'each finished trial';
  const others = ctx.points.length - ctx.fitted.length;
  return `each trial fit #${fit!.id} was made from (${scope}; the other ${plural(others, 'finished trial')} are in the table, not drawn)`;
}

/** The trials the optimal-sparsity plots mark: the fit's selection when it made one, else the sweep's. */
function fittedTrials(ctx: PlotContext): string {
  const scope = fitScope(ctx.data.fit);
  return scope ? `the trials fit #${ctx.data.fit!.id} was made from (${scope})` : 'this sweep’s trials';
}

/**
 * The fit whose residuals are drawn (the sparse one, else the dense one), where their trials are (see
 * {@link residualPlacement}), and how many can be drawn against N.
 */
function residualsPlaced(ctx: PlotContext) {
  const fit = ctx.data.fit ?? ctx.data.denseFit;
  const placed = fit
    ? residualPlacement(fit.fit.residuals, ctx.data.trials, ctx.data.fitTrialsOutside)
    : { inSweep: 0, elsewhere: 0, unknown: 0 };
  return { fit, ...placed, againstN: placed.inSweep + placed.elsewhere };
}

/** The scaling plots' alt text: the law's lines only when a usable fit draws them. */
function scalingAlt(ctx: PlotContext, against: string): string {
  const drawn = drawnLaw(ctx.data);
  const law = !drawn
    ? ''
    : drawn.dense
      ? ', with the fitted dense law as a solid line through the dense trials'
      : ', with the fitted law as one line per sparsity, dash and colour by sparsity';
  const shape = scalingSettings(scalingPoints(ctx)).length > 0 ? 'pruner setting' : 'sparsity';
  return `Log-log scatter of final validation loss against ${against}, marker shape by ${shape}${law}.`;
}

function scalingCaption(ctx: PlotContext, axis: 'N' | 'D'): string {
  const other = axis === 'N' ? 'D' : 'N';
  const points = scalingPoints(ctx);
  const all = levels(points.map((p) => (axis === 'N' ? p.dTarget : p.nTarget)));
  const drawn = drawnLaw(ctx.data);
  const law = !drawn
    ? ' No law is drawn: no usable fit is stored.'
    : drawn.dense
      ? ` Line: the fitted dense law (fit #${drawn.id}, Hoffmann et al.'s form; ${ctx.data.fitChosen ? 'chosen with --fit' : 'no sparse-law fit is stored'}) at the dense trials' mean ${other} of the panel; it says nothing about sparse trials, so none is drawn for them.`
      : ` Lines: the fitted law (fit #${drawn.id}) at each level's measured sparsity and mean ${other} of the panel.`;
  const markers = drawn ? markersScope(ctx) : 'each finished trial';
  const settings = scalingSettings(points);
  const shapes =
    settings.length === 0
      ? 'one shape per sparsity level'
      : `colour by sparsity, shape by pruner setting (${settings.join('; ')}; the dense trials, which every setting shares, are circles)`;
  const pooled =
    settings.length > 0 && drawn && !drawn.dense
      ? ' The fit pools these settings: its line at a sparsity is one law for all of them; `fit-law --where` fits one setting alone.'
      : '';
  return (
    `Markers: final validation loss of ${markers}, ${shapes}; one panel per ${other}.` +
    law +
    pooled +
    omitted(all, scalingPanels(points, axis), other, MAX_SCALING_PANELS)
  );
}

/** Where the sweep's sparse trials differ by pruner setting: the curves' rows of panels, one per setting. */
function settingRows(ctx: PlotContext): string {
  const settings = curveSettings(ctx.data);
  return settings.length === 0
    ? ''
    : ` A row of panels per pruner setting (${settings.join('; ')}); the dense trials, which every setting shares, are drawn in each row.`;
}

/** The report's plots, in order. */
export const PLOTS: readonly PlotDef[] = [
  {
    id: 'curves',
    title: 'Training curves',
    alt: (ctx) =>
      `Line chart per ${curveSettings(ctx.data).length > 0 ? 'pruner setting and ' : ''}N level: loss against training data seen on a log axis, one line per trial, line dash and colour by sparsity.`,
    caption: (ctx) => {
      const bySetting = curveSettings(ctx.data).length > 0;
      return (
        'Lines: training loss (mean over windows of equal width on the log axis, so early steps keep their own points); hollow markers: validation loss at each evaluation. ' +
        'One line per trial, dash, marker shape and colour by sparsity; one panel per N. Unfinished trials are drawn as far as they logged.' +
        (lossCeiling(ctx.data) === null
          ? ''
          : ' Losses that spiked above the highest starting loss are cut at the top of the axis.') +
        settingRows(ctx) +
        omitted(
          levels(ctx.data.trials.map((t) => t.nonzeroTarget)),
          curvePanels(ctx.data),
          'N',
          bySetting ? MAX_CURVE_PANELS_PER_SETTING : MAX_CURVE_PANELS,
          bySetting ? 'panels are drawn in each row' : undefined,
        )
      );
    },
    build: (ctx) => curvesSpec(ctx.data, ctx.scales),
  },
  {
    id: 'loss-vs-n',
    title: 'Final loss against non-zero parameters N',
    alt: (ctx) => scalingAlt(ctx, 'non-zero parameters'),
    caption: (ctx) => scalingCaption(ctx, 'N'),
    build: (ctx) =>
      scalingSpec(
        scalingPoints(ctx),
        drawnLaw(ctx.data)?.params ?? null,
        ctx.scales,
        'N',
        ctx.data.unit,
        ctx.data.family,
        drawnLaw(ctx.data)?.dense,
      ),
  },
  {
    id: 'loss-vs-d',
    title: 'Final loss against training data D',
    alt: (ctx) => scalingAlt(ctx, 'training data'),
    caption: (ctx) => scalingCaption(ctx, 'D'),
    build: (ctx) =>
      scalingSpec(
        scalingPoints(ctx),
        drawnLaw(ctx.data)?.params ?? null,
        ctx.scales,
        'D',
        ctx.data.unit,
        ctx.data.family,
        drawnLaw(ctx.data)?.dense,
      ),
  },
  {
    id: 'residuals',
    title: 'Predicted against measured loss',
    alt: (ctx) =>
      residualsPlaced(ctx).againstN === 0
        ? 'Scatter of the loss predicted by the fit against the measured loss with the identity line.'
        : 'Left: scatter of the loss predicted by the fit against the measured loss with the identity line. Right: relative residuals in percent against N.',
    caption: (ctx) => {
      const { fit, elsewhere, unknown, againstN } = residualsPlaced(ctx);
      const law = ctx.data.fit ? 'the law’s' : `the dense law’s (fit #${fit?.id})`;
      const scatter = `each fitted trial, ${law} prediction against its measured final loss; points on the dashed line are predicted exactly.`;
      if (againstN === 0)
        return `${scatter[0].toUpperCase()}${scatter.slice(1)} None of fit #${fit?.id}'s trials is in this sweep or this database now (grey crosses), so their N is unknown here and the residuals against N are not drawn.`;
      const gone = [
        elsewhere > 0
          ? ` Grey crosses: ${elsewhere} of fit #${fit?.id}'s trials that are no longer in this sweep (still in the database).`
          : '',
        unknown > 0
          ? ` ${unknown} of its trials ${unknown === 1 ? 'is' : 'are'} in neither the sweep nor the database (grey crosses on the left only: their N is unknown here).`
          : '',
      ].join('');
      return `Left: ${scatter} Right: (measured − predicted) / measured, in percent, against N.${gone}`;
    },
    build: (ctx) => {
      const fit = ctx.data.fit ?? ctx.data.denseFit;
      return fit
        ? residualsSpec(
            fit.fit.residuals,
            ctx.data.trials,
            ctx.scales,
            ctx.data.unit,
            ctx.data.family,
            ctx.data.fitTrialsOutside,
          )
        : { missing: noFit(ctx) };
    },
  },
  {
    id: 'optimal-map',
    title: 'Optimal sparsity over model size and compute',
    alt: () =>
      'Heat map of the loss-optimal sparsity over non-zero parameters and training compute, with labelled contour lines at 0 (where sparsity starts to pay), 25, 50, 75 and 90 percent where the map reaches them, the dense compute-optimal line, and a dashed box around the trials (outside it the map extrapolates).',
    caption: (ctx) =>
      'Shading and labelled solid contours: the loss-optimal sparsity S_opt(N, C) under the fitted law at fixed non-zero N and compute C = 6·N/(1−S)·D. ' +
      'Below the S_opt = 0% contour sparsity does not pay (S_opt is 0 there). Dashed: compute of a dense model trained on its compute-optimal data. ' +
      (ctx.data.family === 't5'
        ? 'For t5, D counts encoder input tokens but the decoder sees only the shorter targets, so 6·N/(1−S)·D overstates the training FLOPs. '
        : '') +
      `White markers: ${fittedTrials(ctx)}, inside the dashed red box of the N and C they span; the map reaches well past it (to 100× their largest N), where it is the law's extrapolation, not a measurement.`,
    build: (ctx) =>
      ctx.data.fit?.params && !optimumMissing(ctx.data.fit)
        ? optimalMapSpec(ctx.data.fit.params, ctx.fitted, ctx.scales, ctx.data.unit, ctx.data.family)
        : { missing: optimumMissing(ctx.data.fit) ?? noFit(ctx) },
  },
  {
    id: 'optimal-multiple',
    title: 'Optimal sparsity against training data',
    alt: () =>
      'Line chart of loss-optimal sparsity against the multiple of compute-optimal training data, for this fit and the two published fits.',
    caption: (ctx) =>
      'Loss-optimal sparsity when training on a multiple of the dense compute-optimal data (independent of N), for this fit and the paper’s published T5/C4 and ViT/JFT fits. ' +
      'The multiple is of compute: C/(6N) = D/(1−S), the data a dense model of the same N trains on with that compute; a sparse model at S trains on (1−S) of it. ' +
      `Markers at the bottom: where ${fittedTrials(ctx)} lie under this fit, each at its own D/(1−S)${offAxis(ctx)}. ` +
      "The curves are point estimates: this fit's 95% bootstrap ranges are in the Findings.",
    build: (ctx) =>
      ctx.data.fit?.params && !optimumMissing(ctx.data.fit)
        ? optimalMultipleSpec(ctx.data.fit.params, ctx.fitted, ctx.scales)
        : { missing: optimumMissing(ctx.data.fit) ?? noFit(ctx) },
  },
];

/** The trials the optimal-multiple figure draws at its axis' edges, in words ("", or "; 3 beyond 1e5×, drawn at the edge"). */
function offAxis(ctx: PlotContext): string {
  const params = ctx.data.fit?.params;
  if (!params) return '';
  const { lo, hi, below, above } = multipleAxis(params, ctx.fitted);
  const parts = [
    ...(below > 0 ? [`${plural(below, 'trial')} below ${sig(lo, 2)}×`] : []),
    ...(above > 0 ? [`${plural(above, 'trial')} beyond ${sig(hi, 2)}×`] : []),
  ];
  return parts.length > 0 ? `; ${parts.join(' and ')}, drawn at the edge` : '';
}

/** A plot as the document sees it: rendered, or the reason it is missing. */
export type PlotOutcome = { plot: RenderedPlot } | { id: string; title: string; missing: string };

/** The context every plot is built from. */
export function plotContext(data: ReportData): PlotContext {
  const points = finalPoints(data.trials);
  return {
    data,
    points,
    fitted: pointsOfFit(points, data.fit ?? data.denseFit),
    scales: sparsityScales(data.trials.map((t) => t.sparsity)),
  };
}

/**
 * Builds and renders every plot of {@link PLOTS}, then the figures of overlaid laws by setting there are; Vega
 * warnings are returned, never printed.
 */
export async function renderPlots(
  data: ReportData,
): Promise<{ plots: Map<string, PlotOutcome>; warnings: string[] }> {
  const ctx = plotContext(data);
  const plots = new Map<string, PlotOutcome>();
  const warnings: string[] = [];
  for (const def of PLOTS) {
    const spec = def.build(ctx);
    if (isMissing(spec)) {
      plots.set(def.id, { id: def.id, title: def.title, missing: spec.missing });
      continue;
    }
    const r = await renderSvg(spec, `${def.id}-`);
    warnings.push(...r.warnings.map((w) => `${def.id}: ${w}`));
    plots.set(def.id, {
      plot: { id: def.id, title: def.title, caption: def.caption(ctx), alt: def.alt(ctx), svg: r.svg },
    });
  }
  // the laws of several settings overlaid, one figure per group of fits, only where some are drawn
  for (const figure of settingLawsFigures(data, ctx.points)) {
    const laws = settingLaws(figure, ctx.points);
    const layout = settingLawsLayout(laws);
    const spec = settingLawsSpec(laws, data.unit, data.family);
    const title = settingLawsTitle(figure);
    if (isMissing(spec) || !layout) {
      plots.set(figure.id, { id: figure.id, title, missing: isMissing(spec) ? spec.missing : 'no trials.' });
      continue;
    }
    const r = await renderSvg(spec, `${figure.id}-`);
    warnings.push(...r.warnings.map((w) => `${figure.id}: ${w}`));
    plots.set(figure.id, {
      plot: {
        id: figure.id,
        title,
        caption: settingLawsCaption(figure, layout, data),
        alt: settingLawsAlt(figure, layout, data),
        svg: r.svg,
      },
    });
  }
  return { plots, warnings };
}
