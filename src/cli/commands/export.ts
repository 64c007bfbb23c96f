import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { isSafetensorsFile, readSafetensors } from '../../store/safetensors.js';
import { Store } from '../../store/store.js';
import type { TrialRecord } from '../../store/types.js';
import { storedWeightsPath, type WeightSet, writeSafetensors } from '../../store/weights.js';
import { assertNotDatabase, assertNotStoreFile, assertReplaceable } from '../../util/out-guard.js';

/** Names of other weight formats: a file named so would not be what its name says. */
const OTHER_FORMATS = [
  '.npz',
  '.npy',
  '.pt',
  '.pth',
  '.bin',
  '.h5',
  '.hdf5',
  '.ckpt',
  '.pkl',
  '.msgpack',
  '.onnx',
];

export interface ExportOptions {
  db: string;
  out: string;
}

/** A finished trial's final weights and masks as stored beside the database; masked values forced to 0. */
export function trialWeights(dbPath: string, t: TrialRecord): WeightSet {
  const path = storedWeightsPath(dbPath, t.id);
  if (!existsSync(path)) {
    throw new UsageError(
      `trial ${t.id} has no weights file at ${path}: it was deleted or moved, the trial finished before weights were saved, or it was merged from a shard without its weights folder (merge said so; copy that folder beside the shard's database and merge again)`,
    );
  }
  let tensors: ReturnType<typeof readSafetensors>['tensors'];
  let metadata: Record<string, string>;
  try {
    ({ tensors, metadata } = readSafetensors(path));
  } catch (e) {
    throw new UsageError(
      `the weights file of trial ${t.id}, ${path}, cannot be read (${(e as Error).message}): damaged? Train the trial again, or restore the file from a copy`,
    );
  }
  // a file copied or written over it would be exported under this trial's id and spec
  const named = (metadata as Record<string, string> | null)?.trial_id;
  if (named !== undefined && named !== t.id)
    throw new UsageError(
      `the weights file of trial ${t.id}, ${path}, holds the weights of trial ${named}: written over? Train the trial again, or restore the file from a copy`,
    );
  const masks = new Map<string, Uint8Array>();
  for (const [name, tensor] of tensors) {
    if (name.endsWith('.mask')) masks.set(name.slice(0, -'.mask'.length), tensor.data as Uint8Array);
  }
  const params: WeightSet['params'] = [];
  for (const [name, tensor] of tensors) {
    if (name.endsWith('.mask') || tensor.dtype !== 'F32') continue;
    const data = Float32Array.from(tensor.data as Float32Array);
    const mask = masks.get(name);
    if (mask) for (let i = 0; i < data.length; i++) if (!mask[i]) data[i] = 0; // exact zeros, -0 included
    params.push({ name, shape: tensor.shape, data });
  }
  return { params, masks };
}

/** Metadata of an exported file: the trial spec and what it achieved, as strings (safetensors metadata). */
function exportMetadata(t: TrialRecord): Record<string, string> {
  const meta: Record<string, string> = {
    format: 'sparsebench',
    trial_id: t.id,
    spec: JSON.stringify(t.spec),
    pruner: JSON.stringify(t.spec.pruner),
    sparsity: String(t.sparsity),
  };
  if (t.achievedSparsity !== null) meta.achieved_sparsity = String(t.achievedSparsity);
  if (t.nonzeroParams !== null) meta.nonzero_params = String(t.nonzeroParams);
  if (t.finalValLoss !== null) meta.final_val_loss = String(t.finalValLoss);
  if (t.tokens !== null) meta.tokens = String(t.tokens);
  return meta;
}

/**
 * `sparsebench runs export <id> --out model.safetensors`: a finished trial's trained weights (masked values
 * exact zeros) and its masks (`<name>.mask`, uint8) in the safetensors format, with the trial spec and
 * results in the metadata, so any framework can load the sparse model.
 */
export async function exportCommand(id: string, opts: ExportOptions): Promise<number> {
  const other = OTHER_FORMATS.find((ext) => opts.out.toLowerCase().endsWith(ext));
  if (other)
    throw new UsageError(
      `--out ${opts.out}: runs export writes safetensors, not ${other.slice(1)}; name the file .safetensors (every framework reads it: safetensors.numpy.load_file, safetensors.torch.load_file)`,
    );
  const store = Store.open(opts.db, { create: false, read: 'upgrading' });
  let t: TrialRecord | null;
  try {
    t = store.findTrial(id.toLowerCase());
  } finally {
    store.close();
  }
  if (!t) throw new UsageError(`no trial with id "${id}" in ${opts.db}; see "sparsebench runs list"`);
  if (t.status !== 'finished') {
    throw new UsageError(`trial ${t.id} is ${t.status}; only finished trials have final weights to export`);
  }
  const w = trialWeights(opts.db, t);
  assertNotDatabase('--out', opts.out);
  assertNotStoreFile('--out', opts.out);
  const out = resolve(opts.out);
  if (existsSync(out) && statSync(out).isDirectory())
    throw new UsageError(
      `--out ${opts.out}: is a directory; give a file path, e.g. ${join(opts.out, `${t.id}.safetensors`)}`,
    );
  assertReplaceable('--out', opts.out, 'safetensors', isSafetensorsFile);
  const replaced = existsSync(out);
  try {
    writeSafetensors(opts.out, w, exportMetadata(t));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`--out ${opts.out}: cannot write the file (${err.code ?? err.message})`);
  }
  const values = w.params.reduce((a, p) => a + p.data.length, 0);
  process.stdout.write(
    `exported trial ${t.id} (${t.pruner}, sparsity ${t.sparsity}) to ${opts.out}${replaced ? ' (replacing the safetensors file there)' : ''}: ${w.params.length} tensors, ${values} values, ${w.masks.size} masks\n`,
  );
  return 0;
}
