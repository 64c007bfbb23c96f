/**
 * The native GEMM on the products of one training step, with operands as training sees them: each call reads
 * A and B from a fresh stretch of a 256 MB pool, so they come from memory or L3 rather than from the cache a
 * repeated call would leave them in (`--warm`: every call of a product reuses one stretch, as `bench/gemm.ts`
 * does). Models: the benchmark's reference lm (d_model 128, 4 layers, d_ff 512, vocab 256, 2,048 tokens per
 * batch, 4 heads of 32 over 64 positions), or with `--model=small` one of the quickstart's trials, whose
 * narrow products are mostly edge tiles. Warm operands flatter the packing: in training it was ~20% of a step
 * before it moved whole vectors.
 *
 * The attention products run here on contiguous [batch x heads, T, hd] operands; in training they read the
 * heads in place from the packed qkv rows (a leading dimension of 3 d_model), which only changes where the
 * packing reads from. Each product writes into one output array reused across calls, where training writes a
 * fresh tensor.
 *
 * Given several builds of the addon (paths to `sparsebench_native.node`), it alternates them round by round
 * (each round runs every product of a step once per build, in the step's proportions) and checks that they
 * give the same bits; with none, it times the build in native/build. `SPARSEBENCH_NATIVE_ISA=avx2` (or
 * `generic`) times another variant.
 *
 * Run: `npx tsx bench/gemm-step.ts [old.node new.node ...] [--rounds=N] [--model=reference|small|vit] [--warm]`.
 * Prints a Markdown table.
 */
import { loadAddonBuilds, printBuilds, roundOrder } from './addon-builds.js';

interface Product {
  name: string;
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  /** Independent problems per call (the attention products: batch x heads). */
  batch: number;
  /** Calls per training step. */
  perStep: number;
}

/**
 * A training step's products for an lm of `layers` x d_model `d`, d_ff `f`, vocab `v`, `tokens` per batch of
 * sequences of `seqLen`, heads of `hd`.
 */
function lmStep(
  tokens: number,
  d: number,
  f: number,
  v: number,
  layers: number,
  seqLen: number,
  hd: number,
): Product[] {
  const T = tokens;
  const heads = (tokens / seqLen) * (d / hd); // sequences x heads
  const L = layers;
  const plain = { ta: false, tb: false, batch: 1 };
  return [
    { name: 'forward qkv X·W', m: T, n: 3 * d, k: d, ...plain, perStep: L },
    { name: 'forward out-proj', m: T, n: d, k: d, ...plain, perStep: L },
    { name: 'forward ff up', m: T, n: f, k: d, ...plain, perStep: L },
    { name: 'forward ff down', m: T, n: d, k: f, ...plain, perStep: L },
    { name: 'forward tied head X·Eᵀ', m: T, n: v, k: d, ...plain, tb: true, perStep: 1 },
    { name: 'input grad qkv dY·Wᵀ', m: T, n: d, k: 3 * d, ...plain, tb: true, perStep: L },
    { name: 'input grad out-proj', m: T, n: d, k: d, ...plain, tb: true, perStep: L },
    { name: 'input grad ff up', m: T, n: d, k: f, ...plain, tb: true, perStep: L },
    { name: 'input grad ff down', m: T, n: f, k: d, ...plain, tb: true, perStep: L },
    { name: 'input grad head dY·E', m: T, n: d, k: v, ...plain, perStep: 1 },
    { name: 'weight grad qkv Xᵀ·dY', m: d, n: 3 * d, k: T, ...plain, ta: true, perStep: L },
    { name: 'weight grad out-proj', m: d, n: d, k: T, ...plain, ta: true, perStep: L },
    { name: 'weight grad ff up', m: d, n: f, k: T, ...plain, ta: true, perStep: L },
    { name: 'weight grad ff down', m: f, n: d, k: T, ...plain, ta: true, perStep: L },
    { name: 'weight grad head dYᵀ·X', m: v, n: d, k: T, ...plain, ta: true, perStep: 1 },
    {
      name: 'attention Q·Kᵀ (and dO·Vᵀ)',
      m: seqLen,
      n: seqLen,
      k: hd,
      ...plain,
      tb: true,
      batch: heads,
      perStep: 2 * L,
    },
    { name: 'attention P·V (and dS·K)', m: seqLen, n: hd, k: seqLen, ...plain, batch: heads, perStep: 2 * L },
    {
      name: 'attention Pᵀ·dO (and dSᵀ·Q)',
      m: seqLen,
      n: hd,
      k: seqLen,
      ...plain,
      ta: true,
      batch: heads,
      perStep: 2 * L,
    },
  ];
}

/**
 * A training step's products for the benchmark's reference vit (bench/references.ts: 32 MNIST images of 16
 * patches of 7x7 and a class token, 544 rows; d_model 128, 4 layers, d_ff 512, heads of 32): the lm's layer
 * products at 544 rows and 17 positions, the patch embedding instead of the tied head, and a 10-class head on the
 * class tokens only.
 */
function vitStep(): Product[] {
  const images = 32;
  const patches = 16;
  const d = 128;
  const plain = { ta: false, tb: false, batch: 1 };
  const layers = lmStep(images * (patches + 1), d, 512, 10, 4, patches + 1, 32).filter(
    (p) => !p.name.includes('head'),
  );
  const rows = images * patches;
  return [
    ...layers,
    { name: 'forward patch embedding', m: rows, n: d, k: 49, ...plain, perStep: 1 },
    { name: 'weight grad patch embedding', m: 49, n: d, k: rows, ...plain, ta: true, perStep: 1 },
    { name: 'forward class head', m: images, n: 10, k: d, ...plain, perStep: 1 },
    { name: 'input grad class head', m: images, n: d, k: 10, ...plain, tb: true, perStep: 1 },
    { name: 'weight grad class head', m: d, n: 10, k: images, ...plain, ta: true, perStep: 1 },
  ];
}

