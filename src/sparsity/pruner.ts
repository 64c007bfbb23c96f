import type { Rng } from '../util/rng.js';
import { checkMasks, type Declared } from './mask-check.js';
import { joinColumns, partCount, partLayers, splitColumns } from './packed.js';
import { algorithms, patterns, schedules } from './registry.js';
import type { PieceSpec, PrunerSpec } from './spec.js';
import { layerTargetsOf } from './targets.js';
import type { Algorithm, LayerRef, Mask, Pattern, Schedule, ScheduleContext } from './types.js';

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

/** How the trainer applies this pruner's masks (see {@link MaskApplication} in types.ts). */
export interface Application {
  /** True: dense master weights, forward pass on w ⊙ (m + β(1 − m)); false: weights zeroed in place. */
  soft: boolean;
  /** β after `step` completed steps. */
  prunedScale(step: number): number;
  /** λ of SR-STE's gradient term (0 = none). */
  prunedDecay: number;
}

export { expectedNonzero, layerTargetsOf } from './targets.js';

function split(spec: PieceSpec): [string, Record<string, unknown>] {
  const { name, ...options } = spec;
  return [name, options];
}

/**
 * A pruner for one trial: the composition of a pattern, a distribution, a schedule and an algorithm
 * (JaxPruner's decomposition, Lee et al. 2023, arXiv:2304.14082). It sees plain arrays only; the trainer
 * owns the tensors and applies the masks it returns. The distribution allocates over the model's layers; the
 * algorithm and the pattern see a packed matrix (q, k, v in one) as its parts, each at its layer's sparsity
 * (packed.ts), and the masks it returns are the packed layers'.
 */
