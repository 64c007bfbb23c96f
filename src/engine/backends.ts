import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../errors.js';
import { type AutoChoice, chooseAuto } from './auto.js';
import { BACKEND_NAMES, type BackendName } from './backend-names.js';
import { ensureGradients } from './gradients.js';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL } from './kernels/attention-native.js';
import { webgpuAttention, webgpuAttentionGrad } from './kernels/attention-webgpu.js';
import { installJsWasmKernels } from './kernels/js-kernels.js';
import {
  installNativeKernels,
  nativeKernelsInstalledAndActive,
  uninstallNativeKernels,
} from './kernels/native-kernels.js';
import { unsortedSegmentSumWasmConfig } from './kernels/unsorted-segment-sum.js';
import { type NativeIsa, nativeAddon } from './native.js';
import { findTensorflowPackage, TENSORFLOW_HELP } from './tensorflow.js';
import {
  type AdapterInfo,
  type AdapterProbe,
  adapterLabel,
  installNavigatorGpu,
  probeAdapter,
  VULKAN_HELP,
} from './webgpu.js';
import { watchWebGpuDevice } from './webgpu-errors.js';

export { BACKEND_NAMES, type BackendName };
/** A tfjs backend proper (what `auto` resolves to). */
export type EngineName = Exclude<BackendName, 'auto'>;
export const ENGINE_NAMES: readonly EngineName[] = ['wasm', 'cpu', 'webgpu', 'tensorflow'];

/** What {@link selectBackend} chose and why; recorded with every trial. */
export interface BackendInfo {
  /** The tfjs backend actually in use. */
  name: EngineName;
  /** Why it was chosen, in words. */
  reason: string;
  /** Version of tfjs-core, for the record. */
  tfjsVersion: string;
  /** webgpu: the adapter in use. */
  adapter?: AdapterInfo;
  /** tensorflow: the package that provides it (the gpu build or the CPU one). */
  package?: string;
  /**
   * What runs the matrix products: the native GEMM addon (and its instruction set) on wasm, tfjs's own
   * XNNPACK-based wasm kernel when the addon is absent or disabled, plain JS on the cpu backend, or the
   * webgpu / tensorflow backend's own kernels; `webgpu+fused` when our WGSL programs also replace the composed
   * attention, norms, GELU and cross-entropy ({@link webgpuFusedActive}).
   */
  kernels: `native-${NativeIsa}` | 'xnnpack' | 'js' | 'webgpu' | 'webgpu+fused' | 'tensorflow';
}

/**
 * Whether matrix products on the active backend run through the native addon, which is fast with transpose
 * flags too, so callers need no explicit transposes (see `matmul2d`).
 */
export function nativeKernelsActive(): boolean {
  return nativeKernelsInstalledAndActive();
}

/**
 * Whether our fused WGSL programs (engine/fused-webgpu.ts and kernels/attention-webgpu.ts: attention, layer norm,
 * RMSNorm, GELU, softmax cross-entropy) replace the composed tfjs ops: on the webgpu backend, unless
 * SPARSEBENCH_WEBGPU_FUSED=0 (read on every call, for comparisons). The device optimizer's programs run either way.
 */
export function webgpuFusedActive(): boolean {
  return tf.getBackend() === 'webgpu' && process.env.SPARSEBENCH_WEBGPU_FUSED !== '0';
}

/** The accelerator a backend computes on, in words, for a trial's environment record; none for wasm and cpu. */
export function acceleratorOf(info: BackendInfo): string | undefined {
  if (info.adapter) return `WebGPU adapter ${adapterLabel(info.adapter)}`;
  if (info.package) return `native TensorFlow (${info.package})`;
  return undefined;
}

/** What a loader learned while loading, beyond its name. */
type Loaded = Pick<BackendInfo, 'adapter' | 'package'>;

/** `auto`'s inputs already gathered (the adapter probe is reused by the webgpu loader). */
interface LoadContext {
  probe?: AdapterProbe;
}

/** The adapter the webgpu backend was registered with (it asks Dawn for the same one). */
let webgpuAdapter: AdapterInfo | undefined;

/**
 * One loader per concrete backend: imports the package only when it is chosen (tfjs registries style),
 * registers the kernels we add, and leaves it registered for `tf.setBackend`.
 */
