import type { ParamInfo } from '../models/types.js';
import type { PrunerSpec } from './spec.js';
import type { LayerRef } from './types.js';

/**
 * The matrices a trial's pruner works on: the model's prunable weight matrices, then, when the
 * distribution's `embeddings` option is on, its embedding matrices (token and learned position embeddings and
 * an untied output head; not t5's relative position biases nor ViT's class token), flagged as embeddings so they get their own sparsity and stay out of N.
 */
export function prunerLayers(infos: readonly ParamInfo[], spec: PrunerSpec): LayerRef[] {
  const matrix = (p: ParamInfo): [number, number] => [p.shape[0], p.shape[1]];
  const layers: LayerRef[] = infos
    .filter((p) => p.prunable)
    .map((p) => ({ name: p.name, shape: matrix(p), ...(p.parts ? { parts: p.parts } : {}) }));
  if (spec.distribution.embeddings === true) {
    for (const p of infos) {
      // relative position biases (t5) are biases, not embeddings: they stay dense (SCIENCE.md §3)
      const isBias = p.name.endsWith('rel_bias');
      // a single learned vector (ViT's class token, [1, d]) is no embedding matrix: it stays dense
      const isMatrix = p.shape.length === 2 && p.shape[0] > 1 && p.shape[1] > 1;
      if ((p.role === 'embedding' || p.role === 'head') && isMatrix && !p.prunable && !isBias) {
        layers.push({ name: p.name, shape: matrix(p), embedding: true });
      }
    }
  }
  return layers;
}
