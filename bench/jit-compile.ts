/**
 * What V8's optimising compiler costs a sweep: the workers benchmark's sweep of 8 small trials
 * (`workers-config.ts`), trained in one process under `--trace-opt --trace-deopt`, with every TurboFan compile
 * summed (V8 prints each as "took <prepare>, <execute>, <finalize> ms"; the execute phase runs on a helper
 * thread, the rest on the main thread) and the functions that cost most listed, with how often each was
 * compiled. A function compiled many times (a loop in a closure created anew at every mask update) is time a
 * second worker's helper threads take from training. The reference in the same run is the sweep's own CPU
 * time (the kernel's accounting of the finished child, helper threads included).
 *
 * `--roots=<dir>,<dir>` runs the built CLI of each checkout (default: this one) side by side, e.g. a worktree
 * of an earlier commit built with `npm run build`, to compare them in one run.
 *
 * Run: `npx tsx bench/jit-compile.ts [repeats] [--roots=a,b]` after `npm run build`. Prints Markdown. Linux only
 * for the CPU column.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childrenCpuSeconds } from './proc-cpu.js';
import { WORKERS_BENCH_CONFIG } from './workers-config.js';

const args = process.argv.slice(2);
const repeats = Number(args.find((a) => !a.startsWith('--')) ?? 1);
const roots = (args.find((a) => a.startsWith('--roots='))?.slice('--roots='.length) ?? '')
  .split(',')
  .filter(Boolean)
  .map((r) => resolve(r));
if (roots.length === 0) roots.push(join(import.meta.dirname, '..'));

const dir = mkdtempSync(join(tmpdir(), 'sb-bench-jit-'));
const config = join(dir, 'sweep.yaml');
writeFileSync(config, WORKERS_BENCH_CONFIG);

interface CompileRun {
  wall: number;
  cpu: number | null;
  /** Summed ms of each phase of every completed TurboFan compile. */
  prepare: number;
  execute: number;
  finalize: number;
  compiles: number;
  deopts: number;
  /** Per function name: compiles and summed execute ms. */
  byFunction: Map<string, { count: number; ms: number }>;
}

const COMPILED = /completed compiling \S+ <JSFunction (\S*)[^>]*> .*took ([\d.]+), ([\d.]+), ([\d.]+) ms/;

/** Trains the sweep once with `root`'s CLI under V8's tracing and sums what it compiled. */
function traced(root: string): Promise<CompileRun> {
  const db = join(dir, `jit-${Date.now()}.db`);
  const cpu0 = childrenCpuSeconds();
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const c = spawn(
      process.execPath,
      [
        '--trace-opt',
        '--trace-deopt',
        join(root, 'bin', 'sparsebench.js'),
        'sweep',
        config,
        '--db',
        db,
        '--workers',
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const run: CompileRun = {
      wall: 0,
      cpu: null,
      prepare: 0,
      execute: 0,
      finalize: 0,
      compiles: 0,
      deopts: 0,
      byFunction: new Map(),
    };
    let rest = '';
    c.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('[bailout')) run.deopts++;
        const m = COMPILED.exec(line);
        if (!m) continue;
        // an anonymous function prints as "(sfi = …)": named by its shared function info's address
        const name = m[1] === '(sfi' ? `(anonymous ${/sfi = (0x[0-9a-f]+)/.exec(line)?.[1]})` : m[1];
        run.compiles++;
        run.prepare += Number(m[2]);
        run.execute += Number(m[3]);
        run.finalize += Number(m[4]);
        const f = run.byFunction.get(name) ?? { count: 0, ms: 0 };
        f.count++;
        f.ms += Number(m[3]);
        run.byFunction.set(name, f);
      }
    });
    c.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`sweep with ${root} exited ${code}`));
      run.wall = (performance.now() - t0) / 1000;
      const cpu1 = childrenCpuSeconds();
      run.cpu = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
      rmSync(db, { force: true });
      rmSync(`${db}.weights`, { recursive: true, force: true });
      done(run);
    });
  });
}

const runs = new Map<string, CompileRun[]>(roots.map((r) => [r, []]));
for (let i = 0; i < repeats; i++) for (const root of roots) runs.get(root)!.push(await traced(root));

const s = (ms: number) => (ms / 1000).toFixed(2);
console.log(`Node ${process.version}; ${repeats} run(s) per checkout, median by compile time\n`);
console.log(
  '| checkout | wall s | sweep CPU s | compiles | deopts | compile s (helper thread) | compile s (main thread) | share of CPU |',
);
console.log('|---|---|---|---|---|---|---|---|');
const medians = new Map<string, CompileRun>();
for (const [root, list] of runs) {
  const sorted = [...list].sort((a, b) => a.execute - b.execute);
  const m = sorted[Math.floor(sorted.length / 2)];
  medians.set(root, m);
  const share = m.cpu
    ? `${((100 * (m.prepare + m.execute + m.finalize)) / 1000 / m.cpu).toFixed(1)}%`
    : 'n/a';
  console.log(
    `| ${root} | ${m.wall.toFixed(1)} | ${m.cpu?.toFixed(1) ?? 'n/a'} | ${m.compiles} | ${m.deopts} | ${s(m.execute)} | ${s(m.prepare + m.finalize)} | ${share} |`,
  );
}
for (const [root, m] of medians) {
  console.log(`\nMost compile time, ${root}:\n`);
  console.log('| function | compiles | compile ms |');
  console.log('|---|---|---|');
  const top = [...m.byFunction].sort(([, a], [, b]) => b.ms - a.ms).slice(0, 8);
  for (const [name, f] of top) console.log(`| ${name} | ${f.count} | ${f.ms.toFixed(0)} |`);
}
rmSync(dir, { recursive: true, force: true });
