import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import {
  ATTENTION_GRAD_KERNEL,
  ATTENTION_KERNEL,
  nativeAttention,
  nativeAttentionGrad,
} from './attention-native.js';
import { nativeBatchMatMul } from './batch-mat-mul-native.js';
import {
  CROSS_ENTROPY_GRAD_KERNEL,
  CROSS_ENTROPY_KERNEL,
  nativeCrossEntropy,
  nativeCrossEntropyGrad,
} from './cross-entropy-native.js';
import { GELU_GRAD_KERNEL, GELU_KERNEL, nativeGelu, nativeGeluGrad } from './gelu-native.js';
import {
  LAYER_NORM_GRAD_KERNEL,
  LAYER_NORM_KERNEL,
  nativeLayerNorm,
  nativeLayerNormGrad,
} from './layer-norm-native.js';
import {
  nativeRmsNorm,
  nativeRmsNormGrad,
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
} from './rms-norm-native.js';
import { nativeSum } from './sum-native.js';
import { nativeUnary } from './unary-native.js';

/** The slice of the wasm backend the native kernels use (its public object API, not internals). */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array;
}

/**
 * Every wasm kernel the addon replaces, in one list: each maker gets the addon and tfjs's own kernel, to
 * which it hands the cases it does not handle. `_FusedMatMul` is absent: our graphs use no fused ops.
 */
const replacements: Record<string, (addon: NativeAddon, fallback: KernelFunc) => KernelFunc> = {
  BatchMatMul: nativeBatchMatMul, // every matmul and its gradients (ENGINE.md: ~40% of a step on wasm)
  Tanh: nativeUnary('tanh'), // tfjs's wasm Tanh is scalar
  Exp: nativeUnary('exp'), // the log-softmax of the loss; scalar in tfjs's wasm too
  Sum: nativeSum, // bias gradients: sums over the leading axis, which wasm does by transposing first
};

/** Kernels of our own, with no tfjs counterpart: fused ops that ops.ts uses when they are active. */
const additions: Record<string, (addon: NativeAddon) => KernelFunc> = {
  [GELU_KERNEL]: nativeGelu,
  [GELU_GRAD_KERNEL]: nativeGeluGrad,
  [LAYER_NORM_KERNEL]: nativeLayerNorm,
  [LAYER_NORM_GRAD_KERNEL]: nativeLayerNormGrad,
  [RMS_NORM_KERNEL]: nativeRmsNorm,
  [RMS_NORM_GRAD_KERNEL]: nativeRmsNormGrad,
  [ATTENTION_KERNEL]: nativeAttention,
  [ATTENTION_GRAD_KERNEL]: nativeAttentionGrad,
  [CROSS_ENTROPY_KERNEL]: nativeCrossEntropy,
  [CROSS_ENTROPY_GRAD_KERNEL]: nativeCrossEntropyGrad,
};

/** tfjs's own wasm kernels, kept to fall back to and to restore. */
const originals = new Map<string, KernelConfig>();
let installed = false;

/**
 * Replaces the wasm backend's kernels listed above with native ones and adds ours; idempotent. Import the
 * wasm package first.
 */
export function installNativeKernels(addon: NativeAddon): void {
  if (installed) return;
  for (const [name, make] of Object.entries(replacements)) {
    const original = originals.get(name) ?? tf.getKernel(name, 'wasm');
    if (!original) throw new Error(`the wasm backend has no ${name} kernel to replace`);
    originals.set(name, original);
    tf.unregisterKernel(name, 'wasm');
    // tfjs's setupFunc binds its wasm function; keep it so the fallback stays callable.
    tf.registerKernel({ ...original, kernelFunc: make(addon, original.kernelFunc) });
  }
  for (const [name, make] of Object.entries(additions)) {
    if (!tf.getKernel(name, 'wasm'))
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make(addon) });
  }
  installed = true;
}

/** Puts tfjs's own wasm kernels back (SPARSEBENCH_NATIVE=0, benchmarks comparing both). */
export function uninstallNativeKernels(): void {
  if (!installed) return;
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(original);
  }
  for (const name of Object.keys(additions))
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  installed = false;
}

/** Whether the native kernels are registered and the wasm backend is the active one. */
export function nativeKernelsInstalledAndActive(): boolean {
  return installed && tf.getBackend() === 'wasm';
}
