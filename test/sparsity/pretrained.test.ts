import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/config/load.js';
import type { LmShape } from '../../src/models/lm.js';
import { families } from '../../src/models/registry.js';
import type { T5Shape } from '../../src/models/t5.js';
import { readPretrained } from '../../src/sparsity/pretrained.js';
import type { Pruner } from '../../src/sparsity/pruner.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';
import { weightsPath, writeSafetensors } from '../../src/store/weights.js';
import { encodeCheckpoint } from '../../src/sweep/checkpoints.js';
import { prunerInitialParams } from '../../src/train/mask-application.js';
import type { TrainState } from '../../src/train/state.js';
import { Rng } from '../../src/util/rng.js';
import { planOf, tempDir, writeConfig } from '../helpers/config.js';

const infos = [{ name: 'w', shape: [2, 4], role: 'mlp' as const, prunable: true, decay: true }];

/** A checkpoint file of trial `trialId` whose one prunable layer holds `mask`. */
function checkpointWith(mask: number[], trialId = '0123456789abcdef'): string {
  const rng = Rng.seeded(0).state();
  const state: TrainState = {
    step: 3,
    params: new Map([['w', Float32Array.from(mask, (m, i) => m * (i + 1))]]),
    adam: { step: 3, slots: new Map([['w', { m: new Float32Array(8), v: new Float32Array(8) }]]) },
    pruner: { masks: [Uint8Array.from(mask)], algorithm: null, lastUpdate: 2 },
    dataRng: rng,
    pruneRng: rng,
    loss: 1,
    valLoss: null,
    wallSeconds: 1,
  };
  const path = join(tempDir(), 'c.safetensors');
  writeFileSync(path, encodeCheckpoint(trialId, state, infos));
  return path;
}

