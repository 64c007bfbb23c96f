import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/engine/doctor.js';
import { vulkanDriverFiles } from '../../src/engine/webgpu.js';
import { cli } from '../helpers/cli.js';
import { tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

/** This environment with no Vulkan driver manifest where the loader looks, except /etc (which it cannot move). */
function envWithoutDrivers(): NodeJS.ProcessEnv {
  const empty = tempDir();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: empty,
    XDG_CONFIG_DIRS: empty,
    XDG_DATA_DIRS: empty,
    XDG_DATA_HOME: empty,
  };
  for (const k of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES']) delete env[k];
  return env;
}

describe('--backend webgpu with no Vulkan driver', () => {
  const env = envWithoutDrivers();
  it.skipIf(vulkanDriverFiles(env).length > 0)(
    'is refused before anything is written, without loading Dawn (whose Vulkan warnings would go to stderr)',
    () => {
      const dir = tempDir();
      const r = cli(
        [
          'sweep',
          writeConfig(tinySyntheticConfig(), 'w.yaml', dir),
          '--backend',
          'webgpu',
          '--db',
          join(dir, 'w.db'),
        ],
        { env },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^sparsebench: --backend webgpu: no WebGPU adapter \(no Vulkan driver installed: no ICD manifest/,
      );
      expect(r.stderr).not.toMatch(/vkCreateInstance|VulkanError/);
      expect(readdirSync(dir)).toEqual(['w.yaml']);
      // asked for in the config, not by a flag: the message names the config's key
      const config = writeConfig(tinySyntheticConfig('backend: webgpu'), 'c.yaml', dir);
      const byConfig = cli(['sweep', config, '--db', join(dir, 'c.db')], { env });
      expect(byConfig.code).toBe(2);
      expect(byConfig.stderr).toContain(`sparsebench: ${config}: backend: webgpu: no WebGPU adapter`);
      expect(readdirSync(dir).sort()).toEqual(['c.yaml', 'w.yaml']);
      // a dry run plans it (for another machine, a cluster) and warns that a sweep here would refuse it
      const dry = cli(['sweep', config, '--db', join(dir, 'c.db'), '--dry-run'], { env });
      expect(dry.code).toBe(0);
      expect(dry.stderr).toContain(
        `warning: ${config}: backend: webgpu: no WebGPU adapter (no Vulkan driver installed`,
      );
      expect(dry.stderr).toContain('; a sweep here would refuse it (exit 2)');
    },
  );
});

describe('sparsebench doctor (end to end)', () => {
  it('--json --seconds 1: wasm and cpu load and have a matmul figure; webgpu and tensorflow are reported either way', () => {
    const r = cli(['doctor', '--json', '--seconds', '1']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as DoctorReport;
    expect(doc.backends.map((b) => b.name)).toEqual(['wasm', 'cpu', 'webgpu', 'tensorflow']);
    const by = new Map(doc.backends.map((b) => [b.name, b]));
    for (const name of ['wasm', 'cpu'] as const) {
      const b = by.get(name)!;
      expect(b.loads).toBe(true);
      expect(b.reason).toBeNull();
      expect(b.matmul!.gflops).toBeGreaterThan(0);
      expect(b.matmul!.products).toBeGreaterThanOrEqual(1);
    }
    expect(by.get('wasm')!.extras).toMatchObject({ simd: expect.any(Boolean), threads: expect.any(Boolean) });
    const gpu = by.get('webgpu')!;
    if (gpu.loads)
      expect(gpu.adapter).toMatchObject({ description: expect.any(String), software: expect.any(Boolean) });
    else expect(gpu.reason).toMatch(/adapter|Dawn|Vulkan/);
    const tfNode = by.get('tensorflow')!;
    expect(tfNode.loads).toBe(false);
    expect(tfNode.reason).toMatch(/@tensorflow\/tfjs-node/);
    expect(['wasm', 'webgpu', 'tensorflow']).toContain(doc.auto.backend);
    expect(doc.auto.reason).toMatch(/^auto: /);
    expect(doc.probe).toMatchObject({ m: 2048, k: 128, n: 512, seconds: 1 });
  });

  it('rejects a bad --seconds with exit 2', () => {
    const r = cli(['doctor', '--seconds', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seconds 0/);
  });
});

describe('--backend tensorflow without native TensorFlow installed', () => {
  it('exits 2 before training, saying what to install, and creates no database', () => {
    const dir = tempDir();
    const r = cli([
      'sweep',
      writeConfig(tinySyntheticConfig()),
      '--backend',
      'tensorflow',
      '--db',
      join(dir, 'x.db'),
    ]);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]); // no database, no run folder
    expect(r.stderr).toMatch(/native TensorFlow is not installed.*@tensorflow\/tfjs-node@4\.22\.0/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack
  });
});
