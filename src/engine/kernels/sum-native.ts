import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import type { WasmBackendLike } from './native-kernels.js';

interface SumAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * `Sum` over leading axes for the wasm backend (bias gradients: [B*T, D] → [D]), as one streaming pass
 * of the addon; the wasm kernel reduces only the innermost axes and transposes to get there. Every other
 * case (trailing or scattered axes, all axes, non-float32) goes to `fallback`.
 *
 * x: [r0, ..., r(k-1), ...rest] summed over axes 0..k-1 → [...rest] (or [1, ..., 1, ...rest] with keepDims)
 */
export function nativeSum(addon: NativeAddon, fallback: KernelFunc): KernelFunc {
  return ((args: { inputs: { x: TensorInfo }; backend: unknown; attrs: SumAttrs }) => {
    const { x } = args.inputs;
    const rank = x.shape.length;
    const { axis, keepDims } = args.attrs;
    const axes = (Array.isArray(axis) ? axis : [axis])
      .map((a) => (a < 0 ? a + rank : a))
      .sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    const size = x.shape.reduce((p, q) => p * q, 1);
    if (x.dtype !== 'float32' || !leading || size === 0) return fallback(args as never);
    const rest = x.shape.slice(axes.length);
    const cols = rest.reduce((p, q) => p * q, 1);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    // Views only after the output exists: allocating may grow the heap and detach older views.
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    addon.sumRows(xv, backend.typedArrayFromHeap(out) as Float32Array, size / cols, cols);
    return out;
  }) as unknown as KernelFunc;
}
