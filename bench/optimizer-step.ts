/**
 * One optimizer step of a reference model's parameters, the trainer's two ways, with the gradients on the device
 * as the backward pass leaves them: on the host (read every gradient back, clip and AdamW over host arrays, zero
 * the masked weights, copy every parameter to the device) and on the device (DeviceAdamW: the global norm, two
 * WGSL programs per parameter, the masks applied there). Each timed step ends when the device has the new
 * weights: both ways then sum every parameter on the device and read the total back, so the host path's copies
 * are really uploaded (tfjs uploads a tensor when it is first used) and the device path's programs really ran.
 * The gradients are fresh tensors each step (a cheap scale of stored ones), so no read is served from a cache.
 *
 * Run: `npx tsx bench/optimizer-step.ts [lm-12m|lm|t5|vit] [--backend=webgpu|wasm] [--steps=5] [--sparsity=0.75]`.
 * Default lm-12m on webgpu: on a GPU machine, or on lavapipe (scripts/lavapipe.sh), where the host side's costs
 * (JavaScript, copies) are what they are on a GPU machine's host, but the device programs run on the CPU: there
 * the device path's recording time (printed) is its host cost, and its total says nothing about a GPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';
import { families } from '../src/models/registry.js';
import { adamwUpdate, clipScale, initAdamW } from '../src/train/adamw.js';
import { DeviceAdamW } from '../src/train/device-adamw.js';
import { ParamSet } from '../src/train/params.js';
import { Rng } from '../src/util/rng.js';
import { setFixedMasks } from './fixed-masks.js';
import { chooseReferences, referenceSpec } from './references.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const [ref] = chooseReferences(
  args.filter((a) => !a.startsWith('--')).length ? args.filter((a) => !a.startsWith('--')) : ['lm-12m'],
);
const backendName = flag('backend', 'webgpu');
if (backendName !== 'webgpu' && backendName !== 'wasm')
  throw new Error(`--backend=${backendName}: expected webgpu or wasm`);
const steps = Number(flag('steps', '5'));
const sparsity = Number(flag('sparsity', '0.75'));

const backend = await selectBackend(backendName);
const spec = referenceSpec(ref, backendName, sparsity, steps);
const family = families[ref.model.family].model;
const infos = family.params(ref.model);
const rng = Rng.seeded(0, 1);
const params = new ParamSet(infos, family.init(ref.model, rng));
setFixedMasks(params, sparsity);
const decay = new Map(infos.map((p) => [p.name, p.decay]));
const stored = new Map(infos.map((p) => [p.name, tf.randomNormal(params.vars.get(p.name)!.shape, 0, 1e-3)]));
const total = infos.reduce((a, p) => a + params.host.get(p.name)!.length, 0);

/** Gradients as the backward pass would leave them: new device tensors. */
const freshGrads = (step: number) =>
  new Map([...stored].map(([name, g]) => [name, tf.mul(g, 1 + step * 1e-3)] as [string, tf.Tensor]));

/** Waits until the device holds the new weights: sums every parameter there and reads the total. */
async function settle(): Promise<void> {
  const sum = tf.tidy(() => {
    let s: tf.Scalar = tf.scalar(0);
    for (const v of params.vars.values()) s = tf.add(s, tf.sum(v));
    return s;
  });
  await sum.data();
  sum.dispose();
}

async function hostStep(opt: ReturnType<typeof initAdamW>, step: number): Promise<void> {
  const grads = freshGrads(step);
  const names = [...grads.keys()];
  const read = (await Promise.all(names.map((n) => grads.get(n)!.data()))) as Float32Array[];
  tf.dispose([...grads.values()]);
  const { scale } = clipScale(read, spec.grad_clip);
  opt.step++;
  names.forEach((name, i) => {
    adamwUpdate(
      params.host.get(name)!,
      read[i],
      opt.slots.get(name)!,
      opt.step,
      1e-3,
      spec.optimizer,
      decay.get(name)!,
      scale,
    );
  });
  params.applyMasks();
  params.sync();
  await settle();
}

/** Milliseconds the device path spent recording its programs (host time, before waiting for the device). */
let recordMs = 0;

async function deviceStep(
  device: DeviceAdamW,
  opt: ReturnType<typeof initAdamW>,
  step: number,
): Promise<void> {
  opt.step++;
  const grads = freshGrads(step);
  const t0 = performance.now();
  device.update(grads, opt.step, 1e-3, spec.optimizer, decay, spec.grad_clip, true);
  if (step >= 2) recordMs += performance.now() - t0;
  tf.dispose([...grads.values()]);
  await settle();
}

async function time(run: (step: number) => Promise<void>): Promise<number> {
  for (let s = 0; s < 2; s++) await run(s); // warm-up: pipelines compiled, buffers pooled
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await run(2 + s);
  return (performance.now() - t0) / steps;
}

const baseline = await time(async () => settle());
const hostOpt = initAdamW(new Map(infos.map((p) => [p.name, params.host.get(p.name)!.length])));
const host = await time((s) => hostStep(hostOpt, s));
const deviceOpt = initAdamW(new Map(infos.map((p) => [p.name, params.host.get(p.name)!.length])));
const device = new DeviceAdamW(params, deviceOpt, backendName === 'webgpu' ? 'webgpu' : 'ops');
const onDevice = await time((s) => deviceStep(device, deviceOpt, s));

console.log(
  `${ref.name}: ${(total / 1e6).toFixed(1)}M parameters at sparsity ${sparsity} on ${backend.name}${backend.adapter ? ` (${backend.adapter.description || backend.adapter.device})` : ''}, ms per optimizer step over ${steps} steps`,
);
console.log(`| optimizer step | ms per step | ms beyond the settle |`);
console.log(`|---|---|---|`);
console.log(`| settle alone (sum every parameter, read the total) | ${baseline.toFixed(1)} | - |`);
console.log(
  `| host: read gradients, clip + AdamW, mask, upload | ${host.toFixed(1)} | ${(host - baseline).toFixed(1)} |`,
);
console.log(`| device: DeviceAdamW | ${onDevice.toFixed(1)} | ${(onDevice - baseline).toFixed(1)} |`);
console.log(`| device: of which recording its programs (host time) | ${(recordMs / steps).toFixed(1)} | - |`);
// on a fast GPU the device step can cost no more than the settle itself: no ratio then
if (onDevice - baseline > 0.5)
  console.log(
    `\nhost / device, beyond the settle: ${((host - baseline) / (onDevice - baseline)).toFixed(2)}x`,
  );
else console.log('\nhost / device: the device step costs no more than the settle (within 0.5 ms)');
if (backend.adapter?.software)
  console.log(
    'a software adapter runs the device programs on the CPU: the device row measures that CPU, not a GPU; on a GPU the device step costs about its recording time plus a few passes over the parameters at memory speed',
  );
device.dispose();
params.dispose();
tf.dispose([...stored.values()]);
