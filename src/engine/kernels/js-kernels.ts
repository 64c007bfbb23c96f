import type { KernelFunc } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { gatherRowsKernel } from './gather-rows.js';
import { sharedCastKernel, sharedIdentityKernel } from './identity-shared.js';
import { splitVKernel } from './split-v.js';

/**
 * Wasm kernels we replace with plain JS on the heap, addon or not: tfjs's are slow for the shapes our
 * models use. Each maker gets tfjs's own kernel for the cases it leaves alone.
 */
const replacements: Record<string, (fallback: KernelFunc) => KernelFunc> = {
  SplitV: splitVKernel, // the qkv split of every attention block
  GatherV2: gatherRowsKernel, // the embedding lookup
  Identity: sharedIdentityKernel, // every tensor saved for the backward pass is cloned through it
  Cast: sharedCastKernel, // float32 to float32 in every multiply gradient
};

let installed = false;

/** Registers the replacements above for the wasm backend, once. Import the wasm package first. */
export function installJsWasmKernels(): void {
  if (installed) return;
  for (const [name, make] of Object.entries(replacements)) {
    const original = tf.getKernel(name, 'wasm');
    if (!original) throw new Error(`the wasm backend has no ${name} kernel to replace`);
    tf.unregisterKernel(name, 'wasm');
    // tfjs's setupFunc binds its wasm function; keep it so the fallback stays callable.
    tf.registerKernel({ ...original, kernelFunc: make(original.kernelFunc) });
  }
  installed = true;
}
