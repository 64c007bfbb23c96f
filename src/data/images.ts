import { splitStride } from './split-stride.js';
/** A labelled image set: pixels in [0, 1], row-major [N, H, W, C]. */
export interface ImageSet {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
}

/** Train and held-out images of one source. */
export interface ImageData {
  train: ImageSet;
  validation: ImageSet;
  /** Lowest achievable loss when known (synthetic images), else null. */
  entropyFloor: number | null;
  description: string;
}

/** The examples of a set at the given indices, as a new set. */
export function subset(set: ImageSet, indices: readonly number[]): ImageSet {
  const size = set.height * set.width * set.channels;
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  indices.forEach((src, dst) => {
    images.set(set.images.subarray(src * size, (src + 1) * size), dst * size);
    labels[dst] = set.labels[src];
  });
  return { ...set, images, labels, count: indices.length };
}

/** How many of `count` images {@link splitImages} holds out at `validationFraction`. */
export function heldOutCount(count: number, validationFraction: number): number {
  const k = splitStride(validationFraction);
  const first = Math.floor(k / 2);
  return count > first ? Math.floor((count - first - 1) / k) + 1 : 0;
}

/** Deterministic split: every k-th example (k = round(1 / fraction)), starting at k/2, is held out. */
export function splitImages(
  set: ImageSet,
  validationFraction: number,
): { train: ImageSet; validation: ImageSet } {
  const k = splitStride(validationFraction);
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < set.count; i++) (i % k === Math.floor(k / 2) ? validation : train).push(i);
  return { train: subset(set, train), validation: subset(set, validation) };
}

/**
 * Cuts images into non-overlapping p×p patches and flattens each: [N, H, W, C] → [N, (H/p)(W/p), p·p·C],
 * patches in row-major order, pixels within a patch row-major then channel. Pixels are standardised with
 * the given mean and std. Done on the host, so the model's patch embedding is a plain matmul.
 */
export function patchify(
  set: ImageSet,
  indices: readonly number[],
  p: number,
  mean: number,
  std: number,
): Float32Array {
  const { height: h, width: w, channels: c } = set;
  const ph = h / p;
  const pw = w / p;
  const patchLen = p * p * c;
  const out = new Float32Array(indices.length * ph * pw * patchLen);
  let o = 0;
  for (const idx of indices) {
    const base = idx * h * w * c;
    for (let py = 0; py < ph; py++) {
      for (let px = 0; px < pw; px++) {
        for (let y = 0; y < p; y++) {
          const row = base + ((py * p + y) * w + px * p) * c;
          for (let k = 0; k < p * c; k++) out[o++] = (set.images[row + k] - mean) / std;
        }
      }
    }
  }
  return out;
}

/** Mean and standard deviation of all pixels of a set (for standardisation). */
export function pixelStats(set: ImageSet): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < set.images.length; i++) {
    sum += set.images[i];
    sq += set.images[i] * set.images[i];
  }
  const mean = sum / set.images.length;
  return { mean, std: Math.sqrt(Math.max(sq / set.images.length - mean * mean, 1e-12)) };
}
