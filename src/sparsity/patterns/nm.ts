import { z } from 'zod';
import { human } from '../../util/human-schema.js';
import { f32 } from '../arrays.js';
import { topKMask } from '../top-k.js';
import type { Mask, Pattern } from '../types.js';

/** Options of the N:M pattern: at most n of every m consecutive weights down a column are kept. */
export interface NmOptions {
  /** Kept per group; absent in the config = derived from the trial's sparsity as (1 − S)·m. */
  n?: number;
  m: number;
}

const EPS = 1e-9;

/** A sparsity written with digits enough to pass the checks below (within 1e-9), e.g. 1/3 → 0.3333333333. */
const passing = (s: number) => +s.toFixed(10);

/**
 * Keeps the `keep` highest scores of every group of m consecutive rows in each column (weights are
 * [n_in, n_out], so groups run along the input dimension). A last, partial group of r < m rows keeps
 * min(r, keep). Ties break towards the lower row; NaN ranks last.
 */
export function nmMask(scores: Float32Array, shape: [number, number], keep: number, m: number): Mask {
  const [rows, cols] = shape;
  const mask = new Uint8Array(rows * cols);
  const order = new Int32Array(m);
  for (let j = 0; j < cols; j++) {
    for (let g = 0; g < rows; g += m) {
      const r = Math.min(m, rows - g);
      if (m > 32) {
        // large groups: a comparison sort (insertion sort would be quadratic)
        const idx = Array.from({ length: r }, (_, t) => (g + t) * cols + j);
        idx.sort((a, b) => rank(scores[b]) - rank(scores[a]) || a - b);
        for (let t = 0; t < Math.min(keep, r); t++) mask[idx[t]] = 1;
        continue;
      }
      // insertion sort of the group's indices, best first; strict > keeps the lower row first among equals
      for (let t = 0; t < r; t++) {
        const idx = (g + t) * cols + j;
        const v = rank(scores[idx]);
        let u = t;
        while (u > 0 && v > rank(scores[order[u - 1]])) {
          order[u] = order[u - 1];
          u--;
        }
        order[u] = idx;
      }
      for (let t = 0; t < Math.min(keep, r); t++) mask[order[t]] = 1;
    }
  }
  return mask;
}

const rank = (v: number) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v);

/** Keeps exactly `keep` entries of `allowed` (1s), the highest-scoring first; ties towards the lower index. */
export function topKWithin(scores: Float32Array, allowed: Mask, keep: number): Mask {
  const idx: number[] = [];
  for (let i = 0; i < allowed.length; i++) if (allowed[i]) idx.push(i);
  const sub = topKMask(
    f32(idx.length, (t) => rank(scores[idx[t]])),
    Math.min(keep, idx.length),
  );
  const mask = new Uint8Array(allowed.length);
  idx.forEach((i, t) => {
    mask[i] = sub[t];
  });
  return mask;
}

/** Largest per-group count a layer at sparsity s may hold: ceil((1 − s)·m). */
export function groupKeep(sparsity: number, m: number): number {
  return Math.min(m, Math.max(0, Math.ceil((1 - sparsity) * m - EPS)));
}

/**
 * The N:M selection at sparsity s: exactly `keep` weights, each group of m holding at most `cap`
 * (ceil((1 − s)·m)) and, before any group gets more, every group its `floor` (floor((1 − s)·m)) best. The
 * floors are taken first (trimmed by score across the layer only if they alone exceed `keep`, as a partial
 * group can make them), then the best of the rest under the cap. So groups differ by at most one, and an
 * already pruned weight (score −∞) is chosen only when nothing else can make the count. Kept that even, a
 * gradual schedule tightens every group in step and reaches n:m without bringing a pruned weight back;
 * uneven groups (some at the cap, some far below) would force revivals when a later, lower cap cuts the full
 * ones. When the floors exceed `keep`, a partial last group (n_in not a multiple of m) gives way first, so the
 * full groups, the ones an N:M kernel can use, keep their floor. Within each group the kept weights are always
 * its best ones. (The authors' gradual N:M code, jaxpruner's projects/bigsparse `iterative_nm`, takes another path
 * at intermediate sparsities: it keeps each group's n:m best and ranks the rest unstructured. Both end at exact
 * n:m; the masks on the way differ.)
 */
