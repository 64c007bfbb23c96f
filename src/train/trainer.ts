import * as tf from '@tensorflow/tfjs-core';
import type { TrialSpec } from '../config/trial-spec.js';
import { acceleratorOf, selectBackend } from '../engine/backends.js';
import { describeDeviceErrors, deviceErrorMark } from '../engine/webgpu-errors.js';
import { families } from '../models/registry.js';
import type { Batch } from '../models/types.js';
import { prunerLayers } from '../sparsity/layers.js';
import { Pruner, type PrunerState } from '../sparsity/pruner.js';
import type { MetricPoint, TrialResult } from '../store/types.js';
import type { WeightSet } from '../store/weights.js';
import { runEnvironment } from '../util/environment.js';
import { Rng } from '../util/rng.js';
import { adamwUpdate, clipScale, initAdamW, resetMoments } from './adamw.js';
import { DeviceAdamW, type OptimizerPlacement, optimizerPlacement } from './device-adamw.js';
import { divergenceWatch } from './divergence.js';
import { evaluate } from './evaluate.js';
import { lrAt } from './lr-schedule.js';
import { applyMasks, finalizeMasks, prunerInitialParams, refineGradients } from './mask-application.js';
import { measureSparsity, ParamSet } from './params.js';
import type { CheckpointPolicy, TrainState } from './state.js';

/** Live progress of a trial, for progress bars. */
export interface TrainProgress {
  step: number;
  steps: number;
  tokens: number;
  loss: number;
  valLoss: number | null;
  tokensPerSecond: number;
  elapsedSeconds: number;
}

/** Callbacks from the training loop. Persisting metrics is the caller's job. */
export interface TrainHooks {
  onProgress?(p: TrainProgress): void;
  /** A batch of metrics to persist (called about every `flushSeconds`, and after each evaluation). */
  onMetrics?(points: MetricPoint[]): void;
  /** Polled every step; true stops the trial (after a checkpoint, if any) with {@link TrialInterrupted}. */
  shouldStop?(): boolean;
  flushSeconds?: number;
  /** Continue from this checkpoint instead of starting from initialisation. */
  resume?: TrainState;
  /** Save checkpoints during training (and when stopped). */
  checkpoint?: CheckpointPolicy;
  /** Where the optimizer step runs; by default {@link optimizerPlacement}'s choice for the backend and pruner. */
  optimizerOn?: OptimizerPlacement;
}

/** The trial cannot go on (non-finite loss, a backend error); `step` is where it happened. */
export class TrialFailure extends Error {
  override name = 'TrialFailure';
  constructor(
    message: string,
    readonly step: number,
    readonly pending: MetricPoint[] = [],
  ) {
    super(message);
  }
}

/** The trial was asked to stop. */
export class TrialInterrupted extends Error {
  override name = 'TrialInterrupted';
  constructor(
    readonly step: number,
    readonly pending: MetricPoint[],
  ) {
    super(`interrupted at step ${step}`);
  }
}

/** Result of a finished trial plus the metrics not yet handed to onMetrics (stored with the result). */
export interface TrainOutcome {
  result: TrialResult;
  lastPoints: MetricPoint[];
  /** Final parameters (masked entries exactly zero) and the masks of pruned layers. */
  weights: WeightSet;
}

/**
 * Trains one trial: AdamW with warmup + cosine decay and global-norm clipping; the pruner's masks applied
 * after every optimizer step; train loss every step, validation loss every `eval.interval` steps and at the
 * end on the fixed held-out set. Deterministic for a spec on a given backend.
 */
