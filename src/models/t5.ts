import * as tf from '@tensorflow/tfjs-core';
import { gelu, matmul2d, rmsNorm } from '../engine/ops.js';
import type { Rng } from '../util/rng.js';
import { causalMask, crossAttend, crossEntropy, selfAttend } from './blocks.js';
import { relativeBuckets } from './relative-position.js';
import type { Batch, ModelFamily, ParamInfo } from './types.js';

/**
 * Shape of a T5-style encoder-decoder (Raffel et al. 2020, arXiv:1910.10683): n_layers encoder and n_layers
 * decoder blocks, RMSNorm pre-norm, no biases, bucketed relative position biases shared across the layers of
 * each stack, ReLU MLPs, tied input/output embedding (T5 1.0); or T5 v1.1's gated-GELU MLPs and untied head.
 * Plain JSON: part of every trial spec.
 */
export interface T5Shape {
  family: 't5';
  /** 256 bytes, pad/start, EOS and one sentinel per noise span. */
  vocab_size: number;
  d_model: number;
  n_layers: number;
  n_heads: number;
  d_ff: number;
  /** Encoder input and decoder target lengths of the span-corruption objective. */
  input_len: number;
  target_len: number;
  noise_density: number;
  mean_span_length: number;
  rel_buckets: number;
  rel_max_distance: number;
  /**
   * MLP activation: relu (T5 1.0), gelu, or gated-gelu (T5 v1.1: gelu(x·W_0) ⊙ (x·W_1), the two input matrices
   * packed side by side in `mlp.wi` as its two parts).
   */
  ff_activation: 'relu' | 'gelu' | 'gated-gelu';
  /**
   * The head is the token embedding, its input scaled by d^-0.5 (T5 1.0); false: a head of its own, unscaled
   * (T5 v1.1). Absent in specs written before the option: tied.
   */
  tied_embeddings?: boolean;
}

/** Input matrices of one MLP: two for T5 v1.1's gated GELU, one otherwise. */
export function t5MlpInputs(s: Pick<T5Shape, 'ff_activation'>): number {
  return s.ff_activation === 'gated-gelu' ? 2 : 1;
}

/** A span-corruption batch: encoder inputs [B, Tin], decoder inputs and targets [B, Tt]. */
export interface SpanBatch extends Batch {
  input: Int32Array;
  decoderIn: Int32Array;
  target: Int32Array;
}

/**
 * Token embeddings start at std 1, the scale the tied head's d^-0.5 output scaling is built for (T5, Raffel et al.
 * 2020, https://arxiv.org/abs/1910.10683; the sparse scaling-law authors' T5X model, JaxPruner's
 * projects/bigsparse/t5x/network.py, and Hugging Face's T5 draw them from N(0, 1)). At GPT-2's 0.02 the logits
 * start near zero and training waits for the embeddings to grow (MODEL_REVISIONS t5 1).
 */
const EMBEDDING_STD = 1;

function t5Params(s: T5Shape): ParamInfo[] {
  const d = s.d_model;
  const f = s.d_ff;
  const gates = t5MlpInputs(s);
  // parts: q, k, v (or k, v) projections packed side by side in one matrix
  const m = (name: string, shape: number[], role: 'attention' | 'mlp', parts?: number): ParamInfo => ({
    name,
    shape,
    role,
    prunable: true,
    decay: true,
    ...(parts ? { parts } : {}),
  });
  const norm = (name: string): ParamInfo => ({
    name,
    shape: [d],
    role: 'norm',
    prunable: false,
    decay: false,
  });
  const out: ParamInfo[] = [
    { name: 'tok_emb', shape: [s.vocab_size, d], role: 'embedding', prunable: false, decay: false },
    {
      name: 'enc.rel_bias',
      shape: [s.rel_buckets, s.n_heads],
      role: 'embedding',
      prunable: false,
      decay: false,
    },
    {
      name: 'dec.rel_bias',
      shape: [s.rel_buckets, s.n_heads],
      role: 'embedding',
      prunable: false,
      decay: false,
    },
  ];
  for (let i = 0; i < s.n_layers; i++) {
    const p = `enc.${i}`;
    out.push(
      norm(`${p}.ln1.g`),
      m(`${p}.attn.qkv`, [d, 3 * d], 'attention', 3),
      m(`${p}.attn.o`, [d, d], 'attention'),
      norm(`${p}.ln2.g`),
      m(`${p}.mlp.wi`, [d, gates * f], 'mlp', gates > 1 ? gates : undefined),
      m(`${p}.mlp.wo`, [f, d], 'mlp'),
    );
  }
  out.push(norm('enc.ln_f.g'));
  for (let i = 0; i < s.n_layers; i++) {
    const p = `dec.${i}`;
    out.push(
      norm(`${p}.ln1.g`),
      m(`${p}.self.qkv`, [d, 3 * d], 'attention', 3),
      m(`${p}.self.o`, [d, d], 'attention'),
      norm(`${p}.ln2.g`),
      m(`${p}.cross.q`, [d, d], 'attention'),
      m(`${p}.cross.kv`, [d, 2 * d], 'attention', 2),
      m(`${p}.cross.o`, [d, d], 'attention'),
      norm(`${p}.ln3.g`),
      m(`${p}.mlp.wi`, [d, gates * f], 'mlp', gates > 1 ? gates : undefined),
      m(`${p}.mlp.wo`, [f, d], 'mlp'),
    );
  }
  out.push(norm('dec.ln_f.g'));
  if (s.tied_embeddings === false)
    out.push({ name: 'head', shape: [d, s.vocab_size], role: 'head', prunable: false, decay: true });
  return out;
}

