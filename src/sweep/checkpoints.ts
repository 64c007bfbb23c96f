import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ParamInfo } from '../models/types.js';
import { databaseFile } from '../store/database-file.js';
import {
  encodeSafetensors,
  readSafetensors,
  readSafetensorsMetadata,
  type SafeTensor,
  writeFileAtomic,
} from '../store/safetensors.js';
import type { TrainState } from '../train/state.js';

/**
 * Where a trial's mid-training checkpoint lives: `<database file>.checkpoints/<trial id>.safetensors`, beside
 * the database and named after it, so two databases in one folder never resume from each other's checkpoints.
 */
export function checkpointPath(dbPath: string, trialId: string): string {
  return join(`${databaseFile(dbPath)}.checkpoints`, `${trialId}.safetensors`);
}

/**
 * Where checkpoints lived before they were kept per database: `<db dir>/checkpoints/<trial id>.safetensors`,
 * shared by every database of the folder. Read only to resume a trial its own database had started there.
 */
export function legacyCheckpointPath(dbPath: string, trialId: string): string {
  return join(dirname(databaseFile(dbPath)), 'checkpoints', `${trialId}.safetensors`);
}

/**
 * The checkpoint to resume `trialId` from: its database's own, else, for a trial that database had already
 * started (`startedHere`: interrupted, failed or running there), one in the folder's older shared directory
 * (`legacy` true: call {@link adoptLegacyCheckpoint} once the trial is claimed). Null state when there is none.
 */
export function resumeCheckpoint(
  dbPath: string,
  trialId: string,
  layout: CheckpointLayout,
  startedHere: boolean,
): { state: TrainState | null; legacy: boolean; problem: string | null } {
  const path = checkpointPath(dbPath, trialId);
  const own = readCheckpoint(path, trialId, layout);
  if (own && 'state' in own) return { state: own.state, legacy: false, problem: null };
  const problem = own ? `its checkpoint ${path} cannot be used: ${own.problem}; it trains from step 0` : null;
  if (!startedHere) return { state: null, legacy: false, problem };
  const old = loadCheckpoint(legacyCheckpointPath(dbPath, trialId), trialId, layout);
  return { state: old, legacy: old !== null, problem: old ? null : problem };
}

/**
 * The step of the checkpoint a rerun would resume `trialId` from (its database's own, else the folder's older
 * shared one), from the file's header alone; null when there is none, or none that reads as a checkpoint.
 */
export function checkpointStep(dbPath: string, trialId: string): number | null {
  for (const path of [checkpointPath(dbPath, trialId), legacyCheckpointPath(dbPath, trialId)]) {
    if (!existsSync(path)) continue;
    const meta = readSafetensorsMetadata(path);
    const step = meta ? checkpointMeta(meta)?.step : undefined;
    return typeof step === 'number' ? step : null;
  }
  return null;
}

/** Moves a claimed trial's checkpoint from the folder's shared directory to its database's own. */
export function adoptLegacyCheckpoint(dbPath: string, trialId: string): void {
  const own = checkpointPath(dbPath, trialId);
  mkdirSync(dirname(own), { recursive: true });
  renameSync(legacyCheckpointPath(dbPath, trialId), own);
}

/** What the metadata of a checkpoint holds besides the tensors. */
export interface CheckpointMeta {
  trial_id: string;
  step: number;
  adam_step: number;
  pruner_algorithm: unknown;
  pruner_last_update: number;
  masks: number;
  data_rng: TrainState['dataRng'];
  prune_rng: TrainState['pruneRng'];
  loss: number;
  val_loss: number | null;
  wall_seconds: number;
  /** The divergence watch's run start (absent in checkpoints written before it was kept). */
  diverged_since?: number | null;
}

/**
 * Writes a training state atomically (temporary file, fsync, rename): parameters, AdamW moments, masks and
 * the plain-data rest as safetensors metadata. A crash mid-write leaves the previous checkpoint intact.
 */
export function saveCheckpoint(
  path: string,
  trialId: string,
  state: TrainState,
  infos: readonly ParamInfo[],
): void {
  writeFileAtomic(path, encodeCheckpoint(trialId, state, infos));
}

