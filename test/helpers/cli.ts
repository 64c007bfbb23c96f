import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'sparsebench.js');

/** Runs the built CLI to completion. */
export function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    ...(opts.env ? { env: opts.env } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * File permissions bind everyone but root, so as root the CLI runs as `nobody` (uid/gid 65534) where a test
 * needs a mode to bind: root would write through any. Empty (the current user) when not root.
 */
const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

let nobodyCan: boolean | undefined;

/**
 * Whether the CLI can run as that user here (not where `nobody` cannot read the checkout, a 0700 home); asked
 * once, by the tests that need it, not at every import of this module.
 */
export function nobodyCanRunCli(): boolean {
  nobodyCan ??=
    process.platform !== 'win32' &&
    spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(BIN)})`], asNobody)
      .status === 0;
  return nobodyCan;
}

/** Runs the built CLI to completion as `nobody` when root (see {@link nobodyCanRunCli}), in `cwd`. */
export function cliAsNobody(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    ...asNobody,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Freezes a config (given as text) into `dir/plan.json` with `sparsebench plan`, for cluster-task tests. */
export function planFileIn(dir: string, configText: string): string {
  const config = join(dir, 'sweep.yaml');
  writeFileSync(config, configText);
  const plan = join(dir, 'plan.json');
  const r = cli(['plan', config, '--out', plan]);
  if (r.code !== 0) throw new Error(`sparsebench plan failed (${r.code}): ${r.stderr}`);
  return plan;
}

/** Starts the built CLI in the background. */
export function cliSpawn(args: string[], opts: { cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves when the child's stderr matches `pattern`. */
export function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; stderr so far:\n${text}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (!pattern.test(text)) reject(new Error(`exited before ${pattern}; stderr:\n${text}`));
    });
  });
}

/** Resolves with the exit code (or signal) of a child, also when it has already exited. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}
