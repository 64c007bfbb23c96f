import type { Rng } from '../util/rng.js';
import { algorithms, distributions, patterns, schedules } from './registry.js';
import type { PieceSpec, PrunerSpec } from './spec.js';
import { countPruned } from './top-k.js';
import type { Algorithm, Distribution, LayerRef, Mask, Pattern, Schedule } from './types.js';

/** A pruner's whole state: explicit and plain, so a checkpoint can carry it. */
export interface PrunerState {
  /** One mask per prunable layer, in the order of `layers`. */
  masks: Mask[];
  /** The algorithm's own state (JSON-serialisable). */
  algorithm: unknown;
  /** Last step at which masks changed (0 = initialisation). */
  lastUpdate: number;
}

/** Result of a mask update, for the trainer to apply. */
export interface MaskChange {
  state: PrunerState;
  /** Per layer, weights grown this update (to zero and reset in the optimiser), or null. */
  regrown: (Mask | null)[];
}

function split(spec: PieceSpec): [string, Record<string, unknown>] {
  const { name, ...options } = spec;
  return [name, options];
}

/**
 * A pruner for one trial: the composition of a pattern, a distribution, a schedule and an algorithm
 * (JaxPruner's decomposition, Lee et al. 2023, arXiv:2304.14082). It sees plain arrays only; the trainer
 * owns the tensors and applies the masks it returns.
 */
export class Pruner {
  private readonly algorithm: Algorithm<unknown>;
  private readonly pattern: Pattern<unknown>;
  private readonly distribution: Distribution<unknown>;
  private readonly schedule: Schedule<unknown>;
  private readonly patternOptions: Record<string, unknown>;
  private readonly distributionOptions: Record<string, unknown>;
  private readonly scheduleOptions: Record<string, unknown>;

  constructor(
    readonly spec: PrunerSpec,
    readonly layers: readonly LayerRef[],
    readonly totalSteps: number,
    /** Global target sparsity of the prunable layers at the end of training. */
    readonly target: number,
  ) {
    this.algorithm = algorithms.get(spec.name);
    let name: string;
    [name, this.patternOptions] = split(spec.pattern);
    this.pattern = patterns.get(name);
    [name, this.distributionOptions] = split(spec.distribution);
    this.distribution = distributions.get(name);
    [name, this.scheduleOptions] = split(spec.schedule);
    this.schedule = schedules.get(name);
  }

  /** Whether `update` wants gradients (computed by the trainer only at update steps). */
  get needsGradients(): boolean {
    return this.algorithm.needsGradients;
  }

  /** Whether masks change after `step` optimizer steps. */
  isUpdateStep(step: number): boolean {
    return this.schedule.isUpdateStep(step, this.totalSteps, this.scheduleOptions);
  }

  /** Global sparsity the schedule asks for after `step` optimizer steps. */
  sparsityAt(step: number): number {
    return this.schedule.sparsityAt(step, this.totalSteps, this.target, this.scheduleOptions);
  }

  /** Per-layer sparsity after `step` optimizer steps. */
  layerTargets(step: number): number[] {
    return this.distribution.allocate(this.layers, this.sparsityAt(step), this.distributionOptions);
  }

  private select = (scores: Float32Array, shape: [number, number], sparsity: number): Mask =>
    this.pattern.select(scores, shape, sparsity, this.patternOptions);

  /** Masks before the first step. `weights` are the initial values, one array per layer. */
  init(weights: readonly Float32Array[], rng: Rng): PrunerState {
    const targets = this.layerTargets(0);
    const out = this.algorithm.init({
      totalSteps: this.totalSteps,
      layers: this.layers.map((ref, i) => ({ ref, weights: weights[i], target: targets[i] })),
      select: this.select,
      rng,
      options: this.spec.options,
    });
    this.check(out.masks, targets, 0);
    return { masks: out.masks, algorithm: out.state ?? null, lastUpdate: 0 };
  }

  /** Mask update after `step` optimizer steps. `grads` is required when {@link needsGradients}. */
  update(
    step: number,
    weights: readonly Float32Array[],
    grads: readonly Float32Array[] | null,
    state: PrunerState,
    rng: Rng,
  ): MaskChange {
    if (this.needsGradients && !grads)
      throw new Error(`pruner ${this.spec.name} needs gradients at step ${step}`);
    const targets = this.layerTargets(step);
    const out = this.algorithm.update({
      step,
      totalSteps: this.totalSteps,
      layers: this.layers.map((ref, i) => ({
        ref,
        weights: weights[i],
        grads: grads ? grads[i] : null,
        mask: state.masks[i],
        target: targets[i],
      })),
      select: this.select,
      rng,
      options: this.spec.options,
      state: state.algorithm,
    });
    this.check(out.masks, targets, step);
    return {
      state: { masks: out.masks, algorithm: out.state ?? state.algorithm, lastUpdate: step },
      regrown: out.regrown ?? this.layers.map(() => null),
    };
  }

  /** A pruner that misses its target is worse than none: fail loudly if any layer is off by more than one weight. */
  private check(masks: readonly Mask[], targets: readonly number[], step: number): void {
    if (masks.length !== this.layers.length) {
      throw new Error(
        `pruner ${this.spec.name} returned ${masks.length} masks for ${this.layers.length} layers`,
      );
    }
    this.layers.forEach((layer, i) => {
      const n = layer.shape[0] * layer.shape[1];
      const want = Math.round(targets[i] * n);
      const got = countPruned(masks[i]);
      if (masks[i].length !== n || Math.abs(got - want) > 1) {
        throw new Error(
          `pruner ${this.spec.name} missed its target at step ${step}: layer ${layer.name} has ${got} of ${n} weights pruned, schedule asks ${want}`,
        );
      }
    });
  }
}

/**
 * Non-zero weights the prunable layers will hold at the end of training under `spec` at sparsity `target`:
 * each layer keeps size − round(s_layer · size).
 */
export function expectedNonzero(spec: PrunerSpec, layers: readonly LayerRef[], target: number): number {
  const [name, options] = split(spec.distribution);
  const sparsities = distributions.get(name).allocate(layers, target, options);
  return layers.reduce((sum, l, i) => {
    const n = l.shape[0] * l.shape[1];
    return sum + n - Math.round(sparsities[i] * n);
  }, 0);
}
