import * as tf from '@tensorflow/tfjs-core';
import {
  ATTENTION_GRAD_KERNEL,
  ATTENTION_KERNEL,
  type AttentionAttrs,
  type AttentionLayout,
} from './kernels/attention-native.js';

/** Sizes of one attention call (as blocks.ts's AttentionDims) and the per-head width. */
export interface FusedAttentionDims {
  batch: number;
  tq: number;
  tk: number;
  heads: number;
  hd: number;
}

/**
 * Scaled dot-product attention over heads (Vaswani et al. 2017, arXiv:1706.03762) as one kernel forward and one
 * backward: native on the wasm backend with the addon built (kernels/attention-native.ts), WGSL programs on webgpu
 * (kernels/attention-webgpu.ts).
 * `operands` follow `layout`: [qkv [B*T, 3D]], [q [B*Tq, D], kv [B*Tk, 2D]] or [q, k, v]. `bias` is added to
 * the scaled scores: [Tq, Tk], [1, H, Tq, Tk] or [B, H, Tq, Tk]; its gradient is returned too.
 * → [B*Tq, D]
 */
export function fusedAttention(
  layout: AttentionLayout,
  operands: tf.Tensor2D[],
  dims: FusedAttentionDims,
  bias?: tf.Tensor,
): tf.Tensor2D {
  const attrs: AttentionAttrs = { layout, ...dims, scale: 1 / Math.sqrt(dims.hd) };
  const named = (xs: tf.Tensor[]) => {
    const [q, k = q, v = k] = layout === 'q+kv' ? [xs[0], xs[1], xs[1]] : xs;
    return { q, k, v };
  };
  const count = operands.length;
  const f = tf.customGrad(
    // biome-ignore lint/suspicious/noExplicitAny: tfjs's customGrad typing wants a variadic function
    ((...args: any[]) => {
      const save = args.pop();
      const xs = args.slice(0, count) as tf.Tensor[];
      const b = args[count] as tf.Tensor | undefined;
      const inputs = { ...named(xs), ...(b ? { bias: b } : {}) };
      // biome-ignore lint/suspicious/noExplicitAny: attrs is a plain record of numbers and a string
      const [o, probs] = tf.engine().runKernel(ATTENTION_KERNEL, inputs, attrs as any) as tf.Tensor[];
      save([...xs, probs, ...(b ? [b] : [])]);
      return {
        value: o,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const sx = saved.slice(0, count);
          const grad = { ...named(sx), probs: saved[count], dy, ...(b ? { bias: saved[count + 1] } : {}) };
          // biome-ignore lint/suspicious/noExplicitAny: see above
          return tf.engine().runKernel(ATTENTION_GRAD_KERNEL, grad, attrs as any) as tf.Tensor[];
        },
      };
      // biome-ignore lint/suspicious/noExplicitAny: see above
    }) as any,
  );
  return f(...operands, ...(bias ? [bias] : [])) as tf.Tensor2D;
}
