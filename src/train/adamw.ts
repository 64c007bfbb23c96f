/** AdamW hyperparameters (config `train.optimizer`). */
export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
}

import { nativeAddon } from '../engine/native.js';
import type { Mask } from '../sparsity/types.js';

/** Optimizer state for one parameter: plain arrays, so checkpoints and mask regrowth can reach them. */
export interface AdamWSlot {
  m: Float32Array;
  v: Float32Array;
}

/** Whole optimizer state: one slot per parameter (by name) and the update count. */
export interface AdamWState {
  step: number;
  slots: Map<string, AdamWSlot>;
}

/** Zeroed state for parameters of the given sizes. */
export function initAdamW(sizes: ReadonlyMap<string, number>): AdamWState {
  const slots = new Map<string, AdamWSlot>();
  for (const [name, n] of sizes) slots.set(name, { m: new Float32Array(n), v: new Float32Array(n) });
  return { step: 0, slots };
}

/**
 * One AdamW update of `w` in place (Loshchilov & Hutter 2019, arXiv:1711.05101): decoupled decay
 * w ← w − lr·λ·w (only where `decay`), then w ← w − lr · m̂ / (√v̂ + ε) with bias-corrected moments.
 * `t` is the 1-based update count; `gradScale` multiplies the gradient (global-norm clipping).
 * Runs in the native addon when it is built (the same arithmetic in double, so the same bits: native/src/adamw.c),
 * else in {@link adamwUpdateJs}.
 */
export function adamwUpdate(
  w: Float32Array,
  g: Float32Array | Float64Array,
  slot: AdamWSlot,
  t: number,
  lr: number,
  o: AdamWOptions,
  decay: boolean,
  gradScale = 1,
): void {
  const addon = nativeAddon();
  if (!addon || !(g instanceof Float32Array)) {
    adamwUpdateJs(w, g, slot, t, lr, o, decay, gradScale);
    return;
  }
  const { c1, c2, shrink } = stepFactors(t, lr, o, decay);
  addon.adamw(w, g, slot.m, slot.v, o.beta1, o.beta2, c1, c2, lr, o.eps, shrink, gradScale);
}

/** An update's step-dependent factors: bias corrections 1/(1 − β^t) and the decoupled-decay shrink. */
export function stepFactors(t: number, lr: number, o: AdamWOptions, decay: boolean) {
  return {
    c1: 1 / (1 - o.beta1 ** t),
    c2: 1 / (1 - o.beta2 ** t),
    shrink: decay ? 1 - lr * o.weight_decay : 1,
  };
}

/** {@link adamwUpdate} in JavaScript: the reference the native loop reproduces bit for bit. */
export const adamwUpdateJs: typeof adamwUpdate = (w, g, slot, t, lr, o, decay, gradScale = 1) => {
  const { m, v } = slot;
  const b1 = o.beta1;
  const b2 = o.beta2;
  const { c1, c2, shrink } = stepFactors(t, lr, o, decay);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] * gradScale;
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] * shrink - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + o.eps);
  }
};

/** Resets the moments of the entries set in `where` (weights regrown by drop/grow methods start fresh). */
export function resetMoments(slot: AdamWSlot, where: Uint8Array): void {
  for (let i = 0; i < where.length; i++) {
    if (where[i]) {
      slot.m[i] = 0;
      slot.v[i] = 0;
    }
  }
}

/** A gradient and the mask whose pruned entries (0) it leaves out of the global norm; null: every entry counts. */
export interface NormTerm {
  grad: Float32Array;
  mask: Mask | null;
}

/**
 * Scale that clips the global gradient norm to `maxNorm` (Pascanu et al. 2013, arXiv:1211.5063), and the norm
 * itself. Under hard masks the trainer passes each parameter's mask: the norm is that of the sparse network's
 * gradient, not of the dense gradient a pruned weight still receives, which would make the clip bind harder the
 * sparser the model (RigL's reference code, Evci et al. 2020, arXiv:1911.11134, and JaxPruner's drop/grow updaters
 * likewise mask the gradients before the optimizer). A plain array counts every entry.
 */
export function clipScale(
  grads: Iterable<Float32Array | NormTerm>,
  maxNorm: number | null,
): { scale: number; norm: number } {
  let sq = 0;
  for (const term of grads) {
    const { grad: g, mask } = term instanceof Float32Array ? { grad: term, mask: null } : term;
    if (mask) for (let i = 0; i < g.length; i++) sq += mask[i] ? g[i] * g[i] : 0;
    else for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  }
  const norm = Math.sqrt(sq);
  if (maxNorm === null || !(norm > maxNorm)) return { scale: 1, norm };
  return { scale: maxNorm / (norm + 1e-6), norm };
}
