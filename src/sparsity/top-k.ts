import { nativeAddon } from '../engine/native.js';

/** Below this many scores the call into the addon costs more than the JavaScript (bench/pruner-update.ts, by size). */
const NATIVE_MIN = 32;

/**
 * Keeps exactly `keep` entries with the highest scores (1 = kept). Ties break towards the lower index, so
 * the result is deterministic. Linear time: the threshold is the k-th largest score, then one pass keeps every
 * score above it and the first tied ones until `keep` is reached. From 32 scores up it runs in the native addon
 * when that is built (native/src/top_k.c: a radix select on large arrays), else in {@link topKMaskJs}; the
 * threshold is a value, not a position, so both give the same mask.
 */
export function topKMask(scores: Float32Array, keep: number): Uint8Array {
  const n = scores.length;
  const k = Math.max(0, Math.min(n, Math.round(keep)));
  const addon = nativeAddon();
  if (!addon || n < NATIVE_MIN) return topKMaskJs(scores, k);
  const mask = new Uint8Array(n);
  addon.topKMask(scores, mask, k);
  return mask;
}

/** {@link topKMask} in JavaScript, by a quickselect: the reference the native radix select reproduces. */
export function topKMaskJs(scores: Float32Array, keep: number): Uint8Array {
  const n = scores.length;
  const k = Math.max(0, Math.min(n, Math.round(keep)));
  const mask = new Uint8Array(n);
  if (k === 0) return mask;
  if (k === n) return mask.fill(1);
  const threshold = kthLargest(scores, k);
  let above = 0;
  for (let i = 0; i < n; i++) if (scores[i] > threshold) above++;
  let tiesLeft = k - above;
  for (let i = 0; i < n; i++) {
    // NaN ranks as −∞ here as in kthLargest, so NaNs tied at a −∞ threshold are kept too
    const s = Number.isNaN(scores[i]) ? Number.NEGATIVE_INFINITY : scores[i];
    if (s > threshold) mask[i] = 1;
    else if (s === threshold && tiesLeft > 0) {
      mask[i] = 1;
      tiesLeft--;
    }
  }
  return mask;
}

/** The k-th largest value (1-based) of `values` (NaN counts as smallest); does not modify the input. */
export function kthLargest(values: Float32Array, k: number): number {
  // a plain loop: Float32Array.from with a map function is ~10x slower in V8
  const a = new Float32Array(values.length);
  for (let i = 0; i < a.length; i++) {
    const v = values[i];
    a[i] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
  }
  // k-th largest = element at index n - k in ascending order
  const target = a.length - k;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = median3(a[lo], a[(lo + hi) >>> 1], a[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

function median3(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}

/** Number of zero entries in a mask. */
export function countPruned(mask: Uint8Array): number {
  let kept = 0;
  // no branch on the entries, which mispredicts on a random mask: a byte x > 0 has (x | −x) < 0, so its top bit set
  for (let i = 0; i < mask.length; i++) kept += (mask[i] | -mask[i]) >>> 31;
  return mask.length - kept;
}
