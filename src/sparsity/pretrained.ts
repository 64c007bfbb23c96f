import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_DB } from '../store/default-db.js';
import { decodeSafetensors } from '../store/safetensors.js';
import { storedWeightsPath, weightsPath } from '../store/weights.js';
import { checkpointMeta } from '../sweep/checkpoints.js';

/** A dense model's parameters read from a safetensors file, with what the file says about itself. */
export interface Pretrained {
  params: Map<string, { shape: number[]; data: Float32Array }>;
  /**
   * Sparsity of the model it holds: the trial spec's, when the file names one (weights files do), or what the
   * masks of a checkpoint prune (a checkpoint names no spec); null when the file says neither.
   */
  sparsity: number | null;
  sha256: string;
  /** The trial the file says it holds (weights files and checkpoints name it), or null. */
  trialId: string | null;
  /** The model of the trial spec the file names (its family and shape), or null (a checkpoint names no spec). */
  model: Record<string, unknown> | null;
  /** Training examples the trial the file names read (its steps × batch size), or null (a checkpoint names none). */
  examples: number | null;
}

/**
 * Reads parameters from a finished trial's weights file (`<database>.weights/<id>.safetensors`, or the older shared `weights/` folder; tensors by
 * parameter name) or from a checkpoint (`<database>.checkpoints/<id>.safetensors`, tensors `param/<name>`); masks and
 * optimiser moments are skipped (a checkpoint's masks give its sparsity).
 */
export function readPretrained(path: string): Pretrained {
  if (!existsSync(path)) throw new Error(`no such file: ${path}`);
  const buf = readFileSync(path);
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const { tensors, metadata } = decodeSafetensors(buf);
  const checkpoint = metadata.sparsebench_checkpoint !== undefined;
  const params = new Map<string, { shape: number[]; data: Float32Array }>();
  let maskZeros = 0;
  let maskSize = 0;
  for (const [name, t] of tensors) {
    if (checkpoint && t.dtype === 'U8' && name.startsWith('mask/')) {
      for (let i = 0; i < t.data.length; i++) if (t.data[i] === 0) maskZeros++;
      maskSize += t.data.length;
      continue;
    }
    if (t.dtype !== 'F32') continue;
    if (checkpoint && !name.startsWith('param/')) continue;
    params.set(checkpoint ? name.slice('param/'.length) : name, {
      shape: t.shape,
      data: t.data as Float32Array,
    });
  }
  // a checkpoint carries no spec, but its masks say whether the model is sparse (a dense trial's are all ones)
  let sparsity: number | null = checkpoint && maskSize > 0 ? maskZeros / maskSize : null;
  let model: Record<string, unknown> | null = null;
  let examples: number | null = null;
  try {
    const spec = JSON.parse(metadata.spec ?? 'null') as {
      sparsity?: unknown;
      model?: unknown;
      steps?: unknown;
      batch_size?: unknown;
    } | null;
    if (typeof spec?.sparsity === 'number') sparsity = spec.sparsity;
    if (typeof spec?.model === 'object' && spec.model !== null) model = spec.model as Record<string, unknown>;
    if (Number.isInteger(spec?.steps) && Number.isInteger(spec?.batch_size))
      examples = (spec!.steps as number) * (spec!.batch_size as number);
  } catch {
    // a file without a readable spec: nothing to check
  }
  return { params, sparsity, sha256, trialId: namedTrial(metadata), model, examples };
}

/** The trial a weights file (`trial_id`) or a checkpoint (its training state) names, or null. */
function namedTrial(metadata: Record<string, string>): string | null {
  return metadata.trial_id ?? checkpointMeta(metadata)?.trial_id ?? null;
}

/**
 * Absolute path of a weights file given directly, or of trial `trial`'s final weights beside database `db`; a
 * `trial` shorter than an id is a prefix, as `runs show` takes one: the one weights file there whose trial id
 * starts with it. Throws when no file, or more than one, has such an id.
 */
export function pretrainedPath(o: { weights?: string; trial?: string; db?: string }): string {
  if (o.weights) return resolve(o.weights);
  const db = o.db ?? DEFAULT_DB;
  const trial = o.trial ?? '';
  if (trial.length >= TRIAL_ID_LENGTH) return storedWeightsPath(db, trial);
  const dir = dirname(weightsPath(db, trial));
  // the database's own weights folder, and the shared one of trials finished before there was one per database
  const folders = [dir, join(dirname(resolve(db)), 'weights')];
  const ids = [
    ...new Set(
      folders.flatMap((d) =>
        existsSync(d)
          ? readdirSync(d)
              .filter((f) => f.startsWith(trial) && f.endsWith('.safetensors'))
              .map((f) => f.slice(0, -'.safetensors'.length))
          : [],
      ),
    ),
  ].sort();
  if (ids.length === 1) return storedWeightsPath(db, ids[0]);
  throw new Error(
    ids.length === 0
      ? `no finished trial whose id starts with ${trial} has its weights in ${dir}${o.db === undefined ? ` (the default database's; options.db names the database that trained it, as sweep --db does)` : ''}`
      : `${trial} starts the ids of ${ids.length} trials whose weights are in ${dir} (${ids.slice(0, 4).join(', ')}${ids.length > 4 ? ', …' : ''}): give more of the id`,
  );
}

/** Hex digits of a trial id. */
const TRIAL_ID_LENGTH = 16;
