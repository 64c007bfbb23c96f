import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitSummaryLines } from '../../src/law/describe.js';
import { summariseOptimalSparsity } from '../../src/law/optimal-summary.js';
import { loadReportData } from '../../src/report/load.js';
import { Store } from '../../src/store/store.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';
import { trialResult } from '../helpers/trial-result.js';

const stored = (form: string, params: Record<string, number>) => ({
  sweep: 'tiny',
  source: 'db',
  form,
  options: {},
  result: { form, params, residuals: [], warnings: [], intervals: {}, startSpread: {} },
  inputs: [],
  converged: true,
});

const FINISHED = trialResult({ finalValLoss: 2, finalTrainLoss: 2 });

describe('loadReportData', () => {
  it('names the newer sparse fits it passes over, made from trials that have since left the sweep', () => {
    const path = join(tempDir(), 'x.db');
    const store = Store.open(path, { create: true });
    const plan = planOf(tinySyntheticConfig());
    store.saveSweep(plan);
    const params = { a_S: 1, b_S: 1, c_S: 1, b_N: 0.3, a_D: 1e3, b_D: 0.4, c: 1 };
    const own = store.saveFit({ ...stored('sparse', params), inputs: plan.trials.map((t) => t.id) });
    expect(loadReportData(store, path)).toMatchObject({ fit: { id: own }, newerFitsPassedOver: [] });
    const merged = store.saveFit({ ...stored('sparse', params), inputs: ['feedfacefeedface'] });
    expect(loadReportData(store, path)).toMatchObject({ fit: { id: own }, newerFitsPassedOver: [merged] });
    // chosen by id: nothing is passed over
    expect(loadReportData(store, path, undefined, merged)).toMatchObject({
      fit: { id: merged },
      newerFitsPassedOver: [],
    });
    store.close();
  });

  it('reports the sweep of a fit chosen with --fit, without --sweep', () => {
    const path = join(tempDir(), 'x.db');
    const store = Store.open(path, { create: true });
    store.saveSweep(planOf(tinySyntheticConfig()));
    const fit = store.saveFit(stored('chinchilla', { E: 1, A: 10, B: 20, alpha: 0.3, beta: 0.4 }));
    // another sweep run since: the default sweep
    store.saveSweep(planOf(tinySyntheticConfig().replace('name: tiny', 'name: later')));
    expect(loadReportData(store, path).sweep.name).toBe('later');
    expect(loadReportData(store, path, undefined, fit)).toMatchObject({
      sweep: { name: 'tiny' },
      fitChosen: true,
    });
    // with --sweep, a fit of another sweep is still refused
    expect(() => loadReportData(store, path, 'later', fit)).toThrow(/--fit 1: it is a fit of sweep tiny/);
    store.close();
  });

  it("takes the sweep's newest dense-law fit only while no sparse-law fit is stored", () => {
    const path = join(tempDir(), 'x.db');
    const store = Store.open(path, { create: true });
    store.saveSweep(planOf(tinySyntheticConfig()));
    expect(loadReportData(store, path).denseFit).toBeNull();
    const dense = store.saveFit(stored('chinchilla', { E: 1, A: 10, B: 20, alpha: 0.3, beta: 0.4 }));
    const data = loadReportData(store, path);
    expect(data.fit).toBeNull();
    expect(data.denseFit).toMatchObject({ id: dense, params: { alpha: 0.3 }, problem: null });
    // an unusable one is kept, with the reason
    store.saveFit(stored('chinchilla', { E: 1, A: 10, B: 20, alpha: 0, beta: 0.4 }));
    expect(loadReportData(store, path).denseFit).toMatchObject({
      params: null,
      problem: expect.stringMatching(/alpha must be a finite number > 0; got 0/),
    });
    store.saveFit(stored('sparse', { a_S: 1, b_S: 1, c_S: 1, b_N: 0.3, a_D: 1e3, b_D: 0.4, c: 1 }));
    expect(loadReportData(store, path)).toMatchObject({ fit: { params: { b_N: 0.3 } }, denseFit: null });
    store.close();
  });

  it("finds the fit's trials that left the sweep but are still in the database", () => {
    const path = join(tempDir(), 'x.db');
    const store = Store.open(path, { create: true });
    const before = planOf(tinySyntheticConfig());
    store.saveSweep(before);
    const ids = before.trials.map((t) => t.id);
    for (const id of ids) {
      store.claimTrial(id, 'o', { retryFailed: true, leaseMs: 1000 });
      store.finishTrial(id, 'o', FINISHED, []);
    }
    store.saveFit({
      ...stored('sparse', { a_S: 1, b_S: 1, c_S: 1, b_N: 0.3, a_D: 1e3, b_D: 0.4, c: 1 }),
      inputs: [...ids, 'row9'],
    });
    expect(loadReportData(store, path).fitTrialsOutside).toEqual([]);
    // the same name run again with another plan: the earlier trials leave the sweep, not the database
    const after = planOf(tinySyntheticConfig('model: {ff_ratio: 2}'));
    // (sizing resolves the dense trial to the same shape: that one stays, the sparse one leaves)
    expect(after.trials.map((t) => t.id)).toEqual([ids[0], expect.not.stringMatching(ids[1])]);
    store.saveSweep(after);
    const data = loadReportData(store, path);
    expect(data.trials.map((t) => t.id)).toEqual(after.trials.map((t) => t.id));
    expect(data.fitTrialsOutside?.map((t) => t.id)).toEqual([ids[1]]);
    store.close();
  });

  it('judges a sparse fit stored before fit-law did whether its levels of S and D determine the optimum', () => {
    const path = join(tempDir(), 'x.db');
    const store = Store.open(path, { create: true });
    const plan = planOf(tinySyntheticConfig()); // S 0 and 0.5, one D
    store.saveSweep(plan);
    const ids = plan.trials.map((t) => t.id);
    for (const t of plan.trials) {
      store.claimTrial(t.id, 'o', { retryFailed: true, leaseMs: 1000 });
      store.finishTrial(t.id, 'o', { ...FINISHED, achievedSparsity: t.spec.sparsity }, []);
    }
    const params = { a_S: 1, b_S: 1, c_S: 1, b_N: 0.3, a_D: 1e3, b_D: 0.4, c: 1 };
    const old = stored('sparse', params);
    const summary = summariseOptimalSparsity(params);
    const warning = 'starts reaching the best loss disagree on c: weakly determined (see startSpread)';
    store.saveFit({
      ...old,
      result: {
        ...old.result,
        objective: { loss: 'huber-log', delta: 1e-3 },
        optimal: summary,
        warnings: [warning],
      },
      inputs: ids,
    });
    const fit = loadReportData(store, path).fit!;
    expect(fit.optimumProblem).toMatch(
      /^2 sparsity levels leave the sparsity term's shape \(b_S\) free, and 1 data sizes D leave/,
    );
    // its summary lines give no figures either, and its warnings point at the table's column
    const lines = fitSummaryLines(fit.fit);
    expect(lines).toContain(`optimal sparsity: none: ${fit.optimumProblem}`);
    expect(lines.join('\n')).not.toMatch(/S_opt at/);
    expect(fit.fit.warnings).toEqual([
      'starts reaching the best loss disagree on c: weakly determined (see the "across best starts" column)',
    ]);
    // one stored since says for itself
    const now = stored('sparse', params);
    store.saveFit({ ...now, result: { ...now.result, optimumUndetermined: null }, inputs: ids });
    expect(loadReportData(store, path).fit?.optimumProblem).toBeNull();
    store.close();
  });
});
