import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './native-kernels.js';

interface GatherAttrs {
  axis: number;
  batchDims: number;
}

/**
 * `GatherV2` along axis 0 (the embedding lookup) for the wasm backend, as one row copy per index on the
 * heap; tfjs's wasm kernel took ~20 ms for 2048 rows of 128. Other axes, batch dims and out-of-range
 * indices go to `fallback` (which raises tfjs's error for the latter).
 *
 * x: [R, ...rest], indices: [...I] → [...I, ...rest]
 */
export function gatherRowsKernel(fallback: KernelFunc): KernelFunc {
  return ((args: {
    inputs: { x: TensorInfo; indices: TensorInfo };
    backend: unknown;
    attrs: GatherAttrs;
  }) => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs;
    const rank = x.shape.length;
    if ((axis !== 0 && axis !== -rank) || batchDims !== 0 || indices.dtype !== 'int32' || rank === 0) {
      return fallback(args as never);
    }
    const backend = args.backend as WasmBackendLike;
    const rows = x.shape[0];
    const ids = backend.typedArrayFromHeap(indices);
    for (let i = 0; i < ids.length; i++) if (ids[i] < 0 || ids[i] >= rows) return fallback(args as never);
    const rest = x.shape.slice(1);
    const rowSize = rest.reduce((p, q) => p * q, 1);
    const out = backend.makeOutput([...indices.shape, ...rest], x.dtype);
    // Views only after the output exists: allocating may grow the heap and detach older views.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const idx = backend.typedArrayFromHeap(indices);
    // Rows are copied within one view of the whole heap: copyWithin moves bytes and allocates nothing, where a
    // subarray per row made ~35 MB of garbage per small trial (one view per token).
    const heap = new (src.constructor as Float32ArrayConstructor)(src.buffer);
    const srcAt = src.byteOffset / src.BYTES_PER_ELEMENT;
    const dstAt = dst.byteOffset / dst.BYTES_PER_ELEMENT;
    for (let i = 0; i < idx.length; i++) {
      const r = srcAt + idx[i] * rowSize;
      heap.copyWithin(dstAt + i * rowSize, r, r + rowSize);
    }
    return out;
  }) as unknown as KernelFunc;
}
