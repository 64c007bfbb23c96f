import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The slice of the wasm backend this kernel uses (public: the wasm Reshape kernel does the same). */
interface RefCounting {
  incRef(dataId: unknown): void;
}

/**
 * `Identity` for the wasm backend that shares the input's memory (one more reference) instead of copying
 * it, as the cpu backend and the wasm `Reshape` do. tfjs clones every tensor it saves for the backward
 * pass through `Identity`, so the copying kernel cost ~25 ms of a reference lm step. Strings go to
 * `fallback`. x: [...] → [...], the same data
 */
export function sharedIdentityKernel(fallback: KernelFunc): KernelFunc {
  return ((args: { inputs: { x: TensorInfo }; backend: unknown }) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return fallback(args as never);
    (args.backend as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelFunc;
}

/**
 * `Cast` for the wasm backend that shares the input's memory when the dtype does not change (tfjs's
 * multiply gradient casts float32 to float32 on every call); real conversions go to `fallback`.
 */
export function sharedCastKernel(fallback: KernelFunc): KernelFunc {
  return ((args: { inputs: { x: TensorInfo }; backend: unknown; attrs: { dtype: string } }) => {
    const { x } = args.inputs;
    if (x.dtype !== args.attrs.dtype || x.dtype === 'string') return fallback(args as never);
    (args.backend as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelFunc;
}
