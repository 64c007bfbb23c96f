import * as tf from '@tensorflow/tfjs-core';
import { gelu, layerNorm, matmul2d } from '../engine/ops.js';
import type { Rng } from '../util/rng.js';
import { crossEntropy, selfAttend } from './blocks.js';
import type { Batch, ModelFamily, ParamInfo } from './types.js';

/**
 * Shape of a ViT-style image classifier (Dosovitskiy et al. 2021, arXiv:2010.11929): non-overlapping
 * patches embedded by a matmul, learned position embeddings, a class token or mean pooling, pre-norm
 * encoder blocks (LayerNorm, bidirectional attention, GELU MLP), LayerNorm and a linear head.
 */
export interface VitShape {
  family: 'vit';
  image_height: number;
  image_width: number;
  channels: number;
  patch_size: number;
  classes: number;
  d_model: number;
  n_layers: number;
  n_heads: number;
  d_ff: number;
  pooling: 'cls' | 'mean';
}

/** A batch of images, already cut into flattened patches: [B, P, p·p·C], with labels [B]. */
export interface ImageBatch extends Batch {
  patches: Float32Array;
  labels: Int32Array;
}

const INIT_STD = 0.02;

export function vitPatches(s: VitShape): number {
  return (s.image_height / s.patch_size) * (s.image_width / s.patch_size);
}

function vitParams(s: VitShape): ParamInfo[] {
  const d = s.d_model;
  const patchLen = s.patch_size * s.patch_size * s.channels;
  const tokens = vitPatches(s) + (s.pooling === 'cls' ? 1 : 0);
  const vec = (name: string, n: number, role: ParamInfo['role']): ParamInfo => ({
    name,
    shape: [n],
    role,
    prunable: false,
    decay: false,
  });
  const out: ParamInfo[] = [
    { name: 'patch.w', shape: [patchLen, d], role: 'embedding', prunable: false, decay: true },
    vec('patch.b', d, 'embedding'),
    { name: 'pos_emb', shape: [tokens, d], role: 'embedding', prunable: false, decay: false },
  ];
  if (s.pooling === 'cls')
    out.push({ name: 'cls', shape: [1, d], role: 'embedding', prunable: false, decay: false });
  for (let i = 0; i < s.n_layers; i++) {
    const p = `layers.${i}`;
    out.push(
      vec(`${p}.ln1.g`, d, 'norm'),
      vec(`${p}.ln1.b`, d, 'norm'),
      { name: `${p}.attn.qkv`, shape: [d, 3 * d], role: 'attention', prunable: true, decay: true, parts: 3 },
      { name: `${p}.attn.proj`, shape: [d, d], role: 'attention', prunable: true, decay: true },
      vec(`${p}.ln2.g`, d, 'norm'),
      vec(`${p}.ln2.b`, d, 'norm'),
      { name: `${p}.mlp.fc`, shape: [d, s.d_ff], role: 'mlp', prunable: true, decay: true },
      { name: `${p}.mlp.proj`, shape: [s.d_ff, d], role: 'mlp', prunable: true, decay: true },
    );
  }
  out.push(
    vec('ln_f.g', d, 'norm'),
    vec('ln_f.b', d, 'norm'),
    { name: 'head.w', shape: [d, s.classes], role: 'head', prunable: false, decay: true },
    vec('head.b', s.classes, 'head'),
  );
  return out;
}

function vitInit(s: VitShape, rng: Rng): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  const residualStd = INIT_STD / Math.sqrt(2 * s.n_layers);
  for (const p of vitParams(s)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.role === 'norm') values.set(p.name, new Float32Array(n).fill(p.name.endsWith('.g') ? 1 : 0));
    else if (p.name === 'patch.b' || p.name === 'head.b' || p.name === 'head.w')
      values.set(p.name, new Float32Array(n));
    else {
      const isResidualOut = p.name.endsWith('attn.proj') || p.name.endsWith('mlp.proj');
      values.set(p.name, rng.normalArray(n, isResidualOut ? residualStd : INIT_STD));
    }
  }
  return values;
}

