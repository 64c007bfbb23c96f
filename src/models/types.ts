import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';

/** What a parameter tensor is, for pruning, weight decay and counting. */
export type ParamRole = 'attention' | 'mlp' | 'embedding' | 'norm' | 'head';

/** Static description of one parameter tensor of a model. */
export interface ParamInfo {
  /** Stable dotted name, e.g. `layers.0.attn.qkv`. */
  name: string;
  shape: number[];
  role: ParamRole;
  /**
   * True for the weight matrices the paper prunes and counts in N: attention and MLP matrices of the blocks.
   * Embeddings, norms and heads stay dense by default.
   */
  prunable: boolean;
  /** Whether AdamW's decoupled weight decay applies (matrices yes; norms no). */
  decay: boolean;
  /**
   * Separate matrices of one shape packed side by side along the output dimension: 3 for an attention
   * layer's q, k, v projections stored as one [d, 3d] matrix, 2 for cross-attention's k, v; absent = 1.
   */
  parts?: number;
}

/** Parameter counts of a shape, by the paper's convention (N counts prunable weights only). */
export interface ParamCounts {
  /** Every parameter. */
  total: number;
  /** Attention + MLP matrices: the dense size that sparsity acts on. */
  prunable: number;
  /** Token and position embeddings (and a separate output head if untied): the parameters N leaves out. */
  embedding: number;
  /** Of `embedding`, the output head where it is its own matrix (an untied LM or T5 head, a classifier's). */
  head: number;
}

/** Any family's batch: `batchSize` examples (windows, sequences or images). */
export interface Batch {
  batchSize: number;
}

/** A batch of token windows: `tokens` has seqLen + 1 columns; inputs are [:, :-1], targets [:, 1:]. */
export interface TokenBatch extends Batch {
  tokens: Int32Array;
  seqLen: number;
}

/** A model family: parameter layout, initialisation, loss and (for classifiers) accuracy. */
export interface ModelFamily<Shape, B extends Batch = Batch> {
  /** Registry name, as written in the config (`model.family`). */
  name: string;
  description: string;
  /** The parameters of a shape, in a stable order. */
  params(shape: Shape): ParamInfo[];
  /** Initial values for every parameter, drawn from `rng`. */
  init(shape: Shape, rng: Rng): Map<string, Float32Array>;
  /**
   * Mean cross-entropy (nats per predicted token, or per image) of a batch under the given parameter
   * tensors, plus `zLoss` · mean((log Z)²) of the output softmax when the trainer asks for it (never for
   * evaluation). Called inside the trainer's gradient tape; must not dispose its inputs.
   */
  loss(shape: Shape, params: ReadonlyMap<string, tf.Tensor>, batch: B, zLoss?: number): tf.Scalar;
  /** Fraction of correct predictions in a batch (classifiers only; recorded as val_accuracy). */
  accuracy?(shape: Shape, params: ReadonlyMap<string, tf.Tensor>, batch: B): tf.Scalar;
  /** Matmul FLOPs of one forward pass per unit of D (a token or an image), dense; for throughput. */
  forwardFlopsPerUnit(shape: Shape): number;
}

/** Sums the element counts of parameter infos. */
export function countParams(infos: readonly ParamInfo[]): ParamCounts {
  let total = 0;
  let prunable = 0;
  let embedding = 0;
  let head = 0;
  for (const p of infos) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    total += n;
    if (p.prunable) prunable += n;
    if (p.role === 'embedding' || p.role === 'head') embedding += n;
    if (p.role === 'head') head += n;
  }
  return { total, prunable, embedding, head };
}

/** The prunable matrices of a parameter list, as the pruner sees them ([n_in, n_out]). */
export function prunableLayers(
  infos: readonly ParamInfo[],
): { name: string; shape: [number, number]; parts?: number }[] {
  return infos
    .filter((p) => p.prunable)
    .map((p) => ({ name: p.name, shape: [p.shape[0], p.shape[1]], ...(p.parts ? { parts: p.parts } : {}) }));
}
