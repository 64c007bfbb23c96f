import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NATIVE_ADDON_PATH } from '../../src/engine/native.js';
import { Rng } from '../../src/util/rng.js';
import { addon, nativeRequired, skipNative, skipReason } from '../helpers/native.js';

/** op(a)·op(b) by the definition, in float64. a: [M, K] or [K, M]; b: [K, N] or [N, K] → [M, N] */
function naive(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const flags: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

it('the native addon is built when SPARSEBENCH_REQUIRE_NATIVE=1', () => {
  if (nativeRequired) expect(addon, 'native addon required but not loaded').not.toBeNull();
});

describe.skipIf(skipNative)(`native GEMM against a naive triple loop${skipReason}`, () => {
  const rng = Rng.seeded(7);
  const gemm = (m: number, n: number, k: number, ta: boolean, tb: boolean) => {
    const a = Float32Array.from(rng.normalArray(m * k, 1));
    const b = Float32Array.from(rng.normalArray(k * n, 1));
    const c = new Float32Array(m * n).fill(Number.NaN); // the GEMM must overwrite every element
    addon!.gemm(a, b, c, m, n, k, ta, tb);
    return maxDiff(c, naive(a, b, m, n, k, ta, tb));
  };

  for (const [m, n, k] of [
    [1, 1, 1],
    [3, 5, 7],
    [17, 33, 65],
    [13, 70, 300], // K above one 256-deep slice: accumulation across slices
    [139, 75, 270], // M above one MC block, N over several panels with an edge, K over two slices (every ISA's sizes)
    [24, 48, 300], // an edge exactly one AVX-512 vector wide (computed alone, stored straight to C), over two K slices
    [20, 60, 270], // an edge wider than one vector, over two K slices
  ])
    for (const [ta, tb] of flags)
      it(`${m}x${k} · ${k}x${n}, transA=${ta}, transB=${tb}`, () => {
        expect(gemm(m, n, k, ta, tb)).toBeLessThan(1e-4 * Math.sqrt(k));
      });

  it('K = 0 gives zeros', () => {
    const c = new Float32Array(6).fill(5);
    addon!.gemm(new Float32Array(0), new Float32Array(0), c, 2, 3, 0, false, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('random shapes up to 70 and transposes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.boolean(),
        (m, n, k, ta, tb) => gemm(m, n, k, ta, tb) < 1e-4 * Math.sqrt(k),
      ),
      { numRuns: 60, seed: 3 },
    );
  });

  it('batched, with a batch-1 operand broadcast over the batch', () => {
    const [batch, m, n, k] = [3, 5, 6, 4];
    for (const [ta, tb] of flags)
      for (const [ba, bb] of [
        [batch, batch],
        [1, batch],
        [batch, 1],
      ]) {
        const a = Float32Array.from(rng.normalArray(ba * m * k, 1));
        const b = Float32Array.from(rng.normalArray(bb * k * n, 1));
        const c = new Float32Array(batch * m * n);
        addon!.gemmBatched(a, b, c, ba, bb, m, n, k, ta, tb);
        for (let i = 0; i < batch; i++) {
          const ai = a.subarray(ba === 1 ? 0 : i * m * k, (ba === 1 ? 0 : i * m * k) + m * k);
          const bi = b.subarray(bb === 1 ? 0 : i * k * n, (bb === 1 ? 0 : i * k * n) + k * n);
          expect(
            maxDiff(c.subarray(i * m * n, (i + 1) * m * n), naive(ai, bi, m, n, k, ta, tb)),
          ).toBeLessThan(1e-4);
        }
      }
  });

  it('splits large products over threads with the same result (SPARSEBENCH_THREADS)', () => {
    const before = addon!.info().threads;
    try {
      addon!.setThreads(3);
      // above the 2^21 multiply-add threshold: split by rows (M > N), by columns (N > M), and by batch
      expect(gemm(300, 70, 130, false, true)).toBeLessThan(1e-3);
      expect(gemm(70, 300, 130, true, false)).toBeLessThan(1e-3);
      const [batch, m, n, k] = [5, 64, 64, 128];
      const a = Float32Array.from(rng.normalArray(batch * m * k, 1));
      const b = Float32Array.from(rng.normalArray(k * n, 1));
      const c = new Float32Array(batch * m * n);
      addon!.gemmBatched(a, b, c, batch, 1, m, n, k, false, false);
      const last = naive(a.subarray((batch - 1) * m * k), b, m, n, k, false, false);
      expect(maxDiff(c.subarray((batch - 1) * m * n), last)).toBeLessThan(1e-3);
    } finally {
      addon!.setThreads(before);
    }
  });

  // The process picks its variant once, so each runs in a child (test/fixtures/gemm-variant.mjs).
  const VARIANTS = ['avx512', 'avx2', 'generic'] as const;
  const runVariant = (isa: string | null) => {
    const env = { ...process.env };
    if (isa === null) delete env.SPARSEBENCH_NATIVE_ISA;
    else env.SPARSEBENCH_NATIVE_ISA = isa;
    const script = fileURLToPath(new URL('../fixtures/gemm-variant.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, NATIVE_ADDON_PATH], {
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    if (r.status !== 0)
      throw new Error(`gemm-variant.mjs (${isa ?? 'no cap'}) failed: ${r.stderr || r.error}`);
    return JSON.parse(r.stdout) as { isa: (typeof VARIANTS)[number]; worst: number };
  };
  // the widest variant this CPU runs: the addon's own choice when nothing caps it
  const widest = addon ? runVariant(null).isa : 'generic';
  for (const isa of VARIANTS) {
    const unsupported = VARIANTS.indexOf(isa) < VARIANTS.indexOf(widest);
    it.skipIf(unsupported)(
      `the ${isa} variant (SPARSEBENCH_NATIVE_ISA=${isa}) matches the triple loop${unsupported ? ` (skipped: this CPU's widest is ${widest})` : ''}`,
      () => {
        const out = runVariant(isa);
        expect(out.isa).toBe(isa);
        expect(out.worst).toBeLessThan(1e-4);
      },
    );
  }

  it('an edge tile one vector wide gives the same bits as the same columns of a full tile', () => {
    // N = 48: one full 32-column panel and a 16-column edge (computed alone on AVX-512); N = 64: two full panels.
    // K = 600 crosses a K slice (256 deep on AVX-512, 512 on AVX2), so the edge also accumulates. Same inputs,
    // same columns: same bits.
    const [k, wide, narrow] = [600, 64, 48];
    for (const m of [24, 21])
      for (const [ta, tb] of flags) {
        const a = Float32Array.from(rng.normalArray(m * k, 1));
        const bFull = Float32Array.from(rng.normalArray(k * wide, 1)); // [K, 64], or [64, K] when tb
        const bCut = new Float32Array(k * narrow); // the first 48 columns of op(B)
        for (let p = 0; p < k; p++)
          for (let j = 0; j < narrow; j++)
            bCut[tb ? j * k + p : p * narrow + j] = bFull[tb ? j * k + p : p * wide + j];
        const cFull = new Float32Array(m * wide);
        const cCut = new Float32Array(m * narrow);
        addon!.gemm(a, bFull, cFull, m, wide, k, ta, tb);
        addon!.gemm(a, bCut, cCut, m, narrow, k, ta, tb);
        for (let i = 0; i < m; i++)
          expect(Array.from(cCut.subarray(i * narrow, (i + 1) * narrow))).toEqual(
            Array.from(cFull.subarray(i * wide, i * wide + narrow)),
          );
      }
  });

  it('rejects operands too small for the sizes, instead of reading past them', () => {
    expect(() =>
      addon!.gemm(new Float32Array(5), new Float32Array(6), new Float32Array(4), 2, 2, 3, false, false),
    ).toThrow(/needs 6/);
  });

  it('rejects sizes whose product overflows, instead of wrapping to a small need', () => {
    const big = 2 ** 32; // (2^32)^2 = 2^64 wraps a 64-bit long to 0
    const x = new Float32Array(4);
    expect(() => addon!.gemm(x, x, x, big, 1, big, false, false)).toThrow(/sizes given for a overflow/);
    expect(() => addon!.gemmBatched(x, x, x, big, big, 1, 1, big, false, false)).toThrow(/overflow/);
    expect(() => addon!.gemm(x, x, x, -1, 1, 1, false, false)).toThrow(/non-negative/);
  });

  it('a batch of 1 broadcast against a batch of 0 is an empty product, reading nothing', () => {
    const f = (n: number) => new Float32Array(n);
    // a: [0, 2, 3] b: [1, 3, 2] → c: [0, 2, 2]; before, the batch was taken as 1 and c required to hold [2, 2]
    expect(() => addon!.gemmBatched(f(0), f(6), f(0), 0, 1, 2, 2, 3, false, false)).not.toThrow();
    // a: [2, 2, 3] b: [1, 3, 2]: b is read once, so it must hold one [3, 2]
    expect(() => addon!.gemmBatched(f(12), f(5), f(8), 2, 1, 2, 2, 3, false, false)).toThrow(
      /b has 5 elements, needs 6/,
    );
  });
});
