/**
 * Start-up costs a user waits for before any training: the CLI's own start (`--help`, a dry-run sweep), and what
 * a worker process does before its first step (imports, the wasm backend with the native addon, the Brown
 * corpus). Each is a fresh process, timed from spawn to exit, median of several runs; the reference in the same
 * run is a bare `node -e 0`, the floor every process pays.
 *
 * Run: `npx tsx bench/startup.ts [runs]` (default 7). Needs `npm run build` first (it runs the built CLI).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'sparsebench.js');
const runs = Number(process.argv[2] ?? 7);

/** A worker's preparation, step by step, each phase timed inside the process (ms, as JSON). */
const WORKER_JOB = `
const t0 = performance.now();
await import('./dist/sweep/trial-runner.js');
const t1 = performance.now();
const { selectBackend } = await import('./dist/engine/backends.js');
await selectBackend('wasm');
const t2 = performance.now();
const { loadBrown } = await import('./dist/data/brown.js');
loadBrown(0.05);
const t3 = performance.now();
console.log(JSON.stringify({ imports: t1 - t0, backend: t2 - t1, corpus: t3 - t2 }));
`;

/** Median wall ms of spawning `args` to completion, and every run's stdout. */
function timeSpawn(args: string[]): { ms: number; stdouts: string[] } {
  const times: number[] = [];
  const stdouts: string[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
    stdouts.push(r.stdout);
  }
  return { ms: median(times), stdouts };
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

const floor = timeSpawn(['-e', '0']);
const help = timeSpawn([CLI, '--help']);
const dry = timeSpawn([CLI, 'sweep', join(ROOT, 'configs', 'quickstart.yaml'), '--dry-run']);
const worker = timeSpawn(['--input-type=module', '-e', WORKER_JOB]);
const phases = worker.stdouts.map(
  (out) => JSON.parse(out.trim().split('\n').at(-1)!) as { imports: number; backend: number; corpus: number },
);

console.log(`Node ${process.version}, median of ${runs} fresh processes each\n`);
console.log('| what | wall ms | above a bare node |');
console.log('|---|---|---|');
const row = (what: string, ms: number) =>
  console.log(`| ${what} | ${ms.toFixed(0)} | ${(ms - floor.ms).toFixed(0)} |`);
row('`node -e 0` (reference: the floor)', floor.ms);
row('`sparsebench --help`', help.ms);
row('`sparsebench sweep configs/quickstart.yaml --dry-run`', dry.ms);
row("a worker's preparation (imports, wasm backend, Brown corpus)", worker.ms);
console.log(
  `\nworker phases (median ms): imports ${median(phases.map((p) => p.imports)).toFixed(0)}, wasm backend and addon ${median(phases.map((p) => p.backend)).toFixed(0)}, Brown corpus ${median(phases.map((p) => p.corpus)).toFixed(0)}`,
);
