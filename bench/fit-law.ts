/**
 * Benchmark of the scaling-law fitter: 200 synthetic points from the sparse law (T5 coefficients of
 * Frantar et al. 2023, Table 1) with 0.2% multiplicative noise, 25 starts, 200 bootstrap replicates.
 * Target: under 10 s on 2 cores. Run: `npx tsx bench/fit-law.ts` (prints the wall time).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LawPoint } from '../src/law/index.js';
import { fitLaw, publishedCoefficients, sparseForm } from '../src/law/index.js';
import { Rng } from '../src/util/rng.js';

/** 5 sparsities × 8 model sizes × 5 data sizes = 200 points, N 1e4–3e6, D 5e5–5e7 (our CPU scale). */
function syntheticPoints(seed: number): LawPoint[] {
  const rng = Rng.seeded(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
  const points: LawPoint[] = [];
  for (const sparsity of [0, 0.5, 0.75, 0.875, 0.9375]) {
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 5; j++) {
        const input = { sparsity, nonzeroParams: 1e4 * 10 ** ((2.5 * i) / 7), tokens: 5e5 * 10 ** (j / 2) };
        const loss =
          sparseForm.predict({ ...publishedCoefficients.t5 }, input) * Math.exp(0.002 * gaussian());
        points.push({ ...input, loss });
      }
    }
  }
  return points;
}

const points = syntheticPoints(1);
const start = performance.now();
const fit = fitLaw(points, 'sparse', { loss: 'huber-log', delta: 1e-3, starts: 25, seed: 0, bootstrap: 200 });
const seconds = (performance.now() - start) / 1000;

console.log(
  `fit-law: ${points.length} points, ${fit.startsTotal} starts, ${fit.bootstrap?.requested} bootstrap replicates`,
);
console.log(
  `  converged: ${fit.converged} (${fit.startsConverged}/${fit.startsTotal} starts; bootstrap ${fit.bootstrap?.converged} converged, ${fit.bootstrap?.failed} failed)`,
);
console.log(
  `  loss: ${fit.loss.toExponential(4)}; rmse_log: ${fit.rmse_log.toExponential(3)}; warnings: ${fit.warnings.length === 0 ? 'none' : fit.warnings.join('; ')}`,
);
for (const [name, value] of Object.entries(fit.params)) {
  const [lo, hi] = fit.intervals[name] ?? [Number.NaN, Number.NaN];
  const truth = publishedCoefficients.t5[name as keyof typeof publishedCoefficients.t5];
  console.log(
    `  ${name.padEnd(4)} ${value.toPrecision(4).padStart(10)}  95% [${lo.toPrecision(4)}, ${hi.toPrecision(4)}]  truth ${truth}`,
  );
}
console.log(`wall time: ${seconds.toFixed(2)} s (${cpus().length} cores, Node ${process.version})`);

// Reference in the same run: the same fit with SciPy's BFGS, when python3 has numpy and scipy.
const csv = join(mkdtempSync(join(tmpdir(), 'sb-fit-')), 'points.csv');
writeFileSync(
  csv,
  [
    'sparsity,nonzero_params,tokens,loss',
    ...points.map((p) => `${p.sparsity},${p.nonzeroParams},${p.tokens},${p.loss}`),
  ].join('\n'),
);
const peer = spawnSync('python3', [join(import.meta.dirname, 'fit-law-scipy.py'), csv], { encoding: 'utf8' });
console.log(
  peer.status === 0
    ? peer.stdout.trim()
    : `scipy peer not run: ${(peer.stderr || String(peer.error)).trim().split('\n').pop()}`,
);
