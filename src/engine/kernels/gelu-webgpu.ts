import type * as tf from '@tensorflow/tfjs-core';
import { flatProgram, runProgram } from './webgpu-program.js';

/**
 * GELU, tanh form (Hendrycks & Gimpel 2016, arXiv:1606.08415), and its gradient as one WGSL program each, instead
 * of the ~27 tfjs programs the composed form and its gradient record on webgpu. tanh is written through exp(−2|u|),
 * as tfjs's own webgpu Tanh is, so large |u| gives ±1, not NaN.
 */

/** u = √(2/π)·(x + 0.044715x³) and t = tanh(u), as WGSL statements defining `t` from `v` (the input value). */
const TANH_OF_INNER = `
          let u = ${Math.sqrt(2 / Math.PI)} * (v + 0.044715 * v * v * v);
          let e = exp(-2.0 * abs(u));
          let t = sign(u) * (1.0 - e) / (1.0 + e);`;

/** y = 0.5·x·(1 + tanh(u)). x: [...] → [...] */
export function geluWebGpu(x: tf.Tensor): tf.Tensor {
  const program = flatProgram(
    x.shape,
    'sparsebench_gelu',
    ['x'],
    '',
    `
          let v = x[index];${TANH_OF_INNER}
          setOutputAtIndex(index, 0.5 * v * (1.0 + t));`,
  );
  return runProgram(program, [x], []);
}

/** dx = dy·(0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715x²)). dy, x: [...] → [...] */
export function geluGradWebGpu(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const program = flatProgram(
    x.shape,
    'sparsebench_gelu_grad',
    ['dy', 'x'],
    '',
    `
          let v = x[index];${TANH_OF_INNER}
          let du = ${Math.sqrt(2 / Math.PI)} * (1.0 + 3.0 * 0.044715 * v * v);
          setOutputAtIndex(index, dy[index] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du));`,
  );
  return runProgram(program, [dy, x], []);
}
