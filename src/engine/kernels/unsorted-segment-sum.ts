import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The attribute bag tfjs passes to `UnsortedSegmentSum`.
 */
interface SegmentSumAttrs {
  numSegments: number;
}

/** The slice of the wasm backend this kernel uses (its public object API, not internals). */
interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array;
}

/**
 * Sums rows of `x` into `numSegments` buckets chosen by `segmentIds`: the gradient of `gather`, so the
 * embedding lookup can be trained on the wasm backend, which ships no kernel for it (ENGINE.md).
 * Only the case the gather gradient produces is supported: `segmentIds` indexes the first axis of `x`.
 *
 * x: [R, ...rest], segmentIds: [R] → out: [numSegments, ...rest]
 */
export function unsortedSegmentSumWasm(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: unknown;
  attrs: SegmentSumAttrs;
}): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds must index the first axis of x; got x ${JSON.stringify(x.shape)}, ids ${JSON.stringify(segmentIds.shape)}`,
    );
  }
  const rows = x.shape[0] ?? 0;
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const xs = backend.readSync(x.dataId);
  const ids = backend.readSync(segmentIds.dataId);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
  const o = backend.typedArrayFromHeap(out);
  o.fill(0);
  for (let r = 0; r < rows; r++) {
    const seg = ids[r];
    if (seg < 0 || seg >= numSegments) continue; // tfjs semantics: out-of-range ids are dropped
    const src = r * rowSize;
    const dst = seg * rowSize;
    for (let j = 0; j < rowSize; j++) o[dst + j] = o[dst + j] + xs[src + j];
  }
  return out;
}

/** Registration record for {@link unsortedSegmentSumWasm}. */
export const unsortedSegmentSumWasmConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as unknown as KernelFunc,
};
