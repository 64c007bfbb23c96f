import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../errors.js';
import { ensureGradients } from './gradients.js';
import { installJsWasmKernels } from './kernels/js-kernels.js';
import {
  installNativeKernels,
  nativeKernelsInstalledAndActive,
  uninstallNativeKernels,
} from './kernels/native-kernels.js';
import { unsortedSegmentSumWasmConfig } from './kernels/unsorted-segment-sum.js';
import { type NativeIsa, nativeAddon } from './native.js';

/** Backend names a config or `--backend` may give. */
export const BACKEND_NAMES = ['auto', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What {@link selectBackend} chose and why; recorded with every trial. */
export interface BackendInfo {
  /** The tfjs backend actually in use. */
  name: 'wasm' | 'cpu';
  /** Why it was chosen, in words. */
  reason: string;
  /** Version of tfjs-core, for the record. */
  tfjsVersion: string;
  /**
   * What runs the matrix products: the native GEMM addon (and its instruction set) on wasm, tfjs's own
   * XNNPACK-based wasm kernel when the addon is absent or disabled, or plain JS on the cpu backend.
   */
  kernels: `native-${NativeIsa}` | 'xnnpack' | 'js';
}

/**
 * Whether matrix products on the active backend run through the native addon, which is fast with transpose
 * flags too, so callers need no explicit transposes (see `matmul2d`).
 */
export function nativeKernelsActive(): boolean {
  return nativeKernelsInstalledAndActive();
}

/**
 * One loader per concrete backend: imports the package only when it is chosen (tfjs registries style),
 * registers the kernels we add, and activates it.
 */
const loaders: Record<'wasm' | 'cpu', () => Promise<void>> = {
  async wasm() {
    await import('@tensorflow/tfjs-backend-wasm');
    // The wasm backend lacks the gradient of gather (ENGINE.md); add it once.
    if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) tf.registerKernel(unsortedSegmentSumWasmConfig);
    // Plain JS where tfjs's wasm kernels are slow or copy needlessly (SplitV, GatherV2, Identity, Cast).
    installJsWasmKernels();
    // Matmul, tanh and bias-gradient sums through the addon when it was built; SPARSEBENCH_NATIVE=0
    // restores tfjs's own kernels.
    const addon = nativeAddon();
    if (addon) installNativeKernels(addon);
    else uninstallNativeKernels();
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

/**
 * Makes a tfjs backend ready and says what it chose. `auto` picks wasm (the fast CPU path, ENGINE.md);
 * `cpu` is the pure-JS reference, slow but the yardstick for correctness.
 */
export async function selectBackend(requested: BackendName): Promise<BackendInfo> {
  const name = requested === 'auto' ? 'wasm' : requested;
  const loader = loaders[name as 'wasm' | 'cpu'];
  if (!loader) {
    throw new UsageError(`unknown backend "${requested}"; valid: ${BACKEND_NAMES.join(', ')}`);
  }
  // Production mode: no debug checks, and no console nags from tfjs about other backends.
  tf.enableProdMode();
  await ensureGradients();
  await loader();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the ${name} backend failed to initialise`);
  await tf.ready();
  const reason =
    requested === 'auto'
      ? 'auto: wasm is the fastest backend available without a GPU path'
      : `requested ${requested}`;
  const addon = name === 'wasm' ? nativeAddon() : null;
  const kernels = name === 'cpu' ? 'js' : addon ? (`native-${addon.info().isa}` as const) : 'xnnpack';
  return { name, reason, tfjsVersion: tf.version_core, kernels };
}
