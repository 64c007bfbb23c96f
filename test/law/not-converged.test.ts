import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitSummaryLines } from '../../src/law/describe.js';
import { fitLaw } from '../../src/law/fit.js';
import { publishedCoefficients } from '../../src/law/published.js';
import type { SparseLawParams } from '../../src/law/types.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/config.js';
import { syntheticSparse } from './helpers.js';

/** Points with one loss everywhere: no start converges (the law's terms have nothing to fit). */
function constantPoints(): string {
  const rows = ['sparsity,nonzero_params,tokens,loss'];
  for (const s of [0, 0.5, 0.75])
    for (const n of [1e4, 3e4, 1e5]) for (const d of [1e5, 1e6, 1e7]) rows.push(`${s},${n},${d},3`);
  const path = join(tempDir(), 'flat.csv');
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

describe('a fit that did not converge', () => {
  it('reports no optimal-sparsity figures and answers no --optimal query', () => {
    const csv = constantPoints();
    // stopped after two iterations on data a full fit converges on: no term at a bound, only not converged
    const points = syntheticSparse(publishedCoefficients.t5 as SparseLawParams, { seed: 1, sigma: 0.002 });
    const fit = fitLaw(points, 'sparse', {
      loss: 'huber-log',
      delta: 1e-3,
      starts: 2,
      seed: 0,
      bootstrap: 0,
      maxIterations: 2,
    });
    expect(fit.converged).toBe(false);
    expect(fit.atLowerBound).toEqual([]);
    expect(fit.optimal).toBeUndefined();
    expect(fitSummaryLines(fit).some((l) => l.startsWith('optimal sparsity'))).toBe(false);
    const r = cli([
      'fit-law',
      '--points',
      csv,
      '--starts',
      '4',
      '--bootstrap',
      '0',
      '--holdout',
      '0',
      '--optimal',
      'N=1e5,C=1e15',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { optimal: unknown[]; optimal_summary: unknown; warnings: string[] };
    expect(doc.optimal).toEqual([]);
    expect(doc.optimal_summary).toBeNull();
    // flat losses leave terms at their bounds, which is said first
    expect(doc.warnings.some((w) => w.startsWith('--optimal not answered: '))).toBe(true);
  });

  it('exits 1 from the CLI, stored and printed but marked, so `fit-law && report` stops', () => {
    // twelve tiny t5 trials (S 0, 0.5, 0.75 × N 5k, 15k × D 20k, 40k): none of the starts reaches an optimum
    const rows = [
      '0,4992,19968,4.82407933473587',
      '0,4992,39936,4.0547076761722565',
      '0,14976,19968,4.519578695297241',
      '0,14976,39936,3.7319636046886444',
      '0.5,4992,19968,4.729263365268707',
      '0.5,4992,39936,3.916141837835312',
      '0.5,14976,19968,3.3447678685188293',
      '0.5,14976,39936,2.7535267770290375',
      '0.75,4992,19968,3.5595917403697968',
      '0.75,4992,39936,2.856659770011902',
      '0.75,15024,19968,3.1070508658885956',
      '0.75,15024,39936,2.6108463406562805',
    ];
    const dir = tempDir();
    const csv = join(dir, 't5.csv');
    writeFileSync(csv, `sparsity,nonzero_params,tokens,loss\n${rows.join('\n')}\n`);
    const db = join(dir, 'fits.db');
    const r = cli([
      'fit-law',
      '--points',
      csv,
      '--db',
      db,
      '--starts',
      '8',
      '--bootstrap',
      '0',
      '--holdout',
      '0',
    ]);
    expect(r.stdout).toContain('NOT CONVERGED');
    expect(r.stderr).toContain(
      'sparsebench: the fit did NOT converge; treat its coefficients as unreliable (exit 1)',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/stored as fit #1/);
  });
});
