/**
 * T5's bucketed relative positions (Raffel et al. 2020, arXiv:1910.10683; Shaw et al. 2018): the distance
 * from a query to a key maps to one of `buckets` ids; small distances get a bucket each, larger ones share
 * logarithmically wider buckets up to `maxDistance`. Bidirectional stacks (the encoder) use half the buckets
 * for each direction; the causal decoder only looks back.
 *
 * Returns bucket ids for every (query, key) pair, row-major: [Tq * Tk].
 */
export function relativeBuckets(
  tq: number,
  tk: number,
  bidirectional: boolean,
  buckets: number,
  maxDistance: number,
): Int32Array {
  const out = new Int32Array(tq * tk);
  for (let i = 0; i < tq; i++) {
    for (let j = 0; j < tk; j++) out[i * tk + j] = relativeBucket(j - i, bidirectional, buckets, maxDistance);
  }
  return out;
}

/** Bucket of one relative position (key − query). */
export function relativeBucket(
  relative: number,
  bidirectional: boolean,
  buckets: number,
  maxDistance: number,
): number {
  let ret = 0;
  let n = -relative;
  let nb = buckets;
  if (bidirectional) {
    nb = Math.floor(nb / 2);
    if (n < 0) ret += nb;
    n = Math.abs(n);
  } else {
    n = Math.max(n, 0);
  }
  const maxExact = Math.floor(nb / 2);
  if (n < maxExact) return ret + n;
  const large =
    maxExact + Math.floor((Math.log(n / maxExact) / Math.log(maxDistance / maxExact)) * (nb - maxExact));
  return ret + Math.min(large, nb - 1);
}
