import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import type { WasmBackendLike } from './native-kernels.js';

/** Kernel names of the fused softmax cross-entropy and its gradient: ours, registered for wasm only. */
export const CROSS_ENTROPY_KERNEL = 'SparsebenchCrossEntropy';
export const CROSS_ENTROPY_GRAD_KERNEL = 'SparsebenchCrossEntropyGrad';

const floats = (backend: WasmBackendLike, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
const ints = (backend: WasmBackendLike, t: TensorInfo) => backend.typedArrayFromHeap(t) as Int32Array;

/**
 * Per-row softmax cross-entropy in one pass (native/src/cross_entropy.c), instead of log-softmax, one-hot,
 * product and sum. logits: [R, V] float32, targets: [R] int32 → nll: [R], lse: [R] (log Σ e^logits, kept for
 * the gradient). A target outside [0, V) gives 0, as tfjs's one-hot picks nothing there.
 */
export function nativeCrossEntropy(addon: NativeAddon): KernelFunc {
  return ((args: { inputs: { logits: TensorInfo; targets: TensorInfo }; backend: unknown }) => {
    const { logits, targets } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const [rows, classes] = logits.shape;
    const nll = backend.makeOutput([rows], 'float32');
    const lse = backend.makeOutput([rows], 'float32');
    // Views only after every output exists: allocating may grow the heap and detach older views.
    const f = (t: TensorInfo) => floats(backend, t);
    addon.crossEntropy(f(logits), ints(backend, targets), f(nll), f(lse), rows, classes);
    return [nll, lse];
  }) as unknown as KernelFunc;
}

/** The gradient of {@link nativeCrossEntropy}: dy: [R] (of nll) → dlogits: [R, V] = dy · (softmax − one-hot). */
export function nativeCrossEntropyGrad(addon: NativeAddon): KernelFunc {
  return ((args: {
    inputs: { dy: TensorInfo; logits: TensorInfo; targets: TensorInfo; lse: TensorInfo };
    backend: unknown;
  }) => {
    const { dy, logits, targets, lse } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const [rows, classes] = logits.shape;
    const dlogits = backend.makeOutput(logits.shape, 'float32');
    const f = (t: TensorInfo) => floats(backend, t);
    addon.crossEntropyGrad(f(dy), f(logits), ints(backend, targets), f(lse), f(dlogits), rows, classes);
    return dlogits;
  }) as unknown as KernelFunc;
}
