import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import type { WasmBackendLike } from './native-kernels.js';

/** Kernel names of the fused GELU and its gradient: ours, registered for the wasm backend only. */
export const GELU_KERNEL = 'SparsebenchGelu';
export const GELU_GRAD_KERNEL = 'SparsebenchGeluGrad';

/**
 * GELU (tanh form) in one pass over the wasm heap, instead of the ~10 elementwise ops of `gelu` in ops.ts.
 * x: [...] float32 → [...]
 */
export function nativeGelu(addon: NativeAddon): KernelFunc {
  return ((args: { inputs: { x: TensorInfo }; backend: unknown }) => {
    const { x } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(x.shape, 'float32');
    // Views only after the output exists: allocating may grow the heap and detach older views.
    addon.gelu(
      backend.typedArrayFromHeap(x) as Float32Array,
      backend.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  }) as unknown as KernelFunc;
}

/** The gradient of {@link nativeGelu}, also one pass: dx = dy · gelu'(x). dy, x: [...] → dx: [...] */
export function nativeGeluGrad(addon: NativeAddon): KernelFunc {
  return ((args: { inputs: { dy: TensorInfo; x: TensorInfo }; backend: unknown }) => {
    const { dy, x } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const dx = backend.makeOutput(x.shape, 'float32');
    const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    addon.geluGrad(view(dy), view(x), view(dx));
    return dx;
  }) as unknown as KernelFunc;
}
