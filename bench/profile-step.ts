/**
 * Where a training step of a reference model spends its time: every kernel of the forward and backward pass
 * timed by tfjs's profiler and summed by kernel name, then the host side of the trainer's step (reading the
 * gradients back, clipping, AdamW, masking and copying the parameters to the device) timed as the trainer
 * runs it. Profiling adds a little per kernel, so the total is slightly above an unprofiled step.
 *
 * On webgpu (`--backend=webgpu`, a GPU machine) kernels are not profiled: the GPU runs them asynchronously, so the
 * step is split into recording the forward and backward pass (JavaScript dispatch), waiting for the GPU and
 * reading the gradients back, then the same host side; that is the host path (`--optimizer=host`). By default
 * webgpu profiles the trainer's device path: recording the pass, recording the optimizer step (DeviceAdamW), and
 * waiting for the GPU to finish and return the loss, with the programs each part recorded (every program costs host
 * time in Dawn's bindings; SPARSEBENCH_WEBGPU_FUSED=0 profiles the composed ops instead of our fused WGSL ones).
 *
 * Run: `npx tsx bench/profile-step.ts [lm|t5|vit|lm-12m] [--sparsity=0.75] [--steps=10] [--backend=wasm|webgpu] [--optimizer=host]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';
import { throwOnDeviceErrors } from '../src/engine/webgpu-errors.js';
import { families } from '../src/models/registry.js';
import { adamwUpdate, clipScale, initAdamW } from '../src/train/adamw.js';
import { DeviceAdamW } from '../src/train/device-adamw.js';
import { ParamSet } from '../src/train/params.js';
import { Rng } from '../src/util/rng.js';
import { setFixedMasks } from './fixed-masks.js';
import { chooseReferences, referenceSpec } from './references.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};
const [ref] = chooseReferences(args.filter((a) => !a.startsWith('--')).slice(0, 1));
const sparsity = flag('sparsity', 0);
const steps = flag('steps', 10);
const backendName = args.find((a) => a.startsWith('--backend='))?.split('=')[1] ?? 'wasm';
if (backendName !== 'wasm' && backendName !== 'webgpu')
  throw new Error(`--backend=${backendName}: expected wasm or webgpu`);
const profiled = backendName === 'wasm';
/** On webgpu the trainer's optimizer runs on the GPU; `--optimizer=host` profiles the host path there instead. */
const onDevice = backendName === 'webgpu' && !args.includes('--optimizer=host');

const backend = await selectBackend(backendName);
const spec = referenceSpec(ref, backendName, sparsity, steps);
const entry = families[ref.model.family];
const family = entry.model;
const infos = family.params(ref.model);
const params = new ParamSet(infos, family.init(ref.model, Rng.seeded(0, 1)));
setFixedMasks(params, sparsity);
const source = entry.source(spec);
const rng = Rng.seeded(0, 2);
const opt = initAdamW(new Map(infos.map((p) => [p.name, params.host.get(p.name)!.length])));
// biome-ignore lint/suspicious/noExplicitAny: the loss signature differs per family
const loss = (b: any) => family.loss(ref.model as any, params.vars, b);

