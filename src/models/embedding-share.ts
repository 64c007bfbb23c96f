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
  /** Of `embedding`, the output head's parameters where the model has its own head (a classifier's, an untied one). */
  head?: number;
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
 * largest share and, as its example, the N that holds it when its share grows with S there (else the N whose
 * share grows most); null when every share is at most {@link EMBEDDING_SHARE_LIMIT}. `family` (the sweep's
 * model family) picks the remedies named.
 */
export function embeddingShareWarning(trials: readonly EmbeddingCount[], family: string): string | null {
  const share = (t: EmbeddingCount) => t.embedding / t.nonzero;
  const largest = Math.max(0, ...trials.map(share));
  if (largest <= EMBEDDING_SHARE_LIMIT) return null;
  const byN = new Map<number, EmbeddingCount[]>();
  for (const t of trials) byN.set(t.target, [...(byN.get(t.target) ?? []), t]);
  type Example = { n: number; low: EmbeddingCount; high: EmbeddingCount };
  const grows = (e: Example) => share(e.high) > share(e.low) * 1.05;
  const examples: Example[] = [];
  for (const [n, group] of byN) {
    const sorted = [...group].sort((a, b) => a.sparsity - b.sparsity);
    const [low, high] = [sorted[0], sorted[sorted.length - 1]];
    if (low.sparsity !== high.sparsity) examples.push({ n, low, high });
  }
  const worst = examples.find((e) => byN.get(e.n)!.some((t) => share(t) === largest) && grows(e));
  const example =
    worst ??
    examples.reduce<Example | null>(
      (best, e) => (!best || share(e.high) / share(e.low) > share(best.high) / share(best.low) ? e : best),
      null,
    );
  // a classifier's head, or an untied lm or t5 head, is its own matrix, outside N, and counted with the embeddings
  const ownHead = family === 'vit' || trials.some((t) => (t.head ?? 0) > 0);
  const what = ownHead ? `embeddings and ${family === 'vit' ? 'classifier' : 'output'} head` : 'embeddings';
  const head = `${what} are up to ${largest.toFixed(2)}× N in this sweep`;
  const remedy =
    family === 'lm'
      ? 'larger N shrinks the share, and so does a smaller vocabulary'
      : family === 't5'
        ? 'larger N shrinks the share (t5 always reads bytes)'
        : 'larger N shrinks the share';
  const tail = `N leaves them out, as Frantar et al. do for models whose embeddings are a small share of it; ${remedy}`;
  if (!example || !grows(example))
    return `${head}, so N understates every model's trained parameters. ${tail}`;
  const at = (t: EmbeddingCount) => `${share(t).toFixed(2)}× at S = ${t.sparsity}`;
  return (
    `${head} and grow with sparsity at equal N (N ${fmt(example.n)}: ${at(example.low)}, ${at(example.high)}): ` +
    "a sparse trial's wider shape widens its embeddings too, so part of what sparsity seems to gain over dense at equal N is embedding capacity the law does not count. " +
    tail
  );
}

/** The output head's parameters of a trial's model, where it is its own matrix (0 for a head tied to the embedding). */
export function outputHeadParams(spec: Pick<TrialSpec, 'model'>): number {
  return families[spec.model.family].model
    .params(spec.model)
    .filter((p) => p.role === 'head')
    .reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}
