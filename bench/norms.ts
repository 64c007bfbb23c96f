/**
 * The addon's norms on one layer's activations of the reference lm, [2048, 128]: layer norm (Ba et al. 2016,
 * arXiv:1607.06450) and RMSNorm (Zhang & Sennrich 2019, arXiv:1910.07467), forward and gradient, called directly
 * on Float32Arrays. Given several builds of the addon, it alternates them round by round and reports whether
 * their outputs are the same bits (a build without RMSNorm gets "-" in those rows).
 *
 * Run: `npx tsx bench/norms.ts [old.node new.node ...]`. Prints a Markdown table.
 */
import type { NativeAddon } from '../src/engine/native.js';
import { loadAddonBuilds, printBuilds, roundOrder } from './addon-builds.js';

const [ROWS, COLS, REPS, ROUNDS] = [2048, 128, 50, 15];
const builds = loadAddonBuilds(process.argv.slice(2));

// an offset mean and a spread, as a residual stream has; [ROWS, COLS]
const x = Float32Array.from({ length: ROWS * COLS }, (_, i) => Math.sin(i) * 3 + 1);
const dy = Float32Array.from({ length: ROWS * COLS }, (_, i) => Math.cos(i * 1.3));
const gain = Float32Array.from({ length: COLS }, (_, j) => 1 + j / COLS);
const bias = new Float32Array(COLS).fill(0.1);

interface Case {
  name: string;
  /** Runs the kernel once and returns its outputs, or null where the build lacks it. */
  run(a: NativeAddon): Float32Array[] | null;
}

// Outputs, allocated once (the forward passes' statistics feed the gradients); Buffer.concat copies them out.
const [y, dx] = [new Float32Array(ROWS * COLS), new Float32Array(ROWS * COLS)];
const [mean, rstd, rmsRstd] = [new Float32Array(ROWS), new Float32Array(ROWS), new Float32Array(ROWS)];
const [dg, db] = [new Float32Array(COLS), new Float32Array(COLS)];

const cases: Case[] = [
  {
    name: 'layer norm, forward',
    run: (a) => {
      a.layerNorm(x, gain, bias, y, mean, rstd, ROWS, COLS, 1e-5);
      return [y, mean, rstd];
    },
  },
  {
    name: 'layer norm, gradient',
    run: (a) => {
      a.layerNormGrad(dy, x, gain, mean, rstd, dx, dg, db, ROWS, COLS);
      return [dx, dg, db];
    },
  },
  {
    name: 'RMSNorm, forward',
    run: (a) => {
      if (!a.rmsNorm) return null;
      a.rmsNorm(x, gain, y, rmsRstd, ROWS, COLS, 1e-6);
      return [y, rmsRstd];
    },
  },
  {
    name: 'RMSNorm, gradient',
    run: (a) => {
      if (!a.rmsNormGrad) return null;
      a.rmsNormGrad(dy, x, gain, rmsRstd, dx, dg, ROWS, COLS);
      return [dx, dg];
    },
  },
];

const best = builds.map(() => cases.map(() => Number.POSITIVE_INFINITY));
const outputs = builds.map(() => cases.map((): Buffer | null => null));
for (let r = 0; r < ROUNDS + 1; r++) {
  // round 0 warms up
  for (const bi of roundOrder(builds.length, r))
    for (const [ci, c] of cases.entries()) {
      const first = c.run(builds[bi].addon);
      if (!first) continue;
      outputs[bi][ci] = Buffer.concat(first.map((o) => Buffer.from(o.buffer)));
      const t0 = performance.now();
      for (let i = 0; i < REPS; i++) c.run(builds[bi].addon);
      if (r > 0) best[bi][ci] = Math.min(best[bi][ci], (performance.now() - t0) / REPS);
    }
}

printBuilds(builds);
console.log(`\n[${ROWS}, ${COLS}], best of ${ROUNDS} rounds of ${REPS} calls, ms per call\n`);
const sameHead = builds.length > 1 ? ' same bits |' : '';
console.log(`| kernel | ${builds.map((_, i) => `build ${i + 1}`).join(' | ')} |${sameHead}`);
console.log(`|---|${builds.map(() => '---|').join('')}${builds.length > 1 ? '---|' : ''}`);
for (const [ci, c] of cases.entries()) {
  const cells = builds.map((_, bi) => (Number.isFinite(best[bi][ci]) ? best[bi][ci].toFixed(3) : '-'));
  const outs = outputs.map((o) => o[ci]).filter((o): o is Buffer => o !== null);
  const same =
    builds.length > 1
      ? ` ${outs.length < 2 ? '-' : outs.every((o) => o.equals(outs[0])) ? 'yes' : 'NO'} |`
      : '';
  console.log(`| ${c.name} | ${cells.join(' | ')} |${same}`);
}