if (onDevice) {
  // the trainer's device step: record the forward and backward pass and the update, then wait for the loss
  const device = new DeviceAdamW(params, opt, 'webgpu');
  const decay = new Map(infos.map((p) => [p.name, p.decay]));
  const t = { record: 0, update: 0, wait: 0, wall: 0, passPrograms: 0, updatePrograms: 0 };
  // every program the step records goes through the backend's runWebGPUProgram: count them
  const gpu = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
  const runProgram = gpu.runWebGPUProgram.bind(gpu);
  let programs = 0;
  gpu.runWebGPUProgram = (...a: unknown[]) => {
    programs++;
    return runProgram(...a);
  };
  for (let step = 0; step < steps + 2; step++) {
    const batch = source.sample(step, rng);
    programs = 0;
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => loss(batch), [...params.vars.values()]);
    const t1 = performance.now();
    const passPrograms = programs;
    const byName = new Map([...params.vars].map(([n, v]) => [n, grads[v.name]]));
    device.update(byName, step + 1, 1e-3, spec.optimizer, decay, spec.grad_clip, true);
    const t2 = performance.now();
    const updatePrograms = programs - passPrograms;
    await value.data();
    tf.dispose([value, ...byName.values()]);
    const t3 = performance.now();
    if (step < 2) continue; // warm-up
    t.record += t1 - t0;
    t.update += t2 - t1;
    t.wait += t3 - t2;
    t.wall += t3 - t0;
    t.passPrograms += passPrograms;
    t.updatePrograms += updatePrograms;
  }
  const per = (ms: number) => (ms / steps).toFixed(1).padStart(7);
  const count = (n: number) => String(Math.round(n / steps)).padStart(9);
  console.log(
    `${ref.name} at sparsity ${sparsity} on webgpu (${backend.kernels}), optimizer on the device, per step over ${steps} steps`,
  );
  console.log(`${'part of the step'.padEnd(28)} ${'ms'.padStart(7)} ${'programs'.padStart(9)}`);
  console.log(`${'record forward + backward'.padEnd(28)} ${per(t.record)} ${count(t.passPrograms)}`);
  console.log(`${'record clip + AdamW + masks'.padEnd(28)} ${per(t.update)} ${count(t.updatePrograms)}`);
  console.log(`${'GPU wait + read the loss'.padEnd(28)} ${per(t.wait)}`);
  console.log(`${'whole step (wall)'.padEnd(28)} ${per(t.wall)}`);
  throwOnDeviceErrors(0, 'the profiled steps');
  device.dispose();
  params.dispose();
  process.exit(0);
}

const byKernel = new Map<string, { ms: number; calls: number }>();
const host = { record: 0, read: 0, clipAdam: 0, sync: 0 };
let kernelTotal = 0;
let wall = 0;
for (let step = 0; step < steps + 2; step++) {
  const batch = source.sample(step, rng);
  const t0 = performance.now();
  let read: Float32Array[] = [];
  const pass = async () => {
    const varList = [...params.vars.values()];
    const { value, grads } = tf.variableGrads(() => loss(batch), varList);
    const t1 = performance.now();
    read = (await Promise.all(varList.map((v) => grads[v.name].data()))) as Float32Array[];
    await value.data();
    if (step >= 2) {
      host.record += t1 - t0;
      host.read += performance.now() - t1;
    }
    tf.dispose([value, ...Object.values(grads)]);
  };
  let kernels: Awaited<ReturnType<typeof tf.profile>>['kernels'] = [];
  if (profiled) kernels = (await tf.profile(pass)).kernels;
  else await pass();
  const t2 = performance.now();
  const { scale } = clipScale(read, 1);
  opt.step++;
  infos.forEach((p, i) => {
    adamwUpdate(
      params.host.get(p.name)!,
      read[i],
      opt.slots.get(p.name)!,
      opt.step,
      1e-3,
      spec.optimizer,
      p.decay,
      scale,
    );
  });
  const t3 = performance.now();
  params.applyMasks();
  params.sync();
  const t4 = performance.now();
  if (step < 2) continue; // warm-up
  host.clipAdam += t3 - t2;
  host.sync += t4 - t3;
  wall += t4 - t0;
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    byKernel.set(k.name, e);
    kernelTotal += ms;
  }
}

const per = (ms: number) => (ms / steps).toFixed(1).padStart(7);
console.log(
  `${ref.name} at sparsity ${sparsity} on ${backend.name} (${backend.kernels}), ms per step over ${steps} steps`,
);
if (profiled) console.log(`${'kernel'.padEnd(28)} ${'ms'.padStart(7)} calls`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${name.padEnd(28)} ${per(e.ms)} ${(e.calls / steps).toFixed(0).padStart(5)}`);
}
if (profiled) console.log(`${'all kernels'.padEnd(28)} ${per(kernelTotal)}`);
else {
  console.log(`${'record forward + backward'.padEnd(28)} ${per(host.record)}`);
  console.log(`${'GPU wait + read gradients'.padEnd(28)} ${per(host.read)}`);
}
if (profiled) console.log(`${'host: read gradients'.padEnd(28)} ${per(host.read)}`);
console.log(`${'host: clip + AdamW'.padEnd(28)} ${per(host.clipAdam)}`);
// tfjs uploads a tensor at its first use: on webgpu the copies are only queued here, and uploaded while the
// next step is recorded
console.log(`${'host: mask + queue copies'.padEnd(28)} ${per(host.sync)}`);
console.log(`${'whole step (wall)'.padEnd(28)} ${per(wall)}`);
throwOnDeviceErrors(0, 'the profiled steps');
params.dispose();
