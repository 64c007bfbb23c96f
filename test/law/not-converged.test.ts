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
});
