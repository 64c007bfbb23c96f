import { PathError } from '../errors.js';
import { type LayerFilterOptions, namePattern, unmatchedDense } from './distributions/layer-filter.js';
import { algorithms } from './registry.js';
import type { PrunerSpec } from './spec.js';
import type { LayerRef, PlannedModel } from './types.js';

/**
 * Checks a pruner against the prunable layers of the trial's model, once its shape is known: every `dense`
 * pattern matches some layer, some layer is left to prune, and the algorithm accepts the layers (from-dense:
 * the pretrained file has the same shapes, and the same model and parameters where `model` is given). Throws a {@link PathError}
 * under `pruner`.
 */
export function checkPlannedLayers(
  spec: PrunerSpec,
  layers: readonly LayerRef[],
  target: number,
  model?: PlannedModel,
): void {
  if (target === 0) return;
  const dist = spec.distribution as unknown as LayerFilterOptions & { name: string };
  const unmatched = unmatchedDense(layers, dist);
  if (unmatched.length > 0) {
    const i = unmatched[0];
    throw new PathError(
      ['pruner', 'distribution', 'dense', i],
      `"${dist.dense?.[i]}" matches no prunable layer; the layers are ${layers.map((l) => l.name).join(', ')}`,
    );
  }
  const keptDense = (name: string) => (dist.dense ?? []).some((p) => namePattern(p)(name));
  if (layers.every((l) => keptDense(l.name))) {
    throw new PathError(
      ['pruner', 'distribution', 'dense'],
      `every prunable layer is kept dense, so no layer can reach sparsity ${target}`,
    );
  }
  const algorithm = algorithms.get(spec.name);
  const why = algorithm.layerMismatch?.(layers, spec.options, model);
  if (why) throw new PathError(['pruner', 'options'], why);
}