/**
 * T5X's initialisation (the sparse scaling-law authors' T5 code): token embeddings N(0, 1); every weight matrix,
 * the head included, fan-in scaled, N(0, 1/n_in) (flax's variance_scaling(1, 'fan_in')). T5X folds attention's
 * 1/sqrt(head_dim) into the query's init where this model scales the scores: the same scores at the start, not the
 * same training under AdamW (the fold is exact under T5X's Adafactor). Relative position biases start at zero, where
 * T5X draws them from variance_scaling(1, 'fan_avg', 'uniform'): a hand comparison over three seeds found zero no
 * worse.
 */
function t5Init(s: T5Shape, rng: Rng): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const p of t5Params(s)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.role === 'norm') values.set(p.name, new Float32Array(n).fill(1));
    else if (p.name.endsWith('rel_bias')) values.set(p.name, new Float32Array(n));
    else if (p.name === 'tok_emb') values.set(p.name, rng.normalArray(n, EMBEDDING_STD));
    // matrices [n_in, n_out]: an untied head so starts its logits at std ~1, as the tied head's scaling does
    else values.set(p.name, rng.normalArray(n, p.shape[0] ** -0.5));
  }
  return values;
}

/** Relative position bias of one stack: [1, H, Tq, Tk], from the shared [buckets, H] table. */
function positionBias(
  table: tf.Tensor2D,
  tq: number,
  tk: number,
  bidirectional: boolean,
  s: T5Shape,
): tf.Tensor4D {
  const idx = tf.tensor1d(relativeBuckets(tq, tk, bidirectional, s.rel_buckets, s.rel_max_distance), 'int32');
  const perPair = tf.gather(table, idx); // [Tq*Tk, H]
  const byHead = tf.transpose(perPair); // [H, Tq*Tk]
  return tf.reshape(byHead, [1, s.n_heads, tq, tk]) as tf.Tensor4D; // [1, H, Tq, Tk]
}

function feedForward(s: T5Shape, x: tf.Tensor2D, wi: tf.Tensor2D, wo: tf.Tensor2D): tf.Tensor2D {
  const hidden = matmul2d(x, wi); // [R, F] (gated: [R, 2F])
  let act: tf.Tensor2D;
  if (s.ff_activation === 'gated-gelu') {
    const [gate, linear] = tf.split(hidden, 2, 1) as [tf.Tensor2D, tf.Tensor2D]; // [R, F] each
    act = tf.mul(gelu(gate), linear) as tf.Tensor2D;
  } else act = (s.ff_activation === 'gelu' ? gelu(hidden) : tf.relu(hidden)) as tf.Tensor2D;
  return matmul2d(act, wo); // [R, D]
}

