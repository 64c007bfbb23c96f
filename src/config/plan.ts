import { families } from '../models/registry.js';
import { countParams, prunableLayers } from '../models/types.js';
import { expectedNonzero } from '../sparsity/pruner.js';
import { type TrialSpec, trialId } from './trial-spec.js';

/** A trial as planned: its spec and id plus what a researcher wants to see before training. */
export interface TrialPlan {
  id: string;
  spec: TrialSpec;
  /** Values of every sweep axis for this trial, by dotted key. */
  axes: Record<string, unknown>;
  /** Dense prunable parameters (attention + MLP matrices) of the shape. */
  dense_params: number;
  /** Non-zero prunable parameters at the end of training: the achieved N. */
  nonzero_params: number;
  /** Every parameter, embeddings and norms included. */
  total_params: number;
  embedding_params: number;
  /** D actually trained: steps × units per batch (tokens, or images for vision families). */
  train_tokens: number;
  /** Estimated training FLOPs, C = 6 · N/(1−S) · D (sparse training costed as dense; SCIENCE.md §2). */
  flops: number;
}

/** Plans one trial: id, parameter counts and FLOPs from its spec. */
export function planTrial(spec: TrialSpec, axes: Record<string, unknown>): TrialPlan {
  const family = families[spec.model.family];
  const infos = family.model.params(spec.model);
  const counts = countParams(infos);
  const nonzero = expectedNonzero(spec.pruner, prunableLayers(infos), spec.sparsity, {
    spec: spec.model,
    params: infos,
  });
  const trainTokens = spec.steps * family.unitsPerBatch(spec);
  return {
    id: trialId(spec),
    spec,
    axes,
    dense_params: counts.prunable,
    nonzero_params: nonzero,
    total_params: counts.total,
    embedding_params: counts.embedding,
    train_tokens: trainTokens,
    flops: 6 * counts.prunable * trainTokens,
  };
}