export async function trainTrial(spec: TrialSpec, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  const backend = await selectBackend(spec.backend);
  const entry = families[spec.model.family];
  const family = entry.model;
  const shape = spec.model;
  /** The loss the optimizer descends: the family's cross-entropy plus the spec's z-loss (evaluation has none). */
  const trainingLoss = (sh: typeof shape, p: ReadonlyMap<string, tf.Tensor>, b: Batch) =>
    family.loss(sh as never, p, b as never, spec.z_loss ?? 0);
  const source = entry.source(spec);
  const infos = family.params(shape);
  const layers = prunerLayers(infos, spec.pruner);
  const prunableSize = infos.reduce((a, p) => a + (p.prunable ? p.shape.reduce((x, y) => x * y, 1) : 0), 0);
  const resume = hooks.resume;
  const pruner = new Pruner(spec.pruner, layers, spec.steps, spec.sparsity);
  const init =
    resume?.params ?? prunerInitialParams(pruner, infos) ?? family.init(shape, Rng.seeded(spec.seed, 1));
  const params = new ParamSet(infos, init);
  const dataRng = resume ? Rng.fromState(resume.dataRng) : Rng.seeded(spec.seed, 2);
  const pruneRng = resume ? Rng.fromState(resume.pruneRng) : Rng.seeded(spec.seed, 3);
  const opt = resume?.adam ?? initAdamW(new Map(infos.map((p) => [p.name, params.host.get(p.name)!.length])));
  const decay = new Map(infos.map((p) => [p.name, p.decay]));
  const tokensPerStep = source.unitsPerBatch;
  const flushMs = (hooks.flushSeconds ?? 2) * 1000;
  /** A model twice as bad as uniform guessing, and staying so, has diverged. */
  const diverged = divergenceWatch(
    2 * Math.log(outputClasses(shape)),
    spec.steps,
    (shape as { classes?: number }).classes === undefined ? 'vocab' : 'classes',
    resume?.divergedSince ?? null,
  );

  let prunerState: PrunerState =
    resume?.pruner ??
    pruner.init(
      layers.map((l) => params.host.get(l.name)!),
      pruneRng,
    );
  for (const [i, l] of layers.entries()) params.setMask(l.name, prunerState.masks[i]);
  applyMasks(params, pruner, resume?.step ?? 0);
  const placement = optimizerPlacement(backend.name, pruner, hooks.optimizerOn);
  /** The optimizer on the device (made in the try below): host weights and moments are current only after its pull. */
  let device: DeviceAdamW | null = null;

  let pending: MetricPoint[] = [];
  let lastFlush = performance.now();
  const start = performance.now();
  const firstStep = resume ? resume.step + 1 : 1;
  const priorSeconds = resume?.wallSeconds ?? 0;
  let step = firstStep - 1;
  let loss = resume?.loss ?? Number.NaN;
  let valLoss: number | null = resume?.valLoss ?? null;
  let valAccuracy: number | null = null;
  let lastSave = performance.now();
  const deviceMark = deviceErrorMark();
  /**
   * Fails the trial once the WebGPU device has reported an error since it started (a program that did not compile,
   * memory it could not get): what the device computed since is not valid, so nothing of it is filed or saved.
   */
  const checkDevice = (at: number) => {
    const error = describeDeviceErrors(deviceMark);
    if (error) throw new TrialFailure(`${error} (at step ${at})`, at, pending);
  };
  const point = (name: string, value: number, at = step) =>
    pending.push({ name, step: at, tokens: at * tokensPerStep, value });
  const flush = () => {
    if (pending.length && hooks.onMetrics) hooks.onMetrics(pending);
    if (hooks.onMetrics) pending = [];
    lastFlush = performance.now();
  };
  /** Metrics first, then the state: a checkpoint never runs ahead of the stored curve. */
  const checkpoint = () => {
    if (!hooks.checkpoint || step === 0) return; // nothing to save before the first step
    checkDevice(step);
    flush();
    hooks.checkpoint.save({
      step,
      params: params.host,
      adam: opt,
      pruner: prunerState,
      dataRng: dataRng.state(),
      pruneRng: pruneRng.state(),
      loss,
      valLoss,
      wallSeconds: priorSeconds + (performance.now() - start) / 1000,
      divergedSince: diverged.runStart,
    });
    lastSave = performance.now();
  };
  const checkpointWithDevice = async () => {
    if (device && hooks.checkpoint && step > 0) await device.pull(opt);
    checkpoint();
  };
  const checkpointDue = () => {
    const c = hooks.checkpoint;
    if (!c || step === spec.steps) return false;
    return (
      (c.everySteps > 0 && step % c.everySteps === 0) ||
      (c.everySeconds > 0 && performance.now() - lastSave > c.everySeconds * 1000)
    );
  };

  try {
    if (placement === 'device') {
      device = new DeviceAdamW(params, opt, backend.name === 'webgpu' ? 'webgpu' : 'ops');
    }
    /** The schedule's sparsity and what the masks hold (a pattern or SRigL's ablation can land beside it). */
    const logSparsity = (at: number) => {
      point('target_sparsity', pruner.sparsityAt(at));
      // over the prunable weights, as N and the achieved sparsity count them: pruned embeddings stay out
      point(
        'sparsity',
        maskSparsity(
          prunerState.masks.filter((_, i) => !layers[i].embedding),
          prunableSize,
        ),
      );
    };
    /** The pruner's step: new masks from the updated (not yet masked) weights; regrown weights start at zero. */
    const prune = (gradsForPruner: Float32Array[] | null) => {
      const change = pruner.update(
        step,
        layers.map((l) => params.host.get(l.name)!),
        gradsForPruner,
        prunerState,
        pruneRng,
      );
      prunerState = change.state;
      layers.forEach((l, i) => {
        params.setMask(l.name, prunerState.masks[i]);
        const grown = change.regrown[i];
        if (grown) {
          resetMoments(opt.slots.get(l.name)!, grown);
          const w = params.host.get(l.name)!;
          for (let j = 0; j < w.length; j++) if (grown[j]) w[j] = 0;
        }
      });
      logSparsity(step);
    };
    if (!resume) {
      logSparsity(0);
      // what the validation loss is measured on: less than eval.tokens when the held-out split is smaller
      point('eval_units', source.heldOutUnits);
    }
    /** The train loss and lr of step `at` (in `loss`) into the curve, after checking the loss. */
    const fileLoss = (at: number, lr: number) => {
      checkDevice(at);
      const failure = diverged.check(loss, at);
      if (failure) throw new TrialFailure(failure, at, pending);
      point('train_loss', loss, at);
      point('lr', lr, at);
    };
    const progress = (at: number) => {
      const elapsed = (performance.now() - start) / 1000;
      hooks.onProgress?.({
        step: at,
        steps: spec.steps,
        tokens: at * tokensPerStep,
        loss,
        valLoss,
        tokensPerSecond: ((at - firstStep + 1) * tokensPerStep) / elapsed,
        elapsedSeconds: priorSeconds + elapsed,
      });
    };
    /**
     * A device step queued whose loss is still on its way back. The loss is read once the next step is recorded,
     * so the GPU runs one step while the host records the next, instead of idling while the host reads the loss
     * and records. Only plain steps wait so: a step that evaluates, checkpoints, prunes, ends the trial or
     * is interrupted settles at once.
     */
    type Unsettled = { step: number; lr: number; value: tf.Scalar; read: Promise<unknown> };
    let unsettled = null as Unsettled | null;
    /** Reads a waiting step's loss and files it (the unsettled one by default); says which step that was. */
    const settle = async (u: Unsettled | null = unsettled): Promise<number | null> => {
      if (!u) return null;
      if (u === unsettled) unsettled = null;
      try {
        loss = ((await u.read) as Float32Array)[0];
      } finally {
        u.value.dispose();
      }
      fileLoss(u.step, u.lr);
      return u.step;
    };
    try {
      for (step = firstStep; step <= spec.steps; step++) {
        // let signal handlers and I/O run between steps (a step is synchronous tfjs work)
        await new Promise((r) => setImmediate(r));
        if (hooks.shouldStop?.()) {
          step--;
          await settle();
          await checkpointWithDevice();
          throw new TrialInterrupted(step, pending);
        }
        const batch = source.sample(step - 1, dataRng);
        const lr = lrAt(step - 1, spec.steps, spec.optimizer.lr, spec.lr_schedule);
        const updateStep = pruner.isUpdateStep(step);
        // SET, RigL, SRigL: the mask update takes this step's place, so the optimiser leaves the weights as they are
        const optimizerSteps = !pruner.replacesOptimizerStep(step);
        const evalDue = step % spec.eval.interval === 0 || step === spec.steps;
        if (device) {
          const { value, grads } = deviceGradients(trainingLoss, shape, params, batch);
          let gradsForPruner: Float32Array[] | null = null;
          let read: Promise<unknown>;
          try {
            if (updateStep && pruner.needsGradients)
              gradsForPruner = (await Promise.all(
                layers.map((l) => grads.get(l.name)!.data()),
              )) as Float32Array[];
            // masks go on after the update, except on the pruner's step: it sees the weights first, as on the host.
            // The loss is read after the update is queued (reading it first would idle the GPU): a failing loss
            // has then updated the device's state, which the trial, failing, never saves.
            if (optimizerSteps) {
              opt.step++;
              device.update(grads, opt.step, lr, spec.optimizer, decay, spec.grad_clip, !updateStep);
            }
            read = value.data();
            read.catch(() => undefined); // awaited in settle; a trial failing before that must not leave it unhandled
          } catch (e) {
            value.dispose();
            throw e;
          } finally {
            tf.dispose([...grads.values()]);
          }
          // the step before, queued ahead of this one, left waiting: its progress is reported now (this step waits
          // in `unsettled` meanwhile, so a failure there disposes both)
          const before = unsettled;
          unsettled = { step, lr, value, read };
          const previous = await settle(before);
          if (previous !== null) progress(previous);
          const saveDue = checkpointDue();
          if (!(updateStep || evalDue || saveDue)) {
            if (performance.now() - lastFlush > flushMs) flush();
            continue;
          }
          await settle();
          if (updateStep) {
            await device.pull(opt);
            prune(gradsForPruner);
            params.applyMasks();
            device.push(opt);
          }
        } else {
          const grads = await gradients(trainingLoss, shape, params, batch);
          loss = grads.loss;
          fileLoss(step, lr);
          refineGradients(params, pruner, grads.values);
          if (optimizerSteps) {
            // hard masks: the norm of the sparse network's gradient (soft ones train every weight: all of it)
            const live = pruner.application.soft ? null : params.masks;
            const terms = [...grads.values].map(([name, grad]) => ({ grad, mask: live?.get(name) ?? null }));
            const { scale } = clipScale(terms, spec.grad_clip);
            opt.step++;
            for (const [name, g] of grads.values) {
              adamwUpdate(
                params.host.get(name)!,
                g,
                opt.slots.get(name)!,
                opt.step,
                lr,
                spec.optimizer,
                decay.get(name)!,
                scale,
              );
            }
          }
          if (updateStep) prune(pruner.needsGradients ? layers.map((l) => grads.values.get(l.name)!) : null);
          applyMasks(params, pruner, step);
        }
        if (evalDue) {
          const evaluation = await evaluate(family, shape, params.vars, source.validation);
          checkDevice(step);
          valLoss = evaluation.loss;
          if (!Number.isFinite(valLoss))
            throw new TrialFailure(`validation loss is ${valLoss} at step ${step}`, step, pending);
          point('val_loss', valLoss);
          if (evaluation.accuracy !== null) {
            valAccuracy = evaluation.accuracy;
            point('val_accuracy', valAccuracy);
          }
          if (step < spec.steps) flush();
        } else if (performance.now() - lastFlush > flushMs) flush();
        if (checkpointDue()) await checkpointWithDevice();
        progress(step);
      }
    } finally {
      // a trial failing with a step still being read: its loss tensor goes too
      if (unsettled) unsettled.value.dispose();
    }
    step = spec.steps;
    if (device) await device.pull(opt);
    checkDevice(step);
    const wallSeconds = priorSeconds + (performance.now() - start) / 1000;
    finalizeMasks(params, pruner);
    const measured = measureSparsity(params);
    const result: TrialResult = {
      nonzeroParams: measured.nonzero,
      achievedSparsity: measured.total === 0 ? 0 : measured.zeros / measured.total,
      tokens: spec.steps * tokensPerStep,
      steps: spec.steps,
      finalValLoss: valLoss as number,
      finalValAccuracy: valAccuracy,
      finalTrainLoss: loss,
      wallSeconds,
      tokensPerSecond: (spec.steps * tokensPerStep) / wallSeconds,
      backend: backend.name,
      layerDensity: measured.layerDensity,
      environment: runEnvironment(acceleratorOf(backend), backend.kernels, placement),
    };
    return { result, lastPoints: pending, weights: params.snapshot() };
  } catch (e) {
    if (e instanceof TrialFailure || e instanceof TrialInterrupted) throw e;
    throw new TrialFailure(`${(e as Error).name}: ${(e as Error).message}`, step, pending);
  } finally {
    device?.dispose();
    params.dispose();
  }
}

