/**
 * GFLOP/s of the matrix products our models run, on the wasm backend through tfjs's own kernel (XNNPACK)
 * and through the native GEMM addon, plus the addon called directly on Float32Arrays (no tfjs overhead):
 * [2048,128]·[128,512] plain, with transposeA, with transposeB, and the attention-shaped batched product
 * [128,64,32]·[128,32,64]. Each figure is the best of several timed rounds (the machine may be shared).
 *
 * Run: `npx tsx bench/gemm.ts`. Prints a Markdown table.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';
import { installNativeKernels, uninstallNativeKernels } from '../src/engine/kernels/native-kernels.js';
import { nativeAddon, nativeStatus } from '../src/engine/native.js';

interface Case {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const cases: Case[] = [
  { name: '2048x128x512 plain', a: [2048, 128], b: [128, 512], transposeA: false, transposeB: false },
  { name: '2048x128x512 transposeA', a: [128, 2048], b: [128, 512], transposeA: true, transposeB: false },
  { name: '2048x128x512 transposeB', a: [2048, 128], b: [512, 128], transposeA: false, transposeB: true },
  // the lm's qkv weight gradient, Xᵀ·dY: few output rows, a long K (a layer's tokens)
  {
    name: '128x2048x384 weight gradient (transposeA)',
    a: [2048, 128],
    b: [2048, 384],
    transposeA: true,
    transposeB: false,
  },
  {
    name: 'attention [128,64,32]x[128,32,64]',
    a: [128, 64, 32],
    b: [128, 32, 64],
    transposeA: false,
    transposeB: false,
  },
];

const ROUNDS = 5;
const TARGET_MS = 200;

/** 2·M·N·K·batch of a case. */
function flops(c: Case): number {
  const [m, k] = c.transposeA ? c.a.slice(-2).reverse() : c.a.slice(-2);
  const n = c.transposeB ? c.b.at(-2)! : c.b.at(-1)!;
  const batch = c.a.length === 3 ? c.a[0] : 1;
  return 2 * m * n * k * batch;
}

/** Best GFLOP/s over several rounds of `run`, each round sized to take about TARGET_MS. */
function best(run: () => void, work: number): number {
  run();
  const t0 = performance.now();
  run();
  const reps = Math.max(1, Math.round(TARGET_MS / Math.max(performance.now() - t0, 0.01)));
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) run();
    fastest = Math.min(fastest, (performance.now() - start) / reps);
  }
  return work / (fastest / 1000) / 1e9;
}

/** Through tf.matMul on the wasm backend with whatever BatchMatMul kernel is registered. */
function viaTfjs(c: Case): number {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  // The wasm backend computes synchronously: nothing needs reading back (which would time a copy too).
  const g = best(() => tf.matMul(a, b, c.transposeA, c.transposeB).dispose(), flops(c));
  tf.dispose([a, b]);
  return g;
}

/** The addon alone, on plain Float32Arrays. */
function direct(c: Case): number {
  const addon = nativeAddon()!;
  const [m, k] = c.transposeA ? c.a.slice(-2).reverse() : c.a.slice(-2);
  const n = c.transposeB ? c.b.at(-2)! : c.b.at(-1)!;
  const batch = c.a.length === 3 ? c.a[0] : 1;
  const a = Float32Array.from({ length: batch * m * k }, () => Math.random());
  const b = Float32Array.from({ length: batch * k * n }, () => Math.random());
  const out = new Float32Array(batch * m * n);
  return best(
    () => addon.gemmBatched(a, b, out, batch, batch, m, n, k, c.transposeA, c.transposeB),
    flops(c),
  );
}

await selectBackend('wasm');
const status = nativeStatus();
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, tfjs ${tf.version_core}`,
);
console.log(`native: ${status.reason}\n`);
console.log('| product | wasm XNNPACK (tfjs) GFLOP/s | native via tfjs GFLOP/s | native direct GFLOP/s |');
console.log('|---|---|---|---|');
const addon = nativeAddon();
for (const c of cases) {
  uninstallNativeKernels();
  const xnnpack = viaTfjs(c);
  let viaNative = '-';
  let raw = '-';
  if (addon) {
    installNativeKernels(addon);
    viaNative = viaTfjs(c).toFixed(1);
    raw = direct(c).toFixed(1);
  }
  console.log(`| ${c.name} | ${xnnpack.toFixed(1)} | ${viaNative} | ${raw} |`);
}
process.exit(0);
