import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsActive, webgpuFusedActive } from '../engine/backends.js';
import { fusedAttention } from '../engine/fused-attention.js';
import { crossEntropyRowsWebGpuOp } from '../engine/fused-webgpu.js';
import { crossEntropyRowsNative } from '../engine/ops.js';

/** Sizes of one attention call. */
export interface AttentionDims {
  batch: number;
  /** Query and key lengths (equal for self-attention). */
  tq: number;
  tk: number;
  heads: number;
}

/** Whether attention runs as one fused kernel each way: the native one on wasm, the WGSL one on webgpu. */
const fusedAttentionActive = () => nativeKernelsActive() || webgpuFusedActive();

/** [B*T, D] → [B*H, T, hd] */
function toHeads(z: tf.Tensor2D, b: number, t: number, h: number): tf.Tensor3D {
  const hd = z.shape[1] / h;
  const split = tf.reshape(z, [b, t, h, hd]); // [B, T, H, hd]
  const perHead = tf.transpose(split, [0, 2, 1, 3]); // [B, H, T, hd]
  return tf.reshape(perHead, [b * h, t, hd]) as tf.Tensor3D; // [B*H, T, hd]
}

/**
 * Scaled dot-product attention over heads (Vaswani et al. 2017, arXiv:1706.03762):
 * softmax(q·kᵀ/√hd + bias)·v. q: [B*Tq, D], k, v: [B*Tk, D] → [B*Tq, D].
 * `bias` is added to the scores: a [Tq, Tk] mask, or a [1 or B, H, Tq, Tk] position bias (T5).
 * With the native kernels active (wasm) or on webgpu, one fused kernel each way (engine/fused-attention.ts).
 */
export function attend(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  dims: AttentionDims,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const hd = q.shape[1] / dims.heads;
  if (fusedAttentionActive()) return fusedAttention('separate', [q, k, v], { ...dims, hd }, bias);
  return attendComposed(q, k, v, dims, bias);
}

/** {@link attend} as composed tfjs ops, on every backend: the path without the native kernels. */
export function attendComposed(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  dims: AttentionDims,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const { batch: b, tq, tk, heads: h } = dims;
  const d = q.shape[1];
  const hd = d / h;
  const scores = tf.mul(
    tf.matMul(toHeads(q, b, tq, h), toHeads(k, b, tk, h), false, true),
    1 / Math.sqrt(hd),
  ); // [B*H, Tq, Tk]
  let biased: tf.Tensor = scores;
  if (bias && bias.rank === 4) {
    const grouped = tf.reshape(scores, [b, h, tq, tk]); // [B, H, Tq, Tk]
    biased = tf.reshape(tf.add(grouped, bias), [b * h, tq, tk]); // [B*H, Tq, Tk]
  } else if (bias) biased = tf.add(scores, bias);
  const probs = tf.softmax(biased); // [B*H, Tq, Tk]
  const mixed = tf.matMul(probs, toHeads(v, b, tk, h)); // [B*H, Tq, hd]
  const byHead = tf.reshape(mixed, [b, h, tq, hd]); // [B, H, Tq, hd]
  const byTime = tf.transpose(byHead, [0, 2, 1, 3]); // [B, Tq, H, hd]
  return tf.reshape(byTime, [b * tq, d]) as tf.Tensor2D; // [B*Tq, D]
}

/**
 * Self-attention straight from a packed projection qkv: [B*T, 3D] (q, k, v side by side) → [B*T, D].
 * With a fused kernel (wasm's native one, or webgpu's) the heads are read in place from qkv and its gradient
 * comes back packed, so neither the split nor its gradient (a concat) runs.
 */
export function selfAttend(qkv: tf.Tensor2D, dims: AttentionDims, bias?: tf.Tensor): tf.Tensor2D {
  const d = qkv.shape[1] / 3;
  if (fusedAttentionActive()) return fusedAttention('qkv', [qkv], { ...dims, hd: d / dims.heads }, bias);
  const [q, k, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]; // each [B*T, D]
  return attend(q, k, v, dims, bias);
}

/** Cross-attention from queries q: [B*Tq, D] to a packed kv: [B*Tk, 2D] (k, v side by side) → [B*Tq, D]. */
export function crossAttend(
  q: tf.Tensor2D,
  kv: tf.Tensor2D,
  dims: AttentionDims,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const d = q.shape[1];
  if (fusedAttentionActive()) return fusedAttention('q+kv', [q, kv], { ...dims, hd: d / dims.heads }, bias);
  const [k, v] = tf.split(kv, 2, 1) as [tf.Tensor2D, tf.Tensor2D]; // each [B*Tk, D]
  return attend(q, k, v, dims, bias);
}

/** Additive causal mask: 0 on and below the diagonal, a large negative number above. [T, T] */
export function causalMask(t: number): tf.Tensor2D {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = -1e9;
  return tf.tensor2d(m, [t, t]);
}

/**
 * Mean cross-entropy of logits [R, V] against integer targets [R] (nats). With the native kernels active, one
 * fused kernel each way (engine/ops.ts); on webgpu one WGSL program each way (engine/fused-webgpu.ts).
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  classes: number,
  zLoss = 0,
): tf.Scalar {
  const ce = meanCrossEntropy(logits, targets, classes);
  if (zLoss === 0) return ce;
  // z-loss (PaLM, Chowdhery et al. 2022, https://arxiv.org/abs/2204.02311; T5X's z_loss): z · mean((log Z)²), which
  // keeps the softmax normaliser near 1
  const logZ = tf.logSumExp(logits, 1); // [R]
  return tf.add(ce, tf.mul(zLoss, tf.mean(tf.square(logZ)))) as tf.Scalar;
}

/** Mean cross-entropy through the fastest path the backend has. */
function meanCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, classes: number): tf.Scalar {
  const fusable = logits.dtype === 'float32' && targets.dtype === 'int32';
  if (nativeKernelsActive() && fusable) return tf.mean(crossEntropyRowsNative(logits, targets)) as tf.Scalar;
  if (webgpuFusedActive() && fusable) return tf.mean(crossEntropyRowsWebGpuOp(logits, targets)) as tf.Scalar;
  return crossEntropyComposed(logits, targets, classes);
}

/** {@link crossEntropy} as composed tfjs ops, on every backend: the path without the native kernels. */
export function crossEntropyComposed(logits: tf.Tensor2D, targets: tf.Tensor1D, classes: number): tf.Scalar {
  const logp = tf.logSoftmax(logits); // [R, V]
  const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, classes)), 1); // [R]
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}
