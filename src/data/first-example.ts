import type { TrialSpec } from '../config/trial-spec.js';

/**
 * Where in its seed's order of examples a trial starts reading: at 0, or, for a `from-dense` trial, after the examples
 * its dense model read (`pruner.options.dense_examples`, filled in when planned), so that fine-tuning the pruned model
 * reads on into new data instead of the dense model's first examples again (with the dense trial's seed and data the
 * order is the one it read; with others, a place in another order, no worse than its start).
 */
export function firstExample(spec: Pick<TrialSpec, 'pruner'>): number {
  const start = spec.pruner.name === 'from-dense' ? spec.pruner.options.dense_examples : undefined;
  return typeof start === 'number' && Number.isInteger(start) && start > 0 ? start : 0;
}