/**
 * reference: the benchmark's lm (2,048 tokens, d_model 128, 4 layers, d_ff 512, heads of 32);
 * small: one of the quickstart's trials (1,024 tokens, 1 layer of d_model 48, d_ff 154, 3 heads of 16);
 * vit: the benchmark's reference vit (544 rows, see vitStep).
 */
const MODELS: Record<string, Product[]> = {
  reference: lmStep(2048, 128, 512, 256, 4, 64, 32),
  small: lmStep(1024, 48, 154, 256, 1, 64, 16),
  vit: vitStep(),
};

const args = process.argv.slice(2);
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 9);
const model = args.find((a) => a.startsWith('--model='))?.slice('--model='.length) ?? 'reference';
const products = MODELS[model];
if (!products) throw new Error(`--model=${model}: expected one of ${Object.keys(MODELS).join(', ')}`);
const builds = loadAddonBuilds(args.filter((a) => !a.startsWith('--')));

const POOL = new Float32Array(64 * 1024 * 1024); // 256 MB, well past the 32 MB L3
for (let i = 0; i < POOL.length; i++) POOL[i] = ((i * 7919) % 1013) / 1013 - 0.5;
let at = 0;
const warm = args.includes('--warm');
/**
 * A fresh stretch of the pool of `n` floats (wrapping round), so operands are not left in cache; with --warm,
 * the same stretch every time for operand `slot` (0 for A, 1 for B).
 */
function fresh(n: number, slot: number): Float32Array {
  if (warm) return POOL.subarray(slot * (POOL.length / 2), slot * (POOL.length / 2) + n);
  if (at + n > POOL.length) at = 0;
  const v = POOL.subarray(at, at + n);
  at += n + 1024; // a gap, so consecutive operands do not share lines
  return v;
}

const flops = (p: Product) => 2 * p.m * p.n * p.k * p.batch;
const best = builds.map(() => products.map(() => Number.POSITIVE_INFINITY)); // seconds per call
const stepTimes = builds.map((): number[] => []);
const outs = builds.map(() => products.map((p) => new Float32Array(p.batch * p.m * p.n)));

for (let r = 0; r < rounds + 1; r++) {
  // round 0 warms up
  for (const bi of roundOrder(builds.length, r)) {
    const { addon } = builds[bi];
    let step = 0;
    for (const [pi, p] of products.entries()) {
      for (let c = 0; c < p.perStep; c++) {
        const a = fresh(p.batch * p.m * p.k, 0);
        const b = fresh(p.batch * p.k * p.n, 1);
        const t0 = performance.now();
        addon.gemmBatched(a, b, outs[bi][pi], p.batch, p.batch, p.m, p.n, p.k, p.ta, p.tb);
        const s = (performance.now() - t0) / 1000;
        step += s;
        if (r > 0) best[bi][pi] = Math.min(best[bi][pi], s);
      }
    }
    if (r > 0) stepTimes[bi].push(step);
  }
}

// Whether every build gives the same bits: each product once more per build, on one shared pair of operands.
const sameBits = products.every((p) => {
  const a = POOL.subarray(0, p.batch * p.m * p.k);
  const b = POOL.subarray(a.length, a.length + p.batch * p.k * p.n);
  const results = builds.map(({ addon }) => {
    const c = new Float32Array(p.batch * p.m * p.n);
    addon.gemmBatched(a, b, c, p.batch, p.batch, p.m, p.n, p.k, p.ta, p.tb);
    return Buffer.from(c.buffer);
  });
  return results.every((c) => c.equals(results[0]));
});

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
printBuilds(builds);
console.log(
  `\nmodel: ${model}; ${rounds} rounds, operands ${warm ? 'reused (warm)' : 'fresh from a 256 MB pool'}; ` +
    "GFLOP/s of each product's best call\n",
);
console.log(
  `| product | m x n x k (batch) | calls per step | ${builds.map((_, i) => `build ${i + 1}`).join(' | ')} |`,
);
console.log(`|---|---|---|${builds.map(() => '---|').join('')}`);
for (const [pi, p] of products.entries()) {
  const flags = `${p.ta ? ' Aᵀ' : ''}${p.tb ? ' Bᵀ' : ''}${p.batch > 1 ? ` (${p.batch})` : ''}`;
  const shape = `${p.m}x${p.n}x${p.k}${flags}`;
  const cells = builds.map((_, bi) => (flops(p) / best[bi][pi] / 1e9).toFixed(1));
  console.log(`| ${p.name} | ${shape} | ${p.perStep} | ${cells.join(' | ')} |`);
}
const stepFlops = products.reduce((s, p) => s + flops(p) * p.perStep, 0);
const cells = stepTimes.map(
  (t) => `${(median(t) * 1000).toFixed(1)} ms (${(stepFlops / median(t) / 1e9).toFixed(1)})`,
);
console.log(`| **a step's products, median round (GFLOP/s)** | | | ${cells.join(' | ')} |`);
if (builds.length > 1) console.log(`\nsame bits from every build: ${sameBits ? 'yes' : 'NO'}`);
