import * as tf from '@tensorflow/tfjs-core';
import type { ParamInfo } from '../models/types.js';
import { partName, splitColumns } from '../sparsity/packed.js';
import type { Mask } from '../sparsity/types.js';
import type { WeightSet } from '../store/weights.js';

/**
 * A model's parameters in two places: host arrays (the master copy the optimizer and pruner work on) and
 * tfjs variables (what the forward and backward passes read). `sync` copies host → device after an update.
 * With the optimizer on the device (DeviceAdamW, the webgpu default) the variables are the master copy, and the
 * host arrays are current only after its `pull`.
 */
let nextSetId = 0;

export class ParamSet {
  readonly host = new Map<string, Float32Array>();
  readonly vars = new Map<string, tf.Variable>();
  /** Masks of the prunable parameters; absent (or null) = dense. */
  readonly masks = new Map<string, Mask | null>();

  constructor(
    readonly infos: readonly ParamInfo[],
    init: ReadonlyMap<string, Float32Array>,
  ) {
    // tfjs variable names are global: prefix them so two sets (two trials, tests) never clash.
    const prefix = `p${nextSetId++}/`;
    for (const p of infos) {
      const values = init.get(p.name);
      if (!values) throw new Error(`no initial value for ${p.name}`);
      this.host.set(p.name, values);
      const initial = tf.tensor(values, p.shape);
      this.vars.set(p.name, tf.variable(initial, true, prefix + p.name));
      initial.dispose(); // the variable holds its own reference to the values
    }
  }

  /** Sets a layer's mask; a mask with no zeros is stored as null (nothing to apply). */
  setMask(name: string, mask: Mask): void {
    let dense = true;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] === 0) {
        dense = false;
        break;
      }
    }
    this.masks.set(name, dense ? null : mask);
  }

  /** w ← w ⊙ m on the host copies of every masked parameter. */
  applyMasks(): void {
    for (const [name, mask] of this.masks) {
      if (!mask) continue;
      const w = this.host.get(name)!;
      for (let i = 0; i < w.length; i++) if (mask[i] === 0) w[i] = 0;
    }
  }

  /** Copies host values to the device variables. */
  sync(names: Iterable<string> = this.host.keys()): void {
    for (const name of names) {
      const v = this.vars.get(name)!;
      tf.tidy(() => v.assign(tf.tensor(this.host.get(name)!, v.shape)));
    }
  }

  /** Host values and non-dense masks as plain arrays (shared, not copied: take it when done training). */
  snapshot(): WeightSet {
    const masks = new Map<string, Mask>();
    for (const [name, mask] of this.masks) if (mask) masks.set(name, mask);
    return {
      params: this.infos.map((p) => ({ name: p.name, shape: p.shape, data: this.host.get(p.name)! })),
      masks,
    };
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/**
 * Zeros, non-zeros and per-layer density of the prunable parameters, measured from the weights themselves; a packed
 * layer's parts (q, k, v) get entries of their own beside the layer's.
 */
export function measureSparsity(params: ParamSet): {
  zeros: number;
  total: number;
  nonzero: number;
  layerDensity: Record<string, number>;
} {
  let zeros = 0;
  let total = 0;
  const layerDensity: Record<string, number> = {};
  for (const p of params.infos) {
    if (!p.prunable) continue;
    const w = params.host.get(p.name)!;
    let z = 0;
    for (let i = 0; i < w.length; i++) if (w[i] === 0) z++;
    zeros += z;
    total += w.length;
    layerDensity[p.name] = 1 - z / w.length;
    if (p.parts && p.parts > 1) {
      splitColumns(w, [p.shape[0], p.shape[1]], p.parts).forEach((part, j) => {
        layerDensity[partName(p.name, j, p.parts!)] = density(part);
      });
    }
  }
  return { zeros, total, nonzero: total - zeros, layerDensity };
}

/** Fraction of non-zero values. */
function density(values: Float32Array): number {
  let nonzero = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonzero++;
  return nonzero / values.length;
}
