import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/config.js';
import { browserUnavailable, drawnPlots, openInChromium } from './browser.js';

/**
 * 3 sparsities × 2 N × 3 D of tiny models on synthetic data: 18 trials in a few seconds, enough for a fit that
 * converges (a fit that does not gives no optimal-sparsity plots).
 */
const TINY = `name: tiny-report
description: report end-to-end test
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16, eval_interval: 8, eval_tokens: 512}
pruner: {name: gmp, schedule: {interval: 2}}
sweep:
  sparsity: [0, 0.5, 0.75]
  nonzero_params: [2000, 4000]
  tokens: [2048, 6144, 18432]
`;
const ALL_PLOTS = ['curves', 'loss-vs-d', 'loss-vs-n', 'optimal-map', 'optimal-multiple', 'residuals'];
const ARTIFACTS = join(ROOT, 'test-artifacts');
const skipBrowser = process.env.SPARSEBENCH_SKIP_BROWSER === '1';

let work: string;
let db: string;
let noFitDb: string;

/** Folds the WAL into the database file so a plain copy is complete. */
function settle(path: string): void {
  const d = new Database(path);
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.close();
}

beforeAll(() => {
  work = tempDir('sb-report-');
  db = join(work, 'runs', 'study.db');
  const sweep = cli(['sweep', writeConfig(TINY, 'tiny.yaml', work), '--db', db]);
  expect(sweep.code, sweep.stderr).toBe(0);
  settle(db);
  noFitDb = join(work, 'nofit', 'study.db');
  mkdirSync(join(work, 'nofit'));
  copyFileSync(db, noFitDb);
  // few bootstrap replicates: the test needs a stored fit, not a good one
  const fit = cli(['fit-law', '--db', db, '--bootstrap', '10']);
  expect(fit.code, fit.stderr).toBe(0);
  // a_D's unit is the sweep's data unit (an lm counts tokens)
  expect(fit.stdout).toMatch(/^a_D .* tokens /m);
}, 120_000);

