import * as tf from '@tensorflow/tfjs-core';
import { crossEntropyGradWebGpu, crossEntropyRowsWebGpu } from './kernels/cross-entropy-webgpu.js';
import { geluGradWebGpu, geluWebGpu } from './kernels/gelu-webgpu.js';
import {
  layerNormApplyWebGpu,
  layerNormGradWebGpu,
  layerNormParamGradsWebGpu,
  layerNormStatsWebGpu,
  rmsNormApplyWebGpu,
  rmsNormGainGradWebGpu,
  rmsNormGradWebGpu,
  rmsNormStatsWebGpu,
} from './kernels/norms-webgpu.js';

/**
 * The fused WGSL programs (kernels/*-webgpu.ts) as differentiable ops, for the webgpu backend: each is a
 * `tf.customGrad` whose forward and backward passes are a few of our programs, where the composed tfjs form
 * records dozens of small ones. On webgpu each recorded program costs ~0.1 ms of host time (bench/webgpu-dispatch.ts),
 * so the count of programs bounds a step. Values and gradients equal the composed ops' (test/engine/webgpu-fused.test.ts).
 */

// biome-ignore lint/suspicious/noExplicitAny: tfjs's customGrad typing wants a variadic function
type Variadic = any;

/** Layer norm over the last axis (Ba et al. 2016, arXiv:1607.06450). x: [..., D], gain, bias: [D] → [..., D] */
export function layerNormWebGpu(x: tf.Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor {
  const f = tf.customGrad(((xs: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D, save: Variadic) => {
    const stats = layerNormStatsWebGpu(xs, eps); // [R, 2]
    // stats is saved: tensors made during the forward pass are disposed before backprop unless saved
    save([xs, g, stats]);
    return {
      value: layerNormApplyWebGpu(xs, stats, g, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, ss] = saved;
        return [layerNormGradWebGpu(dy, sx, ss, sg), ...layerNormParamGradsWebGpu(dy, sx, ss)];
      },
    };
  }) as Variadic);
  return f(x, gain, bias) as tf.Tensor;
}

/** RMSNorm (Zhang & Sennrich 2019, arXiv:1910.07467): x / rms(x) · g. x: [..., D], g: [D] → [..., D] */
export function rmsNormWebGpu(x: tf.Tensor, g: tf.Tensor1D, eps: number): tf.Tensor {
  const f = tf.customGrad(((xs: tf.Tensor, gs: tf.Tensor1D, save: Variadic) => {
    const rstd = rmsNormStatsWebGpu(xs, eps); // [R]
    save([xs, gs, rstd]);
    return {
      value: rmsNormApplyWebGpu(xs, rstd, gs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sr] = saved;
        return [rmsNormGradWebGpu(dy, sx, sr, sg), rmsNormGainGradWebGpu(dy, sx, sr)];
      },
    };
  }) as Variadic);
  return f(x, g) as tf.Tensor;
}

/** tanh-approximated GELU (Hendrycks & Gimpel 2016, arXiv:1606.08415). x: [...] → [...] */
export const geluWebGpuOp: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor, save: Variadic) => {
  save([x]);
  return {
    value: geluWebGpu(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [geluGradWebGpu(dy, saved[0])],
  };
}) as Variadic) as unknown as (x: tf.Tensor) => tf.Tensor;

/**
 * Per-row softmax cross-entropy (nats). logits: [R, V] float32, targets: [R] int32 → [R]. Only the logits get a
 * gradient.
 */
export function crossEntropyRowsWebGpuOp(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const f = tf.customGrad(((x: tf.Tensor2D, save: Variadic) => {
    // targets is saved too, for the same reason as the norms' statistics
    save([x, targets]);
    return {
      value: crossEntropyRowsWebGpu(x, targets),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        crossEntropyGradWebGpu(dy, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor1D),
      ],
    };
  }) as Variadic);
  return f(logits) as tf.Tensor1D;
}
