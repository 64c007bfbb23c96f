import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import { rowsCols } from './layer-norm-native.js';
import type { WasmBackendLike } from './native-kernels.js';

/** Kernel name of the fused RMSNorm: ours, registered for the wasm backend only. */
export const RMS_NORM_KERNEL = 'SparsebenchRmsNorm';
/** Kernel name of the fused RMSNorm's gradient: ours, registered for the wasm backend only. */
export const RMS_NORM_GRAD_KERNEL = 'SparsebenchRmsNormGrad';

const view = (backend: WasmBackendLike, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/**
 * RMSNorm (Zhang & Sennrich 2019, arXiv:1910.07467) over the last axis in one pass per row; also returns the
 * per-row 1/rms for the backward pass. x: [..., D], gain: [D] → y: [..., D], rstd: [R] (R = rows of x)
 */
export function nativeRmsNorm(addon: NativeAddon): KernelFunc {
  return ((args: {
    inputs: { x: TensorInfo; gain: TensorInfo };
    backend: unknown;
    attrs: { eps: number };
  }) => {
    const { x, gain } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const [rows, cols] = rowsCols(x);
    const y = backend.makeOutput(x.shape, 'float32');
    const rstd = backend.makeOutput([rows], 'float32');
    // Views only after every output exists: allocating may grow the heap and detach older views.
    const v = (t: TensorInfo) => view(backend, t);
    addon.rmsNorm(v(x), v(gain), v(y), v(rstd), rows, cols, args.attrs.eps);
    return [y, rstd];
  }) as unknown as KernelFunc;
}

/** The gradient of {@link nativeRmsNorm}: dy, x: [..., D] → dx: [..., D], dgain: [D]. */
export function nativeRmsNormGrad(addon: NativeAddon): KernelFunc {
  return ((args: {
    inputs: { dy: TensorInfo; x: TensorInfo; gain: TensorInfo; rstd: TensorInfo };
    backend: unknown;
  }) => {
    const { dy, x, gain, rstd } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const [rows, cols] = rowsCols(x);
    const dx = backend.makeOutput(x.shape, 'float32');
    const dgain = backend.makeOutput(gain.shape, 'float32');
    const v = (t: TensorInfo) => view(backend, t);
    addon.rmsNormGrad(v(dy), v(x), v(gain), v(rstd), v(dx), v(dgain), rows, cols);
    return [dx, dgain];
  }) as unknown as KernelFunc;
}
