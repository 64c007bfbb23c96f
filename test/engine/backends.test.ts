import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseAuto } from '../../src/engine/auto.js';
import { assertBackendAvailable, BACKEND_NAMES, selectBackend } from '../../src/engine/backends.js';
import { findTensorflowPackage } from '../../src/engine/tensorflow.js';
import { describeAdapter, vulkanDriverFiles } from '../../src/engine/webgpu.js';
import { UsageError } from '../../src/errors.js';

const lavapipe = describeAdapter({
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
  isFallbackAdapter: true,
});
const nvidia = describeAdapter({
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H100 80GB HBM3',
  isFallbackAdapter: false,
});

describe('adapters', () => {
  it('lavapipe is a software adapter, by flag and by name; a GPU is hardware', () => {
    expect(lavapipe.software).toBe(true);
    expect(describeAdapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }).software).toBe(true);
    expect(describeAdapter({ description: 'SwiftShader Device (Subzero)' }).software).toBe(true);
    expect(nvidia.software).toBe(false);
  });
});

describe('auto', () => {
  const none = { ok: false as const, reason: 'no Vulkan driver installed' };
  it('prefers native TensorFlow when it resolves, whatever the adapter', () => {
    for (const adapter of [none, { ok: true as const, adapter: nvidia }]) {
      const c = chooseAuto({ tensorflowPackage: '@tensorflow/tfjs-node-gpu', adapter });
      expect(c.name).toBe('tensorflow');
      expect(c.reason).toMatch(/tfjs-node-gpu/);
    }
  });
  it('takes WebGPU on a hardware adapter', () => {
    const c = chooseAuto({ tensorflowPackage: null, adapter: { ok: true, adapter: nvidia } });
    expect(c).toEqual({ name: 'webgpu', reason: expect.stringMatching(/H100.*hardware/) });
  });
  it('never takes a software adapter, and says so', () => {
    const c = chooseAuto({ tensorflowPackage: null, adapter: { ok: true, adapter: lavapipe } });
    expect(c.name).toBe('wasm');
    expect(c.reason).toMatch(/llvmpipe.*software/);
  });
  it('falls back to wasm with the probe reason when there is no adapter', () => {
    const c = chooseAuto({ tensorflowPackage: null, adapter: none });
    expect(c.name).toBe('wasm');
    expect(c.reason).toMatch(/no Vulkan driver installed/);
  });
});

describe('native TensorFlow', () => {
  const resolver = (present: string[]) => (name: string) => {
    if (!present.includes(name)) throw new Error(`Cannot find module '${name}'`);
    return `/node_modules/${name}/index.js`;
  };
  it('prefers the gpu package, then the CPU one, else none', () => {
    expect(findTensorflowPackage(resolver(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']))).toBe(
      '@tensorflow/tfjs-node-gpu',
    );
    expect(findTensorflowPackage(resolver(['@tensorflow/tfjs-node']))).toBe('@tensorflow/tfjs-node');
    expect(findTensorflowPackage(resolver([]))).toBeNull();
  });
  it('when absent, selecting it is a usage error that says what to install', async () => {
    expect(BACKEND_NAMES).toContain('tensorflow');
    expect(findTensorflowPackage()).toBeNull(); // not installable here: its install downloads libtensorflow
    await expect(selectBackend('tensorflow')).rejects.toThrow(UsageError);
    await expect(assertBackendAvailable('tensorflow')).rejects.toThrow(/npm|install @tensorflow\/tfjs-node@/);
  });
});

describe('Vulkan driver manifests', () => {
  it('are found in the loader search path and through VK_ICD_FILENAMES', () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-icd-'));
    const empty = {
      XDG_CONFIG_DIRS: join(root, 'none'),
      XDG_DATA_HOME: join(root, 'none'),
      XDG_DATA_DIRS: join(root, 'none'),
    };
    // /etc/vulkan/icd.d is always searched: compare against what this machine has there
    const base = vulkanDriverFiles(empty);
    const icdDir = join(root, 'share', 'vulkan', 'icd.d');
    mkdirSync(icdDir, { recursive: true });
    writeFileSync(join(icdDir, 'x_icd.json'), '{}');
    expect(vulkanDriverFiles({ ...empty, XDG_DATA_DIRS: join(root, 'share') })).toEqual([
      ...base,
      join(icdDir, 'x_icd.json'),
    ]);
    const own = join(root, 'lvp.json');
    writeFileSync(own, '{}');
    expect(vulkanDriverFiles({ ...empty, VK_ICD_FILENAMES: `${own}:${join(root, 'missing.json')}` })).toEqual(
      [own, ...base],
    );
  });
});
