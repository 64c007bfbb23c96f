import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import type { WasmBackendLike } from './native-kernels.js';

/** The attribute bag tfjs passes to `BatchMatMul`. */
interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

type KernelArgs = { inputs: { a: TensorInfo; b: TensorInfo }; backend: unknown; attrs: BatchMatMulAttrs };

const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

/** The product's sizes, or null for a case left to tfjs's own kernel (it also raises tfjs's errors). */
function plan(a: TensorInfo, b: TensorInfo, { transposeA, transposeB }: BatchMatMulAttrs) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const m = transposeA ? ca : ra;
  const k = transposeA ? ra : ca;
  const n = transposeB ? rb : cb;
  if ((transposeB ? cb : rb) !== k) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  const batchA = size(outerA);
  const batchB = size(outerB);
  const batch = size(outer);
  // The addon broadcasts a whole operand (batch 1) only; mixed broadcasts such as [2,1]x[1,3] go to tfjs.
  if (!((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1))) return null;
  return { m, n, k, batchA, batchB, outShape: [...outer, m, n] };
}

/**
 * `BatchMatMul` for the wasm backend through the native GEMM: any rank ≥ 2, transposes handled by the
 * packing (no copies), a batch-1 operand broadcast. Reads inputs and writes the output in place on the
 * wasm heap. Cases it does not handle (other dtypes, partial batch broadcasts) go to `fallback`.
 *
 * a: [...batch, M, K] (or [..., K, M] transposed), b: [...batch, K, N] (or [..., N, K]) → [...batch, M, N]
 */
export function nativeBatchMatMul(addon: NativeAddon, fallback: KernelFunc): KernelFunc {
  return ((args: KernelArgs) => {
    const { a, b } = args.inputs;
    const p = plan(a, b, args.attrs);
    if (!p) return fallback(args as never);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(p.outShape, 'float32');
    if (size(p.outShape) === 0) return out;
    // Views only after the output exists: allocating may grow the heap and detach older views.
    const c = backend.typedArrayFromHeap(out) as Float32Array;
    if (p.k === 0) {
      c.fill(0);
      return out;
    }
    const av = backend.typedArrayFromHeap(a) as Float32Array;
    const bv = backend.typedArrayFromHeap(b) as Float32Array;
    const { transposeA, transposeB } = args.attrs;
    addon.gemmBatched(av, bv, c, p.batchA, p.batchB, p.m, p.n, p.k, transposeA, transposeB);
    return out;
  }) as unknown as KernelFunc;
}
