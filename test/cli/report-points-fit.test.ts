import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/config.js';

/** 27 points of a law of the sparse form's shape, enough for fit-law to store a fit. */
function pointsCsv(): string {
  const rows = ['sparsity,nonzero_params,tokens,loss'];
  for (const s of [0, 0.5, 0.75])
    for (const n of [1e4, 2e4, 4e4])
      for (const d of [1e5, 2e5, 4e5])
        rows.push(`${s},${n},${d},${(1.5 + 30 * (n * (1 + 2 * s)) ** -0.3 + 50 * d ** -0.3).toFixed(5)}`);
  return `${rows.join('\n')}\n`;
}

describe('report --fit of a fit to a points file', () => {
  it('says that report draws sweeps only and where that fit is shown, with exit 2, writing nothing', () => {
    const dir = tempDir();
    const csv = join(dir, 'pts.csv');
    writeFileSync(csv, pointsCsv());
    const db = join(dir, 'new.db');
    const fit = cli(['fit-law', '--points', csv, '--db', db, '--bootstrap', '0']);
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.stdout).toContain('stored as fit #1');
    const out = join(dir, 'report');
    const r = cli(['report', '--db', db, '--fit', '1', '--out', out]);
    expect(r.code).toBe(2);
    // it said the database held no sweeps yet and to run a sweep first
    expect(r.stderr).not.toContain('no sweeps yet');
    expect(r.stderr).toContain(
      `--fit 1: fit #1 was fitted to a points file (${csv}), not to a sweep's trials, and report draws sweeps only; ` +
        `its figures are in "sparsebench fit-law --points ${csv}" (which fits the points again) and ` +
        `"sparsebench runs fits --db ${db} --all"`,
    );
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    // runs fits without --all points to it, the one way to list a fit outside every sweep
    const fits = cli(['runs', 'fits', '--db', db]);
    expect(fits.code).toBe(2);
    expect(fits.stderr).toContain(
      `${db} holds no sweeps yet; it holds a fit of points files (fit-law --points): --all lists every fit`,
    );
    expect(cli(['runs', 'fits', '--db', db, '--all']).stdout).toMatch(/^ 1 {2}\(points\) {2}sparse/m);
  });
});
