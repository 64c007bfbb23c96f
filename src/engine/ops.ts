import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsActive, webgpuFusedActive } from './backends.js';
import { geluWebGpuOp, layerNormWebGpu, rmsNormWebGpu } from './fused-webgpu.js';
import { CROSS_ENTROPY_GRAD_KERNEL, CROSS_ENTROPY_KERNEL } from './kernels/cross-entropy-native.js';
import { GELU_GRAD_KERNEL, GELU_KERNEL } from './kernels/gelu-native.js';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from './kernels/layer-norm-native.js';
import { RMS_NORM_GRAD_KERNEL, RMS_NORM_KERNEL } from './kernels/rms-norm-native.js';

/**
 * A 2-D matrix product whose forward and backward passes are all plain, untransposed 2-D products.
 * On the wasm backend only that form reaches XNNPACK's fast path; tfjs's own gradient uses transpose
 * flags and lands on a path ~10x slower (ENGINE.md). Values and gradients equal `tf.matMul`'s, so every
 * backend uses it. With the native kernels active (wasm with the addon built), transposes are free inside the
 * GEMM, so the gradients pass transpose flags instead of materialising `tf.transpose` copies. On webgpu the
 * transposes are extra kernels, yet forward + backward of [2048,128]x[128,512] took 240-270 ms this way against
 * 285-300 ms with `tf.matMul`'s own gradient (lavapipe; no hardware GPU measured): tfjs-webgpu's vec4 product
 * program takes no transposed B. A transposed A it does take, so with the fused WGSL ops on (webgpuFusedActive) the
 * weight gradient aᵀ·dy passes the flag: 253-266 ms against 253-282 ms with both transposes, the same bits.
 *
 * a: [M, K], b: [K, N] → [M, N]; da = dy · bᵀ: [M, K]; db = aᵀ · dy: [K, N]
 */
export const matmul2d: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tfjs's customGrad typing wants a variadic function
  ((a: tf.Tensor2D, b: tf.Tensor2D, save: any) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        if (nativeKernelsActive()) return [tf.matMul(dy, sb, false, true), tf.matMul(sa, dy, true, false)];
        // webgpu's vec4 product allows a transposed A (not B): one program fewer, the same bits on lavapipe
        if (webgpuFusedActive()) return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(sa, dy, true, false)];
        return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
      },
    };
    // biome-ignore lint/suspicious/noExplicitAny: see above
  }) as any,
) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** The fused native GELU and its one-pass gradient (kernels/gelu-native.ts). */
const geluNative: (x: tf.Tensor) => tf.Tensor = tf.customGrad(
  // biome-ignore lint/suspicious/noExplicitAny: tfjs's customGrad typing wants a variadic function
  ((x: tf.Tensor, save: any) => {
    save([x]);
    return {
      value: tf.engine().runKernel(GELU_KERNEL, { x }, {}) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel(GELU_GRAD_KERNEL, { dy, x: saved[0] }, {}) as tf.Tensor,
      ],
    };
    // biome-ignore lint/suspicious/noExplicitAny: see above
  }) as any,
) as unknown as (x: tf.Tensor) => tf.Tensor;

/**
 * tanh-approximated GELU (Hendrycks & Gimpel 2016, arXiv:1606.08415); x³ as products, not pow (slow on wasm).
 * With the native kernels active, one fused pass forward and one backward; on webgpu one WGSL program each way.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (nativeKernelsActive() && x.dtype === 'float32') return geluNative(x);
  if (webgpuFusedActive() && x.dtype === 'float32') return geluWebGpuOp(x);
  const x3 = tf.mul(tf.mul(x, x), x);
  const inner = tf.mul(tf.add(x, tf.mul(x3, 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, tf.add(tf.tanh(inner), 1)), 0.5);
}

/** The fused native layer norm and its one-pass gradient (kernels/layer-norm-native.ts). */
function layerNormNative(eps: number): (x: tf.Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor {
  return tf.customGrad(
    // biome-ignore lint/suspicious/noExplicitAny: tfjs's customGrad typing wants a variadic function
    ((x: tf.Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D, save: any) => {
      const [y, mean, rstd] = tf
        .engine()
        .runKernel(LAYER_NORM_KERNEL, { x, gain, bias }, { eps }) as tf.Tensor[];
      save([x, gain, mean, rstd]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sg, sm, sr] = saved;
          const inputs = { dy, x: sx, gain: sg, mean: sm, rstd: sr };
          return tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, inputs, {}) as tf.Tensor[];
        },
      };
      // biome-ignore lint/suspicious/noExplicitAny: see above
    }) as any,
  ) as unknown as (x: tf.Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D) => tf.Tensor;
}

