import type { TrialSpec } from '../config/trial-spec.js';
import { prunerLayers } from '../sparsity/layers.js';
import { layerTargetsOf } from '../sparsity/targets.js';
import { fmt } from '../util/format.js';
import { families } from './registry.js';

/**
 * Embedding parameters above this share of N make the sweep's N a poor measure of its models' capacity: a
 * guide, not a published threshold. Pearce & Song 2024 (https://arxiv.org/abs/2406.12907) show that leaving
 * embeddings out of the count biases fitted exponents at small scale.
 */
export const EMBEDDING_SHARE_LIMIT = 0.2;

/** What the check reads of a trial: its sparsity, N (non-zero prunable weights) and non-zero embedding count. */
export interface EmbeddingCount {
  sparsity: number;
  /** The N the trial was planned for (`sweep.nonzero_params`): trials of one target are compared. */
  target: number;
  /** Its N as sized. */
  nonzero: number;
  embedding: number;
}

/**
 * The embedding parameters a trial keeps non-zero, of the `embedding` it has (its planned count): every one,
 * unless its distribution prunes the embedding matrices (`embeddings: true`, at 1 − sqrt(1 − S) unless kept
 * dense: `fixedSparsity`), counted as the pruner will prune them (`layerTargetsOf`, each layer losing
 * round(s·size) weights).
 */
export function nonzeroEmbeddings(
  spec: Pick<TrialSpec, 'model' | 'pruner' | 'sparsity'>,
  embedding: number,
): number {
  if (spec.sparsity === 0 || spec.pruner?.distribution?.embeddings !== true) return embedding;
  const infos = families[spec.model.family].model.params(spec.model);
  const layers = prunerLayers(infos, spec.pruner);
  const targets = layerTargetsOf(spec.pruner, layers, spec.sparsity);
  const pruned = layers.reduce(
    (sum, l, i) => (l.embedding ? sum + Math.round(targets[i] * l.shape[0] * l.shape[1]) : sum),
    0,
  );
  return embedding - pruned;
}

/**
 * A warning when a sweep's embeddings are a large share of N. N counts the blocks' prunable matrices only, as
 * Frantar et al. 2023 (https://arxiv.org/abs/2309.08520) count it for models whose embeddings are a small part;
 * embeddings stay dense, and since sizing widens a sparse trial's shape to N/(1−S) dense weights, its
 * embeddings widen too. At small N the sparse trials then hold more trained parameters than the dense ones of
 * the same N, and part of what sparsity seems to buy is embedding capacity the law does not count. Names the
 * largest share and the N whose share grows most with S; null when every share is at most
 * {@link EMBEDDING_SHARE_LIMIT}.
 */
export function embeddingShareWarning(trials: readonly EmbeddingCount[]): string | null {
  const share = (t: EmbeddingCount) => t.embedding / t.nonzero;
  const largest = Math.max(0, ...trials.map(share));
  if (largest <= EMBEDDING_SHARE_LIMIT) return null;
  const byN = new Map<number, EmbeddingCount[]>();
  for (const t of trials) byN.set(t.target, [...(byN.get(t.target) ?? []), t]);
  let example: { n: number; low: EmbeddingCount; high: EmbeddingCount } | null = null;
  for (const [n, group] of byN) {
    const sorted = [...group].sort((a, b) => a.sparsity - b.sparsity);
    const [low, high] = [sorted[0], sorted[sorted.length - 1]];
    if (low.sparsity === high.sparsity) continue;
    if (!example || share(high) / share(low) > share(example.high) / share(example.low))
      example = { n, low, high };
  }
  const head = `embeddings are up to ${largest.toFixed(2)}× N in this sweep`;
  const tail =
    'N leaves them out, as Frantar et al. do for models whose embeddings are a small share of it; larger N shrinks the share, and for lm so does a smaller vocabulary (t5 always reads bytes)';
  if (!example || share(example.high) <= share(example.low) * 1.05)
    return `${head}, so N understates every model's trained parameters. ${tail}`;
  const at = (t: EmbeddingCount) => `${share(t).toFixed(2)}× at S = ${t.sparsity}`;
  return (
    `${head} and grow with sparsity at equal N (N ${fmt(example.n)}: ${at(example.low)}, ${at(example.high)}): ` +
    "a sparse trial's wider shape widens its embeddings too, so part of what sparsity seems to gain over dense at equal N is embedding capacity the law does not count. " +
    tail
  );
}
