import type { Batch } from '../models/types.js';
import type { Rng } from '../util/rng.js';

/**
 * Where a trial's batches come from: random training batches and a fixed held-out set, for one family.
 * D is counted in `unitsPerBatch` per training batch (tokens for language models, images for vision).
 */
export interface BatchSource<B extends Batch> {
  unitsPerBatch: number;
  /** A training batch; all randomness (including the data position) comes from `rng`. */
  sample(rng: Rng): B;
  /** The fixed held-out set: the same batches for every evaluation and every trial. */
  validation: B[];
  /**
   * Units (tokens, or images) the held-out set evaluates on: `eval.tokens` rounded down to whole windows, or
   * all the split holds when it asked for more.
   */
  heldOutUnits: number;
  /** Lowest achievable loss when known (synthetic sources), else null. */
  entropyFloor: number | null;
  description: string;
}
