import { describe, expect, it } from 'vitest';
import { sparseLoss } from '../../src/law/optimal.js';
import type { LawFit, SparseLawParams } from '../../src/law/types.js';
import { buildDocument } from '../../src/report/document.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderPlots } from '../../src/report/plots.js';
import { type FinalPoint, finalPoints } from '../../src/report/points.js';
import { renderSvg } from '../../src/report/render.js';
import type { SettingComparison } from '../../src/report/setting-fits.js';
import {
  comparisonSentence,
  isSettingLawsPlot,
  SETTING_LAWS_ID,
  settingLaws,
  settingLawsCaption,
  settingLawsFigures,
} from '../../src/report/setting-laws-plot.js';
import {
  lossTicks,
  type SettingLaw,
  settingLawRows,
  settingLawsLayout,
  settingLawsSpec,
} from '../../src/report/specs/setting-laws.js';
import { isMissing } from '../../src/report/specs/spec.js';
import type { Block, ReportData, ReportDocument, StoredFit } from '../../src/report/types.js';
import type { TrialRecord } from '../../src/store/types.js';
import { LAW, reportData, trial } from './fixtures.js';

/** A law that gains more from sparsity than {@link LAW}: its sparse lines lie lower. */
const RIGL: SparseLawParams = { ...LAW, a_S: 45, c_S: 45 };

/** A hand-made final point. */
function point(id: string, sparsity: number, N: number, D: number, loss: number): FinalPoint {
  return {
    id,
    sparsity,
    achieved: sparsity,
    N,
    D,
    loss,
    embedding: 0,
    nTarget: N,
    dTarget: D,
    seed: 0,
    group: '',
    variant: '',
    context: '',
  };
}