/** The bytes of a checkpoint: the state's arrays copied out, so the live training state may change after. */
export function encodeCheckpoint(trialId: string, state: TrainState, infos: readonly ParamInfo[]): Buffer {
  const tensors: SafeTensor[] = [];
  for (const p of infos) {
    const slot = state.adam.slots.get(p.name)!;
    tensors.push(
      { name: `param/${p.name}`, dtype: 'F32', shape: p.shape, data: state.params.get(p.name)! },
      { name: `adam.m/${p.name}`, dtype: 'F32', shape: p.shape, data: slot.m },
      { name: `adam.v/${p.name}`, dtype: 'F32', shape: p.shape, data: slot.v },
    );
  }
  state.pruner.masks.forEach((m, i) => {
    tensors.push({ name: `mask/${i}`, dtype: 'U8', shape: [m.length], data: m });
  });
  const meta: CheckpointMeta = {
    trial_id: trialId,
    step: state.step,
    adam_step: state.adam.step,
    pruner_algorithm: state.pruner.algorithm,
    pruner_last_update: state.pruner.lastUpdate,
    masks: state.pruner.masks.length,
    data_rng: state.dataRng,
    prune_rng: state.pruneRng,
    loss: state.loss,
    val_loss: state.valLoss,
    wall_seconds: state.wallSeconds,
    diverged_since: state.divergedSince ?? null,
  };
  return encodeSafetensors(tensors, { sparsebench_checkpoint: JSON.stringify(meta) });
}

/** What a trial's checkpoint must hold: its model's parameters, and one mask per pruner layer, of these sizes. */
export interface CheckpointLayout {
  infos: readonly ParamInfo[];
  maskSizes: readonly number[];
}

/**
 * A trial's checkpoint as {@link readCheckpoint} reads it: the training state, or null when there is none or it
 * cannot be used (then training starts over rather than resume from something we cannot trust).
 */
export function loadCheckpoint(path: string, trialId: string, layout: CheckpointLayout): TrainState | null {
  const read = readCheckpoint(path, trialId, layout);
  return read && 'state' in read ? read.state : null;
}

/** The training state a safetensors file's metadata records as a checkpoint, or null when it holds none. */
export function checkpointMeta(metadata: Record<string, string>): CheckpointMeta | null {
  try {
    return JSON.parse(metadata.sparsebench_checkpoint ?? 'null') as CheckpointMeta | null;
  } catch {
    return null;
  }
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} and checks it against the trial (`trialId`) and the
 * model's layout (every parameter with its size, the pruner's masks). Null when the file does not exist;
 * otherwise the state, or why it cannot be used.
 */
export function readCheckpoint(
  path: string,
  trialId: string,
  { infos, maskSizes }: CheckpointLayout,
): { state: TrainState } | { problem: string } | null {
  if (!existsSync(path)) return null;
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(path);
  } catch (e) {
    return { problem: `it is not a readable checkpoint (${(e as Error).message})` };
  }
  const { tensors, metadata } = file;
  const meta = checkpointMeta(metadata);
  if (!meta) return { problem: 'it holds no sparsebench training state' };
  if (meta.trial_id !== trialId) return { problem: `it was written for trial ${meta.trial_id}` };
  const params = new Map<string, Float32Array>();
  const slots = new Map<string, { m: Float32Array; v: Float32Array }>();
  for (const p of infos) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const w = tensors.get(`param/${p.name}`)?.data;
    const m = tensors.get(`adam.m/${p.name}`)?.data;
    const v = tensors.get(`adam.v/${p.name}`)?.data;
    if (
      !(w instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array) ||
      w.length !== n
    )
      return { problem: `its parameter ${p.name} is missing or not of the model's size` };
    params.set(p.name, w);
    slots.set(p.name, { m, v });
  }
  const unmatched = {
    problem: "its masks do not match the pruner's layers (written by an earlier sparsebench?)",
  };
  // the count first: a damaged one (1e10) must not size an array
  if (meta.masks !== maskSizes.length) return unmatched;
  const masks = maskSizes.map((_, i) => tensors.get(`mask/${i}`)?.data as Uint8Array);
  if (masks.some((m, i) => !(m instanceof Uint8Array) || m.length !== maskSizes[i])) return unmatched;
  return {
    state: {
      step: meta.step,
      params,
      adam: { step: meta.adam_step, slots },
      pruner: { masks, algorithm: meta.pruner_algorithm, lastUpdate: meta.pruner_last_update },
      dataRng: meta.data_rng,
      pruneRng: meta.prune_rng,
      loss: meta.loss,
      valLoss: meta.val_loss,
      wallSeconds: meta.wall_seconds,
      divergedSince: typeof meta.diverged_since === 'number' ? meta.diverged_since : null,
    },
  };
}

/** Removes a trial's checkpoint (after it finished, or failed other than by its worker process dying). */
export function dropCheckpoint(path: string): void {
  rmSync(path, { force: true });
}
