import { Rng } from '../util/rng.js';
import type { ImageData, ImageSet } from './images.js';

/** Parameters of the synthetic image source. */
export interface SyntheticImageOptions {
  classes: number;
  size: number;
  /** Probability that a label is replaced by another class at random: the source's irreducible noise. */
  labelNoise: number;
  trainImages: number;
  validationImages: number;
  seed: number;
}

/**
 * Images with a known floor: each class has a fixed random binary template; an image is its class's template
 * plus Gaussian noise (σ 0.1, far below the templates' separation), and its label is the class, except with
 * probability ε a uniformly chosen other class. The best possible loss is the label noise entropy
 * H = −(1−ε)·ln(1−ε) − ε·ln(ε/(K−1)) nats.
 */
export function syntheticImages(o: SyntheticImageOptions): ImageData {
  const px = o.size * o.size;
  const rng = Rng.seeded(o.seed, 11);
  const templates = Array.from({ length: o.classes }, () =>
    Float32Array.from({ length: px }, () => rng.int(2)),
  );
  const make = (n: number, stream: Rng): ImageSet => {
    const images = new Float32Array(n * px);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = stream.int(o.classes);
      for (let j = 0; j < px; j++) images[i * px + j] = templates[c][j] + 0.1 * stream.normal();
      labels[i] = stream.uniform() < o.labelNoise ? (c + 1 + stream.int(o.classes - 1)) % o.classes : c;
    }
    return { images, labels, count: n, height: o.size, width: o.size, channels: 1, classes: o.classes };
  };
  const e = o.labelNoise;
  const floor = e === 0 ? 0 : -(1 - e) * Math.log(1 - e) - e * Math.log(e / (o.classes - 1));
  return {
    train: make(o.trainImages, Rng.seeded(o.seed, 12)),
    validation: make(o.validationImages, Rng.seeded(o.seed, 13)),
    entropyFloor: floor,
    description: `synthetic images: ${o.classes} classes, ${o.size}x${o.size}, label noise ${e} (floor ${floor.toFixed(4)} nats)`,
  };
}
