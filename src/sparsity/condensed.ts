import type { Mask } from './types.js';

/**
 * A constant fan-in layer stored condensed (Lasby et al. 2023, SRigL, arXiv:2305.02299, §"condensed
 * representation"): only the live output neurons, each with its k kept weights and their input indices.
 * Ablated neurons (no inputs) are dropped from the arrays and output 0.
 */
export interface CondensedLayer {
  nIn: number;
  nOut: number;
  /** Inputs per live neuron. */
  k: number;
  /** Output index of each live neuron: [n_active]. */
  neurons: Int32Array;
  /** Kept weights: [n_active, k], row a = neuron neurons[a]. */
  values: Float32Array;
  /** Input index of each kept weight: [n_active, k], ascending within a row. */
  indices: Int32Array;
}

/**
 * Condenses a masked [n_in, n_out] layer (row-major, y = x·W) whose live columns all keep the same number of
 * inputs. Throws when the mask is not constant fan-in. A packed layer condenses part by part (`splitColumns`): each
 * part holds its own fan-in once SRigL has ablated neurons in it.
 */
export function condense(weights: Float32Array, mask: Mask, [nIn, nOut]: [number, number]): CondensedLayer {
  const counts = new Int32Array(nOut);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) counts[j] += mask[i * nOut + j];
  const live = [...counts.keys()].filter((j) => counts[j] > 0);
  const k = live.length > 0 ? counts[live[0]] : 0;
  const bad = live.find((j) => counts[j] !== k);
  if (bad !== undefined) {
    throw new Error(
      `not constant fan-in: neuron ${live[0]} has ${k} inputs, neuron ${bad} has ${counts[bad]}`,
    );
  }
  const values = new Float32Array(live.length * k);
  const indices = new Int32Array(live.length * k);
  live.forEach((j, a) => {
    let t = a * k;
    for (let i = 0; i < nIn; i++) {
      if (mask[i * nOut + j]) {
        values[t] = weights[i * nOut + j];
        indices[t++] = i;
      }
    }
  });
  return { nIn, nOut, k, neurons: Int32Array.from(live), values, indices };
}

/**
 * y = x·W from the condensed form: x is [batch, n_in] row-major, y is [batch, n_out]. n_active·k
 * multiply-adds per row of x instead of the dense n_in·n_out.
 */
export function condensedMatmul(x: Float32Array, batch: number, layer: CondensedLayer): Float32Array {
  const { nIn, nOut, k, neurons, values, indices } = layer;
  const y = new Float32Array(batch * nOut);
  for (let b = 0; b < batch; b++) {
    const xo = b * nIn;
    const yo = b * nOut;
    for (let a = 0; a < neurons.length; a++) {
      let sum = 0;
      const base = a * k;
      for (let t = 0; t < k; t++) sum += values[base + t] * x[xo + indices[base + t]];
      y[yo + neurons[a]] = sum;
    }
  }
  return y;
}

/** Dense y = x·W over all n_in·n_out weights (zeros included): the reference the condensed form is timed against. */
export function denseMatmul(
  x: Float32Array,
  batch: number,
  w: Float32Array,
  [nIn, nOut]: [number, number],
): Float32Array {
  const y = new Float32Array(batch * nOut);
  for (let b = 0; b < batch; b++) {
    const yo = b * nOut;
    for (let i = 0; i < nIn; i++) {
      const xi = x[b * nIn + i];
      const row = i * nOut;
      for (let j = 0; j < nOut; j++) y[yo + j] += xi * w[row + j];
    }
  }
  return y;
}
