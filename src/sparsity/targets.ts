import { prunedCount } from './packed.js';
import { checkPlannedLayers } from './plan-check.js';
import { distributions, patterns } from './registry.js';
import type { PrunerSpec } from './spec.js';
import type { LayerRef, PlannedModel } from './types.js';

/**
 * Per-layer target sparsities of `spec` at global sparsity `sparsity`, on the way to `target` (a gradual
 * schedule's end; the same by default): the distribution's allocation, each rounded to what the pattern holds
 * exactly (constant fan-in).
 */
export function layerTargetsOf(
  spec: PrunerSpec,
  layers: readonly LayerRef[],
  sparsity: number,
  target = sparsity,
): number[] {
  const { name: dName, ...dOptions } = spec.distribution;
  const { name: pName, ...pOptions } = spec.pattern;
  const pattern = patterns.get(pName);
  const distribution = distributions.get(dName);
  const allocated =
    sparsity !== target && distribution.allocateOnTheWay
      ? distribution.allocateOnTheWay(layers, sparsity, target, dOptions)
      : distribution.allocate(layers, sparsity, dOptions);
  if (!pattern.achievable) return allocated;
  return allocated.map((s, i) => pattern.achievable!(layers[i].shape, s, pOptions));
}

/**
 * Non-zero weights the prunable layers will hold at the end of training under `spec` at sparsity `target`:
 * each layer keeps size − round(s_layer · size) (summed over a packed layer's parts: {@link prunedCount}), with
 * s_layer rounded to what the pattern holds exactly.
 * Embedding matrices made prunable are not counted (N excludes embeddings). Also checks the pruner against
 * the model's layers (dense-layer patterns that match nothing, a pretrained file of another shape): this is
 * where a trial is planned with its shape known (`model`, the spec's model and every parameter, when the caller has
 * it).
 */
export function expectedNonzero(
  spec: PrunerSpec,
  layers: readonly LayerRef[],
  target: number,
  model?: PlannedModel,
): number {
  checkPlannedLayers(spec, layers, target, model);
  const sparsities = layerTargetsOf(spec, layers, target);
  return layers.reduce((sum, l, i) => {
    if (l.embedding) return sum;
    return sum + l.shape[0] * l.shape[1] - prunedCount(l, sparsities[i]);
  }, 0);
}