export class Pruner {
  private readonly algorithm: Algorithm<unknown>;
  private readonly pattern: Pattern<unknown>;
  private readonly schedule: Schedule<unknown>;
  private readonly patternOptions: Record<string, unknown>;
  private readonly scheduleOptions: Record<string, unknown>;
  private readonly scheduleContext: ScheduleContext;
  /** How the trainer applies the masks: hard (default) or soft (STE family). */
  readonly application: Application;
  /** The layers the algorithm sees: each packed layer's parts as layers of their own. */
  private readonly parts: LayerRef[];
  /** Per part, the index in `layers` of the layer it belongs to. */
  private readonly owner: number[];

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
    [name, this.scheduleOptions] = split(spec.schedule);
    this.schedule = schedules.get(name);
    this.scheduleContext = { pattern: spec.pattern };
    ({ parts: this.parts, owner: this.owner } = partLayers(layers));
    const a = this.algorithm.application;
    this.application = {
      soft: a?.mode === 'soft',
      prunedScale: (step) => a?.prunedScale?.(step, totalSteps, spec.options) ?? 0,
      prunedDecay: a?.prunedDecay?.(spec.options) ?? 0,
    };
  }

  /** Whether `update` wants gradients (computed by the trainer only at update steps). */
  get needsGradients(): boolean {
    return this.algorithm.needsGradients;
  }

  /**
   * Whether the mask update at `step` takes the place of that step's optimizer update (SET, RigL, SRigL: see the
   * Algorithm's `skipsOptimizerOnUpdate`). An update that replaces no weight (drop fraction 0: at T_end under cosine
   * decay, or on the last step) takes nothing's place, and the optimizer steps.
   */
  replacesOptimizerStep(step: number): boolean {
    if (!this.algorithm.skipsOptimizerOnUpdate || !this.isUpdateStep(step)) return false;
    return (this.schedule.updateFraction?.(step, this.totalSteps, this.scheduleOptions) ?? 0) > 0;
  }

  /** Weights to start from instead of the model's initialisation (from-dense), or null. */
  initialWeights(): ReadonlyMap<string, Float32Array> | null {
    return this.algorithm.initialWeights?.(this.spec.options) ?? null;
  }

  /** Whether masks change after `step` training steps. */
  isUpdateStep(step: number): boolean {
    return this.schedule.isUpdateStep(step, this.totalSteps, this.scheduleOptions, this.scheduleContext);
  }

  /** Global sparsity the schedule asks for after `step` training steps. */
  sparsityAt(step: number): number {
    return this.schedule.sparsityAt(
      step,
      this.totalSteps,
      this.target,
      this.scheduleOptions,
      this.scheduleContext,
    );
  }

  /** Per-layer sparsity after `step` training steps (rounded to what the pattern holds exactly). */
  layerTargets(step: number): number[] {
    return layerTargetsOf(this.spec, this.layers, this.sparsityAt(step), this.target);
  }

  /** Per part, its layer's sparsity after `step` training steps. */
  private partTargets(step: number): number[] {
    const targets = this.layerTargets(step);
    return this.owner.map((i) => targets[i]);
  }

  /** One array per layer → one per part (a packed layer's split into its column blocks). */
  private split<T extends Float32Array | Uint8Array>(arrays: readonly T[]): T[] {
    return arrays.flatMap((a, i) => splitColumns(a, this.layers[i].shape, partCount(this.layers[i])));
  }

  /** One mask per part → one per layer; null for a layer whose parts are all null. */
  private join(masks: readonly Mask[]): Mask[];
  private join(masks: readonly (Mask | null)[]): (Mask | null)[];
  private join(masks: readonly (Mask | null)[]): (Mask | null)[] {
    return this.layers.map((ref, i) => {
      const own = masks.filter((_, j) => this.owner[j] === i);
      if (own.every((m) => m === null)) return null;
      const size = ref.shape[0] * (ref.shape[1] / own.length);
      return joinColumns(
        own.map((m) => m ?? new Uint8Array(size)),
        ref.shape,
      );
    });
  }

  private check(masks: readonly Mask[], targets: readonly number[], step: number, declared: Declared): void {
    checkMasks({
      pruner: this.spec.name,
      layers: this.parts,
      masks,
      targets,
      step,
      declared,
      globalRanking: this.algorithm.globalRanking === true,
    });
  }

  private select = (scores: Float32Array, shape: [number, number], sparsity: number): Mask =>
    this.pattern.select(scores, shape, sparsity, this.patternOptions);

  /** Masks before the first step. `weights` are the initial values, one array per layer. */
  init(weights: readonly Float32Array[], rng: Rng): PrunerState {
    const targets = this.partTargets(0);
    const partWeights = this.split(weights);
    const out = this.algorithm.init({
      totalSteps: this.totalSteps,
      layers: this.parts.map((ref, i) => ({ ref, weights: partWeights[i], target: targets[i] })),
      select: this.select,
      rng,
      options: this.spec.options,
    });
    this.check(out.masks, targets, 0, null);
    return { masks: this.join(out.masks), algorithm: out.state ?? null, lastUpdate: 0 };
  }

  /**
   * Mask update at step `step`: after its optimizer update, or in its place when {@link replacesOptimizerStep}.
   * `grads` (that step's) is required when {@link needsGradients}.
   */
  update(
    step: number,
    weights: readonly Float32Array[],
    grads: readonly Float32Array[] | null,
    state: PrunerState,
    rng: Rng,
  ): MaskChange {
    if (this.needsGradients && !grads)
      throw new Error(`pruner ${this.spec.name} needs gradients at step ${step}`);
    const targets = this.partTargets(step);
    const partWeights = this.split(weights);
    const partGrads = grads && this.split(grads);
    const partMasks = this.split(state.masks);
    const out = this.algorithm.update({
      step,
      totalSteps: this.totalSteps,
      layers: this.parts.map((ref, i) => ({
        ref,
        weights: partWeights[i],
        grads: partGrads ? partGrads[i] : null,
        mask: partMasks[i],
        target: targets[i],
      })),
      select: this.select,
      rng,
      options: this.spec.options,
      state: state.algorithm,
      updateFraction: this.schedule.updateFraction?.(step, this.totalSteps, this.scheduleOptions),
    });
    this.check(out.masks, targets, step, out.pruned ?? null);
    const masks = this.join(out.masks);
    const declared = out.regrown ? this.join(out.regrown) : this.layers.map(() => null);
    return {
      state: { masks, algorithm: out.state ?? state.algorithm, lastUpdate: step },
      regrown: this.application.soft
        ? declared
        : masks.map((m, i) => entering(state.masks[i], m, declared[i])),
    };
  }
}

/**
 * Under hard masks, every weight that enters the mask (0 → 1) is grown: whatever the pruned position held
 * between the optimizer step and the masking (this step's update of a zero weight) is no learned value, so it
 * starts at zero with fresh moments, as drop/grow methods declare for their growth. This covers an algorithm
 * that declares its growth (`declared`) and one that does not; null when nothing entered.
 */
function entering(before: Mask, after: Mask, declared: Mask | null): Mask | null {
  let grown = declared && Uint8Array.from(declared);
  for (let i = 0; i < after.length; i++) {
    if (after[i] === 1 && before[i] === 0) {
      grown ??= new Uint8Array(after.length);
      grown[i] = 1;
    }
  }
  return grown;
}
