import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import type { WasmBackendLike } from './native-kernels.js';

/**
 * An elementwise kernel (`Tanh`, `Exp`) for the wasm backend through the addon's vectorised version (within
 * a few ulp of the exact value; tfjs's wasm ones are scalar, ~14 ms for tanh on [2048, 512]), in place on
 * the wasm heap; non-float32 inputs go to `fallback`. x: [...] → [...]
 */
export function nativeUnary(op: 'tanh' | 'exp') {
  return (addon: NativeAddon, fallback: KernelFunc): KernelFunc =>
    ((args: { inputs: { x: TensorInfo }; backend: unknown }) => {
      const { x } = args.inputs;
      if (x.dtype !== 'float32') return fallback(args as never);
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(x.shape, 'float32');
      // Views only after the output exists: allocating may grow the heap and detach older views.
      addon[op](
        backend.typedArrayFromHeap(x) as Float32Array,
        backend.typedArrayFromHeap(out) as Float32Array,
      );
      return out;
    }) as unknown as KernelFunc;
}
