import { topKMask } from '../top-k.js';

/**
 * Per output neuron (column of a [n_in, n_out] layer), how many weights are salient: among the `keep`
 * largest |w| of the active weights, or among the `grow` largest |g| over the whole layer (SRigL's
 * criterion: what RigL would keep, plus what it would grow).
 */
export function salientPerColumn(
  shape: [number, number],
  dropScores: Float32Array,
  keep: number,
  growScores: Float32Array,
  grow: number,
): Int32Array {
  const cols = shape[1];
  const kept = topKMask(dropScores, keep);
  const grown = topKMask(growScores, grow);
  const counts = new Int32Array(cols);
  for (let i = 0; i < kept.length; i++) if (kept[i] || grown[i]) counts[i % cols]++;
  return counts;
}

/**
 * Neurons to ablate (Lasby et al. 2023, SRigL, arXiv:2305.02299): those with fewer than
 * max(1, floor(γ·k)) salient weights, never so many that the survivors could not hold the layer's budget of
 * `budget` weights within their n_in inputs. Returns a 0/1 flag per column (1 = ablated).
 */
export function neuronsToAblate(
  salient: Int32Array,
  threshold: number,
  budget: number,
  nIn: number,
): Uint8Array {
  const cols = salient.length;
  const ablate = new Uint8Array(cols);
  const maxAblated = cols - Math.ceil(budget / nIn);
  // least salient first, lower index first among equals
  const order = Array.from({ length: cols }, (_, j) => j).sort((a, b) => salient[a] - salient[b] || a - b);
  for (let t = 0; t < Math.min(maxAblated, cols); t++) {
    if (salient[order[t]] >= threshold) break;
    ablate[order[t]] = 1;
  }
  return ablate;
}

/** Fan-in of the surviving neurons: the layer's budget shared out, floor(budget / active), at most n_in. */
export function fanInAfterAblation(budget: number, active: number, nIn: number): number {
  return active === 0 ? 0 : Math.min(nIn, Math.floor(budget / active));
}
