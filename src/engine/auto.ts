import { type AdapterInfo, adapterLabel } from './webgpu.js';

/** What `auto` looks at: which optional engines are present. Plain data, so the choice is a pure function. */
export interface AutoInputs {
  /** The native TensorFlow package that resolves, if any. */
  tensorflowPackage: string | null;
  /** The WebGPU adapter found, or why there is none. */
  adapter: { ok: true; adapter: AdapterInfo } | { ok: false; reason: string };
}

export interface AutoChoice {
  name: 'tensorflow' | 'webgpu' | 'wasm';
  reason: string;
}

/**
 * The choice of `auto`: native TensorFlow when installed (its own kernels, CUDA with the gpu build), then WebGPU
 * on a hardware adapter, else wasm (the fast CPU path, ENGINE.md). A software adapter (lavapipe) never wins:
 * it computes the right numbers several times slower than wasm.
 */
export function chooseAuto(inputs: AutoInputs): AutoChoice {
  if (inputs.tensorflowPackage) {
    return {
      name: 'tensorflow',
      reason: `auto: native TensorFlow is installed (${inputs.tensorflowPackage})`,
    };
  }
  const a = inputs.adapter;
  if (a.ok && !a.adapter.software) {
    return { name: 'webgpu', reason: `auto: a hardware WebGPU adapter, ${adapterLabel(a.adapter)}` };
  }
  const why = a.ok ? `the only WebGPU adapter is ${adapterLabel(a.adapter)}` : a.reason;
  return { name: 'wasm', reason: `auto: the fastest CPU path (no native TensorFlow; ${why})` };
}
