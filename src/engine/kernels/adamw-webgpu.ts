import type * as tf from '@tensorflow/tfjs-core';
import { flatProgram, float, int, runProgram } from './webgpu-program.js';

/**
 * AdamW (Loshchilov & Hutter 2019, arXiv:1711.05101) as two WebGPU compute programs per parameter, run through
 * the tfjs webgpu backend: one writes both moments, packed as [m | v] ([2n]), the other the new weights from
 * them (decoupled decay, bias corrections, and the mask when one is given). The same arithmetic as
 * `adamwUpdate` in src/train/adamw.ts, in float32 instead of double; the gradient's clipping scale is read from
 * a one-element tensor, so the global norm never leaves the GPU.
 */

/** Step factors of one update (see `stepFactors` in src/train/adamw.ts). */
export interface AdamWFactors {
  beta1: number;
  beta2: number;
  /** 1 / (1 − β₁ᵗ) */
  c1: number;
  /** 1 / (1 − β₂ᵗ) */
  c2: number;
  lr: number;
  eps: number;
  /** 1 − lr·λ where the parameter decays, else 1. */
  shrink: number;
}

/**
 * New packed moments [m' | v'] ([2n]) from the old ones ([2n]), the gradient (n values) and the clipping
 * scale ([1]): m' = β₁m + (1 − β₁)·g·s, v' = β₂v + (1 − β₂)·(g·s)².
 */
export function momentsWebGpu(
  moments: tf.Tensor1D,
  grad: tf.Tensor,
  scale: tf.Tensor1D,
  f: AdamWFactors,
): tf.Tensor1D {
  const n = grad.size;
  // moments and grad are read flat: their shapes only set the getters' names
  const program = flatProgram(
    [2 * n],
    'sparsebench_adamw_moments',
    ['moments', 'grad', 'scale'],
    'n : i32, beta1 : f32, beta2 : f32,',
    `
          let i = index % uniforms.n;
          let g = grad[i] * scale[0];
          if (index < uniforms.n) {
            setOutputAtIndex(index, uniforms.beta1 * moments[index] + (1.0 - uniforms.beta1) * g);
          } else {
            setOutputAtIndex(index, uniforms.beta2 * moments[index] + (1.0 - uniforms.beta2) * g * g);
          }`,
  );
  return runProgram<tf.Tensor1D>(program, [moments, grad, scale], [int(n), float(f.beta1), float(f.beta2)]);
}

/**
 * New weights from the old (n values) and the new packed moments ([2n]):
 * w' = (w·shrink − lr·m'c₁ / (√(v'c₂) + ε)) ⊙ mask, the mask (n values of 0 or 1) only when given; masked
 * entries are +0 (a product would leave −0 where the update was negative).
 */
export function weightsWebGpu(
  w: tf.Tensor,
  moments: tf.Tensor1D,
  mask: tf.Tensor | null,
  f: AdamWFactors,
): tf.Tensor {
  const n = w.size;
  const inputs = mask ? ['w', 'moments', 'mask'] : ['w', 'moments'];
  const program = flatProgram(
    w.shape,
    mask ? 'sparsebench_adamw_weights_masked' : 'sparsebench_adamw_weights',
    inputs,
    'n : i32, c1 : f32, c2 : f32, lr : f32, eps : f32, shrink : f32,',
    `
          let m = moments[index];
          let v = moments[index + uniforms.n];
          let updated = w[index] * uniforms.shrink - (uniforms.lr * (m * uniforms.c1)) / (sqrt(v * uniforms.c2) + uniforms.eps);
          ${mask ? 'setOutputAtIndex(index, select(0.0, updated, mask[index] != 0.0));' : 'setOutputAtIndex(index, updated);'}`,
  );
  return runProgram(program, mask ? [w, moments, mask] : [w, moments], [
    int(n),
    float(f.c1),
    float(f.c2),
    float(f.lr),
    float(f.eps),
    float(f.shrink),
  ]);
}
