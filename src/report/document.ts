import { stringify } from 'yaml';
import { setAt } from '../config/axes.js';
import { isCoreAxis } from '../config/schema.js';
import { fitSummaryLines } from '../law/describe.js';
import type { SweepRecord } from '../store/types.js';
import { count } from '../util/format.js';
import { reportEnvironment, runEnvironment } from './environment.js';
import { dataFindings, denseLawFinding, fitQualityFinding, lawFindings, scaleFinding } from './findings.js';
import { excludedNote, fitOwnPoints, fitPools, fitScope, trainedUpTo } from './fit-scope.js';
import { plural, sig } from './format.js';
import type { PlotOutcome } from './plots.js';
import { type FinalPoint, finalPoints, levels } from './points.js';
import { selectionOf, settingFitsBlocks, settingFitsFindings } from './setting-fits.js';
import { isSettingLawsPlot } from './setting-laws-plot.js';
import { seedSpreadFinding, variantSpreadFinding } from './spread-findings.js';
import { coefficientTable, denseCoefficientTable, keyValueTable, trialTable } from './tables.js';
import type { Block, ReportData, ReportDocument, ReportedFit, Section } from './types.js';
import { unitLabels } from './units.js';
import {
  fitCommand,
  fitNotices,
  sparseFitRefusal,
  staleness,
  statusLine,
  sweepFlags,
  trialNotices,
} from './warnings.js';

function plotBlock(plots: Map<string, PlotOutcome>, id: string): Block {
  const p = plots.get(id);
  if (!p) throw new Error(`report: no plot "${id}"`);
  return 'plot' in p
    ? { kind: 'plot', plot: p.plot }
    : { kind: 'notice', level: 'missing', text: `${p.title}: not drawn, ${p.missing}` };
}

