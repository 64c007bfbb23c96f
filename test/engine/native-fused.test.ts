import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { biasMode } from '../../src/engine/kernels/attention-native.js';
import {
  type AttentionDims,
  attend,
  causalMask,
  crossAttend,
  crossEntropy,
  selfAttend,
} from '../../src/models/blocks.js';
import { adamwUpdate, adamwUpdateJs } from '../../src/train/adamw.js';
import { Rng } from '../../src/util/rng.js';
import { addon, skipNative, skipReason } from '../helpers/native.js';
import { onBackend, tf } from '../helpers/tf.js';

type Layout = 'qkv' | 'q+kv' | 'separate';
type Bias = 'none' | 'mask' | 'per-head' | 'per-item';

/**
 * Value and gradients (w.r.t. every operand and the bias) of Σ attention(...) ⊙ w, for one layout and bias
 * kind; on cpu this is the composed tfjs ops, on wasm with the addon the fused kernel.
 */
function attentionCase(layout: Layout, biasKind: Bias, dims: AttentionDims, d: number) {
  const r = Rng.seeded(layout.length * 10 + biasKind.length);
  const { batch: b, tq, tk, heads: h } = dims;
  const rows = (t: number, w: number) => tf.tensor2d(r.normalArray(b * t * w, 1), [b * t, w]);
  const operands =
    layout === 'qkv'
      ? [rows(tq, 3 * d)]
      : layout === 'q+kv'
        ? [rows(tq, d), rows(tk, 2 * d)]
        : [rows(tq, d), rows(tk, d), rows(tk, d)];
  const bias =
    biasKind === 'none'
      ? undefined
      : biasKind === 'mask'
        ? causalMask(tq)
        : tf.tensor(r.normalArray((biasKind === 'per-head' ? 1 : b) * h * tq * tk, 1), [
            biasKind === 'per-head' ? 1 : b,
            h,
            tq,
            tk,
          ]);
  const w = tf.tensor2d(r.normalArray(b * tq * d, 1), [b * tq, d]);
  const f = (...xs: tf.Tensor[]) => {
    const [ops, bb] = bias ? [xs.slice(0, -1), xs.at(-1)] : [xs, undefined];
    const o =
      layout === 'qkv'
        ? selfAttend(ops[0] as tf.Tensor2D, dims, bb)
        : layout === 'q+kv'
          ? crossAttend(ops[0] as tf.Tensor2D, ops[1] as tf.Tensor2D, dims, bb)
          : attend(ops[0] as tf.Tensor2D, ops[1] as tf.Tensor2D, ops[2] as tf.Tensor2D, dims, bb);
    return tf.sum(tf.mul(o, w));
  };
  const inputs = bias ? [...operands, bias] : operands;
  const before = tf.memory().numTensors;
  const grads = tf.tidy(() => tf.grads(f)(inputs));
  const leaked = tf.memory().numTensors - before - grads.length;
  const value = tf.tidy(() => f(...inputs)).dataSync()[0];
  const out = { value, grads: grads.map((g) => Array.from(g.dataSync())), leaked };
  tf.dispose([...inputs, w, ...grads]);
  return out;
}

function expectClose(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (const [i, v] of a.entries()) worst = Math.max(worst, Math.abs(v - b[i]));
  expect(worst).toBeLessThan(tol);
}

