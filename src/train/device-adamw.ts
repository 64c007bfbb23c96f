import * as tf from '@tensorflow/tfjs-core';
import { type AdamWFactors, momentsWebGpu, weightsWebGpu } from '../engine/kernels/adamw-webgpu.js';
import { type ClipTerm, clipScaleWebGpu } from '../engine/kernels/clip-webgpu.js';
import type { Pruner } from '../sparsity/pruner.js';
import { type AdamWOptions, type AdamWSlot, type AdamWState, stepFactors } from './adamw.js';
import type { ParamSet } from './params.js';

/**
 * AdamW with global-norm clipping kept on the device (the webgpu backend): the parameters' variables are updated
 * in place from the gradients the backward pass left there, so a step moves no weights, moments or gradients
 * between host and GPU. The host copies (`ParamSet.host`, `AdamWState`) are stale between {@link pull}s: the
 * trainer pulls before the pruner, a checkpoint or the end of training reads them, and {@link push}es what the
 * pruner changed. The arithmetic is `adamwUpdate` and `clipScale`'s (src/train/adamw.ts) in float32.
 *
 * Hard masks only: w ← w ⊙ m after each update, as `applyMasks` does on the host. Soft application and SR-STE's
 * gradient term stay on the host path (see {@link canRunOnDevice}).
 */
export class DeviceAdamW {
  /** Moments per parameter, packed [m | v] ([2n]). */
  private readonly moments = new Map<string, tf.Variable<tf.Rank.R1>>();
  /** Float 0/1 masks of the masked parameters. */
  private readonly masks = new Map<string, tf.Tensor>();

  constructor(
    private readonly params: ParamSet,
    opt: AdamWState,
    /** The webgpu programs (adamw-webgpu.ts); else the same update in tfjs ops (any backend, for tests). */
    private readonly kernels: 'webgpu' | 'ops',
  ) {
    for (const [name, slot] of opt.slots) {
      const initial = tf.tensor1d(packMoments(slot));
      this.moments.set(name, tf.variable(initial, false));
      initial.dispose(); // the variable holds its own reference to the values
    }
    this.setMasks();
  }

  /** Uploads the parameter set's current masks. */
  setMasks(): void {
    tf.dispose([...this.masks.values()]);
    this.masks.clear();
    for (const [name, mask] of this.params.masks) {
      if (!mask) continue;
      const v = this.params.vars.get(name)!;
      this.masks.set(name, tf.tensor(Float32Array.from(mask), v.shape, 'float32'));
    }
  }

  /**
   * One update from `grads` (by parameter name; the caller disposes them). `t` is the 1-based update count;
   * `maxNorm` clips the global norm of the gradients' live entries (pruned ones left out; null: no clipping);
   * `masked` multiplies each masked parameter by its mask after the update (false on a pruner's update step,
   * where the pruner sees the weights first, as on the host).
   */
  update(
    grads: ReadonlyMap<string, tf.Tensor>,
    t: number,
    lr: number,
    o: AdamWOptions,
    decay: ReadonlyMap<string, boolean>,
    maxNorm: number | null,
    masked: boolean,
  ): void {
    tf.tidy(() => {
      // the norm of the sparse network's gradient: a pruned weight's entry is left out, on the pruner's step too
      const terms = [...grads].map(([name, grad]) => ({ grad, mask: this.masks.get(name) ?? null }));
      const scale = clipScaleOnDevice(terms, maxNorm, this.kernels);
      for (const [name, g] of grads) {
        const f: AdamWFactors = {
          ...stepFactors(t, lr, o, decay.get(name)!),
          beta1: o.beta1,
          beta2: o.beta2,
          lr,
          eps: o.eps,
        };
        const w = this.params.vars.get(name)!;
        const m = this.moments.get(name)!;
        const mask = masked ? (this.masks.get(name) ?? null) : null;
        const moments =
          this.kernels === 'webgpu' ? momentsWebGpu(m, g, scale, f) : momentsOps(m, g, scale, f);
        const next =
          this.kernels === 'webgpu' ? weightsWebGpu(w, moments, mask, f) : weightsOps(w, moments, mask, f);
        m.assign(moments);
        w.assign(next);
      }
    });
  }

  /** Copies the device's weights and moments into the host arrays (in place). */
  async pull(opt: AdamWState): Promise<void> {
    const names = [...this.params.vars.keys()];
    const read = await Promise.all(
      names.flatMap((n) => [this.params.vars.get(n)!.data(), this.moments.get(n)!.data()]),
    );
    names.forEach((name, i) => {
      const w = this.params.host.get(name)!;
      const packed = read[2 * i + 1] as Float32Array;
      const slot = opt.slots.get(name)!;
      w.set(read[2 * i] as Float32Array);
      slot.m.set(packed.subarray(0, w.length));
      slot.v.set(packed.subarray(w.length));
    });
  }

