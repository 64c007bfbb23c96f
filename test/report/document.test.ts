import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { buildDocument, configAsSwept } from '../../src/report/document.js';
import { renderHtml } from '../../src/report/html.js';
import { toStoredFit } from '../../src/report/load.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { PLOTS, plotContext, renderPlots } from '../../src/report/plots.js';
import { trialTable } from '../../src/report/tables.js';
import type { Block, ReportData, ReportDocument } from '../../src/report/types.js';
import type { TrialRecord } from '../../src/store/types.js';
import { denseFitOf, FIT_GRID, fitOf, grid, reportData, trial } from './fixtures.js';

async function documentOf(data: ReportData): Promise<ReportDocument> {
  const { plots, warnings } = await renderPlots(data);
  expect(warnings).toEqual([]);
  return buildDocument(data, plots, '2026-01-03T00:00:00.000Z');
}

const blocks = (doc: ReportDocument, section?: string): Block[] =>
  doc.sections.filter((s) => section === undefined || s.id === section).flatMap((s) => s.blocks);
const notices = (doc: ReportDocument, level?: 'warning' | 'missing') =>
  blocks(doc)
    .filter(
      (b): b is Extract<Block, { kind: 'notice' }> =>
        b.kind === 'notice' && (level === undefined || b.level === level),
    )
    .map((b) => b.text);
/** The plots of the document with this id (at most one). */
const plotsOf = (doc: ReportDocument, id: string) =>
  blocks(doc).flatMap((b) => (b.kind === 'plot' && b.plot.id === id ? [b.plot] : []));
const plotIds = (doc: ReportDocument) => blocks(doc).flatMap((b) => (b.kind === 'plot' ? [b.plot.id] : []));

