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

/** What a webgpu check run apart printed: its one JSON line, parsed, and everything else. */
export interface ChildCheck<T> {
  result: T;
  /** stdout without the JSON line. */
  rest: string;
  stderr: string;
}

/**
 * Runs a check script of test/helpers in a child process (a process that loaded Dawn stays alive until it exits)
 * and parses the one JSON line it prints; fails the calling test, with the child's stderr, when it printed none.
 */
export function runWebGpuCheck<T>(script: string): ChildCheck<T> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'helpers', script)], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${script} printed no result (exit ${r.status}):\n${r.stderr}`);
  return { result: JSON.parse(line) as T, rest: r.stdout.replace(line, ''), stderr: r.stderr };
}