function findingsSection(data: ReportData, points: FinalPoint[]): Section {
  const items = [...dataFindings(points, data.unit, data.family)];
  for (const f of [variantSpreadFinding(points), seedSpreadFinding(points)]) if (f) items.push(f);
  const fit = data.fit;
  // the fits of several settings side by side come before any one setting's law, which the report draws below
  items.push(
    ...settingFitsFindings(data.settingFits ?? [], trainedUpTo(data, points), (f) =>
      staleness(f, data, points),
    ),
  );
  if (fit?.params) {
    const scope = fitScope(fit);
    // the fit's own trials: a sweep grown since has levels the fit never saw
    const fitted = fitOwnPoints(points, fit);
    const siblings = (data.settingFits ?? []).filter((f) => f.id !== fit.id && fitScope(f) !== null).length;
    if (scope)
      items.push(
        siblings > 0
          ? `The law drawn below is fit #${fit.id}, one of ${siblings + 1} fits of a selection of trials ("Laws by setting"; \`report --fit ID\` draws another), made from the trials at ${scope} (${plural(fitted.length, 'finished trial')} of ${points.length}): the findings marked "${selectionOf(fit)}" describe those trials, not the sweep.`
          : `The findings on the law below are of fit #${fit.id}, made from the trials at ${scope} only (${plural(fitted.length, 'finished trial')} of ${points.length}): they describe those trials, not the whole sweep.`,
      );
    // beside other settings' fits, each figure of this one names its setting
    const mark = (text: string) =>
      scope && siblings > 0
        ? `${selectionOf(fit)} (fit #${fit.id}): ${text[0].toLowerCase()}${text.slice(1)}`
        : text;
    // a law of several settings at once describes none of them: said before its figures, not only in a notice
    const pooled = fitPools(data, fit);
    if (pooled)
      items.push(
        `Fit #${fit.id} pools several settings of ${pooled.pooled.join(' and ')} into one law: the figures on the law below describe none of them${
          (data.settingFits ?? []).some((f) => f.where.length > 0)
            ? ' ("Laws by setting" gives the fits of each setting stored so far)'
            : ` (fit one setting at a time: \`${fitCommand(data, [pooled.example])}\`)`
        }.`,
      );
    // not converged first: where the optimiser stopped, its bounds and run-off exponents mean nothing either
    if (!fit.converged)
      items.push(
        `The law (fit #${fit.id}) did not converge, so its coefficients are where the optimiser stopped, not an optimum: it gives no findings on optimal sparsity (see the warnings).`,
      );
    else if (fit.optimumProblem)
      items.push(`The law (fit #${fit.id}) implies no optimal sparsity: ${fit.optimumProblem}.`);
    else
      items.push(
        ...lawFindings(fit.params, levels(fitted.map((p) => p.sparsity)), data.unit, fit.fit.optimal).map(
          mark,
        ),
      );
    // a marked finding names the fit in its mark already
    const quality = fitQualityFinding(fit, 'The law', !(scope && siblings > 0));
    if (quality) items.push(mark(quality));
  }
  const dense = fit ? null : data.denseFit;
  if (dense) {
    const said = denseLawFinding(dense, data.fitChosen);
    if (said) items.push(said);
    const quality = dense.params && dense.converged ? fitQualityFinding(dense, 'The dense law') : null;
    if (quality) items.push(quality);
  }
  const scale = scaleFinding(points, data.unit, Boolean(fit?.params));
  if (scale) items.push(scale);
  const notices = [...trialNotices(data, points), ...fitNotices(data, points)];
  const blocks: Block[] = [{ kind: 'paragraph', text: statusLine(data, points) }];
  if (items.length > 0) blocks.push({ kind: 'list', items });
  else blocks.push({ kind: 'notice', level: 'missing', text: 'No findings yet: nothing has finished.' });
  for (const n of notices) blocks.push({ kind: 'notice', ...n });
  return { id: 'findings', title: 'Findings', blocks };
}

/** Why the report draws the fit it draws unless told another: the newest, or the newest whose trials the sweep still has. */
function defaultFitWords(passedOver: readonly number[]): string {
  if (passedOver.length === 0) return ", this sweep's newest sparse-law fit (report --fit ID picks another)";
  const ids = passedOver.map((id) => `#${id}`).join(', ');
  return `, this sweep's newest sparse-law fit made from trials all still in it (newer ${passedOver.length === 1 ? 'fit' : 'fits'} ${ids} ${passedOver.length === 1 ? 'was' : 'were'} made from trials that have since left the sweep; report --fit ID picks any)`;
}

/** How a stored fit was made, in one sentence after `head`: its trials, objective, starts, bootstrap, hold-out. */
function fitMethod(head: string, fit: ReportedFit<unknown>, scope: string | null): string {
  const opts = fit.fit.objective;
  const excluded = excludedNote(fit);
  return (
    `${head}, stored ${fit.createdAt}, from ${count(fit.inputs.length, 'trial')}` +
    `${scope ? ` (only those at ${scope}; the plots under the law draw only these)` : ''}: mean Huber loss on ${opts?.loss === 'huber' ? 'loss' : 'log loss'} ` +
    `(δ = ${opts?.delta}), ${fit.fit.startsTotal} optimiser starts, seed ${fit.fit.seed}, ` +
    `${fit.fit.bootstrap ? `${fit.fit.bootstrap.requested} bootstrap replicates` : 'no bootstrap'}, ` +
    `${fit.fit.holdout && !fit.fit.holdout.error ? `a held-out check: a separate refit without the ${fit.fit.holdout.n_heldout} largest-N trials predicts them (this fit uses every trial)` : 'no held-out check'}.` +
    (excluded
      ? ` ${excluded[0].toUpperCase()}${excluded.slice(1)}: it stays in the trial table, not in the plots under the law.`
      : '')
  );
}

function fitSection(data: ReportData, plots: Map<string, PlotOutcome>): Section {
  const fit = data.fit;
  if (!fit) {
    const blocks: Block[] = [
      {
        kind: 'notice',
        level: 'missing',
        // Findings names the command, or, when fit-law would refuse these trials, why none can be made
        text:
          data.fitChosen && data.denseFit
            ? `Fit #${data.denseFit.id}, chosen with --fit, is a dense-law fit: no sparse-law coefficients to show.`
            : `No sparse-law fit is stored for this sweep (see Findings for ${sparseFitRefusal(data) === null ? 'the command that makes one' : 'why none can be made yet'}).`,
      },
    ];
    const dense = data.denseFit;
    if (dense)
      blocks.push(
        {
          kind: 'paragraph',
          text: fitMethod(
            `Instead, fit #${dense.id}, ${data.fitChosen ? 'a dense-law fit chosen with --fit' : "this sweep's newest dense-law fit"} (\`fit-law --form chinchilla\`: Hoffmann et al. 2022, L(N, D) = E + A / N^alpha + B / D^beta, which ignores sparsity)`,
            dense,
            fitScope(dense),
          ),
        },
        denseCoefficientTable(dense.fit, data.unit, data.family),
        { kind: 'list', items: safeSummary(dense.fit) },
        plotBlock(plots, 'residuals'),
      );
    return { id: 'fit', title: 'Scaling-law fit', blocks };
  }
  const scope = fitScope(fit);
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: fitMethod(
        `Fit #${fit.id}${data.fitChosen ? ' (chosen with --fit)' : defaultFitWords(data.newerFitsPassedOver ?? [])}`,
        fit,
        scope,
      ),
    },
    coefficientTable(fit.fit, data.unit, data.family),
    { kind: 'list', items: safeSummary(fit.fit) },
    plotBlock(plots, 'residuals'),
  ];
  return { id: 'fit', title: 'Scaling-law fit', blocks };
}

