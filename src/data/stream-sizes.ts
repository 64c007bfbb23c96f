import { BROWN_MIN_TEXT_TOKENS, brownFiles } from './brown.js';
import { checkIdxPair, cifarFiles, cifarRecordCount } from './idx-cifar.js';
import { heldOutCount } from './images.js';
import { MNIST_DIGITS } from './mnist.js';
import { type DataSpec, loadCorpus } from './spec.js';
import { splitDocuments } from './types.js';

/** Token counts of a text source's training and held-out streams. */
export interface StreamLengths {
  train: number;
  validation: number;
}

/**
 * The lengths of a text source's two streams, for checks that compare them with `atLeast`: exact, except that
 * for Brown, whose texts are all at least {@link BROWN_MIN_TEXT_TOKENS} long, lower bounds from the split's
 * text counts are returned when they already reach `atLeast` (loading the corpus takes ~0.3 s; a plan of
 * ordinary windows never needs it).
 */
export function textStreamLengths(spec: DataSpec, atLeast: StreamLengths): StreamLengths {
  if (spec.source === 'synthetic') return { train: spec.train_tokens, validation: spec.validation_tokens };
  if (spec.source === 'brown') {
    const { train, validation } = splitDocuments(brownFiles(), spec.validation_fraction);
    const floor = {
      train: train.length * BROWN_MIN_TEXT_TOKENS,
      validation: validation.length * BROWN_MIN_TEXT_TOKENS,
    };
    if (floor.train >= atLeast.train && floor.validation >= atLeast.validation) return floor;
  }
  const key = JSON.stringify(spec);
  const known = exact.get(key);
  if (known) return known;
  const corpus = loadCorpus(spec);
  const lengths = { train: corpus.train.length, validation: corpus.validation.length };
  exact.set(key, lengths);
  return lengths;
}

/**
 * Exact lengths already measured in this process, by data spec (a user file's spec holds its content hash):
 * the plan's checks ask for each data spec several times, and a large text file is read once.
 */
const exact = new Map<string, StreamLengths>();

/**
 * Held-out images of an image source, from headers, file sizes and the split rule, without reading pixels
 * (the count `loadImages` gives its validation set).
 */
export function heldOutImageCount(spec: DataSpec): number {
  switch (spec.source) {
    case 'mnist':
      return heldOutCount(MNIST_DIGITS, spec.validation_fraction);
    case 'synthetic-images':
      return spec.validation_images;
    case 'idx': {
      const p = spec.paths;
      if (p.validation_images && p.validation_labels)
        return checkIdxPair(p.validation_images, p.validation_labels).count;
      return heldOutCount(checkIdxPair(p.train_images, p.train_labels).count, spec.validation_fraction);
    }
    case 'cifar10':
      return cifarFiles(spec.dir).test.reduce((n, f) => n + cifarRecordCount(f), 0);
    default:
      throw new Error(`${spec.source} is text data, not images`);
  }
}

/** Training images of an image source, from headers, file sizes and the split rule, without reading pixels. */
export function trainImageCount(spec: DataSpec): number {
  switch (spec.source) {
    case 'mnist':
      return MNIST_DIGITS - heldOutCount(MNIST_DIGITS, spec.validation_fraction);
    case 'synthetic-images':
      return spec.train_images;
    case 'idx': {
      const p = spec.paths;
      const all = checkIdxPair(p.train_images, p.train_labels).count;
      return p.validation_images && p.validation_labels
        ? all
        : all - heldOutCount(all, spec.validation_fraction);
    }
    case 'cifar10':
      return cifarFiles(spec.dir).train.reduce((n, f) => n + cifarRecordCount(f), 0);
    default:
      throw new Error(`${spec.source} is text data, not images`);
  }
}
