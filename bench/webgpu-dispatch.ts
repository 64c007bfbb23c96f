/**
 * What one recorded webgpu program costs the host, and where in Dawn's bindings it goes: a chain of small
 * `tf.add`s ([128,128], so the GPU's own work is negligible) recorded on the webgpu backend, with every Dawn call
 * tfjs makes for them timed. The reference in the same run is the whole host time per op (recording, not the
 * GPU's wait). A training step's host time follows its count of programs (BENCHMARKS.md, "Programs per webgpu step").
 *
 * Run: `npx tsx bench/webgpu-dispatch.ts [ops]` (default 3000 per round, 3 rounds; the last is reported). Needs a
 * WebGPU adapter (a GPU, or lavapipe: `eval "$(scripts/lavapipe.sh)"`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';

const ops = Number(process.argv[2] ?? 3000);
const backend = await selectBackend('webgpu');

/** Wraps `name` on `proto` to add its time and calls into `spent[label]`. */
const spent = new Map<string, { ms: number; calls: number }>();
function timeCalls(proto: Record<string, unknown>, name: string, label = name) {
  const original = proto[name] as (...a: unknown[]) => unknown;
  proto[name] = function (this: unknown, ...a: unknown[]) {
    const t = performance.now();
    const out = original.apply(this, a);
    const e = spent.get(label) ?? { ms: 0, calls: 0 };
    e.ms += performance.now() - t;
    e.calls++;
    spent.set(label, e);
    return out;
  };
}
const g = globalThis as unknown as Record<string, { prototype: Record<string, unknown> }>;
timeCalls(g.GPUDevice.prototype, 'createBindGroup');
timeCalls(g.GPUComputePipeline.prototype, 'getBindGroupLayout');
timeCalls(g.GPUQueue.prototype, 'writeBuffer', 'writeBuffer (uniforms)');
timeCalls(g.GPUQueue.prototype, 'submit');
timeCalls(g.GPUComputePassEncoder.prototype, 'setPipeline');
timeCalls(g.GPUComputePassEncoder.prototype, 'setBindGroup');
timeCalls(g.GPUComputePassEncoder.prototype, 'dispatchWorkgroups');

const a = tf.randomNormal([128, 128]);
const b = tf.randomNormal([128, 128]);
let perOp = 0;
for (let round = 0; round < 3; round++) {
  spent.clear();
  let x = a;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const y = tf.add(x, b);
    if (x !== a) x.dispose();
    x = y;
  }
  perOp = ((performance.now() - t0) / ops) * 1000;
  await x.data();
  x.dispose();
}
console.log(`webgpu on ${backend.reason}: ${ops} chained tf.add [128,128], the last of 3 rounds`);
console.log(`${'host time per op (reference)'.padEnd(32)} ${perOp.toFixed(1).padStart(7)} µs`);
for (const [label, e] of spent)
  console.log(
    `${label.padEnd(32)} ${((e.ms / ops) * 1000).toFixed(1).padStart(7)} µs per op (${e.calls} calls)`,
  );
process.exit(0);