/** The fit's summary lines, or a note when the stored result is too incomplete to summarise. */
function safeSummary(fit: Parameters<typeof fitSummaryLines>[0]): string[] {
  try {
    return fitSummaryLines(fit);
  } catch (e) {
    return [`(the stored fit cannot be summarised: ${(e as Error).message})`];
  }
}

/** The newest fit of each trial selection side by side, when the sweep has fits of two or more. */
function settingsSection(
  data: ReportData,
  points: readonly FinalPoint[],
  plots: Map<string, PlotOutcome>,
): Section[] {
  const fits = data.settingFits ?? [];
  if (fits.length < 2) return [];
  // the overlaid laws first, where there are some: the figure a reader looks at before the table's numbers
  const figures = [...plots.keys()].filter(isSettingLawsPlot).map((id) => plotBlock(plots, id));
  return [
    {
      id: 'settings',
      title: 'Laws by setting',
      blocks: [
        ...figures,
        ...settingFitsBlocks(
          fits,
          data.fit?.id ?? null,
          (fit) => staleness(fit, data, points),
          trainedUpTo(data, points),
        ),
      ],
    },
  ];
}

function optimalSection(data: ReportData, plots: Map<string, PlotOutcome>): Section {
  const blocks: Block[] = [plotBlock(plots, 'optimal-map'), plotBlock(plots, 'optimal-multiple')];
  // answers a fit without an optimum gave before that was checked are limits of a bound, not answers
  const q = data.fit?.optimumProblem ? [] : (data.fit?.queries ?? []);
  if (q.length > 0)
    blocks.push({
      kind: 'table',
      caption: 'Optimal sparsity at the (N, C) pairs asked for with `fit-law --optimal`.',
      columns: [
        { header: 'N', align: 'right' },
        { header: `C (${unitLabels(data.unit, data.family).compute})`, align: 'right' },
        { header: 'S_opt', align: 'right' },
      ],
      rows: q.map((r) => [sig(r.N, 4), sig(r.C, 4), sig(r.S_opt, 4)]),
    });
  return { id: 'optimal', title: 'Optimal sparsity', blocks };
}

