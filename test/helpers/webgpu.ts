import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** What asking Dawn for an adapter found, for webgpu tests deciding whether to run. */
export interface AdapterFound {
  ok: boolean;
  label: string;
  software?: boolean;
}

/**
 * Asks Dawn for an adapter in a child process (the built engine code), so the test process never loads Dawn (a
 * process that has loaded it stays alive until it exits explicitly).
 */
export function probeWebGpu(): AdapterFound {
  const code = `import { probeAdapter, adapterLabel } from ${JSON.stringify(join(ROOT, 'dist', 'engine', 'webgpu.js'))};
const p = await probeAdapter();
process.stdout.write(JSON.stringify(p.ok ? { ok: true, label: adapterLabel(p.adapter), software: p.adapter.software } : { ok: false, label: p.reason }));
process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  try {
    return JSON.parse(r.stdout) as AdapterFound;
  } catch {
    return {
      ok: false,
      label: `the probe failed: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`,
    };
  }
}

/** CI sets SPARSEBENCH_REQUIRE_WEBGPU=1: there a missing adapter fails the webgpu tests instead of skipping them. */
export const webgpuRequired = process.env.SPARSEBENCH_REQUIRE_WEBGPU === '1';
