import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import type { WasmBackendLike } from './native-kernels.js';

/** Kernel names of the fused layer norm and its gradient: ours, registered for the wasm backend only. */
export const LAYER_NORM_KERNEL = 'SparsebenchLayerNorm';
export const LAYER_NORM_GRAD_KERNEL = 'SparsebenchLayerNormGrad';

const view = (backend: WasmBackendLike, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/** Rows and columns of x viewed as [R, D], D its last axis (the norms' layout). */
export function rowsCols(x: TensorInfo): [number, number] {
  const cols = x.shape[x.shape.length - 1];
  return [x.shape.reduce((p, q) => p * q, 1) / cols, cols];
}

/**
 * Layer norm over the last axis in one pass per row; also returns the per-row mean and 1/std for the
 * backward pass. x: [..., D], gain, bias: [D] → y: [..., D], mean: [R], rstd: [R] (R = rows of x)
 */
export function nativeLayerNorm(addon: NativeAddon): KernelFunc {
  return ((args: {
    inputs: { x: TensorInfo; gain: TensorInfo; bias: TensorInfo };
    backend: unknown;
    attrs: { eps: number };
  }) => {
    const { x, gain, bias } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const [rows, cols] = rowsCols(x);
    const y = backend.makeOutput(x.shape, 'float32');
    const mean = backend.makeOutput([rows], 'float32');
    const rstd = backend.makeOutput([rows], 'float32');
    // Views only after every output exists: allocating may grow the heap and detach older views.
    const v = (t: TensorInfo) => view(backend, t);
    addon.layerNorm(v(x), v(gain), v(bias), v(y), v(mean), v(rstd), rows, cols, args.attrs.eps);
    return [y, mean, rstd];
  }) as unknown as KernelFunc;
}

/** The gradient of {@link nativeLayerNorm}: dy, x: [..., D] → dx: [..., D], dgain: [D], dbias: [D]. */
export function nativeLayerNormGrad(addon: NativeAddon): KernelFunc {
  return ((args: {
    inputs: { dy: TensorInfo; x: TensorInfo; gain: TensorInfo; mean: TensorInfo; rstd: TensorInfo };
    backend: unknown;
  }) => {
    const { dy, x, gain, mean, rstd } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const [rows, cols] = rowsCols(x);
    const dx = backend.makeOutput(x.shape, 'float32');
    const dgain = backend.makeOutput(gain.shape, 'float32');
    const dbias = backend.makeOutput(gain.shape, 'float32');
    const v = (t: TensorInfo) => view(backend, t);
    addon.layerNormGrad(v(dy), v(x), v(gain), v(mean), v(rstd), v(dx), v(dgain), v(dbias), rows, cols);
    return [dx, dgain, dbias];
  }) as unknown as KernelFunc;
}