describe('the overlaid laws: layout and rows', () => {
  const dense = [point('d1', 0, 1e4, 1e5, 3), point('d2', 0, 3e4, 1e5, 2.8), point('d3', 0, 1e4, 4e5, 2.7)];
  const gmp = [point('g1', 0.5, 1e4, 1e5, 3.1), { ...point('g2', 0.5, 3e4, 4e5, 2.6), achieved: 0.48 }];
  const rigl = [point('r1', 0.5, 1e4, 4e5, 2.75), point('r2', 0.75, 1e4, 4e5, 2.9)];
  const laws: SettingLaw[] = [
    { label: 'gmp (fit #1)', params: LAW, points: [...dense, ...gmp] },
    { label: 'rigl (fit #2)', params: RIGL, points: [...dense, ...rigl] },
  ];

  it('holds the largest D fixed, a panel per sparsity there at its trials’ mean measured S, and names the rest', () => {
    const layout = settingLawsLayout(laws)!;
    expect(layout.dLevel).toBe(4e5);
    expect(layout.otherD).toEqual([1e5]);
    expect(layout.panels).toEqual([
      { level: 0, S: 0 },
      { level: 0.5, S: 0.49 },
      { level: 0.75, S: 0.75 },
    ]);
    expect(layout.leftOut).toEqual([]);
    // the dense trials are in both fits
    expect(layout.shared).toBe('dense, in every fit');
    expect(settingLawsLayout([{ ...laws[0], points: [] }])).toBeNull();
  });

  it('draws each law at the panel’s S and the fixed D, and each trial at that D once, shared ones as shared', () => {
    const layout = settingLawsLayout(laws)!;
    const rows = settingLawRows(laws, layout);
    const measured = rows.filter((r) => r.kind === 'measured');
    expect(measured.map((r) => [r.panel, r.setting, r.N, r.loss])).toEqual([
      ['dense', 'dense, in every fit', 1e4, 2.7],
      ['50% sparse', 'gmp (fit #1)', 3e4, 2.6],
      ['50% sparse', 'rigl (fit #2)', 1e4, 2.75],
      ['75% sparse', 'rigl (fit #2)', 1e4, 2.9],
    ]);
    const line = rows.filter(
      (r) => r.kind === 'law' && r.panel === '50% sparse' && r.setting === 'rigl (fit #2)',
    );
    expect(line.length).toBeGreaterThan(10);
    for (const r of line) expect(r.loss).toBeCloseTo(sparseLoss(RIGL, 0.49, r.N, 4e5), 12);
    // the line spans the measured N, and beyond
    expect(Math.min(...line.map((r) => r.N))).toBeLessThan(1e4);
    expect(Math.max(...line.map((r) => r.N))).toBeGreaterThan(3e4);
    // where one law gains more from sparsity, its line lies below the other's at every N
    const at = (setting: string) =>
      rows
        .filter((r) => r.kind === 'law' && r.panel === '75% sparse' && r.setting === setting)
        .map((r) => r.loss);
    const [g, r] = [at('gmp (fit #1)'), at('rigl (fit #2)')];
    expect(r.every((v, i) => v < g[i])).toBe(true);
  });

  it('labels trials in some fits but not all, and keeps a setting’s own trials in its colour', () => {
    const third: SettingLaw = {
      label: 'set (fit #3)',
      params: LAW,
      points: [point('s1', 0.5, 1e4, 4e5, 2.8)],
    };
    const layout = settingLawsLayout([...laws, third])!;
    expect(layout.shared).toBe('dense, in several fits');
    // seeds' fits share no trial: nothing is drawn as shared
    const own = settingLawsLayout([
      { label: '0 (fit #1)', params: LAW, points: gmp },
      { label: '1 (fit #2)', params: RIGL, points: rigl },
    ])!;
    expect(own.shared).toBeNull();
    expect(
      settingLawRows([laws[0], third], settingLawsLayout([laws[0], third])!).some(
        (r) => r.setting === 'set (fit #3)',
      ),
    ).toBe(true);
  });

  it('compiles to one legend by fit, without a Vega warning; fewer than two laws draw nothing', async () => {
    const spec = settingLawsSpec(laws, 'tokens', 'lm');
    if (isMissing(spec)) throw new Error(spec.missing);
    const { svg, warnings } = await renderSvg(spec, 'x-');
    expect(warnings).toEqual([]);
    expect(svg).toContain('sparsity, at D = 400k tokens');
    expect(svg).toContain('N, non-zero parameters (log scale)');
    expect(svg).toContain('val. loss (nats/token, log)');
    for (const label of ['dense, in every fit', 'gmp (fit #1)', 'rigl (fit #2)'])
      expect(svg).toContain(label);
    // a single legend: colour, shape and dash share the field
    expect(svg.match(/role-legend"/g) ?? []).toHaveLength(1);
    expect(isMissing(settingLawsSpec(laws.slice(0, 1), 'tokens'))).toBe(true);
  });
});

/** Trials of a sweep over pruner.name (gmp from {@link LAW}, rigl from {@link RIGL}), the dense ones shared. */
function prunerTrials(): TrialRecord[] {
  const out: TrialRecord[] = [];
  for (const s of [0, 0.5, 0.75])
    for (const name of s === 0 ? ['gmp'] : ['gmp', 'rigl'])
      for (const N of [8000, 24000])
        for (const D of [200_000, 600_000, 1_800_000]) {
          const t = trial(s, N, D);
          const loss = sparseLoss(name === 'rigl' ? RIGL : LAW, s, N, D) * (1 + 0.01 * Math.sin(out.length));
          out.push({
            ...t,
            pruner: s === 0 ? 'dense' : name,
            finalValLoss: loss,
            axes: { sparsity: s, nonzero_params: N, tokens: D, seed: 0, 'pruner.name': name },
          });
        }
  return out;
}

/**
 * A stored fit of one selection (coefficients given, not fitted), made from the trials `--where` picks, with a
 * dense-equivalent size at 75% and its interval.
 */
function selectionFit(
  id: number,
  where: string,
  params: SparseLawParams,
  trials: readonly TrialRecord[],
  at75: [number, [number, number] | undefined],
  extra: Partial<StoredFit> = {},
): StoredFit {
  const [key, value] = where.split('=');
  const inputs = trials
    .filter((t) => t.sparsity === 0 || (t.axes as Record<string, unknown>)[key] === value)
    .map((t) => t.id);
  return {
    id,
    createdAt: '2026-01-02T00:00:00.000Z',
    converged: true,
    inputs,
    where: [where],
    excluded: [],
    fit: {
      params: { ...params },
      n_points: inputs.length,
      rmse_log: 0.01,
      optimal: {
        data_multiple_where_sparsity_pays: 3,
        at_data_multiples: [{ data_multiple: 10, sparsity: 0.4 }],
        dense_equivalent: [{ sparsity: 0.75, factor: at75[0], ...(at75[1] ? { interval: at75[1] } : {}) }],
      },
    } as unknown as LawFit,
    params: { ...params },
    problem: null,
    optimumProblem: null,
    queries: [],
    ...extra,
  };
}

/** Report data of the pruner sweep with these per-selection fits stored (no fit drawn above). */
function withFits(trials: TrialRecord[], fits: StoredFit[]): ReportData {
  const data = reportData(trials, null);
  return {
    ...data,
    sweep: {
      ...data.sweep,
      axes: [
        { key: 'sparsity', values: [0, 0.5, 0.75] },
        { key: 'pruner.name', values: ['gmp', 'rigl', 'set'] },
      ],
    },
    settingFits: fits,
  };
}

const plotIds = (doc: ReportDocument, section: string): string[] =>
  doc.sections
    .filter((s) => s.id === section)
    .flatMap((s) => s.blocks)
    .flatMap((b: Block) => (b.kind === 'plot' ? [b.plot.id] : []));

describe('the loss axis of the overlaid laws', () => {
  it('labels round losses, at most seven, with the digits their step needs', () => {
    expect(lossTicks(2.45, 3.15)).toEqual({ values: [2.5, 2.6, 2.7, 2.8, 2.9, 3, 3.1], format: '.1f' });
    expect(lossTicks(2.6, 5.5)).toEqual({ values: [3, 3.5, 4, 4.5, 5, 5.5], format: '.1f' });
    expect(lossTicks(2.71, 2.79)).toEqual({ values: [2.72, 2.74, 2.76, 2.78], format: '.2f' });
    expect(lossTicks(1.5, 9)).toEqual({ values: [2, 4, 6, 8], format: '.0f' });
  });
});

describe('the overlaid laws in the report', () => {
  const trials = prunerTrials();
  const gmp = selectionFit(1, 'pruner.name=gmp', LAW, trials, [2.4, [2.2, 2.6]]);
  const rigl = selectionFit(2, 'pruner.name=rigl', RIGL, trials, [1.8, [1.6, 2.0]]);

  it('draws one figure for two converged fits selected by the same key, first in Laws by setting', async () => {
    const data = withFits(trials, [gmp, rigl]);
    const { plots, warnings } = await renderPlots(data);
    expect(warnings).toEqual([]);
    const doc = buildDocument(data, plots, '2026-01-03T00:00:00.000Z');
    expect(plotIds(doc, 'settings')).toEqual([SETTING_LAWS_ID]);
    const settings = doc.sections.find((s) => s.id === 'settings')!;
    expect(settings.blocks[0].kind).toBe('plot');
    expect(settings.blocks[1].kind).toBe('table');
    const p = plots.get(SETTING_LAWS_ID)!;
    if (!('plot' in p)) throw new Error(p.missing);
    expect(p.plot.title).toBe('Fitted laws by pruner.name, overlaid');
    expect(p.plot.svg).toContain('gmp (fit #1)');
    expect(p.plot.caption).toContain('at D = 1.8M tokens');
    expect(p.plot.caption).toContain('Trials at D = 200k, 600k are not drawn');
    expect(p.plot.caption).toContain(
      'Black circles: the trials at S = 0 that every fit was made from, drawn once.',
    );
    expect(p.plot.caption).toContain(
      'Noise: at 75% sparsity, the 95% bootstrap intervals of the dense-equivalent sizes of the two do not overlap: there the fit of pruner.name=gmp gives a larger dense-equivalent size than that of pruner.name=rigl (see Findings).',
    );
    // Markdown names the figure's file
    expect(renderMarkdown(doc)).toContain('](report-setting-laws.svg)');
  });

  it('draws none with fewer than two converged fits in a group, or fits selected by different keys', async () => {
    const failed = { ...rigl, converged: false };
    for (const fits of [[gmp, failed], [gmp, { ...rigl, params: null, problem: 'b_N must be > 0' }], [gmp]]) {
      const data = withFits(trials, fits);
      expect(settingLawsFigures(data, finalPoints(trials))).toEqual([]);
      const { plots } = await renderPlots(data);
      expect([...plots.keys()].some(isSettingLawsPlot)).toBe(false);
      expect(plotIds(buildDocument(data, plots, '2026-01-03T00:00:00.000Z'), 'settings')).toEqual([]);
    }
    // a pruner's fit and a seed's select different trials, not one setting's
    const seed = { ...rigl, where: ['seed=0'] };
    expect(settingLawsFigures(withFits(trials, [gmp, seed]), finalPoints(trials))).toEqual([]);
    // the whole sweep's fit is no setting
    expect(settingLawsFigures(withFits(trials, [{ ...gmp, where: [] }, rigl]), finalPoints(trials))).toEqual(
      [],
    );
  });

  it('leaves out a fit that did not converge or is out of date, and says so', () => {
    const set = { ...selectionFit(3, 'pruner.name=set', LAW, trials, [2, undefined]), converged: false };
    const old = { ...gmp, createdAt: '2025-12-31T00:00:00.000Z', inputs: gmp.inputs.slice(1) };
    const points = finalPoints(trials);
    const [figure] = settingLawsFigures(withFits(trials, [gmp, rigl, set]), points);
    expect(figure.drawn.map((f) => f.id)).toEqual([1, 2]);
    expect(figure.left.map((l) => [l.fit.id, l.why])).toEqual([[3, 'it did not converge']]);
    const layout = settingLawsLayout(settingLaws(figure, points))!;
    expect(settingLawsCaption(figure, layout, { unit: 'tokens' })).toContain(
      'Not drawn: fit #3 (pruner.name=set), as it did not converge.',
    );
    const third = selectionFit(4, 'pruner.name=set', LAW, trials, [2, undefined]);
    const [withOld] = settingLawsFigures(withFits(trials, [old, rigl, third]), points);
    expect(withOld.left.map((l) => [l.fit.id, l.why])).toEqual([[1, 'it is out of date']]);
  });

  it('draws a figure for each group: the pruners’ fits and the seeds’', async () => {
    const seeded = trials.map((t, i) => (i % 2 === 0 ? t : { ...t, seed: 1, axes: { ...t.axes, seed: 1 } }));
    const data = withFits(seeded, [gmp, rigl]);
    data.sweep.axes.push({ key: 'seed', values: [0, 1] });
    const bySeed = (seed: number, id: number) => ({
      ...selectionFit(id, `seed=${seed}`, LAW, seeded, [2, [1.5, 2.5]]),
      inputs: seeded.filter((t) => t.seed === seed).map((t) => t.id),
    });
    data.settingFits = [
      {
        ...gmp,
        inputs: seeded.filter((t) => t.sparsity === 0 || t.axes?.['pruner.name'] === 'gmp').map((t) => t.id),
      },
      {
        ...rigl,
        inputs: seeded.filter((t) => t.sparsity === 0 || t.axes?.['pruner.name'] === 'rigl').map((t) => t.id),
      },
      bySeed(0, 5),
      bySeed(1, 6),
    ];
    const figures = settingLawsFigures(data, finalPoints(seeded));
    expect(figures.map((f) => [f.id, f.keys, f.drawn.map((d) => d.id)])).toEqual([
      [SETTING_LAWS_ID, ['pruner.name'], [1, 2]],
      [`${SETTING_LAWS_ID}-2`, ['seed'], [5, 6]],
    ]);
    const { plots, warnings } = await renderPlots(data);
    expect(warnings).toEqual([]);
    expect(plotIds(buildDocument(data, plots, '2026-01-03T00:00:00.000Z'), 'settings')).toEqual([
      SETTING_LAWS_ID,
      `${SETTING_LAWS_ID}-2`,
    ]);
    const p = plots.get(`${SETTING_LAWS_ID}-2`)!;
    expect('plot' in p && p.plot.caption).toContain(
      'this check does not show the law moving from seed to seed',
    );
    // the seeds' fits share no trial
    expect('plot' in p && p.plot.caption).not.toContain('Black circles');
  });
});

describe('what the caption says of noise', () => {
  const named = (id: number, where: string) => ({ id, where: [where] }) as StoredFit;
  const c = (over: Partial<SettingComparison>): SettingComparison => ({
    level: 0.75,
    beyondTrials: false,
    sorted: [
      { fit: named(1, 'pruner.name=gmp'), d: { sparsity: 0.75, factor: 2.4 } },
      { fit: named(2, 'pruner.name=rigl'), d: { sparsity: 0.75, factor: 1.8 } },
    ],
    seeds: false,
    apart: false,
    otherLevels: [],
    outOfDate: 0,
    ...over,
  });

  it('names the check, the sparsity and whether the intervals overlap, as Findings does', () => {
    expect(comparisonSentence(c({}))).toBe(
      ' Noise: at 75% sparsity, the 95% bootstrap intervals of the dense-equivalent sizes of the two overlap: this check finds no difference between the settings there (which does not show them alike) (see Findings). The lines themselves carry no intervals.',
    );
    expect(comparisonSentence(c({ apart: true }))).toContain(
      'do not overlap: there the fit of pruner.name=gmp gives a larger dense-equivalent size than that of pruner.name=rigl',
    );
    expect(comparisonSentence(c({ apart: null }))).toContain('Not every fit has bootstrap intervals');
    // a lower level the fits were made from where the check comes out otherwise, as Findings says it
    const [gmp, rigl] = c({}).sorted.map((x) => x.fit);
    expect(
      comparisonSentence(c({ otherLevels: [{ level: 0.5, apart: true, high: gmp, low: rigl }] })),
    ).toContain(
      '(see Findings). At 50%, which the fits were also made from, the 95% intervals of the two do not overlap (pruner.name=gmp above pruner.name=rigl). The lines',
    );
    expect(comparisonSentence(c({ beyondTrials: true }))).toContain(
      'at 75% sparsity (beyond the sparsities trained at: an extrapolation)',
    );
    const three = c({
      sorted: [...c({}).sorted, { fit: named(3, 'pruner.name=set'), d: { sparsity: 0.75, factor: 1 } }],
    });
    expect(comparisonSentence(three)).toContain('of the highest and the lowest (the extremes of several');
    expect(comparisonSentence(c({ seeds: true, apart: true }))).toContain('the law moves from seed to seed');
    expect(comparisonSentence(null)).toContain('Findings compare no dense-equivalent sizes of these fits');
  });
});