describe('sparsebench report (end to end)', () => {
  it('writes report.html and report.md beside the database by default and prints their paths', () => {
    const r = cli(['report', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(work, 'runs', 'tiny-report');
    expect(r.stdout).toBe(`${join(out, 'report.html')}\n${join(out, 'report.md')}\n`);
    expect(r.stderr).toMatch(
      /^report of sweep tiny-report: 6 plots drawn; 6 SVG files beside report\.md \(\d+\.\d s\)\n$/,
    );
    expect(readdirSync(out).sort()).toEqual(
      ['report.html', 'report.md', ...ALL_PLOTS.map((p) => `report-${p}.svg`)].sort(),
    );
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const p of ALL_PLOTS) expect(md).toContain(`](report-${p}.svg)`);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Sparse scaling study: tiny-report');
  });

  it('opens in headless Chromium with no console error or request, every plot drawn; saves a screenshot', async (ctx) => {
    if (skipBrowser) ctx.skip();
    const why = browserUnavailable();
    if (why) throw new Error(why);
    const out = join(work, 'html-only');
    const r = cli(['report', '--db', db, '--out', out, '--format', 'html']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['report.html']);
    const page = await openInChromium(join(out, 'report.html'));
    try {
      const plots = await drawnPlots(page.page);
      expect(plots.map((p) => p.id).sort()).toEqual(ALL_PLOTS);
      for (const p of plots) {
        expect(p.width, p.id).toBeGreaterThan(200);
        expect(p.height, p.id).toBeGreaterThan(150);
        expect(p.marks, p.id).toBeGreaterThan(20);
        expect(p.label.length, p.id).toBeGreaterThan(40);
      }
      expect(await page.page.title()).toBe('Sparse scaling study: tiny-report');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.page.screenshot({ path: join(ARTIFACTS, 'report-e2e.png'), fullPage: true });
      expect(page.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('without a stored fit: says what is missing and still draws the rest, in the browser too', async (ctx) => {
    const out = join(work, 'nofit-report');
    const r = cli(['report', '--db', noFitDb, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '3 plots drawn, 3 left out (residuals, optimal-map, optimal-multiple: see the report)',
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(
      `No sparse-law fit is stored for sweep tiny-report: run <code>sparsebench fit-law --sweep tiny-report --db ${noFitDb}</code>`,
    );
    if (skipBrowser) ctx.skip();
    const why = browserUnavailable();
    if (why) throw new Error(why);
    const page = await openInChromium(join(out, 'report.html'));
    try {
      const plots = await drawnPlots(page.page);
      expect(plots.map((p) => p.id).sort()).toEqual(['curves', 'loss-vs-d', 'loss-vs-n']);
      for (const p of plots) expect(p.marks, p.id).toBeGreaterThan(20);
      expect(await page.page.locator('.notice.missing').count()).toBeGreaterThanOrEqual(3);
      await page.page.screenshot({ path: join(ARTIFACTS, 'report-e2e-nofit.png'), fullPage: true });
      expect(page.problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('rebuilt into the same folder, leaves no plot file of the earlier build that it does not draw', () => {
    const out = join(work, 'rebuilt');
    expect(cli(['report', '--db', db, '--out', out, '--format', 'md']).code).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = cli(['report', '--db', noFitDb, '--out', out, '--format', 'md']);
    expect(r.code, r.stderr).toBe(0);
    // a sweep of the same name from another database: said, since its report is gone
    expect(r.stderr).toContain(
      `sparsebench: note: this replaced the report in ${out} of sweep tiny-report from study.db; --out DIR keeps each report in a folder of its own`,
    );
    expect(cli(['report', '--db', noFitDb, '--out', out, '--format', 'md']).stderr).not.toContain('replaced');
    // an html report of an earlier build beside the new report.md is said to be one
    writeFileSync(join(out, 'report.html'), '<p>earlier</p>');
    expect(cli(['report', '--db', noFitDb, '--out', out, '--format', 'md']).stderr).toContain(
      `sparsebench: note: ${join(out, 'report.html')} is an earlier build's, not this one's (--format md left it as it was); --format html,md writes both`,
    );
    rmSync(join(out, 'report.html'));
    expect(readdirSync(out).sort()).toEqual(
      [
        'notes.txt',
        'report.md',
        ...['curves', 'loss-vs-d', 'loss-vs-n'].map((p) => `report-${p}.svg`),
      ].sort(),
    );
  });

  it('fails (not skips) with a clear message when Chromium is missing', () => {
    expect(browserUnavailable('/nonexistent/chromium')).toBe(
      'Chromium is not installed at /nonexistent/chromium, so the report cannot be checked in a browser. ' +
        'Install it (Debian: apt-get install -y chromium; .ci/run does this) or set SPARSEBENCH_SKIP_BROWSER=1 to skip the check.',
    );
  });

  it('reports the fit --fit names, and says which fit it is', () => {
    const out = join(work, 'chosen');
    const r = cli(['report', '--db', db, '--fit', '1', '--out', out, '--format', 'md']);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/Fit #1 \(chosen with --fit\), stored .*, 10 bootstrap replicates, /);
    const byDefault = cli(['report', '--db', db, '--out', join(work, 'newest'), '--format', 'md']);
    expect(readFileSync(join(work, 'newest', 'report.md'), 'utf8')).toContain(
      "Fit #1, this sweep's newest sparse-law fit (report --fit ID picks another)",
    );
    expect(byDefault.code).toBe(0);
  });

  it('rejects bad input with exit 2 and a message naming the flag, and writes nothing', () => {
    const out = join(work, 'never');
    const cases: [string[], RegExp][] = [
      [
        ['--db', join(work, 'missing.db')],
        /no database at .*missing\.db \(--db\); "sparsebench sweep <config>" makes one, or give --db the path of an existing one/,
      ],
      [['--db', db, '--sweep', 'nope'], /--sweep nope: no sweep of that name in .*; known: tiny-report/],
      [
        ['--db', db, '--format', 'pdf'],
        /--format pdf: unknown format "pdf"; valid: html, md \(comma-separated/,
      ],
      [['--db', db, '--format', ','], /--format ,: no format given; valid: html, md/],
      [['--db', work], /is a directory/],
      [
        ['--db', db, '--fit', '99'],
        /--fit 99: no stored fit has that id; fits of sweep tiny-report: 1 \(sparse\)/,
      ],
      [['--db', db, '--fit', '1.5'], /--fit 1\.5: expected a fit id, a positive integer/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['report', ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    }
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    const r = cli(['report', '--db', db, '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*a-file: is a file; give a directory/);
    // a directory where report.md goes: refused before any file is written
    const blocked = join(work, 'blocked');
    mkdirSync(join(blocked, 'report.md'), { recursive: true });
    const b = cli(['report', '--db', db, '--out', blocked]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--out .*blocked: report\.md there is a directory/);
    expect(readdirSync(blocked)).toEqual(['report.md']);
  });
});