/**
 * The stored config with each extra axis's values back in place: the database keeps the config as the first
 * trial saw it (an axis's first value where its list was), which would read as if the sweep had used one.
 */
export function configAsSwept(sweep: Pick<SweepRecord, 'config' | 'axes'>): unknown {
  const config = structuredClone(sweep.config);
  if (config === null || typeof config !== 'object') return config;
  for (const axis of sweptSettings(sweep.axes))
    setAt(config as Record<string, unknown>, axis.key.split('.'), axis.values);
  return config;
}

/** The axes beyond S, N, D and seed (which the config's `sweep:` block lists already), values as stored. */
function sweptSettings(axes: SweepRecord['axes']): SweepRecord['axes'] {
  return axes.filter((a) => !isCoreAxis(a.key));
}

function configSection(data: ReportData, builtAt: string): Section {
  const swept = sweptSettings(data.sweep.axes);
  return {
    id: 'config',
    title: 'Configuration and environment',
    blocks: [
      keyValueTable('Where the trials ran, as recorded in the database.', runEnvironment(data)),
      keyValueTable('The software and machine that built this report.', reportEnvironment(builtAt)),
      {
        kind: 'paragraph',
        text:
          `Sweep configuration (${data.sweep.configPath}), after defaults` +
          (swept.length > 0
            ? `, with the lists of every setting the sweep varies in place (${swept.map((a) => a.key).join(', ')}):`
            : ':'),
      },
      { kind: 'code', text: stringify(configAsSwept(data.sweep)).trimEnd() },
      ...prunersAsTrained(data),
    ],
  };
}

/**
 * The pruners the sparse trials trained with, every default written out (pattern, distribution, schedule and its
 * options), each once: the config shows what was written, which leaves the defaults unsaid.
 */
function prunersAsTrained(data: ReportData): Block[] {
  const seen = new Map<string, unknown>();
  for (const t of data.trials)
    if (t.sparsity > 0 && t.spec.pruner) seen.set(JSON.stringify(t.spec.pruner), t.spec.pruner);
  if (seen.size === 0) return [];
  const specs = [...seen.values()];
  return [
    {
      kind: 'paragraph',
      text: `The ${specs.length === 1 ? 'pruner' : `${specs.length} pruners`} the sparse trials trained with, every default written out:`,
    },
    {
      kind: 'code',
      text: stringify(specs.length === 1 ? { pruner: specs[0] } : { pruners: specs }).trimEnd(),
    },
  ];
}

/** The report as a format-independent document: sections of text, tables and rendered plots. */
export function buildDocument(
  data: ReportData,
  plots: Map<string, PlotOutcome>,
  builtAt: string,
): ReportDocument {
  const points = finalPoints(data.trials);
  const description = (data.sweep.config as { description?: string } | null)?.description;
  return {
    title: `Sparse scaling study: ${data.sweep.name}`,
    // the description is the sweep's own words, often without a full stop: a line of its own, not run into the next
    subtitle: [...(description ? [description] : []), `Built ${builtAt} from ${data.dbPath}.`],
    sections: [
      // paper order: results first, then the evidence behind them, then the raw material
      findingsSection(data, points),
      {
        id: 'scaling',
        title: 'Final loss against size and data',
        blocks: [plotBlock(plots, 'loss-vs-n'), plotBlock(plots, 'loss-vs-d')],
      },
      fitSection(data, plots),
      ...settingsSection(data, points, plots),
      optimalSection(data, plots),
      { id: 'curves', title: 'Training curves', blocks: [plotBlock(plots, 'curves')] },
      {
        id: 'trials',
        title: 'Trials',
        blocks: [
          trialTable(
            data.trials,
            data.unit,
            data.family,
            `sparsebench runs list${sweepFlags(data)} --csv`,
            data.fit ?? data.denseFit ?? undefined,
          ),
        ],
      },
      configSection(data, builtAt),
    ],
  };
}
