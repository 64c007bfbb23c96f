import { describe, expect, it } from 'vitest';
import { isImageReference, isSlurmPartition } from '../../src/cli/commands/cluster.js';

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