/**
 * Layer normalisation over the last axis (Ba et al. 2016, arXiv:1607.06450).
 *
 * With the native kernels active, one fused pass forward and one backward; on webgpu two WGSL programs forward
 * and three backward (engine/fused-webgpu.ts).
 *
 * x: [..., D], gain/bias: [D] → [..., D]
 */
export function layerNorm(x: tf.Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  if (nativeKernelsActive() && x.dtype === 'float32') return layerNormNative(eps)(x, gain, bias);
  if (webgpuFusedActive() && x.dtype === 'float32') return layerNormWebGpu(x, gain, bias, eps);
  const axis = x.shape.length - 1;
  const { mean, variance } = tf.moments(x, axis, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gain), bias);
}

/** The fused native RMSNorm and its one-pass gradient (kernels/rms-norm-native.ts). */
function rmsNormNative(eps: number): (x: tf.Tensor, gain: tf.Tensor1D) => tf.Tensor {
  return tf.customGrad(
    // biome-ignore lint/suspicious/noExplicitAny: tfjs's customGrad typing wants a variadic function
    ((x: tf.Tensor, gain: tf.Tensor1D, save: any) => {
      const [y, rstd] = tf.engine().runKernel(RMS_NORM_KERNEL, { x, gain }, { eps }) as tf.Tensor[];
      save([x, gain, rstd]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sg, sr] = saved;
          return tf
            .engine()
            .runKernel(RMS_NORM_GRAD_KERNEL, { dy, x: sx, gain: sg, rstd: sr }, {}) as tf.Tensor[];
        },
      };
      // biome-ignore lint/suspicious/noExplicitAny: see above
    }) as any,
  ) as unknown as (x: tf.Tensor, gain: tf.Tensor1D) => tf.Tensor;
}

/**
 * RMSNorm (Zhang & Sennrich 2019, arXiv:1910.07467), T5's norm: x / rms(x) · g over the last axis.
 *
 * With the native kernels active, one fused pass forward and one backward (the composed form's gradient of
 * `tf.mean` alone builds a ones tensor of x's shape on the host and multiplies it in); on webgpu two WGSL
 * programs each way.
 *
 * x: [..., D], g: [D] → [..., D]
 */
export function rmsNorm(x: tf.Tensor, g: tf.Tensor1D, eps = 1e-6): tf.Tensor {
  if (nativeKernelsActive() && x.dtype === 'float32') return rmsNormNative(eps)(x, g);
  if (webgpuFusedActive() && x.dtype === 'float32') return rmsNormWebGpu(x, g, eps);
  return rmsNormComposed(x, g, eps);
}

/** {@link rmsNorm} as composed tfjs ops, on every backend (and what the fused kernel is checked against). */
export function rmsNormComposed(x: tf.Tensor, g: tf.Tensor1D, eps = 1e-6): tf.Tensor {
  const meanSquare = tf.mean(tf.mul(x, x), x.shape.length - 1, true); // [..., 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), g);
}

/**
 * Per-row softmax cross-entropy (nats) as one native kernel each way (kernels/cross-entropy-native.ts).
 * logits: [R, V] float32, targets: [R] int32 → [R]. Only the logits get a gradient.
 */
export function crossEntropyRowsNative(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const f = tf.customGrad(
    // biome-ignore lint/suspicious/noExplicitAny: tfjs's customGrad typing wants a variadic function
    ((x: tf.Tensor2D, save: any) => {
      const [nll, lse] = tf
        .engine()
        .runKernel(CROSS_ENTROPY_KERNEL, { logits: x, targets }, {}) as tf.Tensor[];
      // targets is saved too: tensors made during the forward pass are disposed before backprop unless saved
      save([x, lse, targets]);
      return {
        value: nll,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sl, st] = saved;
          const inputs = { dy, logits: sx, targets: st, lse: sl };
          return [tf.engine().runKernel(CROSS_ENTROPY_GRAD_KERNEL, inputs, {}) as tf.Tensor];
        },
      };
      // biome-ignore lint/suspicious/noExplicitAny: see above
    }) as any,
  );
  return f(logits) as tf.Tensor1D;
}
