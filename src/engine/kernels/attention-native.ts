import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.js';
import type { WasmBackendLike } from './native-kernels.js';

/** Kernel names of the fused attention and its gradient: ours, registered for wasm (native) and webgpu (WGSL). */
export const ATTENTION_KERNEL = 'SparsebenchAttention';
export const ATTENTION_GRAD_KERNEL = 'SparsebenchAttentionGrad';

/**
 * How q, k and v arrive: one packed [R, 3D] matrix (self-attention straight from the qkv projection), q
 * apart from a packed [R, 2D] kv (cross-attention), or three [R, D] matrices. The gradient comes back in the
 * same layout: one tensor per distinct input.
 */
export type AttentionLayout = 'qkv' | 'q+kv' | 'separate';

/** Attributes of both kernels. Heads are read from columns: q's head h is columns qCol + h·hd. */
export interface AttentionAttrs {
  layout: AttentionLayout;
  batch: number;
  heads: number;
  tq: number;
  tk: number;
  hd: number;
  scale: number;
}

/** Column where q, k and v start within their input matrices, per layout (D = heads · hd). */
export function columns(a: AttentionAttrs): { q: number; k: number; v: number } {
  const d = a.heads * a.hd;
  if (a.layout === 'qkv') return { q: 0, k: d, v: 2 * d };
  if (a.layout === 'q+kv') return { q: 0, k: 0, v: d };
  return { q: 0, k: 0, v: 0 };
}

/**
 * The addon's bias mode for a bias of this shape: none, one [Tq, Tk] tile for every head (a mask),
 * [1, H, Tq, Tk] shared across the batch (T5's position bias) or [B, H, Tq, Tk].
 */
export function biasMode(bias: { shape: number[] } | undefined, a: AttentionAttrs): 0 | 1 | 2 | 3 {
  if (!bias) return 0;
  const s = bias.shape;
  const tile = s.at(-2) === a.tq && s.at(-1) === a.tk;
  if (tile && s.length === 2) return 1;
  if (tile && s.length === 4 && s[1] === a.heads && s[0] === 1) return 2;
  if (tile && s.length === 4 && s[1] === a.heads && s[0] === a.batch) return 3;
  throw new Error(
    `fused attention: bias of shape [${s.join(', ')}] is not [Tq, Tk], [1, H, Tq, Tk] or [B, H, Tq, Tk]`,
  );
}

interface Inputs {
  q: TensorInfo;
  k: TensorInfo;
  v: TensorInfo;
  bias?: TensorInfo;
}

/** The dims array the addon reads: [batch, heads, tq, tk, hd, ldq, ldk, ldv, ldo, biasMode, scale]. */
function dims(a: AttentionAttrs, inputs: Inputs, ldo: number): number[] {
  const ld = (t: TensorInfo) => t.shape[1];
  const mode = biasMode(inputs.bias, a);
  return [a.batch, a.heads, a.tq, a.tk, a.hd, ld(inputs.q), ld(inputs.k), ld(inputs.v), ldo, mode, a.scale];
}

/** Float32 views of q, k, v (each starting at its first column) and of the bias. Take after every allocation. */
function operandViews(backend: WasmBackendLike, a: AttentionAttrs, inputs: Inputs) {
  const at = columns(a);
  const view = (t: TensorInfo, col = 0) => (backend.typedArrayFromHeap(t) as Float32Array).subarray(col);
  return {
    q: view(inputs.q, at.q),
    k: view(inputs.k, at.k),
    v: view(inputs.v, at.v),
    bias: inputs.bias ? view(inputs.bias) : null,
  };
}

/**
 * Multi-head attention in one kernel (native/src/attention.c): o = softmax(scale · q kᵀ + bias) v per head,
 * reading the heads in place, with no transposes.
 * q: [B*Tq, ·], k, v: [B*Tk, ·] (see {@link AttentionLayout}) → o: [B*Tq, D], probs: [B, H, Tq, Tk]
 */
export function nativeAttention(addon: NativeAddon): KernelFunc {
  return ((args: { inputs: Inputs; backend: unknown; attrs: AttentionAttrs }) => {
    const { inputs, attrs: a } = args;
    const backend = args.backend as WasmBackendLike;
    const d = a.heads * a.hd;
    const o = backend.makeOutput([a.batch * a.tq, d], 'float32');
    const probs = backend.makeOutput([a.batch, a.heads, a.tq, a.tk], 'float32');
    // Views only after every output exists: allocating may grow the heap and detach older views.
    const x = operandViews(backend, a, inputs);
    const f = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    addon.attention(x.q, x.k, x.v, x.bias, f(probs), f(o), dims(a, inputs, d));
    return [o, probs];
  }) as unknown as KernelFunc;
}

/**
 * The gradient of {@link nativeAttention} from dy [B*Tq, D] and the saved probs: one output per distinct
 * input of the layout (dqkv; dq, dkv; or dq, dk, dv), then dbias (bias's shape) when there is a bias.
 */
export function nativeAttentionGrad(addon: NativeAddon): KernelFunc {
  return ((args: {
    inputs: Inputs & { dy: TensorInfo; probs: TensorInfo };
    backend: unknown;
    attrs: AttentionAttrs;
  }) => {
    const { inputs, attrs: a } = args;
    const backend = args.backend as WasmBackendLike;
    const distinct =
      a.layout === 'qkv'
        ? [inputs.q]
        : a.layout === 'q+kv'
          ? [inputs.q, inputs.k]
          : [inputs.q, inputs.k, inputs.v];
    const outs = distinct.map((t) => backend.makeOutput(t.shape, 'float32'));
    const dbias = inputs.bias ? backend.makeOutput(inputs.bias.shape, 'float32') : null;
    const x = operandViews(backend, a, inputs);
    const f = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    // the gradient of each of q, k, v sits where that operand sits in its input
    const at = columns(a);
    const [gq, gk, gv] =
      a.layout === 'qkv'
        ? [outs[0], outs[0], outs[0]]
        : a.layout === 'q+kv'
          ? [outs[0], outs[1], outs[1]]
          : outs;
    const dim = dims(a, inputs, inputs.dy.shape[1]);
    dim.push(gq.shape[1], gk.shape[1], gv.shape[1]);
    addon.attentionGrad(
      x.q,
      x.k,
      x.v,
      x.bias,
      f(inputs.probs),
      f(inputs.dy),
      f(gq).subarray(at.q),
      f(gk).subarray(at.k),
      f(gv).subarray(at.v),
      dbias ? f(dbias) : null,
      dim,
    );
    return dbias ? [...outs, dbias] : outs;
  }) as unknown as KernelFunc;
}
