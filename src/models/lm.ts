import * as tf from '@tensorflow/tfjs-core';
import { gelu, layerNorm, matmul2d } from '../engine/ops.js';
import type { Rng } from '../util/rng.js';
import { causalMask, crossEntropy, selfAttend } from './blocks.js';
import type { ModelFamily, ParamInfo, TokenBatch } from './types.js';

/**
 * Shape of a decoder-only Transformer language model (GPT-2 style; Radford et al. 2019).
 * Plain JSON: it is part of every trial spec and its hash.
 */
export interface LmShape {
  family: 'lm';
  vocab_size: number;
  seq_len: number;
  d_model: number;
  n_layers: number;
  n_heads: number;
  d_ff: number;
  /** Output head shares the token embedding matrix (fewer parameters, standard at this scale). */
  tied_embeddings: boolean;
}

/** Std of initial weights (GPT-2); residual output projections are scaled down by sqrt(2 · layers). */
const INIT_STD = 0.02;

function lmParams(s: LmShape): ParamInfo[] {
  const d = s.d_model;
  const out: ParamInfo[] = [
    { name: 'tok_emb', shape: [s.vocab_size, d], role: 'embedding', prunable: false, decay: false },
    { name: 'pos_emb', shape: [s.seq_len, d], role: 'embedding', prunable: false, decay: false },
  ];
  for (let i = 0; i < s.n_layers; i++) {
    const p = `layers.${i}`;
    out.push(
      { name: `${p}.ln1.g`, shape: [d], role: 'norm', prunable: false, decay: false },
      { name: `${p}.ln1.b`, shape: [d], role: 'norm', prunable: false, decay: false },
      { name: `${p}.attn.qkv`, shape: [d, 3 * d], role: 'attention', prunable: true, decay: true, parts: 3 },
      { name: `${p}.attn.proj`, shape: [d, d], role: 'attention', prunable: true, decay: true },
      { name: `${p}.ln2.g`, shape: [d], role: 'norm', prunable: false, decay: false },
      { name: `${p}.ln2.b`, shape: [d], role: 'norm', prunable: false, decay: false },
      { name: `${p}.mlp.fc`, shape: [d, s.d_ff], role: 'mlp', prunable: true, decay: true },
      { name: `${p}.mlp.proj`, shape: [s.d_ff, d], role: 'mlp', prunable: true, decay: true },
    );
  }
  out.push(
    { name: 'ln_f.g', shape: [d], role: 'norm', prunable: false, decay: false },
    { name: 'ln_f.b', shape: [d], role: 'norm', prunable: false, decay: false },
  );
  if (!s.tied_embeddings) {
    out.push({ name: 'head', shape: [d, s.vocab_size], role: 'head', prunable: false, decay: true });
  }
  return out;
}

function lmInit(s: LmShape, rng: Rng): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  const residualStd = INIT_STD / Math.sqrt(2 * s.n_layers);
  for (const p of lmParams(s)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.role === 'norm') {
      values.set(p.name, new Float32Array(n).fill(p.name.endsWith('.g') ? 1 : 0));
    } else {
      const isResidualOut = p.name.endsWith('attn.proj') || p.name.endsWith('mlp.proj');
      values.set(p.name, rng.normalArray(n, isResidualOut ? residualStd : INIT_STD));
    }
  }
  return values;
}

/** Multi-head causal self-attention of one block. x: [B*T, D] → [B*T, D] */
function selfAttention(
  s: LmShape,
  x: tf.Tensor2D,
  wQkv: tf.Tensor2D,
  wProj: tf.Tensor2D,
  mask: tf.Tensor2D,
  b: number,
  t: number,
): tf.Tensor2D {
  const qkv = matmul2d(x, wQkv); // [B*T, 3D]
  const o = selfAttend(qkv, { batch: b, tq: t, tk: t, heads: s.n_heads }, mask); // [B*T, D]
  return matmul2d(o, wProj);
}

function lmLoss(s: LmShape, p: ReadonlyMap<string, tf.Tensor>, batch: TokenBatch, zLoss = 0): tf.Scalar {
  const get = (name: string) => {
    const t = p.get(name);
    if (!t) throw new Error(`lm: missing parameter ${name}`);
    return t;
  };
  const b = batch.batchSize;
  const t = batch.seqLen;
  const d = s.d_model;
  const all = tf.tensor2d(batch.tokens, [b, t + 1], 'int32'); // [B, T+1]
  const inputs = tf.reshape(tf.slice(all, [0, 0], [b, t]), [b * t]); // [B*T]
  const targets = tf.reshape(tf.slice(all, [0, 1], [b, t]), [b * t]); // [B*T]
  const tokEmb = get('tok_emb') as tf.Tensor2D; // [V, D]
  const pos = tf.slice(get('pos_emb'), [0, 0], [t, d]); // [T, D]
  const embedded = tf.reshape(tf.gather(tokEmb, inputs), [b, t, d]); // [B, T, D]
  let x = tf.reshape(tf.add(embedded, pos), [b * t, d]) as tf.Tensor2D; // [B*T, D]
  const mask = causalMask(t);
  for (let i = 0; i < s.n_layers; i++) {
    const l = `layers.${i}`;
    const a = layerNorm(x, get(`${l}.ln1.g`) as tf.Tensor1D, get(`${l}.ln1.b`) as tf.Tensor1D) as tf.Tensor2D;
    const attn = selfAttention(
      s,
      a,
      get(`${l}.attn.qkv`) as tf.Tensor2D,
      get(`${l}.attn.proj`) as tf.Tensor2D,
      mask,
      b,
      t,
    );
    x = tf.add(x, attn);
    const m = layerNorm(x, get(`${l}.ln2.g`) as tf.Tensor1D, get(`${l}.ln2.b`) as tf.Tensor1D) as tf.Tensor2D;
    const hidden = gelu(matmul2d(m, get(`${l}.mlp.fc`) as tf.Tensor2D)) as tf.Tensor2D; // [B*T, F]
    x = tf.add(x, matmul2d(hidden, get(`${l}.mlp.proj`) as tf.Tensor2D));
  }
  const f = layerNorm(x, get('ln_f.g') as tf.Tensor1D, get('ln_f.b') as tf.Tensor1D) as tf.Tensor2D;
  const head = s.tied_embeddings ? (tf.transpose(tokEmb) as tf.Tensor2D) : (get('head') as tf.Tensor2D); // [D, V]
  const logits = matmul2d(f, head); // [B*T, V]
  return crossEntropy(logits, targets as tf.Tensor1D, s.vocab_size, zLoss);
}

/** Forward matmul FLOPs per token: block matrices, attention scores and mixing, output head. */
function lmForwardFlopsPerToken(s: LmShape): number {
  const d = s.d_model;
  const blocks = s.n_layers * (2 * (4 * d * d + 2 * d * s.d_ff) + 2 * 2 * s.seq_len * d);
  return blocks + 2 * d * s.vocab_size;
}

/** The `lm` family: pre-norm decoder-only Transformer, causal attention, GELU MLP, no biases in matrices. */
export const lmFamily: ModelFamily<LmShape, TokenBatch> = {
  name: 'lm',
  description:
    'decoder-only Transformer LM (pre-norm LayerNorm, causal multi-head attention, GELU MLP, learned positions, tied embeddings by default)',
  params: lmParams,
  init: lmInit,
  loss: lmLoss,
  forwardFlopsPerUnit: lmForwardFlopsPerToken,
};
