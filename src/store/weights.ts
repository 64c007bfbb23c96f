import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { databaseFile } from './database-file.js';
import { encodeSafetensors, readSafetensors, type SafeTensor, writeFileAtomic } from './safetensors.js';

export { readSafetensors };

/**
 * Where a trial's final weights are written: `<database file>.weights/<trial id>.safetensors`, beside the
 * database and named after it, so databases sharing a folder keep their own (beside the file a link points to).
 */
export function weightsPath(dbPath: string, trialId: string): string {
  return join(`${databaseFile(dbPath)}.weights`, `${trialId}.safetensors`);
}

/**
 * Where a finished trial's weights are to be read: {@link weightsPath}, or, for a trial finished before
 * weights were kept per database, `<db dir>/weights/<trial id>.safetensors` (the same spec, so the same
 * experiment). The per-database path when neither exists, for the message that says so.
 */
export function storedWeightsPath(dbPath: string, trialId: string): string {
  const own = weightsPath(dbPath, trialId);
  if (existsSync(own)) return own;
  const legacy = join(dirname(databaseFile(dbPath)), 'weights', `${trialId}.safetensors`);
  return existsSync(legacy) ? legacy : own;
}

/** A model's parameters and masks, as plain arrays. */
export interface WeightSet {
  params: { name: string; shape: number[]; data: Float32Array }[];
  /** Masks of pruned layers by parameter name (1 = kept); dense layers have none. */
  masks: Map<string, Uint8Array>;
}

/**
 * Writes weights (masked values are exact zeros) and masks (as `<name>.mask`, uint8) with string metadata,
 * atomically, in the safetensors format so any framework can load them.
 */
export function writeSafetensors(path: string, w: WeightSet, metadata: Record<string, string>): void {
  writeFileAtomic(path, encodeWeights(w, metadata));
}

/** The safetensors bytes {@link writeSafetensors} writes (a worker process encodes; the writer writes). */
export function encodeWeights(w: WeightSet, metadata: Record<string, string>): Buffer {
  const tensors: SafeTensor[] = [];
  for (const p of w.params) {
    tensors.push({ name: p.name, dtype: 'F32', shape: p.shape, data: p.data });
    const mask = w.masks.get(p.name);
    if (mask) tensors.push({ name: `${p.name}.mask`, dtype: 'U8', shape: p.shape, data: mask });
  }
  return encodeSafetensors(tensors, metadata);
}