/** Size of the output distribution: the vocabulary, or the classes of a classifier. */
function outputClasses(shape: TrialSpec['model']): number {
  const s = shape as { vocab_size?: number; classes?: number };
  return s.classes ?? s.vocab_size ?? 2;
}

/**
 * Loss and gradients of every parameter for one batch, copied to host arrays. Read asynchronously: the webgpu
 * backend cannot read synchronously in Node (its sync path needs a browser's OffscreenCanvas).
 */
async function gradients<S, B extends Batch>(
  lossFn: (shape: S, p: ReadonlyMap<string, tf.Tensor>, b: B) => tf.Scalar,
  shape: S,
  params: ParamSet,
  batch: B,
): Promise<{ loss: number; values: Map<string, Float32Array> }> {
  const { value, grads } = deviceGradients(lossFn, shape, params, batch);
  try {
    const names = [...grads.keys()];
    const read = await Promise.all([value, ...grads.values()].map((t) => t.data()));
    const values = new Map<string, Float32Array>(names.map((n, i) => [n, read[i + 1] as Float32Array]));
    return { loss: read[0][0], values };
  } finally {
    tf.dispose([value, ...grads.values()]);
  }
}

/** Loss and gradients of every parameter (by parameter name) for one batch, left on the device. */
function deviceGradients<S, B extends Batch>(
  lossFn: (shape: S, p: ReadonlyMap<string, tf.Tensor>, b: B) => tf.Scalar,
  shape: S,
  params: ParamSet,
  batch: B,
): { value: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(
    () => lossFn(shape, params.vars, batch),
    [...params.vars.values()],
  );
  return { value, grads: new Map([...params.vars].map(([n, v]) => [n, grads[v.name]])) };
}

/**
 * Sparsity the masks hold over all prunable parameters (layers a distribution keeps dense count as dense):
 * zeros of the masks / prunable size.
 */
export function maskSparsity(masks: readonly Uint8Array[], prunableSize: number): number {
  let zeros = 0;
  for (const m of masks) for (let i = 0; i < m.length; i++) zeros += 1 - m[i];
  return prunableSize === 0 ? 0 : zeros / prunableSize;
}
