/**
 * Whole-sweep speed-up from worker processes: the same sweep of small trials (the quickstart's model and
 * data; 4 sparsities x 2 sizes at 300k tokens = 8 trials of a few seconds each), timed end to end through the CLI with
 * `--workers 1`, `--workers 2` and the default (`auto`), each into a fresh database, in the same run.
 * Also checks that every run produced the same final losses (the workers change who trains, not what).
 * Reference, measured in the same run: the machine's own scaling, i.e. how much faster two processes finish
 * a fixed amount of wasm matmul work (2 x 300 products [2048,128]x[128,512]) than one process does it alone.
 * A sweep cannot scale better than that.
 * Each sweep's CPU time (all its processes: the sweep, its workers and their V8 helper threads, from the
 * kernel's child accounting; Linux only) is reported too, as cores busy (CPU / wall), with the speed-up the
 * CPU work bounds: on C cores a run cannot finish before its CPU seconds / C, so the speed-up of K workers over
 * one is at most wall(1) / (CPU(K) / C). When one worker already keeps more than one core
 * busy (V8 compiles and collects garbage on helper threads beside the training thread), K workers cannot reach
 * K times its speed. The same CPU is also split by thread, sampled from /proc while the sweep runs: the main
 * threads (training, and the sweep's writer) against all others (V8's optimising compiler and garbage
 * collector, libuv), which is where one worker's second core goes.
 * A second reference isolates the cores from shared caches and memory: a register-only loop in one process
 * against half of it in each of two. That loop is one dependent chain, so it would scale 2x even on two hardware
 * threads of one core; a third keeps the vector units busy instead (the addon's GEMM on [128, 128] operands
 * that stay in L2), which two threads of one core would share: if it scales near 2x, the cores are whole and
 * what the sweep loses beyond it is in the caches and memory the processes share (and the host's neighbours).
 *
 * `--node-flags="<flags>"` runs every sweep (the CLI and, through its execArgv, its workers) under those Node/V8
 * flags, e.g. `--node-flags="--no-opt"` to see what V8's optimising compiler is worth to these trials.
 *
 * Run: `npm run bench:workers` (or `npx tsx bench/sweep-workers.ts [repeats] [--node-flags="..."]`). Prints a
 * Markdown table.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATIVE_ADDON_PATH } from '../src/engine/native.js';
import { childrenCpuSeconds, TICKS } from './proc-cpu.js';
import { WORKERS_BENCH_CONFIG as CONFIG } from './workers-config.js';

const CLI = join(import.meta.dirname, '..', 'bin', 'sparsebench.js');

const args = process.argv.slice(2);
const repeats = Number(args.find((a) => !a.startsWith('--')) ?? 1);
const nodeFlags = (args.find((a) => a.startsWith('--node-flags='))?.slice('--node-flags='.length) ?? '')
  .split(' ')
  .filter(Boolean);
const MATMUL_JOB = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
const a = tf.randomNormal([2048, 128]);
const b = tf.randomNormal([128, 512]);
for (let i = 0; i < Number(process.argv[1]); i++) { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }
process.exit(0);
`;

// a loop on registers only: no memory traffic, so two processes share nothing but the host's cores (in a
// function, which V8 optimises; the same loop at a module's top level runs ~10x slower)
const ALU_JOB = `
function spin(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}
if (spin(Number(process.argv[1])) === 0.5) console.log('unreachable');
process.exit(0);
`;

// the addon's GEMM on operands that stay in each core's L2 (three [128, 128] matrices, 192 KB with its packing
// scratch): the vector units at work with little traffic beyond the core, as the trials' kernels would be if
// memory were free
const IN_CACHE_GEMM_JOB = `
import { createRequire } from 'node:module';
const addon = createRequire(import.meta.url)(${JSON.stringify(NATIVE_ADDON_PATH)});
const n = 128;
const a = new Float32Array(n * n).map((_, i) => (i % 7) / 7);
const b = new Float32Array(n * n).map((_, i) => (i % 5) / 5);
const c = new Float32Array(n * n);
for (let i = 0; i < Number(process.argv[1]); i++) addon.gemm(a, b, c, n, n, n, false, false);
process.exit(0);
`;

/** Seconds for \`processes\` processes to run \`job\` (an ES module taking its count as argv[1]) at once. */
async function jobWall(job: string, processes: number, reps: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: processes },
      () =>
        new Promise<void>((resolve, reject) => {
          const c = spawn(process.execPath, ['--input-type=module', '-e', job, String(reps)], {
            cwd: join(import.meta.dirname, '..'),
            stdio: 'inherit',
          });
          c.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`reference job exited ${code}`)),
          );
        }),
    ),
  );
  return (performance.now() - t0) / 1000;
}
const dir = mkdtempSync(join(tmpdir(), 'sb-bench-workers-'));
const config = join(dir, 'sweep.yaml');
writeFileSync(config, CONFIG);

interface SweepTiming {
  seconds: number;
  /** CPU seconds of the sweep and its workers, or null where not measurable. */
  cpu: number | null;
  /** Sampled CPU seconds of the processes' main threads (training and the sweep's writer), or null. */
  mainThreads: number | null;
  /** Sampled CPU seconds of every other thread (V8's compiler and garbage collector, libuv), or null. */
  helperThreads: number | null;
  losses: string;
  chosen: string;
}