export function nmSelect(
  scores: Float32Array,
  shape: [number, number],
  keep: number,
  cap: number,
  floor: number,
  m: number,
): Mask {
  const allowed = nmMask(scores, shape, cap, m);
  const first = nmMask(scores, shape, Math.min(floor, cap), m);
  let firstCount = 0;
  for (let i = 0; i < first.length; i++) {
    if (rank(scores[i]) === Number.NEGATIVE_INFINITY) first[i] = 0; // pruned: only as a last resort
    firstCount += first[i];
  }
  if (firstCount >= keep) {
    // trimmed in a last, partial group (n_in not a multiple of m) first: the full groups, the ones an N:M
    // kernel can use, keep their floor whenever the partial ones can absorb the excess
    const [rows, cols] = shape;
    const tail = (rows - (rows % m)) * cols; // index of the partial groups' first weight (row-major)
    const full = first.slice();
    full.fill(0, tail);
    let fullCount = 0;
    for (let i = 0; i < tail; i++) fullCount += full[i];
    if (fullCount >= keep) return topKWithin(scores, full, keep);
    const partial = first.slice();
    partial.fill(0, 0, tail);
    const out = topKWithin(scores, partial, keep - fullCount);
    for (let i = 0; i < tail; i++) out[i] = full[i];
    return out;
  }
  const rest = new Uint8Array(allowed.length);
  for (let i = 0; i < rest.length; i++) rest[i] = allowed[i] & (first[i] ^ 1);
  const more = topKWithin(scores, rest, keep - firstCount);
  for (let i = 0; i < more.length; i++) more[i] |= first[i];
  return more;
}

/**
 * N:M sparsity (Mishra et al. 2021, arXiv:2104.08378; Zhou et al. 2021, arXiv:2102.04010): at most n
 * non-zeros in each group of m consecutive weights along the input dimension; 2:4 is what sparse tensor cores
 * accelerate. At the trial's sparsity 1 − n/m every group keeps its n best. At a lower sparsity s on the way
 * (a gradual schedule, the structure-decay staircase) each group keeps floor((1 − s)·m) or ceil((1 − s)·m) of
 * its best, chosen by score across the layer to exactly round(s·size) pruned weights. Where n_in is not a
 * multiple of m, the last, partial group of each column is trimmed first to make the count exact, so every
 * full group still holds its n. Keeping groups that even on the way is what lets gradual
 * pruning reach n:m without reviving a pruned weight ({@link nmSelect}).
 */
export const nm: Pattern<NmOptions> = {
  name: 'nm',
  summary: 'N:M: at most n of every m consecutive weights down a column (input dimension); S must be 1 - n/m',
  options: z
    .strictObject({
      n: human()
        .pipe(z.number().int().min(1))
        .optional()
        .describe(
          'kept per group; default (1 - S)·m, so one config sweeps 2:4, 1:4 via sparsity [0.5, 0.75]',
        ),
      // 4: the group of 2:4 sparsity, the pattern sparse tensor cores accelerate
      m: human().pipe(z.number().int().min(2).max(1024)).default(4).describe('group size'),
    })
    .refine((o) => o.n === undefined || o.n < o.m, { message: 'n must be less than m', path: ['n'] }),
  select(scores, shape, sparsity, o) {
    const size = scores.length;
    if (sparsity <= 0) return new Uint8Array(size).fill(1);
    const floor = Math.min(o.m, Math.floor((1 - sparsity) * o.m + EPS));
    return nmSelect(scores, shape, size - Math.round(sparsity * size), groupKeep(sparsity, o.m), floor, o.m);
  },
  complete(o, sparsity) {
    if (o.n !== undefined) return o;
    const n = (1 - sparsity) * o.m;
    return Math.abs(n - Math.round(n)) < 1e-6 && Math.round(n) >= 1 ? { ...o, n: Math.round(n) } : o;
  },
  incompatibility(sparsity, distribution, o) {
    if (o.n === undefined) {
      const valid = Array.from({ length: o.m - 1 }, (_, i) => passing(1 - (i + 1) / o.m));
      return `sparsity ${sparsity} with m ${o.m}: (1 - S)·m = ${+((1 - sparsity) * o.m).toFixed(6)} is not a whole number of kept weights per group; with m ${o.m} valid sparsities are ${valid.join(', ')}`;
    }
    const held = 1 - o.n / o.m;
    if (Math.abs(held - sparsity) > EPS) {
      return `${o.n}:${o.m} prunes exactly 1 - n/m = ${+held.toFixed(6)} of every group, but this trial's sparsity is ${sparsity}; use sparsity ${passing(held)}, or leave n out (it then follows from the sparsity)`;
    }
    if (distribution.name !== 'uniform') {
      return `N:M holds the same sparsity 1 - n/m in every layer, so it needs distribution uniform (got ${distribution.name})`;
    }
    if (distribution.embeddings === true) {
      return 'N:M cannot hold the embeddings sparsity 1 - sqrt(1 - S); set distribution.embeddings false or use pattern unstructured';
    }
    return null;
  },
};