/** Class logits of a batch: [B, classes]. */
function vitLogits(s: VitShape, p: ReadonlyMap<string, tf.Tensor>, batch: ImageBatch): tf.Tensor2D {
  const get = (name: string) => {
    const t = p.get(name);
    if (!t) throw new Error(`vit: missing parameter ${name}`);
    return t;
  };
  const b = batch.batchSize;
  const d = s.d_model;
  const np = vitPatches(s);
  const patchLen = s.patch_size * s.patch_size * s.channels;
  const flat = tf.tensor2d(batch.patches, [b * np, patchLen]); // [B*P, p·p·C]
  const embedded = tf.add(matmul2d(flat, get('patch.w') as tf.Tensor2D), get('patch.b')); // [B*P, D]
  let tokens = tf.reshape(embedded, [b, np, d]); // [B, P, D]
  if (s.pooling === 'cls') {
    const cls = tf.tile(tf.reshape(get('cls'), [1, 1, d]), [b, 1, 1]); // [B, 1, D]
    tokens = tf.concat([cls, tokens], 1); // [B, P+1, D]
  }
  const t = tokens.shape[1] as number;
  let x = tf.reshape(tf.add(tokens, get('pos_emb')), [b * t, d]) as tf.Tensor2D; // [B*T, D]
  for (let i = 0; i < s.n_layers; i++) {
    const l = `layers.${i}`;
    const a = layerNorm(x, get(`${l}.ln1.g`) as tf.Tensor1D, get(`${l}.ln1.b`) as tf.Tensor1D) as tf.Tensor2D;
    const qkv = matmul2d(a, get(`${l}.attn.qkv`) as tf.Tensor2D); // [B*T, 3D]
    const o = selfAttend(qkv, { batch: b, tq: t, tk: t, heads: s.n_heads }); // [B*T, D]
    x = tf.add(x, matmul2d(o, get(`${l}.attn.proj`) as tf.Tensor2D));
    const m = layerNorm(x, get(`${l}.ln2.g`) as tf.Tensor1D, get(`${l}.ln2.b`) as tf.Tensor1D) as tf.Tensor2D;
    const hidden = gelu(matmul2d(m, get(`${l}.mlp.fc`) as tf.Tensor2D)) as tf.Tensor2D; // [B*T, F]
    x = tf.add(x, matmul2d(hidden, get(`${l}.mlp.proj`) as tf.Tensor2D));
  }
  const seq = tf.reshape(x, [b, t, d]); // [B, T, D]
  const pooled =
    s.pooling === 'cls'
      ? tf.reshape(tf.slice(seq, [0, 0, 0], [b, 1, d]), [b, d]) // [B, D]: the class token
      : tf.mean(seq, 1); // [B, D]
  const f = layerNorm(pooled, get('ln_f.g') as tf.Tensor1D, get('ln_f.b') as tf.Tensor1D) as tf.Tensor2D;
  return tf.add(matmul2d(f, get('head.w') as tf.Tensor2D), get('head.b')) as tf.Tensor2D; // [B, classes]
}

/** Forward matmul FLOPs per image. */
function vitForwardFlopsPerImage(s: VitShape): number {
  const d = s.d_model;
  const t = vitPatches(s) + (s.pooling === 'cls' ? 1 : 0);
  const patchLen = s.patch_size * s.patch_size * s.channels;
  const blocks = s.n_layers * t * (2 * (4 * d * d + 2 * d * s.d_ff) + 4 * t * d);
  return vitPatches(s) * 2 * patchLen * d + blocks + 2 * d * s.classes;
}

/** The `vit` family: images in, class out; D counts images seen. */
export const vitFamily: ModelFamily<VitShape, ImageBatch> = {
  name: 'vit',
  description:
    'ViT-style classifier (matmul patch embedding, learned positions, class token or mean pooling, pre-norm encoder, linear head)',
  params: vitParams,
  init: vitInit,
  loss: (s, p, batch, zLoss) =>
    crossEntropy(vitLogits(s, p, batch), tf.tensor1d(batch.labels, 'int32'), s.classes, zLoss),
  accuracy: (s, p, batch) => {
    const predicted = tf.argMax(vitLogits(s, p, batch), 1); // [B]
    return tf.mean(tf.cast(tf.equal(predicted, tf.tensor1d(batch.labels, 'int32')), 'float32')) as tf.Scalar;
  },
  forwardFlopsPerUnit: vitForwardFlopsPerImage,
};
