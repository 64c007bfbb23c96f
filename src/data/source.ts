import type { Batch } from '../models/types.js';
import type { Rng } from '../util/rng.js';

/**
 * Where a trial's batches come from: random training batches and a fixed held-out set, for one family.
 * D is counted in `unitsPerBatch` per training batch (tokens for language models, images for vision).
 */
export interface BatchSource<B extends Batch> {
  unitsPerBatch: number;
  /**
   * Training batch `batch` (from 0): its examples are the next `batch_size` of the trial's shuffled passes
   * (`ShuffledPasses`), fixed by the trial's seed and the batch's index; other randomness (span corruption's
   * noise) comes from `rng`.
   */
  sample(batch: number, rng: Rng): B;
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
