import type { TrialSpec } from '../config/trial-spec.js';
import type { ImageBatch, VitShape } from '../models/vit.js';
import { firstExample } from './first-example.js';
import { spreadIndices } from './held-out.js';
import { patchify, pixelStats } from './images.js';
import { ShuffledPasses } from './shuffled-passes.js';
import type { BatchSource } from './source.js';
import { loadImages } from './spec.js';

/**
 * Batches of training images in shuffled passes and the fixed held-out set, cut into patches for the `vit` family.
 * D counts images seen (batch_size per step); `eval.tokens` is the number of held-out images.
 */
export function imageSource(spec: TrialSpec): BatchSource<ImageBatch> {
  const s = spec.model as VitShape;
  const data = loadImages(spec.data);
  const { mean, std } = pixelStats(data.train);
  const batchOf = (set: typeof data.train, indices: number[]): ImageBatch => ({
    patches: patchify(set, indices, s.patch_size, mean, std),
    labels: Int32Array.from(indices, (i) => set.labels[i]),
    batchSize: indices.length,
  });
  // held-out images spread over the whole validation split (which may be ordered by class), not its first ones
  const held = spreadIndices(data.validation.count, Math.max(1, spec.eval.tokens));
  const validation: ImageBatch[] = [];
  for (let first = 0; first < held.length; first += spec.batch_size)
    validation.push(batchOf(data.validation, held.slice(first, first + spec.batch_size)));
  const order = new ShuffledPasses(data.train.count, 1, spec.seed);
  const first = firstExample(spec);
  return {
    unitsPerBatch: spec.batch_size,
    sample: (batch) =>
      batchOf(
        data.train,
        order.batch(batch, spec.batch_size, first).map((p) => p.index),
      ),
    validation,
    heldOutUnits: held.length,
    entropyFloor: data.entropyFloor,
    description: data.description,
  };
}