describe('pretrained weights from a checkpoint', () => {
  it("reads a checkpoint's sparsity from its masks (it names no trial spec)", () => {
    expect(readPretrained(checkpointWith([1, 1, 1, 1, 1, 1, 1, 1])).sparsity).toBe(0);
    expect(readPretrained(checkpointWith([1, 0, 0, 1, 0, 0, 0, 1])).sparsity).toBe(0.625);
  });

  it('from-dense refuses the checkpoint of a sparse trial, as it refuses its weights file', () => {
    const sparse = checkpointWith([1, 0, 0, 1, 0, 0, 0, 1]);
    const cfg = { name: 'from-dense', options: { weights: sparse } };
    expect(() => resolvePrunerSpec(cfg, 0.5)).toThrow(/sparsity 0\.625, not a dense one/);
    const dense = checkpointWith([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(resolvePrunerSpec({ name: 'from-dense', options: { weights: dense } }, 0.5).name).toBe(
      'from-dense',
    );
  });
});

describe('from-dense by trial id', () => {
  const id = 'fedcba9876543210';
  const config = (options: string) =>
    writeConfig(`name: fd
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16}
pruner: {name: from-dense, options: {trial: ${id}${options}}}
sweep: {sparsity: 0.5, nonzero_params: 3000, tokens: 4096}
`);

  it("looks for the trial's weights beside the sweep's database, or the database its options name", () => {
    const db = join(tempDir(), 'study.db');
    mkdirSync(dirname(weightsPath(db, id)), { recursive: true });
    copyFileSync(checkpointWith([1, 1, 1, 1, 1, 1, 1, 1], id), weightsPath(db, id));
    // found (and read) beside --db: the dense file is a stand-in whose one layer is no lm's, so planning stops there
    expect(() => loadSweep(config(''), { db })).toThrow(`${weightsPath(db, id)} has no`);
    // a db option wins over --db
    const other = join(tempDir(), 'other.db');
    expect(() => loadSweep(config(`, db: ${other}`), { db })).toThrow(
      `no such file: ${weightsPath(other, id)}`,
    );
  });

  it('takes a unique prefix of the trial id, as runs show does, and says when it names none or several', () => {
    const db = join(tempDir(), 'study.db');
    mkdirSync(dirname(weightsPath(db, id)), { recursive: true });
    copyFileSync(checkpointWith([1, 1, 1, 1, 1, 1, 1, 1], id), weightsPath(db, id));
    const withTrial = (trial: string) =>
      writeConfig(readFileSync(config(''), 'utf8').replace(`trial: ${id}`, `trial: "${trial}"`));
    // found by its first digits: read, as the whole id is
    expect(() => loadSweep(withTrial('fedc'), { db })).toThrow(`${weightsPath(db, id)} has no`);
    expect(() => loadSweep(withTrial('abcd'), { db })).toThrow(
      `no finished trial whose id starts with abcd has its weights in ${dirname(weightsPath(db, id))}`,
    );
    // without a database (plan has no --db), the default one is read, and the message says how to name another
    expect(() => loadSweep(withTrial('abcd'))).toThrow(
      "(the default database's; options.db names the database that trained it, as sweep --db does)",
    );
    copyFileSync(weightsPath(db, id), weightsPath(db, 'fedc000000000000'));
    expect(() => loadSweep(withTrial('fedc'), { db })).toThrow(
      `fedc starts the ids of 2 trials whose weights are in ${dirname(weightsPath(db, id))} (fedc000000000000, fedcba9876543210): give more of the id`,
    );
    expect(() => loadSweep(withTrial('fed'), { db })).toThrow(
      'a trial id: 16 hex digits, or the first 4 or more of them',
    );
  });

  it("refuses a file under the trial's name that holds another trial's weights", () => {
    const db = join(tempDir(), 'study.db');
    mkdirSync(dirname(weightsPath(db, id)), { recursive: true });
    copyFileSync(checkpointWith([1, 1, 1, 1, 1, 1, 1, 1]), weightsPath(db, id));
    expect(() => loadSweep(config(''), { db })).toThrow(
      `${weightsPath(db, id)} holds the weights of trial 0123456789abcdef, not of ${id}`,
    );
  });

  it('reads weights and db written in the config from its folder, as data paths are', () => {
    const dir = tempDir();
    copyFileSync(checkpointWith([1, 1, 1, 1, 1, 1, 1, 1]), join(dir, 'dense.safetensors'));
    const text = readFileSync(config(''), 'utf8');
    const byFile = writeConfig(text.replace(`trial: ${id}`, 'weights: dense.safetensors'), 'fd.yaml', dir);
    // found beside the config (wherever the command runs): the stand-in is no lm, so planning stops there
    expect(() => loadSweep(byFile)).toThrow(`${join(dir, 'dense.safetensors')} has no`);
    const byDb = writeConfig(text.replace(`trial: ${id}`, `trial: ${id}, db: s.db`), 'fd-db.yaml', dir);
    expect(() => loadSweep(byDb, { db: join(tempDir(), 'cli.db') })).toThrow(
      `no such file: ${weightsPath(join(dir, 's.db'), id)}`,
    );
  });

  it('reads a relative --db from where the command runs, not from the config folder', () => {
    const cwd = tempDir();
    const dir = join(cwd, 'sub');
    mkdirSync(dir);
    const text = readFileSync(config(''), 'utf8');
    const byTrial = writeConfig(text, 'fd.yaml', dir);
    const here = process.cwd();
    process.chdir(cwd);
    try {
      expect(() => loadSweep(byTrial, { db: 'sub/study.db' })).toThrow(
        `no such file: ${weightsPath(join(cwd, 'sub', 'study.db'), id)}`,
      );
    } finally {
      process.chdir(here);
    }
  });
});

describe('pretrained weights against the model they start', () => {
  const infos = [{ name: 'w', shape: [2, 2] }];
  const from = (weights: Record<string, number[]>) =>
    prunerInitialParams(
      {
        initialWeights: () => new Map(Object.entries(weights).map(([k, v]) => [k, Float32Array.from(v)])),
      } as unknown as Pruner,
      infos,
    );

  it('takes exactly the model parameters: none missing, none of the wrong size, none left over', () => {
    expect(from({ w: [1, 2, 3, 4] })!.get('w')).toEqual(Float32Array.from([1, 2, 3, 4]));
    expect(() => from({})).toThrow('pretrained weights: w is missing, the model needs 4');
    expect(() => from({ w: [1, 2] })).toThrow('pretrained weights: w is 2 values, the model needs 4');
    // an untied source's head for a tied model would otherwise be dropped without a word
    expect(() => from({ w: [1, 2, 3, 4], head: [1] })).toThrow(
      'pretrained weights: head is not in this model, whose source was trained with it',
    );
  });
});

describe('from-dense against the dense trial it names', () => {
  const text = (pruner: string, extra = '') => `name: fd
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
model: {family: lm${extra}}
train: {batch_size: 8, seq_len: 16}
pruner: ${pruner}
sweep: {sparsity: 0.5, nonzero_params: 3000, tokens: 4096}
`;

  /**
   * A dense weights file of model `model` whose spec says so, or, with `named` false, that names no model (as a
   * checkpoint); `extra` adds a parameter the model does not have.
   */
  function denseFile(model: Record<string, unknown>, named = true, extra = false): string {
    const params = families[model.family as 'lm'].model.params(model as unknown as LmShape).map((p) => ({
      name: p.name,
      shape: p.shape,
      data: new Float32Array(p.shape.reduce((a, b) => a * b, 1)),
    }));
    if (extra) params.push({ name: 'head.w', shape: [2, 2], data: new Float32Array(4) });
    const path = join(tempDir(), 'dense.safetensors');
    const meta: Record<string, string> = named ? { spec: JSON.stringify({ sparsity: 0, model }) } : {};
    writeSafetensors(path, { params, masks: new Map() }, meta);
    return path;
  }

  it('refuses one whose model differs where the shapes cannot tell (the heads q, k and v are cut into)', () => {
    const model = planOf(text('{name: gmp}')).trials[0].spec.model as LmShape;
    const fromDense = (file: string) => text(`{name: from-dense, options: {weights: ${file}}}`);
    expect(planOf(fromDense(denseFile({ ...model }))).trials).toHaveLength(1);
    const heads = model.n_heads * 2;
    expect(() => planOf(fromDense(denseFile({ ...model, n_heads: heads })))).toThrow(
      `holds a model with n_heads ${heads} where this trial's has ${model.n_heads}: prune a dense trial of this trial's model`,
    );
  });

  it('refuses, when the trial is planned, a file that names no model but whose other parameters do not fit', () => {
    const model = planOf(text('{name: gmp}')).trials[0].spec.model as LmShape;
    const fromDense = (file: string) => text(`{name: from-dense, options: {weights: ${file}}}`);
    expect(planOf(fromDense(denseFile({ ...model }, false))).trials).toHaveLength(1);
    // the prunable layers are the same; the embedding is not (vocab 32 against the data's 16)
    expect(() => planOf(fromDense(denseFile({ ...model, vocab_size: 32 }, false)))).toThrow(
      `has tok_emb of shape [32,${model.d_model}], this trial's model needs [16,${model.d_model}]: prune a dense trial of this trial's model`,
    );
    expect(() => planOf(fromDense(denseFile({ ...model }, false, true)))).toThrow(
      "has head.w, which this trial's model has no place for (an untied head for a tied model?)",
    );
  });

  it('takes a t5 of the same network whatever its span layout, and a spec that wrote the tied head out', () => {
    const t5 = text('{name: gmp}').replace('family: lm', 'family: t5').replace('3000', '6000');
    const model = planOf(t5).trials[0].spec.model as T5Shape;
    expect(model.tied_embeddings).toBeUndefined();
    const older = denseFile({
      ...model,
      tied_embeddings: true,
      noise_density: 0.3,
      input_len: model.input_len + 1,
    });
    const fromDense = t5.replace('{name: gmp}', `{name: from-dense, options: {weights: ${older}}}`);
    expect(planOf(fromDense).trials).toHaveLength(1);
    const untied = denseFile({ ...model, tied_embeddings: false });
    expect(() =>
      planOf(t5.replace('{name: gmp}', `{name: from-dense, options: {weights: ${untied}}}`)),
    ).toThrow("holds a model with tied_embeddings false where this trial's has true");
  });
});