  /** Copies the host weights and moments to the device (after the pruner changed them), and the masks. */
  push(opt: AdamWState): void {
    this.params.sync();
    for (const [name, slot] of opt.slots) {
      const m = this.moments.get(name)!;
      tf.tidy(() => m.assign(tf.tensor1d(packMoments(slot))));
    }
    this.setMasks();
  }

  dispose(): void {
    tf.dispose([...this.moments.values(), ...this.masks.values()]);
    this.moments.clear();
    this.masks.clear();
  }
}

/** A slot's moments as one [m | v] array ([2n]), the layout the device keeps. */
function packMoments(slot: AdamWSlot): Float32Array {
  const packed = new Float32Array(2 * slot.m.length);
  packed.set(slot.m);
  packed.set(slot.v, slot.m.length);
  return packed;
}

/**
 * The clipping scale as a [1] tensor: maxNorm / (‖g‖ + 1e-6) where the global norm ‖g‖ exceeds maxNorm, else 1
 * (Pascanu et al. 2013, arXiv:1211.5063). A term with a mask counts only where its mask is 1 (`clipScale`'s rule on
 * the host). On webgpu a tree of WGSL sums (kernels/clip-webgpu.ts); with `ops`, squares summed per tensor in tfjs
 * ops and the sums added one by one.
 */
export function clipScaleOnDevice(
  terms: readonly ClipTerm[],
  maxNorm: number | null,
  kernels: 'webgpu' | 'ops' = 'ops',
): tf.Tensor1D {
  return tf.tidy(() => {
    if (maxNorm === null || terms.length === 0) return tf.ones([1]) as tf.Tensor1D;
    if (kernels === 'webgpu') return clipScaleWebGpu(terms, maxNorm);
    const squares = ({ grad, mask }: ClipTerm): tf.Scalar =>
      tf.sum(tf.square(mask ? tf.mul(grad, mask) : grad));
    let sq: tf.Scalar = squares(terms[0]);
    for (const t of terms.slice(1)) sq = tf.add(sq, squares(t));
    const norm = tf.sqrt(sq);
    const clipped = tf.div(maxNorm, tf.add(norm, 1e-6));
    return tf.reshape(tf.where(tf.greater(norm, maxNorm), clipped, tf.onesLike(norm)), [1]) as tf.Tensor1D;
  });
}

/** {@link momentsWebGpu} in tfjs ops. */
function momentsOps(moments: tf.Tensor1D, grad: tf.Tensor, scale: tf.Tensor1D, f: AdamWFactors): tf.Tensor1D {
  const n = grad.size;
  const g = tf.mul(tf.reshape(grad, [n]), scale); // [n]
  const [m, v] = tf.split(moments, [n, n]);
  const m2 = tf.add(tf.mul(m, f.beta1), tf.mul(g, 1 - f.beta1));
  const v2 = tf.add(tf.mul(v, f.beta2), tf.mul(tf.mul(g, g), 1 - f.beta2));
  return tf.concat([m2, v2]) as tf.Tensor1D; // [2n]
}

/** {@link weightsWebGpu} in tfjs ops. */
function weightsOps(w: tf.Tensor, moments: tf.Tensor1D, mask: tf.Tensor | null, f: AdamWFactors): tf.Tensor {
  const n = w.size;
  const [m, v] = tf.split(moments, [n, n]);
  const step = tf.div(tf.mul(tf.mul(m, f.c1), f.lr), tf.add(tf.sqrt(tf.mul(v, f.c2)), f.eps)); // [n]
  const updated = tf.sub(tf.mul(w, f.shrink), tf.reshape(step, w.shape));
  return mask ? tf.where(tf.cast(mask, 'bool'), updated, tf.zerosLike(updated)) : updated; // +0 where masked
}

/** Where a trial's optimizer step runs: over host arrays (the default) or on the device ({@link DeviceAdamW}). */
export type OptimizerPlacement = 'host' | 'device';

/** Whether a pruner's masks can be applied on the device: hard application without SR-STE's gradient term. */
export function canRunOnDevice(pruner: Pick<Pruner, 'application'>): boolean {
  return !pruner.application.soft && pruner.application.prunedDecay === 0;
}

/**
 * The device on webgpu, where moving the weights, moments and gradients through the host every step costs more
 * than the step itself (BENCHMARKS.md), when the pruner allows it; else the host, where the CPU backends'
 * native AdamW is fastest. `asked` overrides the choice (tests and benchmarks); asking for the device with a
 * pruner that needs the host is an error.
 */
export function optimizerPlacement(
  backend: string,
  pruner: Pick<Pruner, 'application'>,
  asked?: OptimizerPlacement,
): OptimizerPlacement {
  if (asked === 'device' && !canRunOnDevice(pruner))
    throw new Error('the optimizer cannot run on the device: soft masks and SR-STE apply them on the host');
  if (asked) return asked;
  return backend === 'webgpu' && canRunOnDevice(pruner) ? 'device' : 'host';
}