describe.skipIf(skipNative)(`fused attention on the wasm backend${skipReason}`, () => {
  const cases: [Layout, Bias, AttentionDims, number][] = [
    ['qkv', 'mask', { batch: 3, tq: 9, tk: 9, heads: 2 }, 8], // lm: causal self-attention
    ['qkv', 'none', { batch: 2, tq: 17, tk: 17, heads: 4 }, 16], // vit: no bias
    ['qkv', 'per-head', { batch: 2, tq: 7, tk: 7, heads: 3 }, 12], // T5 encoder: shared position bias
    ['q+kv', 'none', { batch: 2, tq: 5, tk: 11, heads: 2 }, 8], // T5 cross-attention: Tq ≠ Tk
    ['separate', 'per-item', { batch: 2, tq: 6, tk: 4, heads: 2 }, 6],
  ];
  for (const [layout, bias, dims, d] of cases)
    it(`${layout} with bias ${bias} (${JSON.stringify(dims)}, D ${d}) has the value and gradients of the composed ops on cpu`, async () => {
      const want = await onBackend('cpu', () => attentionCase(layout, bias, dims, d));
      const got = await onBackend('wasm', () => attentionCase(layout, bias, dims, d));
      expect(Math.abs(got.value - want.value)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want.value)));
      expect(got.grads.length).toBe(want.grads.length);
      for (const [i, g] of got.grads.entries()) expectClose(g, want.grads[i], 1e-4);
      expect(got.leaked).toBe(0);
    });

  it('a masked score gets exactly zero weight', async () => {
    // equal scores everywhere and v = identity rows: output row i is query i's attention weights
    const out = await onBackend('wasm', () => {
      const zeros = tf.zeros([4, 4]) as tf.Tensor2D;
      const v = tf.eye(4) as tf.Tensor2D;
      return attend(zeros, zeros, v, { batch: 1, tq: 4, tk: 4, heads: 1 }, causalMask(4)).arraySync();
    });
    expect(out[0]).toEqual([1, 0, 0, 0]);
    expect(out[1]).toEqual([0.5, 0.5, 0, 0]);
    for (const p of out[3]) expect(Math.abs(p - 0.25)).toBeLessThan(1e-7);
  });

  it('rejects a bias of an unsupported shape, naming it', () => {
    const a = { layout: 'qkv' as const, batch: 2, heads: 3, tq: 4, tk: 4, hd: 2, scale: 1 };
    expect(biasMode({ shape: [4, 4] }, a)).toBe(1);
    expect(biasMode({ shape: [1, 3, 4, 4] }, a)).toBe(2);
    expect(biasMode({ shape: [2, 3, 4, 4] }, a)).toBe(3);
    expect(() => biasMode({ shape: [3, 4, 4] }, a)).toThrow(/\[3, 4, 4\]/);
  });

  it('rejects dims that are not sizes, or whose products overflow, before touching memory', () => {
    // one item, one head, Tq = Tk = 2, hd 2, rows 2 apart: each operand [2, 2]
    const ok = [1, 1, 2, 2, 2, 2, 2, 2, 2, 0, 1];
    const buf = () => new Float32Array(4);
    const run = (dims: number[]) => addon!.attention(buf(), buf(), buf(), null, buf(), buf(), dims);
    expect(() => run(ok)).not.toThrow();
    const with_ = (i: number, v: number) => ok.map((x, j) => (j === i ? v : x));
    expect(() => run(with_(5, -2))).toThrow(/dims\[5\] is -2, must be a non-negative integer/); // a negative ldq
    expect(() => run(with_(2, 1.5))).toThrow(/dims\[2\] is 1.5/);
    expect(() => run(with_(0, Number.NaN))).toThrow(/dims\[0\]/);
    expect(() => run(with_(9, 4))).toThrow(/biasMode must be 0, 1, 2 or 3/);
    const huge = ok.map((x, j) => (j === 0 ? 2 ** 20 : j === 5 ? 2 ** 50 : x)); // (2^21 - 1) · 2^50 rows of q
    expect(() => run(huge)).toThrow(/sizes given for q overflow/);
  });
});

describe.skipIf(skipNative)(`fused cross-entropy on the wasm backend${skipReason}`, () => {
  it('has the value and gradient of the composed ops on cpu, including large logits and targets out of range', async () => {
    const rows = 37;
    const classes = 11;
    const r = Rng.seeded(3);
    const xs = r.normalArray(rows * classes, 1).map((v, i) => (i < classes ? v * 60 : v * 3)); // row 0: huge logits
    const ts = Array.from({ length: rows }, (_, i) => (i === 5 ? -1 : i === 6 ? classes : i % classes));
    const run = () => {
      const x = tf.tensor2d(xs, [rows, classes]);
      const t = tf.tensor1d(ts, 'int32');
      const f = (l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, t, classes);
      const before = tf.memory().numTensors;
      const g = tf.tidy(() => tf.grad(f)(x));
      const leaked = tf.memory().numTensors - before - 1;
      const out = { value: f(x).dataSync()[0], grad: Array.from(g.dataSync()), leaked };
      tf.dispose([x, t, g]);
      return out;
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(Math.abs(got.value - want.value)).toBeLessThan(1e-4 * Math.abs(want.value));
    expectClose(got.grad, want.grad, 1e-6);
    // rows with an out-of-range target contribute nothing, on both
    expect(got.grad.slice(5 * classes, 7 * classes).every((v) => v === 0)).toBe(true);
    expect(got.leaked).toBe(0);
  });
});

describe.skipIf(skipNative)(`native AdamW${skipReason}`, () => {
  it('gives the same bits as the JavaScript update, over many steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (n, seed, decay, gradScale) => {
          const r = Rng.seeded(seed);
          const o = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1 };
          const w1 = r.normalArray(n, 1);
          const w2 = Float32Array.from(w1);
          const s1 = { m: new Float32Array(n), v: new Float32Array(n) };
          const s2 = { m: new Float32Array(n), v: new Float32Array(n) };
          for (let t = 1; t <= 5; t++) {
            const g = r.normalArray(n, 1e-3 * t);
            adamwUpdate(w1, g, s1, t, 3e-3, o, decay, gradScale);
            adamwUpdateJs(w2, g, s2, t, 3e-3, o, decay, gradScale);
          }
          expect(Buffer.from(w1.buffer)).toEqual(Buffer.from(w2.buffer));
          expect(Buffer.from(s1.m.buffer)).toEqual(Buffer.from(s2.m.buffer));
          expect(Buffer.from(s1.v.buffer)).toEqual(Buffer.from(s2.v.buffer));
        },
      ),
      { numRuns: 50 },
    );
    expect(addon).not.toBeNull();
  });
});