const loaders: Record<EngineName, (ctx: LoadContext) => Promise<Loaded>> = {
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
    return {};
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
    return {};
  },
  async webgpu(ctx) {
    if (tf.findBackendFactory('webgpu') && webgpuAdapter) return { adapter: webgpuAdapter };
    const probe = ctx.probe ?? (await probeAdapter());
    if (!probe.ok) {
      throw new UsageError(`the webgpu backend has no WebGPU adapter (${probe.reason}); ${VULKAN_HELP}`);
    }
    // the package registers 'webgpu' at import only if navigator.gpu exists (ENGINE.md)
    installNavigatorGpu(probe.gpu);
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!tf.findBackendFactory('webgpu')) throw new Error('@tensorflow/tfjs-backend-webgpu did not register');
    // the fused attention's WGSL programs, under the native kernels' names (used when webgpuFusedActive())
    tf.registerKernel({ kernelName: ATTENTION_KERNEL, backendName: 'webgpu', kernelFunc: webgpuAttention });
    tf.registerKernel({
      kernelName: ATTENTION_GRAD_KERNEL,
      backendName: 'webgpu',
      kernelFunc: webgpuAttentionGrad,
    });
    webgpuAdapter = probe.adapter;
    return { adapter: probe.adapter };
  },
  async tensorflow() {
    const pkg = findTensorflowPackage();
    if (!pkg)
      throw new UsageError(
        `the tensorflow backend needs native TensorFlow, which is not installed: ${TENSORFLOW_HELP}`,
      );
    await import(pkg);
    if (!tf.findBackendFactory('tensorflow')) {
      throw new UsageError(
        `${pkg} registered into another copy of tfjs-core; install the version matching @tensorflow/tfjs-core ${tf.version_core}`,
      );
    }
    return { package: pkg };
  },
};

/**
 * What `auto` would choose here, and why: native TensorFlow when installed, WebGPU on a hardware adapter, else
 * wasm (rules in {@link chooseAuto}). Cheap: resolving a package name, and on Linux a look for Vulkan
 * driver manifests before loading Dawn at all; a Dawn that cannot load is a reason, never an error.
 */
export async function resolveAuto(): Promise<AutoChoice & { probe?: AdapterProbe }> {
  const tensorflowPackage = findTensorflowPackage();
  if (tensorflowPackage)
    return chooseAuto({ tensorflowPackage, adapter: { ok: false, reason: 'not probed' } });
  const probe = await probeAdapter();
  return { ...chooseAuto({ tensorflowPackage, adapter: probe }), probe };
}

/**
 * Loads a backend's package (and, for webgpu, Dawn and an adapter) without activating it. Throws a
 * {@link UsageError} saying what to install when it cannot be had.
 */
export async function loadBackend(name: EngineName, ctx: LoadContext = {}): Promise<Loaded> {
  const loader = loaders[name];
  if (!loader) throw new UsageError(`unknown backend "${name}"; valid: ${BACKEND_NAMES.join(', ')}`);
  // Production mode: no debug checks, and no console nags from tfjs about other backends.
  tf.enableProdMode();
  await ensureGradients();
  return loader(ctx);
}

/** Activates a loaded backend. */
export async function activateBackend(name: EngineName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the ${name} backend failed to initialise`);
  await tf.ready();
  // Dawn reports a failed program as an event, not a throw: record them for the trainer to check
  if (name === 'webgpu') watchWebGpuDevice();
}

/**
 * Fails early, with what to install, when a requested backend cannot run here: before a sweep trains, so a
 * missing GPU driver or package is a usage error (exit 2) and not a failed trial. Loads nothing for good:
 * webgpu is probed (an adapter, no device), tensorflow only resolved. wasm, cpu and auto always run. `source`
 * says in the error where the backend was asked for: a flag (the default), or a file's key.
 */
export async function assertBackendAvailable(name: BackendName, source = `--backend ${name}`): Promise<void> {
  if (name === 'tensorflow' && !findTensorflowPackage()) {
    throw new UsageError(`${source}: native TensorFlow is not installed; ${TENSORFLOW_HELP}`);
  }
  if (name === 'webgpu') {
    const probe = await probeAdapter();
    if (!probe.ok) throw new UsageError(`${source}: no WebGPU adapter (${probe.reason}); ${VULKAN_HELP}`);
  }
}

/**
 * Makes a tfjs backend ready and says what it chose. `auto` picks native TensorFlow, then WebGPU on a hardware
 * GPU, then wasm (the fast CPU path, ENGINE.md); `cpu` is the pure-JS reference, slow but the yardstick for
 * correctness. A process that used webgpu stays alive (Dawn's threads) until it exits explicitly.
 */
export async function selectBackend(requested: BackendName): Promise<BackendInfo> {
  if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new UsageError(`unknown backend "${requested}"; valid: ${BACKEND_NAMES.join(', ')}`);
  }
  let name: EngineName;
  let reason: string;
  const ctx: LoadContext = {};
  if (requested === 'auto') {
    const auto = await resolveAuto();
    ({ name, reason } = auto);
    if (name === 'webgpu') ctx.probe = auto.probe;
  } else {
    name = requested;
    reason = `requested ${requested}`;
  }
  const loaded = await loadBackend(name, ctx);
  await activateBackend(name);
  if (loaded.adapter && requested !== 'auto') reason += ` on ${adapterLabel(loaded.adapter)}`;
  if (loaded.package && requested !== 'auto') reason += ` (${loaded.package})`;
  return { name, reason, tfjsVersion: tf.version_core, kernels: kernelsOf(name), ...loaded };
}

/** What runs a backend's matrix products (see {@link BackendInfo.kernels}). */
function kernelsOf(name: EngineName): BackendInfo['kernels'] {
  if (name === 'webgpu') return webgpuFusedActive() ? 'webgpu+fused' : 'webgpu';
  if (name !== 'wasm') return name === 'cpu' ? 'js' : name;
  const addon = nativeAddon();
  return addon ? `native-${addon.info().isa}` : 'xnnpack';
}
