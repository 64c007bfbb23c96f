import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors, readSafetensorsMetadata } from '../../src/store/safetensors.js';
import { Store } from '../../src/store/store.js';
import { storedWeightsPath, writeSafetensors } from '../../src/store/weights.js';
import { checkpointPath } from '../../src/sweep/checkpoints.js';
import { cli } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

describe('runs show', () => {
  it('counts the non-zero embeddings of a trial that prunes them, as its stored weights hold', () => {
    const dir = tempDir();
    const config = writeConfig(
      `name: emb
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16, eval_interval: 10, eval_tokens: 512}
pruner: {name: gmp, distribution: {name: uniform, embeddings: true}, schedule: {interval: 2}}
sweep: {sparsity: 0.75, nonzero_params: 3000, tokens: 4096}
`,
      'c.yaml',
      dir,
    );
    const db = join(dir, 's.db');
    expect(cli(['sweep', config, '--db', db]).code).toBe(0);
    const id = (
      JSON.parse(cli(['runs', 'list', '--db', db, '--json']).stdout) as { trials: { id: string }[] }
    ).trials[0].id;
    const { tensors } = readSafetensors(storedWeightsPath(db, id));
    let all = 0;
    let nonzero = 0;
    for (const name of ['tok_emb', 'pos_emb']) {
      const data = tensors.get(name)!.data as Float32Array;
      all += data.length;
      nonzero += data.filter((v) => v !== 0).length;
    }
    expect(nonzero).toBeLessThan(all);
    const shown = cli(['runs', 'show', id, '--db', db]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`(embeddings ${all}, not in N; ${nonzero} of them non-zero: pruned)`);
  });
});

describe('runs show of an unfinished trial', () => {
  it('says where a rerun takes it up: from its checkpoint, read from the header, or from step 0', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a, b] = plan.trials.map((t) => t.id);
    const db = join(dir, 's.db');
    const store = Store.open(db, { create: true });
    store.saveSweep(plan);
    const lease = { retryFailed: true, leaseMs: 1000 };
    store.claimTrial(a, 'o', lease);
    store.endTrial(a, 'o', 'interrupted', { step: 7, lastPoints: [] });
    store.claimTrial(b, 'o', lease);
    store.endTrial(b, 'o', 'failed', { error: 'boom', step: 3, lastPoints: [] });
    store.close();
    writeSafetensors(
      checkpointPath(db, a),
      { params: [{ name: 'w', shape: [1], data: Float32Array.of(1) }], masks: new Map() },
      { sparsebench_checkpoint: JSON.stringify({ step: 7, adam_step: 7 }) },
    );
    expect(cli(['runs', 'show', a, '--db', db]).stdout).toContain(
      'resume    stopped at step 7; checkpoint at step 7: a rerun resumes from there',
    );
    expect(cli(['runs', 'show', b, '--db', db]).stdout).toContain(
      'resume    no checkpoint: a rerun with --retry-failed trains it from step 0',
    );
    // a file that is not a checkpoint is not read as one
    writeFileSync(checkpointPath(db, b), 'not safetensors');
    expect(readSafetensorsMetadata(checkpointPath(db, b))).toBeNull();
    expect(cli(['runs', 'show', b, '--db', db]).stdout).toContain('no checkpoint');
  });
});

describe('models and runs show', () => {
  it("name a classifier's output head beside its embeddings, both left out of N", () => {
    const r = cli(['models', 'vit', '--nonzero', '15k', '--sparsity', '0.75']);
    expect(r.code, r.stderr).toBe(0);
    const m =
      /total (\d+) parameters, embeddings (\d+) and output head (\d+) \(not in N\); D counts images/.exec(
        r.stdout,
      );
    expect(m).not.toBeNull();
    // the head: d_model × 10 classes and 10 biases
    const d = Number(/d_model (\d+)/.exec(r.stdout)?.[1]);
    expect(Number(m![3])).toBe(d * 10 + 10);
    // a planned vit trial says the same in runs show
    const db = join(tempDir(), 'v.db');
    const plan = planOf(
      'name: v\nmodel: {family: vit, patch_size: 4}\ndata: {source: synthetic-images, size: 8, train_images: 100}\n' +
        'train: {batch_size: 8}\nsweep: {sparsity: 0, nonzero_params: 3000, tokens: 400}\n',
    );
    const store = Store.open(db, { create: true });
    store.saveSweep(plan);
    store.close();
    const shown = cli(['runs', 'show', plan.trials[0].id, '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    const head = /output head (\d+), not in N\)/.exec(shown.stdout);
    expect(head, shown.stdout).not.toBeNull();
    const { d_model, classes } = plan.trials[0].spec.model as { d_model: number; classes: number };
    expect(Number(head![1])).toBe(d_model * classes + classes);
  });
});
