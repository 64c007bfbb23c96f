import { z } from 'zod';
import { topKMask } from '../top-k.js';
import type { Algorithm, Mask } from '../types.js';
import { excludePruned, magnitudeScores } from './score-pruning.js';

/**
 * Keeps the highest scores across all pooled layers (target > 0), pruning exactly Σ round(s_l·size_l) of
 * them, so the total equals what a per-layer pruner would prune; layers at target 0 stay dense. Scores of
 * already-pruned weights should be −∞ (pruning only tightens).
 */
export function globalSelect(
  layers: readonly { scores: Float32Array; size: number; target: number }[],
): Mask[] {
  const pooled = layers.filter((l) => l.target > 0);
  const total = pooled.reduce((a, l) => a + l.size, 0);
  const prune = pooled.reduce((a, l) => a + Math.round(l.target * l.size), 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const l of pooled) {
    all.set(l.scores, at);
    at += l.size;
  }
  const kept = topKMask(all, total - prune);
  at = 0;
  return layers.map((l) => {
    if (l.target <= 0) return new Uint8Array(l.size).fill(1);
    const m = kept.slice(at, at + l.size);
    at += l.size;
    return m;
  });
}

/**
 * Global magnitude pruning (the global variant compared in Blalock et al. 2020, "What is the state of neural
 * network pruning?", arXiv:2003.03033; Frankle & Carbin 2019): the smallest |w| across all pruned layers
 * are zeroed together, so layers end at different sparsities while the total matches the schedule. Gradual
 * (cubic) like gmp. Unstructured only; the Pruner checks the total instead of each layer.
 */
export const globalMagnitude: Algorithm<Record<string, never>> = {
  name: 'global-magnitude',
  summary: 'gradual magnitude pruning ranked across all layers: per-layer sparsities follow, the total is S',
  paper: 'https://arxiv.org/abs/2003.03033',
  options: z.strictObject({}),
  // gmp's schedule, so global and per-layer ranking differ only in where the zeros go
  defaultSchedule: { name: 'cubic', start: 0.25, end: 0.75, interval: 100 },
  patterns: ['unstructured'],
  globalRanking: true,
  needsGradients: false,
  incompatibility: ({ distribution }) =>
    distribution.embeddings === true
      ? {
          key: 'distribution',
          message:
            'global ranking would trade embedding weights against block weights; set distribution.embeddings false',
        }
      : null,
  init: ({ layers }) => ({
    masks: globalSelect(
      layers.map((l) => ({ scores: magnitudeScores(l), size: l.weights.length, target: l.target })),
    ),
  }),
  update: ({ layers }) => ({
    masks: globalSelect(
      layers.map((l) => ({
        scores: excludePruned(magnitudeScores(l), l.mask),
        size: l.weights.length,
        target: l.target,
      })),
    ),
  }),
};