function t5Loss(s: T5Shape, p: ReadonlyMap<string, tf.Tensor>, batch: SpanBatch, zLoss = 0): tf.Scalar {
  const get = (name: string) => {
    const t = p.get(name);
    if (!t) throw new Error(`t5: missing parameter ${name}`);
    return t as tf.Tensor2D;
  };
  const g = (name: string) => get(name) as unknown as tf.Tensor1D;
  const b = batch.batchSize;
  const tin = s.input_len;
  const tt = s.target_len;
  const h = s.n_heads;
  const emb = get('tok_emb'); // [V, D]

  // encoder: bidirectional self-attention with a shared relative bias
  let x = tf.gather(emb, tf.tensor1d(batch.input, 'int32')) as tf.Tensor2D; // [B*Tin, D]
  const encBias = positionBias(get('enc.rel_bias'), tin, tin, true, s); // [1, H, Tin, Tin]
  for (let i = 0; i < s.n_layers; i++) {
    const l = `enc.${i}`;
    const a = rmsNorm(x, g(`${l}.ln1.g`)) as tf.Tensor2D;
    const qkv = matmul2d(a, get(`${l}.attn.qkv`)); // [B*Tin, 3D]
    x = tf.add(
      x,
      matmul2d(selfAttend(qkv, { batch: b, tq: tin, tk: tin, heads: h }, encBias), get(`${l}.attn.o`)),
    );
    x = tf.add(
      x,
      feedForward(s, rmsNorm(x, g(`${l}.ln2.g`)) as tf.Tensor2D, get(`${l}.mlp.wi`), get(`${l}.mlp.wo`)),
    );
  }
  const memory = rmsNorm(x, g('enc.ln_f.g')) as tf.Tensor2D; // [B*Tin, D]

  // decoder: causal self-attention with its own shared bias, then cross-attention to the encoder
  let y = tf.gather(emb, tf.tensor1d(batch.decoderIn, 'int32')) as tf.Tensor2D; // [B*Tt, D]
  const decBias = tf.add(positionBias(get('dec.rel_bias'), tt, tt, false, s), causalMask(tt)); // [1, H, Tt, Tt]
  for (let i = 0; i < s.n_layers; i++) {
    const l = `dec.${i}`;
    const a = rmsNorm(y, g(`${l}.ln1.g`)) as tf.Tensor2D;
    const qkv = matmul2d(a, get(`${l}.self.qkv`)); // [B*Tt, 3D]
    y = tf.add(
      y,
      matmul2d(selfAttend(qkv, { batch: b, tq: tt, tk: tt, heads: h }, decBias), get(`${l}.self.o`)),
    );
    const c = rmsNorm(y, g(`${l}.ln2.g`)) as tf.Tensor2D;
    const cq = matmul2d(c, get(`${l}.cross.q`)); // [B*Tt, D]
    const kv = matmul2d(memory, get(`${l}.cross.kv`)); // [B*Tin, 2D]
    y = tf.add(
      y,
      matmul2d(crossAttend(cq, kv, { batch: b, tq: tt, tk: tin, heads: h }), get(`${l}.cross.o`)),
    );
    y = tf.add(
      y,
      feedForward(s, rmsNorm(y, g(`${l}.ln3.g`)) as tf.Tensor2D, get(`${l}.mlp.wi`), get(`${l}.mlp.wo`)),
    );
  }
  const final = rmsNorm(y, g('dec.ln_f.g')) as tf.Tensor2D; // [B*Tt, D]
  const logits =
    s.tied_embeddings === false
      ? matmul2d(final, get('head')) // [B*Tt, V] (T5 v1.1: a head of its own)
      : matmul2d(tf.mul(final, s.d_model ** -0.5) as tf.Tensor2D, tf.transpose(emb) as tf.Tensor2D); // tied (T5 1.0)
  return crossEntropy(logits, tf.tensor1d(batch.target, 'int32'), s.vocab_size, zLoss);
}

/** Forward matmul FLOPs per encoder input token (D counts input tokens). */
function t5ForwardFlopsPerInputToken(s: T5Shape): number {
  const d = s.d_model;
  const f = s.d_ff;
  const tin = s.input_len;
  const tt = s.target_len;
  const mlp = (1 + t5MlpInputs(s)) * d * f; // wi (one or two matrices) and wo
  const encoder = tin * (2 * (4 * d * d + mlp) + 4 * tin * d); // projections + scores/mixing
  const decoder = tt * (2 * (6 * d * d + mlp) + 4 * tt * d + 4 * tin * d) + tin * 2 * 2 * d * d; // + cross k,v
  const head = tt * 2 * d * s.vocab_size;
  return (s.n_layers * (encoder + decoder) + head) / tin;
}

/**
 * The share of the law's compute, 6·P·D with D in encoder input tokens, that the prunable weight matrices' training
 * FLOPs make up. The encoder layer's weights and the cross-attention's k, v (6d² + M, M the MLP's matrices) see
 * every input token; the decoder's self-attention, cross q and o, and MLP (6d² + M as well) only the targets. So
 * half of P sees all of D and half target_len of every input_len, at any width and with either MLP.
 */
export function t5WeightFlopsShare(s: T5Shape): number {
  return (1 + s.target_len / s.input_len) / 2;
}

/** The `t5` family: encoder-decoder trained with span corruption. */
export const t5Family: ModelFamily<T5Shape, SpanBatch> = {
  name: 't5',
  description:
    'T5-style encoder-decoder (RMSNorm pre-norm, no biases, shared relative position buckets, cross-attention), span-corruption objective; T5 1.0 by default, T5 v1.1 with ff_activation=gated-gelu tied_embeddings=false',
  params: t5Params,
  init: t5Init,
  loss: t5Loss,
  forwardFlopsPerUnit: t5ForwardFlopsPerInputToken,
};
