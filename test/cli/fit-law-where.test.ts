import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sparseLoss } from '../../src/law/optimal.js';
import { Store } from '../../src/store/store.js';
import { cli } from '../helpers/cli.js';
import { planOf, tempDir } from '../helpers/config.js';
import { trialResult } from '../helpers/trial-result.js';
import { LAW } from '../report/fixtures.js';

/** Two pruners over a 3 × 3 × 3 grid; dense trials are shared, so 27 + 18 trials. */
const CONFIG = `name: wh
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16, eval_interval: 10, eval_tokens: 512}
pruner: {name: [gmp, static]}
sweep:
  sparsity: [0, 0.5, 0.75]
  nonzero_params: [2000, 4000, 8000]
  tokens: [4096, 8192, 16384]
`;

/**
 * A database of the sweep with every trial finished at the fixture law's loss (static 3% worse), untrained;
 * with `pendingStatic`, the static pruner's sparse trials are left pending.
 */
function finishedSweep(pendingStatic = false): string {
  const db = join(tempDir(), 'wh.db');
  const plan = planOf(CONFIG);
  const store = Store.open(db, { create: true });
  store.saveSweep(plan);
  for (const t of plan.trials) {
    if (pendingStatic && t.axes['pruner.name'] === 'static' && t.spec.sparsity > 0) continue;
    const s = t.spec.sparsity;
    const N = t.axes.nonzero_params as number;
    const D = t.axes.tokens as number;
    const loss = sparseLoss(LAW, s, N, D) * (t.axes['pruner.name'] === 'static' ? 1.03 : 1);
    store.claimTrial(t.id, 'o', { retryFailed: false, leaseMs: 1000 });
    store.finishTrial(
      t.id,
      'o',
      trialResult({
        nonzeroParams: N,
        achievedSparsity: s,
        tokens: D,
        steps: 1,
        finalValLoss: loss,
        finalTrainLoss: loss,
        tokensPerSecond: D,
      }),
      [],
    );
  }
  store.close();
  return db;
}

/** fit-law on `db` with few starts and no bootstrap (fast), and the flags given. */
const quickFit = (db: string, ...flags: string[]) =>
  cli(['fit-law', '--db', db, '--bootstrap', '0', '--starts', '4', ...flags]);

