import type { LayerRef } from './types.js';

/**
 * A packed matrix holds `parts` separate matrices side by side along n_out (q, k, v in one [d, 3d]; a gated MLP's
 * W_0, W_1 in one [d, 2f]). The pruner treats each part as the matrix it stands for, as the sparse scaling-law
 * authors' models hold them (separate query, key and value kernels, each pruned to the layer's sparsity: JaxPruner
 * prunes every parameter of its own, https://arxiv.org/abs/2304.14082). One selection over the packed matrix
 * would let magnitude trade q's weights against v's and leave each part at another sparsity.
 */

/** The number of matrices packed in `ref` (1 for a plain matrix). */
export function partCount(ref: Pick<LayerRef, 'parts'>): number {
  return ref.parts ?? 1;
}

/** The name of part j (from 0) of p of a packed layer, as pruner messages and the trial's per-layer density say it. */
export function partName(layer: string, j: number, p: number): string {
  return `${layer} part ${j + 1} of ${p}`;
}

/**
 * The layers a pruner ranks within: each packed layer's parts as layers of their own, shape [n_in, n_out/parts],
 * named "<layer> part j of p"; `owner[i]` is the index in `layers` of part i's matrix.
 */
export function partLayers(layers: readonly LayerRef[]): { parts: LayerRef[]; owner: number[] } {
  const parts: LayerRef[] = [];
  const owner: number[] = [];
  layers.forEach((ref, i) => {
    const p = partCount(ref);
    if (p === 1) {
      parts.push(ref);
      owner.push(i);
      return;
    }
    if (!Number.isInteger(ref.shape[1] / p))
      throw new Error(`layer ${ref.name}: ${ref.shape[1]} columns do not split into ${p} parts`);
    const { parts: _, ...plain } = ref;
    for (let j = 0; j < p; j++) {
      parts.push({
        ...plain,
        name: partName(ref.name, j, p),
        shape: [ref.shape[0], ref.shape[1] / p],
      });
      owner.push(i);
    }
  });
  return { parts, owner };
}

type Columns = Float32Array | Uint8Array;

/**
 * The `parts` column blocks of a row-major [n_in, n_out] matrix, each [n_in, n_out/parts] row-major.
 * [[1, 2, 3, 4], [5, 6, 7, 8]] in 2 parts → [[1, 2], [5, 6]] and [[3, 4], [7, 8]]. One part: the array itself.
 */
export function splitColumns<T extends Columns>(
  data: T,
  shape: readonly [number, number],
  parts: number,
): T[] {
  if (parts === 1) return [data];
  const [rows, cols] = shape;
  const w = cols / parts;
  const out: T[] = [];
  for (let j = 0; j < parts; j++) {
    const block = new (data.constructor as new (n: number) => T)(rows * w);
    for (let r = 0; r < rows; r++) block.set(data.subarray(r * cols + j * w, r * cols + (j + 1) * w), r * w);
    out.push(block);
  }
  return out;
}

/** The inverse of {@link splitColumns}: column blocks [n_in, n_out/parts] side by side in one [n_in, n_out]. */
export function joinColumns<T extends Columns>(blocks: readonly T[], shape: readonly [number, number]): T {
  if (blocks.length === 1) return blocks[0];
  const [rows, cols] = shape;
  const w = cols / blocks.length;
  const out = new (blocks[0].constructor as new (n: number) => T)(rows * cols);
  blocks.forEach((block, j) => {
    for (let r = 0; r < rows; r++) out.set(block.subarray(r * w, (r + 1) * w), r * cols + j * w);
  });
  return out;
}

/**
 * Weights of `ref` pruned at sparsity `s`: round(s · size) of each part, summed (a packed [d, 3d] at s = 0.5 with
 * d = 1 prunes round(0.5) three times, 3, where one [1, 3] matrix would prune 2).
 */
export function prunedCount(ref: Pick<LayerRef, 'shape' | 'parts'>, s: number): number {
  const p = partCount(ref);
  return p * Math.round(s * (ref.shape[0] * (ref.shape[1] / p)));
}
