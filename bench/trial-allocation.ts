/**
 * JavaScript garbage one small training trial makes: V8's sampling heap profiler (objects collected by minor and
 * major GCs included) over one quickstart-sized lm trial (S = 0.5, N = 12k, 300k tokens, wasm), after a warm-up
 * trial. Prints the MB allocated per trial, split into tfjs's own engine and everything else, and the top
 * allocation sites. Garbage is what keeps V8's helper threads busy beside the training thread (BENCHMARKS.md,
 * "Worker processes"); tfjs's engine share is the reference, since no change of ours touches it.
 *
 * Run: `npx tsx bench/trial-allocation.ts [top]`.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSweep } from '../src/config/load.js';
import { selectBackend } from '../src/engine/backends.js';
import { trainTrial } from '../src/train/trainer.js';

const CONFIG = `name: allocation-bench
model: {family: lm, aspect_ratio: 32, head_dim: 16}
data: {source: brown}
train: {batch_size: 16, seq_len: 64, eval_interval: 50, eval_tokens: 8192}
pruner: {name: gmp, schedule: {start: 0.25, end: 0.75, interval: 20}}
backend: wasm
sweep: {sparsity: 0.5, nonzero_params: 12k, tokens: 300k}
`;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const top = Number(process.argv[2] ?? 12);
const file = join(mkdtempSync(join(tmpdir(), 'sb-alloc-')), 'c.yaml');
writeFileSync(file, CONFIG);
const { spec } = loadSweep(file).trials[0];
await selectBackend('wasm');
await trainTrial(spec); // warm-up: JIT, caches, the corpus

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 16_384,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const t0 = performance.now();
await trainTrial(spec);
const seconds = (performance.now() - t0) / 1000;
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };

const bySite = new Map<string, number>();
let total = 0;
let engine = 0;
const walk = (n: ProfileNode, caller: string) => {
  const f = n.callFrame;
  const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
  // a built-in (subarray, Set, ...) is charged to the function that called it
  const site = f.url === '' ? `${f.functionName} <- ${caller}` : name;
  bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
  total += n.selfSize;
  if (/tfjs-core|tf-core/.test(f.url) || (f.url === '' && /tf-core/.test(caller))) engine += n.selfSize;
  for (const c of n.children) walk(c, f.url === '' ? caller : name);
};
walk(profile.head, '(root)');

const mb = (b: number) => (b / 1e6).toFixed(1);
console.log(`one trial: ${spec.steps} steps in ${seconds.toFixed(2)} s, Node ${process.version}`);
console.log(
  `allocated: ${mb(total)} MB; tfjs-core's engine ${mb(engine)} MB, the rest ${mb(total - engine)} MB\n`,
);
console.log('| MB | site |\n|---|---|');
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`| ${mb(bytes)} | ${site.replaceAll('|', '\\|')} |`);