describe('fit-law --where', () => {
  it('names the selection in the header and the JSON; runs fits and report --fit list each fit with it', () => {
    const db = finishedSweep();
    const gmp = quickFit(db, '--where', 'pruner.name=gmp');
    expect(gmp.stdout).toMatch(
      /^sparse scaling law fit of sweep wh \(.*wh\.db\), only the trials at pruner\.name=gmp, stored as fit #1$/m,
    );
    const json = quickFit(db, '--where', 'pruner.name=static', '--json');
    const doc = JSON.parse(json.stdout) as { where: string[]; fit_id: number; n_points: number };
    expect(doc).toMatchObject({ where: ['pruner.name=static'], fit_id: 2, n_points: 27 });
    const pooled = JSON.parse(quickFit(db, '--json').stdout);
    expect(pooled).toMatchObject({ where: [], fit_id: 3, n_points: 45 });
    // a look without storing: printed, not stored, so the report still draws fit #3
    const look = quickFit(db, '--where', 'pruner.name=gmp', '--no-store');
    expect(look.code, look.stderr).toBe(0);
    expect(look.stdout).toMatch(
      /^sparse scaling law fit of sweep wh \(.*wh\.db\), only the trials at pruner\.name=gmp$/m,
    );
    expect(JSON.parse(cli(['runs', 'fits', '--db', db, '--json']).stdout).fits).toHaveLength(3);
    // an --optimal query beyond the fitted trials says so (N 1e6 is 125× the largest, 8k)
    const far = quickFit(db, '--where', 'pruner.name=gmp', '--no-store', '--optimal', 'N=1e6,C=1e15');
    expect(far.stdout).toMatch(
      /^S_opt\(N=1\.000e\+6, C=1\.000e\+15\) = [0-9.]+\n {2}beyond the fitted trials, an extrapolation of the law: N is 130× the largest fitted \(8k\); C is /m,
    );
    // the finished trials as CSV are the same points for fit-law --points
    const csv = cli(['runs', 'list', '--db', db, '--csv', '--status', 'finished']);
    expect(csv.code, csv.stderr).toBe(0);
    const file = join(tempDir(), 'points.csv');
    writeFileSync(file, csv.stdout);
    const fromCsv = JSON.parse(
      cli(['fit-law', '--points', file, '--bootstrap', '0', '--starts', '4', '--json']).stdout,
    );
    expect(fromCsv.n_points).toBe(45);
    expect(fromCsv.loss).toBeCloseTo(pooled.loss, 9);
    // the report of the pooled fit (the newest) says it pools, first; the gmp fit's does not
    const out = join(tempDir(), 'rep');
    expect(cli(['report', '--db', db, '--out', out, '--format', 'md']).code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain(
      '> **Warning:** Fit #3 pools several settings of pruner.name (gmp, static) into one law, as if they trained alike: its coefficients and optimal sparsity describe none of them. Fit one setting at a time (`sparsebench fit-law --sweep wh --db',
    );
    expect(md).toContain('; "Laws by setting" sets the fits of each setting stored so far side by side.');
    // said among the findings too, before the law's figures
    expect(md).toContain(
      '- Fit #3 pools several settings of pruner.name (gmp, static) into one law: the figures on the law below describe none of them ("Laws by setting" gives the fits of each setting stored so far).',
    );
    // the fits of each selection side by side, the drawn one marked; figures without bootstrap have no intervals
    const section = md.slice(md.indexOf('## Laws by setting'), md.indexOf('## Optimal sparsity'));
    const settingRows = section
      .split('\n')
      .filter((l) => l.startsWith('| #'))
      .map((l) => l.split('|').map((c) => c.trim()));
    expect(settingRows.map((r) => [r[1], r[2], r[3], r[4], r[r.length - 2]])).toEqual([
      ['#3 (drawn above)', 'all finished trials', '45', 'yes', 'yes'],
      ['#1', 'pruner.name=gmp', '27', 'yes', 'yes'],
      ['#2', 'pruner.name=static', '27', 'yes', 'yes'],
    ]);
    expect(md).toMatch(
      /Laws by setting \(2 fits, see "Laws by setting"\): at 75% sparsity, the dense-equivalent size .* is [0-9.]+× under pruner\.name=gmp \(fit #1\) and [0-9.]+× under pruner\.name=static \(fit #2\); without bootstrap intervals/,
    );
    // the lowest loss names its pruner
    expect(md).toMatch(
      /Lowest final validation loss: [0-9.]+ nats\/token \(\d+% sparse, pruner\.name = gmp, N = /,
    );
    const one = join(tempDir(), 'rep1');
    expect(cli(['report', '--db', db, '--fit', '1', '--out', one, '--format', 'md']).code).toBe(0);
    expect(readFileSync(join(one, 'report.md'), 'utf8')).not.toContain('pools several settings');
    // runs fits lists them, each with its selection, and marks the one report draws
    const fits = cli(['runs', 'fits', '--db', db]);
    expect(fits.code, fits.stderr).toBe(0);
    const rows = fits.stdout.split('\n').filter((l) => /^\s*\d+ {2}sparse/.test(l));
    expect(
      rows.map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(0, 5),
      ),
    ).toEqual([
      ['1', 'sparse', 'pruner.name=gmp', '27', 'yes'],
      ['2', 'sparse', 'pruner.name=static', '27', 'yes'],
      ['3', 'sparse', 'all', '45', 'yes'],
    ]);
    expect(rows[2]).toMatch(/report draws this/);
    expect(JSON.parse(cli(['runs', 'fits', '--db', db, '--json']).stdout)).toMatchObject({
      sweep: 'wh',
      reportDraws: 3,
      // without bootstrap, and made from every finished trial of their selections
      fits: [
        { id: 1, where: ['pruner.name=gmp'], bootstrap: 0, finishedNotInFit: 0 },
        { id: 2, finishedNotInFit: 0 },
        { id: 3, where: [], finishedNotInFit: 0 },
      ],
    });
    const r = cli(['report', '--db', db, '--fit', '9', '--out', join(tempDir(), 'r')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'fits of sweep wh: 1 (sparse, pruner.name=gmp), 2 (sparse, pruner.name=static), 3 (sparse)',
    );
  });
});

describe('fit-law --each', () => {
  it('makes the fit --where would for each value, stores each, and sets them side by side', () => {
    const db = finishedSweep();
    const each = quickFit(db, '--each', 'pruner.name');
    expect(each.code, each.stderr).toBe(0);
    expect(each.stdout).toMatch(/only the trials at pruner\.name=gmp, stored as fit #1$/m);
    expect(each.stdout).toMatch(/only the trials at pruner\.name=static, stored as fit #2$/m);
    const table = each.stdout.slice(each.stdout.indexOf('one fit per pruner.name:'));
    const rows = table
      .split('\n')
      .filter((l) => /^(gmp|static) /.test(l))
      .map((l) => l.trim().split(/\s{2,}/));
    // without bootstrap: figures without intervals
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['gmp', '#1', '27', 'yes'],
      ['static', '#2', '27', 'yes'],
    ]);
    expect(rows[0][5]).toMatch(/^[0-9.]+x$/);
    expect(table).toMatch(/across the 2 fits that stand: dense-equivalent at 75% from [0-9.]+x to [0-9.]+x/);
    expect(table).not.toContain('seed to seed');
    // the same fit as --where makes
    const alone = JSON.parse(quickFit(db, '--where', 'pruner.name=static', '--no-store', '--json').stdout);
    const json = JSON.parse(quickFit(db, '--each', 'pruner.name', '--no-store', '--json').stdout) as {
      each: string;
      fits: { where: string[]; fit_id: number | null; loss: number; params: Record<string, number> }[];
    };
    expect(json.each).toBe('pruner.name');
    expect(json.fits.map((f) => [f.where, f.fit_id])).toEqual([
      [['pruner.name=gmp'], null],
      [['pruner.name=static'], null],
    ]);
    expect(json.fits[1].params).toEqual(alone.params);
    expect(JSON.parse(cli(['runs', 'fits', '--db', db, '--json']).stdout).fits).toHaveLength(2);
    // the report draws the newest (static's), but leads with the settings side by side and marks static's figures
    const out = join(tempDir(), 'rep');
    expect(cli(['report', '--db', db, '--out', out, '--format', 'md']).code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const findings = md.slice(md.indexOf('## Findings'), md.indexOf('\n## ', md.indexOf('## Findings') + 5));
    const bySetting = findings.indexOf('- Laws by setting (2 fits');
    const drawn = findings.indexOf(
      '- The law drawn below is fit #2, one of 2 fits of a selection of trials ("Laws by setting"; `report --fit ID` draws another), made from the trials at pruner.name=static',
    );
    expect(bySetting).toBeGreaterThan(0);
    expect(drawn).toBeGreaterThan(bySetting);
    expect(findings).toMatch(
      /^- pruner\.name=static \(fit #2\): from the fitted law, at 4× the compute-optimal data, /m,
    );
    expect(findings).toMatch(/^- pruner\.name=static \(fit #2\): the law reproduces /m);
  });

  it('refuses what it cannot fit before fitting anything (exit 2, nothing stored)', () => {
    const db = finishedSweep(true);
    const r = quickFit(db, '--each', 'pruner.name');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sweep wh in');
    expect(r.stderr).toContain('where pruner.name=static');
    expect(r.stdout).toBe('');
    expect(JSON.parse(cli(['runs', 'fits', '--db', db, '--json']).stdout).fits).toHaveLength(0);
    const both = quickFit(db, '--each', 'pruner.name', '--where', 'pruner.name=gmp');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--each pruner.name and --where pruner.name=...');
    const dense = quickFit(db, '--each', 'pruner.name', '--form', 'chinchilla');
    expect(dense.code).toBe(2);
    expect(dense.stderr).toContain(
      '--each pruner.name --form chinchilla: the dense law is fitted to the dense trials alone, which every pruner.name shares',
    );
    const other = quickFit(db, '--each', 'lr');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--each lr: lr is not an axis of this sweep beyond S, N and D');
    expect(other.stderr).toContain('valid: pruner.name');
  });
});

describe('fit-law --exclude', () => {
  it('leaves a trial out of the fit, keeps it in the database, and stores and shows the fit as made without it', () => {
    const db = finishedSweep();
    const store = Store.open(db, { create: false, read: 'only' });
    const all = store.listTrials('wh');
    store.close();
    const outlier = all.find((t) => t.sparsity === 0.5)!;
    const r = quickFit(db, '--where', 'pruner.name=gmp', '--exclude', outlier.id.slice(0, 6), '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { n_points: number; exclude: string[]; fit_id: number };
    // the gmp selection: its 18 sparse trials and the 9 dense ones, less the one left out
    expect(doc.n_points).toBe(26);
    expect(doc.exclude).toEqual([outlier.id]);
    const check = Store.open(db, { create: false, read: 'only' });
    expect(check.findTrial(outlier.id)?.status).toBe('finished');
    const stored = check.getFit(doc.fit_id)!;
    check.close();
    expect(stored.inputs).not.toContain(outlier.id);
    expect(stored.options).toMatchObject({ exclude: [outlier.id] });
    const text = quickFit(db, '--where', 'pruner.name=gmp', '--exclude', outlier.id, '--no-store');
    expect(text.stdout).toMatch(
      new RegExp(
        `only the trials at pruner\\.name=gmp, without trial ${outlier.id.slice(0, 8)} \\(--exclude\\)`,
      ),
    );
    const fits = cli(['runs', 'fits', '--db', db]);
    expect(fits.stdout).toContain(`pruner.name=gmp, without ${outlier.id.slice(0, 8)}`);
    // the report's trial table marks the trial the drawn fit left out
    const out = join(tempDir(), 'r');
    expect(cli(['report', '--db', db, '--out', out, '--format', 'md']).code).toBe(0);
    const row = readFileSync(join(out, 'report.md'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`| ${outlier.id.slice(0, 8)} |`));
    expect(row).toMatch(new RegExp(`\\| left out of fit #${doc.fit_id} \\(--exclude\\) \\|$`));
  });

  it('refuses an id that names no trial of the sweep, or several, and --points', () => {
    const db = finishedSweep();
    const store = Store.open(db, { create: false, read: 'only' });
    const staticTrial = store
      .listTrials('wh')
      .find((t) => t.axes?.['pruner.name'] === 'static' && t.sparsity > 0)!;
    store.close();
    // another pruner's trial: the fit would not have had it anyway
    expect(quickFit(db, '--where', 'pruner.name=gmp', '--exclude', staticTrial.id).stderr).toContain(
      `--exclude ${staticTrial.id.slice(0, 8)}: that trial is not among the trials at pruner.name=gmp, so leaving it out changes nothing`,
    );
    const pending = finishedSweep(true);
    expect(quickFit(pending, '--exclude', staticTrial.id).stderr).toContain(
      `trial ${staticTrial.id.slice(0, 8)} is pending, with no final loss: no fit includes it`,
    );
    expect(quickFit(db, '--exclude', 'ffffffff').stderr).toContain(
      '--exclude ffffffff: no trial of sweep wh has an id starting with it',
    );
    expect(quickFit(db, '--exclude', 'xyz').code).toBe(2);
    const csv = join(tempDir(), 'p.csv');
    writeFileSync(csv, 'sparsity,nonzero_params,tokens,loss\n0,1e6,1e8,3\n');
    const points = cli(['fit-law', '--points', csv, '--exclude', 'abcd']);
    expect([points.code, points.stderr]).toEqual([
      2,
      expect.stringContaining('it does not apply to --points'),
    ]);
  });
});
