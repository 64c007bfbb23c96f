import * as tf from '@tensorflow/tfjs-core';
import type { Pruner } from '../sparsity/pruner.js';
import type { ParamSet } from './params.js';

/**
 * Makes the device variables ready for the next forward pass after `step` completed steps.
 * Hard application (the default): masked host weights are zeroed in place and copied over, exactly as
 * before soft modes existed. Soft application (STE family): the host weights stay dense and the variables
 * get w ⊙ (m + β(1 − m)) (β = 0: masked), so gradients w.r.t. the variables reach every weight unchanged.
 */
export function applyMasks(params: ParamSet, pruner: Pruner, step: number): void {
  const app = pruner.application;
  if (!app.soft) {
    params.applyMasks();
    params.sync();
    return;
  }
  const beta = app.prunedScale(step);
  for (const [name, w] of params.host) {
    const mask = params.masks.get(name);
    const v = params.vars.get(name)!;
    if (!mask) {
      tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
      continue;
    }
    const forward = new Float32Array(w.length);
    if (beta === 0) for (let i = 0; i < w.length; i++) forward[i] = mask[i] ? w[i] : 0;
    else for (let i = 0; i < w.length; i++) forward[i] = mask[i] ? w[i] : beta * w[i];
    tf.tidy(() => v.assign(tf.tensor(forward, v.shape)));
  }
}

/**
 * SR-STE's sparse-refined term (Zhou et al. 2021, arXiv:2102.04010): adds λ·(1 − m) ⊙ w to the gradient of
 * every masked parameter, in place, before clipping and the optimizer step. Nothing to do when λ = 0.
 */
export function refineGradients(
  params: ParamSet,
  pruner: Pruner,
  grads: ReadonlyMap<string, Float32Array>,
): void {
  const lambda = pruner.application.prunedDecay;
  if (lambda === 0) return;
  for (const [name, mask] of params.masks) {
    if (!mask) continue;
    const w = params.host.get(name)!;
    const g = grads.get(name)!;
    for (let i = 0; i < g.length; i++) if (!mask[i]) g[i] += lambda * w[i];
  }
}

/** At the end of training: soft application's dense weights are masked, so the trial's weights are sparse. */
export function finalizeMasks(params: ParamSet, pruner: Pruner): void {
  if (pruner.application.soft) params.applyMasks();
}

/** Starting parameters from the pruner (from-dense), checked against the model's layout, or null. */
export function prunerInitialParams(
  pruner: Pruner,
  infos: readonly { name: string; shape: number[] }[],
): Map<string, Float32Array> | null {
  const given = pruner.initialWeights();
  if (!given) return null;
  const out = new Map<string, Float32Array>();
  for (const p of infos) {
    const w = given.get(p.name);
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n)
      throw new Error(
        `pretrained weights: ${p.name} is ${w ? `${w.length} values` : 'missing'}, the model needs ${n}`,
      );
    out.set(p.name, Float32Array.from(w));
  }
  // a trained parameter the model has no place for (an untied source's head for a tied model) would be dropped
  const extra = [...given.keys()].filter((name) => !out.has(name));
  if (extra.length > 0)
    throw new Error(
      `pretrained weights: ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not in this model, whose source was trained with ${extra.length === 1 ? 'it' : 'them'} (an untied head for a tied model?); start from a dense trial of the same model options`,
    );
  return out;
}