/** CPU seconds of one thread from its /proc stat line (utime + stime: the 14th and 15th fields). */
function threadCpuSeconds(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/**
 * Polls the CPU time of every thread of a process and of its child processes while it runs, keeping each
 * thread's last reading: split into main threads and the rest when it ends. A thread's last few
 * milliseconds before exit can be missed (one poll interval), so the sums are slightly low. Linux only.
 */
function threadSampler(pid: number): { stop: () => { main: number; helpers: number } | null } {
  if (!existsSync(`/proc/${pid}/task`)) return { stop: () => null };
  const last = new Map<string, { main: boolean; seconds: number }>();
  const read = (p: number) => {
    for (const tid of readdirSync(`/proc/${p}/task`)) {
      last.set(`${p}/${tid}`, {
        main: Number(tid) === p,
        seconds: threadCpuSeconds(`/proc/${p}/task/${tid}/stat`),
      });
    }
  };
  const poll = () => {
    try {
      read(pid);
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) read(Number(child));
    } catch {
      // a process or thread ended between listing and reading: its earlier reading stands
    }
  };
  const timer = setInterval(poll, 25);
  return {
    stop: () => {
      clearInterval(timer);
      let main = 0;
      let helpers = 0;
      for (const t of last.values()) {
        if (t.main) main += t.seconds;
        else helpers += t.seconds;
      }
      return { main, helpers };
    },
  };
}

/** Wall and CPU seconds of one whole sweep into a new database, and its final losses by trial id. */
async function timeSweep(workers: string, run: number): Promise<SweepTiming> {
  const db = join(dir, `w${workers}-${run}`, 's.db');
  const cpu0 = childrenCpuSeconds();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...nodeFlags, CLI, 'sweep', config, '--db', db, '--workers', workers, '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const sampler = threadSampler(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - t0) / 1000;
  const threads = sampler.stop();
  const cpu1 = childrenCpuSeconds();
  if (status !== 0) throw new Error(`sweep --workers ${workers} failed (${status}):\n${stderr}`);
  const trials = JSON.parse(stdout).trials as { id: string; finalValLoss: number }[];
  const losses = trials
    .map((t) => `${t.id}:${t.finalValLoss}`)
    .sort()
    .join(',');
  const chosen = /workers: (\d+)/.exec(stderr)?.[1] ?? '?';
  return {
    seconds,
    cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    mainThreads: threads?.main ?? null,
    helperThreads: threads?.helpers ?? null,
    losses,
    chosen,
  };
}

console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'} (availableParallelism ${availableParallelism()}), Node ${process.version}` +
    `${nodeFlags.length ? `, sweeps under ${nodeFlags.join(' ')}` : ''}\n`,
);
console.log(
  '| --workers | processes training | wall s (best of runs) | speed-up vs 1 | CPU s | cores busy | speed-up bound from CPU | main threads CPU s | helper threads CPU s |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
const best = new Map<string, SweepTiming>();
for (let run = 0; run < repeats; run++) {
  // interleaved, so a slow spell on the machine hits every setting alike
  for (const w of ['1', '2', 'auto']) {
    const r = await timeSweep(w, run);
    const b = best.get(w);
    if (!b || r.seconds < b.seconds) best.set(w, r);
  }
}
const base = best.get('1')!;
const cores = availableParallelism();
for (const [w, r] of best) {
  const k = Number(r.chosen);
  const cpu = r.cpu === null ? 'n/a' : r.cpu.toFixed(1);
  const busy = r.cpu === null ? 'n/a' : (r.cpu / r.seconds).toFixed(2);
  // a bound for several workers; for one it would only restate how busy it kept the machine
  const bound =
    k === 1
      ? '-'
      : r.cpu === null || !Number.isFinite(k)
        ? 'n/a'
        : `${(base.seconds / (r.cpu / cores)).toFixed(2)}x`;
  console.log(
    `| ${w} | ${r.chosen} | ${r.seconds.toFixed(1)} | ${(base.seconds / r.seconds).toFixed(2)}x | ${cpu} | ${busy} | ${bound} | ${r.mainThreads?.toFixed(1) ?? 'n/a'} | ${r.helperThreads?.toFixed(1) ?? 'n/a'} |`,
  );
}
/**
 * Best-of-`runs` seconds for one process to run \`job\` with \`reps\`, and for two to run half of it each at once:
 * how far the machine itself scales that kind of work over two processes.
 */
async function twoProcessScaling(
  job: string,
  reps: number,
  runs: number,
): Promise<{ one: number; two: number }> {
  let one = Number.POSITIVE_INFINITY;
  let two = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    one = Math.min(one, await jobWall(job, 1, reps));
    two = Math.min(two, await jobWall(job, 2, reps / 2));
  }
  return { one, two };
}
const reference = (what: string, { one, two }: { one: number; two: number }) =>
  `reference, same run: ${what} in one process ${one.toFixed(1)} s, split over two processes ${two.toFixed(1)} s: ${(one / two).toFixed(2)}x`;

// the hardware's own scaling: one process doing 600 products, against two doing 300 each at once
console.log(
  `\n${reference('600 wasm matmuls', await twoProcessScaling(MATMUL_JOB, 600, Math.max(2, repeats)))}`,
);
// the cores alone, without shared caches or memory: 2e9 register-only iterations, then 1e9 in each of two
console.log(reference('a register-only loop', await twoProcessScaling(ALU_JOB, 2e9, 2)));
// the vector units without memory: 80k in-cache products in one process, then 40k in each of two
console.log(
  existsSync(NATIVE_ADDON_PATH)
    ? reference(
        "the addon's GEMM on in-cache [128, 128] operands",
        await twoProcessScaling(IN_CACHE_GEMM_JOB, 80_000, 2),
      )
    : 'reference, same run: the addon is not built (npm install builds it), so no in-cache GEMM reference',
);
const same = [...best.values()].every((r) => r.losses === base.losses);
console.log(`\nfinal losses identical across settings: ${same ? 'yes' : 'NO'}`);
rmSync(dir, { recursive: true, force: true });
if (!same) process.exit(1);
