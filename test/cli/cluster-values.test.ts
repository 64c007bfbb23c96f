import { describe, expect, it } from 'vitest';
import { gpuWarnings, isImageReference, isSlurmPartition } from '../../src/cli/commands/cluster.js';

describe("a cluster run's partition and image", () => {
  it('take Slurm partition lists, and nothing that would cut or add an #SBATCH line', () => {
    for (const ok of ['cpu', 'gpu_a100', 'long.q', 'cpu,gpu', 'p-1,p-2,p-3'])
      expect(isSlurmPartition(ok)).toBe(true);
    for (const bad of ['a b', 'cpu\n#SBATCH --mem=1', 'cpu,', ',cpu', 'cpu#x', ''])
      expect(isSlurmPartition(bad)).toBe(false);
  });

  it('take image references as docker reads them: registry, port, path, tag, digest', () => {
    for (const ok of [
      'sparsebench:latest',
      'reg/sb:1',
      'ghcr.io/lab/sparsebench:1.0',
      'localhost:5000/team/sb',
      `sb@sha256:${'a'.repeat(64)}`,
      `registry.example.com:443/a/b/c:v2-rc.1@sha256:${'0f'.repeat(32)}`,
    ])
      expect(isImageReference(ok)).toBe(true);
    for (const bad of ['bad image!', 'UPPER/Case', 'sb:', 'sb:-tag', '/sb', 'sb//x', `x${'a'.repeat(300)}`])
      expect(isImageReference(bad)).toBe(false);
  });
});

describe("a cluster run's GPUs against its trials' backends", () => {
  const asked = (b: string) => `--backend ${b}`;
  it('warn of a GPU per task for trials that use none, and of webgpu trials given no GPU', () => {
    expect(gpuWarnings(['wasm'], 1, asked)).toEqual([
      '--gpus 1: the trials run on the wasm backend, which uses no GPU; give --backend webgpu (or auto, which takes a GPU where one is found)',
    ]);
    expect(gpuWarnings(['webgpu'], undefined, asked)).toEqual([
      '--backend webgpu without --gpus: no task asks the cluster for a GPU, so the trials find none for webgpu and fail (or train on a software Vulkan driver, slower than wasm); give --gpus 1 for a GPU per trial',
    ]);
    // a backend axis of both: each kind of trial is warned of
    expect(gpuWarnings(['wasm', 'webgpu'], undefined, asked)).toHaveLength(1);
    expect(gpuWarnings(['wasm', 'webgpu'], 2, asked)).toHaveLength(1);
  });

  it('are silent when the GPUs fit: webgpu with --gpus, wasm or auto without', () => {
    expect(gpuWarnings(['webgpu'], 1, asked)).toEqual([]);
    expect(gpuWarnings(['wasm', 'cpu'], undefined, asked)).toEqual([]);
    expect(gpuWarnings(['auto'], undefined, asked)).toEqual([]);
  });
});