describe('the report document', () => {
  it("speaks for the fit's own trials: levels the sweep gained since are not in its findings", async () => {
    const trials = grid(FIT_GRID);
    const fit = fitOf(trials);
    // a fourth sparsity finished after the fit
    const grown = [...trials, ...FIT_GRID.N.flatMap((N) => FIT_GRID.D.map((D) => trial(0.875, N, D)))];
    const doc = await documentOf(reportData(grown, fit));
    const findings = blocks(doc, 'findings').flatMap((b) => (b.kind === 'list' ? b.items : []));
    const equivalent = findings.find((i) =>
      i.startsWith('From the fitted law, the dense-equivalent size at equal non-zero parameters'),
    );
    expect(equivalent).toMatch(/ at 50% and [0-9.]+× .* at 75% \(the paper's/);
    expect(equivalent).not.toContain('87.5%');
    expect(notices(doc, 'warning').join('\n')).toMatch(
      /out of date: 6 finished trials of this sweep are not in it/,
    );
  });

  it('has every part for a finished sweep with a stored fit', async () => {
    // three of each axis: a fit that converges
    const trials = grid({ sparsity: [0, 0.5, 0.75], N: [8000, 24000, 72000], D: [1e5, 1e6, 1e7] });
    const fit = fitOf(trials);
    expect(fit.converged).toBe(true);
    const doc = await documentOf(reportData(trials, fit));
    expect(doc.sections.map((s) => s.id)).toEqual([
      'findings',
      'scaling',
      'fit',
      'optimal',
      'curves',
      'trials',
      'config',
    ]);
    expect(plotIds(doc).sort()).toEqual([
      'curves',
      'loss-vs-d',
      'loss-vs-n',
      'optimal-map',
      'optimal-multiple',
      'residuals',
    ]);
    expect(notices(doc, 'missing')).toEqual([]);
    const findings = blocks(doc, 'findings').find((b) => b.kind === 'list');
    // each figure with its bootstrap interval
    expect(
      findings?.kind === 'list' &&
        findings.items.some((i) =>
          /^From the fitted law, at 4× the compute-optimal data, the loss-optimal sparsity is [0-9.]+% \(95% bootstrap: [0-9.]+% to [0-9.]+%\)/.test(
            i,
          ),
        ),
    ).toBe(true);
    const table = blocks(doc, 'trials')[0];
    expect(table.kind === 'table' && table.rows.length).toBe(27);
    // the fixture's database is the default one: the command names the sweep only
    expect(table.kind === 'table' && table.caption).toContain(
      'As CSV, with every measured value in full: `sparsebench runs list --sweep fixture --csv`.',
    );
    const coefs = blocks(doc, 'fit').find((b) => b.kind === 'table');
    expect(coefs?.kind === 'table' && coefs.rows.map((r) => r[0])).toEqual([
      'a_S',
      'b_S',
      'c_S',
      'b_N',
      'a_D',
      'b_D',
      'c',
    ]);
    expect(coefs?.kind === 'table' && coefs.rows[0][5]).toBe('16.8'); // the paper's T5 a_S beside ours
    // the pruner as the sparse trials trained with it, defaults written out, once
    const pruner = {
      name: 'gmp',
      options: {},
      schedule: { name: 'cubic', start: 0.25, end: 0.75, interval: 100 },
    } as unknown as TrialRecord['spec']['pruner'];
    const withPruner = trials.map((t) => (t.sparsity > 0 ? { ...t, spec: { ...t.spec, pruner } } : t));
    const config = blocks(await documentOf(reportData(withPruner, fit)), 'config');
    expect(
      config.some(
        (b) => b.kind === 'paragraph' && b.text.startsWith('The pruner the sparse trials trained with'),
      ),
    ).toBe(true);
    expect(config.at(-1)).toEqual({
      kind: 'code',
      text: expect.stringMatching(/^pruner:\n {2}name: gmp\n[\s\S]*interval: 100$/),
    });
    expect(blocks(doc, 'config').some((b) => b.kind === 'paragraph' && b.text.includes('trained with'))).toBe(
      false,
    );
  });

  it('gives no optimal-sparsity findings from a fit that did not converge, and says why', async () => {
    const trials = grid({ sparsity: [0, 0.5, 0.75], N: [8000, 24000], D: [200_000, 2_000_000] });
    const fit = fitOf(trials);
    expect(fit.converged).toBe(false);
    const findings = blocks(await documentOf(reportData(trials, fit)), 'findings').find(
      (b) => b.kind === 'list',
    );
    const items = findings?.kind === 'list' ? findings.items : [];
    expect(items).toContain(
      'The law (fit #7) did not converge, so its coefficients are where the optimiser stopped, not an optimum: it gives no findings on optimal sparsity (see the warnings).',
    );
    expect(items.some((i) => /compute-optimal data/.test(i))).toBe(false);
    // nor optimal-sparsity plots drawn from where the optimiser stopped
    const doc = await documentOf(reportData(trials, fit));
    expect(notices(doc, 'missing')).toContain(
      'Optimal sparsity over model size and compute: not drawn, fit #7 did not converge, so it implies no optimal sparsity to draw.',
    );
    expect(plotIds(doc)).not.toContain('optimal-map');
  });

  it('without a stored fit: says so, names the command, and shows everything else', async () => {
    const doc = await documentOf(reportData(grid(), null));
    expect(notices(doc, 'missing')[0]).toMatch(
      /^No sparse-law fit is stored for sweep fixture: run `sparsebench fit-law --sweep fixture`, then rebuild this report/,
    );
    expect(plotIds(doc).sort()).toEqual(['curves', 'loss-vs-d', 'loss-vs-n']);
    // the two optimal-sparsity plots; the fit section says why it is empty
    expect(notices(doc, 'missing').filter((t) => t.includes('not drawn'))).toHaveLength(2);
    expect(notices(doc, 'missing')).toContain(
      'No sparse-law fit is stored for this sweep (see Findings for the command that makes one).',
    );
    expect(blocks(doc, 'trials')[0].kind).toBe('table');
  });

  it('without a stored fit and too few trials for one: the fit section sends the reader to why, not to a command', async () => {
    const doc = await documentOf(reportData(grid().slice(0, 6), null));
    expect(notices(doc, 'missing')[0]).toMatch(/none can be made from the finished trials yet/);
    // before: "see Findings for the command that makes one", where Findings names none
    expect(notices(doc, 'missing')).toContain(
      'No sparse-law fit is stored for this sweep (see Findings for why none can be made yet).',
    );
  });

  it('names --db in the command when the database is not the default one', async () => {
    const data = { ...reportData(grid(), null), dbPath: '/data/study.db' };
    const doc = await documentOf(data);
    expect(notices(doc, 'missing')[0]).toContain('`sparsebench fit-law --sweep fixture --db /data/study.db`');
  });

  it('while the sweep is running: warns, plots what finished, draws unfinished curves as far as they go', async () => {
    const trials = grid(undefined, (i) => (i === 3 ? 'running' : i >= 10 ? 'pending' : 'finished'));
    const finished = trials.filter((t) => t.status === 'finished');
    const doc = await documentOf(reportData(trials, fitOf(finished)));
    expect(notices(doc, 'warning')[0]).toBe(
      'The sweep is not finished: 1 running and 2 pending of 12 trials. Final-loss plots show the finished trials only; rebuild the report when the sweep is done.',
    );
    expect(plotIds(doc)).toContain('curves');
    const curves = blocks(doc, 'curves')[0];
    expect(curves.kind === 'plot' && curves.plot.svg.length).toBeGreaterThan(5000);
    const table = blocks(doc, 'trials')[0];
    expect(table.kind === 'table' && table.rows.map((r) => r[1]).filter((s) => s !== 'finished')).toEqual([
      'running',
      'pending',
      'pending',
    ]);
  });

  it('says when a running trial has lost its process, as runs list does', async () => {
    const trials = grid(undefined, (i) => (i === 3 ? 'running' : 'finished'));
    // this host, a pid that cannot exist: the process is gone
    trials[3] = { ...trials[3], owner: `${hostname()}:2147483646:abcdef`, heartbeatAt: Date.now() };
    const doc = await documentOf(reportData(trials, null));
    expect(notices(doc, 'warning')[0]).toBe(
      'The sweep is not finished: 1 running (1 of them with their process gone or silent: run the sweep again to resume it) and 0 pending of 12 trials. Final-loss plots show the finished trials only; rebuild the report when the sweep is done.',
    );
    const table = blocks(doc, 'trials')[0];
    expect(table.kind === 'table' && table.rows[3][1]).toBe('running (owner gone)');
  });

  it('flags a fit made before more trials finished', async () => {
    // the fit (2026-01-02) used ten trials; two more finished after it
    const trials = grid().map((t, i) => (i < 10 ? t : { ...t, finishedAt: '2026-01-02T08:00:00.000Z' }));
    const doc = await documentOf(reportData(trials, fitOf(trials.slice(0, 10))));
    expect(
      notices(doc, 'warning').some((t) =>
        t.startsWith('The stored fit #7 (2026-01-02T00:00:00.000Z) is out of date: 2 trials finished since.'),
      ),
    ).toBe(true);
    // finished before it, yet not in it (a fit merged from another database): not "since"
    const all = grid();
    const older = await documentOf(reportData(all, fitOf(all.slice(0, 11))));
    expect(notices(older, 'warning')).toContainEqual(
      expect.stringMatching(/is out of date: 1 finished trial of this sweep is not in it\. Run/),
    );
  });

  it('draws a fit of trials no longer in the sweep (run again with another plan) without their N, and says so', async () => {
    const gone = grid(FIT_GRID);
    const trials = grid(FIT_GRID); // the same plan run again: new trial ids
    const data = reportData(trials, fitOf(gone));
    const doc = await documentOf(data);
    expect(notices(doc, 'warning')).toContainEqual(
      expect.stringMatching(
        /^The stored fit #7 \(2026-01-02T00:00:00\.000Z\) is out of date: 18 finished trials of this sweep are not in it, and none of its 18 trials is in this sweep \(it was run again under this name with another plan, or the fit came with a merged database\)\. Run `sparsebench fit-law --sweep fixture` again\.$/,
      ),
    );
    const residuals = plotsOf(doc, 'residuals');
    expect(residuals).toHaveLength(1);
    expect(residuals[0].caption).toContain(
      "None of fit #7's trials is in this sweep or this database now (grey crosses), so their N is unknown here and the residuals against N are not drawn.",
    );
    expect(residuals[0].alt).not.toContain('against N');
    expect(residuals[0].svg).toContain('not in sweep');
    expect(residuals[0].svg).not.toContain('N, non-zero parameters');
    // some of them still in it: those drawn against N, the others named in the caption
    const some = await documentOf(reportData([...trials.slice(0, 6), ...gone.slice(6)], fitOf(gone)));
    const plot = plotsOf(some, 'residuals')[0];
    expect(plot.caption).toContain(
      '6 of its trials are in neither the sweep nor the database (grey crosses on the left only: their N is unknown here).',
    );
    expect(plot.svg).toContain('N, non-zero parameters');
    // still in the database (the sweep was run again with another plan): drawn against N too
    const kept = await documentOf({ ...data, fitTrialsOutside: gone });
    const keptPlot = plotsOf(kept, 'residuals')[0];
    expect(keptPlot.caption).toContain(
      "Right: (measured − predicted) / measured, in percent, against N. Grey crosses: 18 of fit #7's trials that are no longer in this sweep (still in the database).",
    );
    expect(keptPlot.svg).toContain('N, non-zero parameters');
    // a newer fit passed over for one whose trials the sweep still has: the fit section says why it draws this one
    const fitText = (d: ReportDocument) =>
      blocks(d, 'fit').flatMap((x) => (x.kind === 'paragraph' ? [x.text] : []))[0];
    expect(fitText(await documentOf(data))).toMatch(
      /^Fit #7, this sweep's newest sparse-law fit \(report --fit ID picks another\)/,
    );
    expect(fitText(await documentOf({ ...data, newerFitsPassedOver: [9] }))).toMatch(
      /^Fit #7, this sweep's newest sparse-law fit made from trials all still in it \(newer fit #9 was made from trials that have since left the sweep; report --fit ID picks any\)/,
    );
  });

  it('judges a --where fit against the trials its conditions select, and suggests the same conditions', async () => {
    // the grid's trials split by a learning-rate axis: the fit used the lr 0.001 half only
    const trials = grid().map((t, i) => ({
      ...t,
      axes: { 'train.optimizer.lr': i % 2 === 0 ? 0.001 : 0.003 },
    }));
    const half = trials.filter((t) => t.axes['train.optimizer.lr'] === 0.001);
    const ids = half.map((t) => t.id);
    const fit = { ...fitOf(trials), inputs: ids, where: ['train.optimizer.lr=0.001'] };
    const data = reportData(trials, fit);
    data.sweep.axes = [{ key: 'train.optimizer.lr', values: [0.001, 0.003] }];
    const doc = await documentOf(data);
    expect(notices(doc, 'warning').some((t) => t.includes('out of date'))).toBe(false);
    // the law's findings and plots say whose law it is, and draw it through its own trials only
    const findings = blocks(doc, 'findings').flatMap((b) => (b.kind === 'list' ? b.items : []));
    expect(findings).toContain(
      `The findings on the law below are of fit #7, made from the trials at train.optimizer.lr=0.001 only (${half.length} finished trials of ${trials.length}): they describe those trials, not the whole sweep.`,
    );
    const plot = (id: string) => plotsOf(doc, id)[0];
    expect(plot('loss-vs-n').caption).toContain(
      `Markers: final validation loss of each trial fit #7 was made from (train.optimizer.lr=0.001; the other ${trials.length - half.length} finished trials are in the table, not drawn)`,
    );
    const { plots } = await renderPlots(data);
    const all = (await renderPlots(reportData(trials, fitOf(trials)))).plots;
    const markers = (r: typeof plots) => {
      const p = r.get('loss-vs-n');
      return p && 'plot' in p ? (p.plot.svg.match(/role="graphics-symbol"/g) ?? []).length : -1;
    };
    expect(markers(plots)).toBeLessThan(markers(all));
    // one more of its own trials finished since: out of date, and the command keeps the condition
    const later = trials.map((t) => (t.id === ids[0] ? { ...t, finishedAt: '2026-01-05T00:00:00.000Z' } : t));
    const stale = reportData(later, { ...fit, inputs: ids.slice(1) });
    stale.sweep.axes = data.sweep.axes;
    const text = notices(await documentOf(stale), 'warning').find((t) => t.includes('out of date'));
    expect(text).toMatch(
      /is out of date: 1 trial finished since\. Run `sparsebench fit-law --sweep fixture --where train\.optimizer\.lr=0\.001` again/,
    );
  });

  it('with a failed trial: names it and its error, and leaves it out of the fit plots', async () => {
    const trials = grid(undefined, (i) => (i === 5 ? 'failed' : 'finished'));
    const doc = await documentOf(reportData(trials, null));
    expect(notices(doc, 'warning').find((t) => t.includes('failed'))).toMatch(
      /^1 trial failed \([0-9a-f]{8}: loss diverged \(NaN\) at step 12\); it is left out of every plot of final loss; `sparsebench sweep .* --retry-failed` trains it again\.$/,
    );
    const table = blocks(doc, 'trials')[0];
    expect(table.kind === 'table' && table.rows[5].at(-1)).toBe('loss diverged (NaN) at step 12');
  });

  it('warns when embeddings are a large share of N and grow with sparsity', async () => {
    const trials = grid().map((t) => ({
      ...t,
      embeddingParams: Math.round(t.nonzeroTarget / (1 - t.sparsity) / 2),
    }));
    const doc = await documentOf(reportData(trials, null));
    expect(
      notices(doc, 'warning').filter((t) =>
        /^Embeddings are up to \d.*grow with sparsity at equal N/.test(t),
      ),
    ).toHaveLength(1);
    expect(
      notices(await documentOf(reportData(grid(), null)), 'warning').some((t) => t.startsWith('Embeddings')),
    ).toBe(false);
  });

  it('with a single sparsity level: says the sparse law cannot be fitted', async () => {
    const doc = await documentOf(
      reportData(grid({ sparsity: [0], N: [8000, 24000, 48000], D: [1e5, 3e5, 9e5] }), null),
    );
    expect(
      notices(doc, 'missing').some((t) =>
        t.startsWith('Only one sparsity level (dense) has finished trials'),
      ),
    ).toBe(true);
    // and does not send the reader to a fit-law that would refuse
    const noFit = notices(doc, 'missing').find((t) => t.startsWith('No sparse-law fit is stored'))!;
    expect(noFit).toContain(
      "none can be made from the finished trials yet (fit-law: the data have 1 distinct sparsity value; at least 2 needed: the sparse form needs ≥ 2 sparsity levels; use form 'chinchilla'; `sparsebench fit-law --sweep fixture --form chinchilla` fits the dense law, which this report then draws through the dense trials)",
    );
    expect(plotIds(doc)).toContain('loss-vs-n');
  });

  it('without a sparse-law fit, shows a stored dense-law fit in its place: finding, coefficients, its line through the dense trials', async () => {
    // without noise: the fixture's law at S = 0 is exactly the dense form (alpha = b_N, beta = b_D, E = c)
    const trials = [8000, 24000, 72000].flatMap((N) => [1e5, 1e6, 1e7].map((D) => trial(0, N, D)));
    const dense = denseFitOf(trials);
    expect(dense.converged).toBe(true);
    const doc = await documentOf({ ...reportData(trials, null), denseFit: dense });
    const findings = blocks(doc, 'findings').flatMap((b) => (b.kind === 'list' ? b.items : []));
    const said = findings.find((f) => f.startsWith('The dense law (fit #9)'))!;
    expect(said).toMatch(
      /towards E = 1\.2, with alpha = 0\.35 \(95% bootstrap: [0-9.]+ to [0-9.]+\) and beta = 0\.4 /,
    );
    expect(said).toContain('N growing as C^0.53 and D as C^0.47');
    expect(findings).toContainEqual(
      expect.stringMatching(/^The dense law \(fit #9\) reproduces the 9 fitted trials/),
    );
    expect(notices(doc, 'missing')).toContainEqual(
      expect.stringMatching(/the dense-law fit #9 stands in their place \(its line through the dense trials/),
    );
    const fitSection = blocks(doc, 'fit');
    const table = fitSection.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.rows.map((r) => r[0])).toEqual(['E', 'A', 'B', 'alpha', 'beta']);
    expect(plotIds(doc)).toContain('residuals');
    const plot = (d: ReportDocument, id: string) => plotsOf(d, id)[0];
    expect(plot(doc, 'loss-vs-n').caption).toContain('Line: the fitted dense law (fit #9');
    // the law's line is drawn: more paths than without it
    const without = await documentOf(reportData(trials, null));
    const paths = (d: ReportDocument) => (plot(d, 'loss-vs-n').svg.match(/<path /g) ?? []).length;
    expect(paths(doc)).toBeGreaterThan(paths(without));
    // the sparse-law notice no longer sends the reader to fit a dense law it already has
    expect(notices(doc, 'missing').join(' ')).not.toContain(
      'fits the dense law, which this report then draws',
    );
    expect(notices(without, 'missing').join(' ')).toContain(
      'fits the dense law, which this report then draws',
    );
  });

  it('draws a dense law through the dense trials only, and judges it against those', async () => {
    const trials = grid(FIT_GRID);
    const dense = denseFitOf(trials);
    const data = { ...reportData(trials, null), denseFit: dense };
    const spec = PLOTS.find((p) => p.id === 'loss-vs-n')!.build(plotContext(data)) as {
      data: { values: { kind: string; group: string }[] };
    };
    const law = spec.data.values.filter((r) => r.kind === 'law');
    expect(law.length).toBeGreaterThan(0);
    expect(new Set(law.map((r) => r.group))).toEqual(new Set(['dense']));
    // fitted to the dense trials only: the sparse ones finished do not make it out of date
    const doc = await documentOf(data);
    expect(notices(doc, 'warning').join(' ')).not.toContain('out of date');
    // chosen with --fit over a sparse one: said so, not "no sparse-law fit is stored"
    const chosen = await documentOf({ ...data, fitChosen: true });
    expect(notices(chosen, 'missing')).toContain(
      'Fit #9, chosen with --fit, is a dense-law fit: no sparse-law coefficients to show.',
    );
    expect(notices(chosen, 'missing')).toContain(
      'Optimal sparsity over model size and compute: not drawn, fit #9, chosen with --fit, is a dense-law fit, which says nothing about sparsity.',
    );
    expect(notices(chosen).join(' ')).not.toContain('No sparse-law fit is stored');
    // nor in the dense law's finding and captions, which say why it is drawn
    const findings = blocks(chosen, 'findings').flatMap((b) => (b.kind === 'list' ? b.items : []));
    expect(findings.join(' ')).toContain(
      "this report draws it because --fit chose it; without --fit the report draws the sweep's sparse-law fit",
    );
    expect(plotsOf(chosen, 'loss-vs-n')[0].caption).toContain("Hoffmann et al.'s form; chosen with --fit)");
    expect(plotsOf(await documentOf(data), 'loss-vs-n')[0].caption).toContain('no sparse-law fit is stored)');
  });

  it('warns that the law does not extrapolate in N when the held-out trials are missed by more than the fitted ones', async () => {
    const trials = grid(FIT_GRID);
    const fit = fitOf(trials);
    const holdout = {
      n_heldout: 6,
      n_train: 12,
      heldout_min_nonzero_params: 24000,
      converged: true,
      rmse_log: 0.03,
      max_abs_rel_error: 0.065,
      mean_abs_rel_error: 0.03,
      params: {},
      residuals: [],
    };
    const warned = (f: typeof fit) =>
      documentOf(reportData(trials, f)).then((d) =>
        notices(d, 'warning').filter((t) => t.startsWith('Held-out check')),
      );
    // fitted closely (the fixture's law fits its trials to well under 1%): 6.5% on the held-out ones is worse
    expect(await warned({ ...fit, fit: { ...fit.fit, holdout } })).toEqual([
      expect.stringMatching(
        /^Held-out check: refitted without the 6 largest-N trials, the law misses them by up to 6\.5%, against at most [0-9.]+% for the full fit on all its trials; it does not extrapolate reliably in N\.$/,
      ),
    ]);
    // a fit that already misses a fitted trial by 10%: 6.5% on the held-out ones is no worse than the fit itself
    const [first, ...rest] = fit.fit.residuals;
    const loose = {
      ...fit.fit,
      holdout,
      residuals: [{ ...first, predicted: first.measured * 1.1 }, ...rest],
    };
    expect(await warned({ ...fit, fit: loose })).toEqual([]);
  });

  it('with a fit that did not converge, or whose coefficients are unusable: warns and draws no law', async () => {
    const trials = grid();
    const bad = fitOf(trials);
    bad.converged = false;
    const doc = await documentOf(reportData(trials, bad));
    expect(notices(doc, 'warning').some((t) => t.startsWith('The stored fit #7 did NOT converge'))).toBe(
      true,
    );

    const broken = fitOf(trials);
    const { b_D: _, ...params } = broken.fit.params;
    const unusable = reportData(trials, fitOf(trials));
    unusable.fit = {
      ...broken,
      fit: { ...broken.fit, params },
      params: null,
      problem: 'sparse-law coefficient b_D must be a finite number > 0; got undefined',
    };
    const doc2 = await documentOf(unusable);
    expect(notices(doc2, 'missing')[0]).toMatch(
      /^The stored fit #7 cannot be used \(sparse-law coefficient b_D/,
    );
    expect(plotIds(doc2)).not.toContain('optimal-map');
  });

  it('with b_N at its lower bound: no optimal-sparsity findings, plots or answers, and says why', async () => {
    const trials = grid();
    const stored = fitOf(trials);
    // as a fit stored before the bounds were kept: only its warning says b_N ended at 0
    const { atLowerBound: _, ...older } = stored.fit;
    const record = {
      id: 7,
      sweep: 'fixture',
      source: 'db',
      form: 'sparse',
      options: {},
      result: {
        ...older,
        params: { ...stored.fit.params, b_N: 5.5e-12 },
        warnings: [...stored.fit.warnings, 'b_N is at its lower bound 0: the data do not support that term'],
        queries: stored.queries,
      },
      inputs: stored.inputs,
      converged: true,
      createdAt: stored.createdAt,
    };
    const degenerate = reportData(trials, toStoredFit(record));
    const doc = await documentOf(degenerate);
    const findings = blocks(doc, 'findings').find((b) => b.kind === 'list');
    const items = findings?.kind === 'list' ? findings.items : [];
    expect(
      items.some((i) =>
        i.startsWith('The law (fit #7) implies no optimal sparsity: b_N is at the lower bound 0'),
      ),
    ).toBe(true);
    expect(items.some((i) => /loss-optimal sparsity|Dense-equivalent size/.test(i))).toBe(false);
    expect(plotIds(doc)).not.toContain('optimal-map');
    expect(plotIds(doc)).not.toContain('optimal-multiple');
    expect(notices(doc, 'missing').some((t) => /not drawn, b_N is at the lower bound 0/.test(t))).toBe(true);
    expect(blocks(doc, 'optimal').some((b) => b.kind === 'table')).toBe(false);
  });

  it('with no trial finished: no findings, every final-loss plot explained', async () => {
    const doc = await documentOf(
      reportData([trial(0, 8000, 1e5, 'pending'), trial(0.5, 8000, 1e5, 'running')], null),
    );
    expect(notices(doc, 'missing')).toContain('No findings yet: nothing has finished.');
    expect(plotIds(doc)).toEqual(['curves']);
  });
});

describe('writers', () => {
  it('HTML is one self-contained page: escaped text, inline SVG with accessible names, no scripts or links', async () => {
    const trials = grid(FIT_GRID);
    const html = renderHtml(await documentOf(reportData(trials, fitOf(trials))));
    expect(html).toContain('A fixture &lt;sweep&gt; &amp; &quot;friends&quot;.');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
    // the only URLs are XML namespace names, never fetched
    const urls = [...html.matchAll(/https?:\/\/[^\s"')]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
    expect(html.match(/<figure /g)).toHaveLength(6);
    expect(html.match(/<svg role="img" aria-label="[^"]{40,}"/g)).toHaveLength(6);
    expect(renderHtml(await documentOf(reportData(trials, null)))).toContain(
      '<code>sparsebench fit-law --sweep fixture</code>',
    );
    // the 27-row trial table stays open; one of 120 rows folds away behind a summary
    expect(html).not.toContain('<details>');
    const many = grid({
      sparsity: [0, 0.5, 0.75, 0.875],
      N: [8000, 16000, 24000, 48000, 72000],
      D: [1e5, 3e5, 1e6, 3e6, 1e7, 3e7],
    });
    expect(renderHtml(await documentOf(reportData(many, null)))).toContain(
      '<details><summary>120 rows: show the table</summary>',
    );
  });

  it('puts the sweep description and the build line on lines of their own, in HTML and Markdown', async () => {
    const data = reportData(grid(), null);
    data.sweep = {
      ...data.sweep,
      config: { ...(data.sweep.config as object), description: 'tiny ViT on MNIST, mean pooling' },
    };
    const doc = await documentOf(data);
    const built = 'Built 2026-01-03T00:00:00.000Z from runs/sparsebench.db.';
    expect(doc.subtitle).toEqual(['tiny ViT on MNIST, mean pooling', built]);
    expect(renderHtml(doc)).toContain(
      `<p class="subtitle">tiny ViT on MNIST, mean pooling</p>\n<p class="subtitle">${built}</p>`,
    );
    expect(renderMarkdown(doc)).toContain(`\n\ntiny ViT on MNIST, mean pooling\n\n${built}\n\n`);
    // no description: the build line alone
    data.sweep = { ...data.sweep, config: { ...(data.sweep.config as object), description: undefined } };
    expect((await documentOf(data)).subtitle).toEqual([built]);
  });

  it('Markdown links each plot as an SVG file beside it and keeps tables intact', async () => {
    const trials = grid();
    const md = renderMarkdown(await documentOf(reportData(trials, null)));
    expect(md).toMatch(/^# Sparse scaling study: fixture\n/);
    for (const id of ['curves', 'loss-vs-n', 'loss-vs-d']) expect(md).toContain(`](report-${id}.svg)`);
    expect(md).not.toContain('report-optimal-map.svg');
    expect(md).toContain('> **Missing:** No sparse-law fit is stored');
    expect(md).toMatch(/\| trial \| status \| pruner \| S \| N \|/);
    expect(md).toContain('```yaml\nname: fixture\n');
  });
});

describe('the trial table', () => {
  const table = (b: Block) => b as Extract<Block, { kind: 'table' }>;

  it('shows final validation accuracy only where a trial measured it', () => {
    const text = [trial(0, 4000, 12_800), trial(0.5, 4000, 12_800)];
    expect(table(trialTable(text, 'tokens')).columns.map((c) => c.header)).not.toContain(
      'final val accuracy',
    );
    const images = text.map((t, i) => ({ ...t, finalValAccuracy: i === 0 ? 0.875 : null }));
    const t = table(trialTable(images, 'images'));
    const col = t.columns.findIndex((c) => c.header === 'final val accuracy');
    expect(col).toBeGreaterThan(0);
    expect(t.rows.map((r) => r[col])).toEqual(['0.8750', '-']);
  });

  it('gives each trial its shape, the dense shape a sparse trial trains masked', () => {
    const model = { family: 'lm', n_layers: 2, d_model: 64, n_heads: 4, d_ff: 247 };
    const t = trial(0.75, 24_000, 12_800);
    const shaped = table(
      trialTable([{ ...t, spec: { ...t.spec, model } } as typeof t, trial(0, 4000, 12_800)], 'tokens'),
    );
    const col = shaped.columns.findIndex((c) => c.header === 'shape');
    expect(shaped.rows.map((r) => r[col])).toEqual(['2 x 64, 4h, ff 247', '-']);
  });

  it("shows a finished trial's measured N and achieved sparsity, an unfinished one's planned N", () => {
    // planned 8,000 non-zero at 50%; the final weights hold 7,900, 49% sparse
    const done = { ...trial(0.5, 8000, 1e5), nonzeroParams: 7900, achievedSparsity: 0.49 };
    const t = table(trialTable([done, trial(0.5, 8000, 1e5, 'pending')], 'tokens'));
    const col = (h: string) => t.columns.findIndex((c) => c.header === h);
    expect(t.rows.map((r) => [r[col('S')], r[col('N')], r[col('achieved sparsity')]])).toEqual([
      ['50%', '7.9k', '0.4900'],
      ['50%', '8k', '-'],
    ]);
  });

  it("shows an unfinished trial's D as its plan trains on it (whole steps), as runs list does", () => {
    // D 100k asked for, 780 steps of 8 × 16 tokens planned: 99,840
    const pending = trial(0, 4000, 100_000, 'pending');
    const t = table(trialTable([{ ...pending, spec: { ...pending.spec, steps: 780 } }], 'tokens'));
    const col = t.columns.findIndex((c) => c.header.startsWith('D'));
    expect(t.rows[0][col]).toBe('99.8k');
  });

  it('tells apart trials that differ in seed or another swept setting, as runs list does', () => {
    const at = (s: number, seed: number, lr: number, name: string) => {
      const t = trial(s, 4000, 12_800);
      return {
        ...t,
        seed,
        axes: {
          sparsity: s,
          nonzero_params: 4000,
          tokens: 12_800,
          seed,
          'train.optimizer.lr': lr,
          'pruner.name': name,
        },
      };
    };
    const trials = [at(0, 0, 0.001, 'gmp'), at(0.5, 1, 0.003, 'static')];
    const t = table(trialTable(trials, 'tokens'));
    const cols = ['seed', 'train.optimizer.lr', 'pruner.name'].map((h) =>
      t.columns.findIndex((c) => c.header === h),
    );
    expect(cols.every((c) => c > 0)).toBe(true);
    // the dense trial is every pruner setting's baseline: no pruner.name of its own
    expect(t.rows.map((r) => cols.map((c) => r[c]))).toEqual([
      ['0', '0.001', '-'],
      ['1', '0.003', 'static'],
    ]);
    // numbers right-aligned, a pruner's name (words) left, as it reads
    expect(cols.map((c) => t.columns[c].align)).toEqual(['right', 'right', undefined]);
    // one seed and no other axis: no such columns
    const plain = table(trialTable([trial(0, 4000, 12_800)], 'tokens'));
    expect(plain.columns.map((c) => c.header)).not.toContain('seed');
  });
});

describe('the configuration shown', () => {
  it('puts the lists of swept settings back where the config had one value of each', () => {
    const config = {
      name: 'x',
      train: { optimizer: { lr: 0.001 } },
      pruner: { name: 'gmp' },
      sweep: { sparsity: [0, 0.5] },
    };
    const axes = [
      { key: 'sparsity', values: [0, 0.5] },
      { key: 'train.optimizer.lr', values: [0.001, 0.003] },
      { key: 'pruner.name', values: ['gmp', 'static'] },
    ];
    expect(configAsSwept({ config, axes })).toEqual({
      name: 'x',
      train: { optimizer: { lr: [0.001, 0.003] } },
      pruner: { name: ['gmp', 'static'] },
      sweep: { sparsity: [0, 0.5] },
    });
    expect(config.train.optimizer.lr).toBe(0.001); // the stored config is left as it is
  });
});
