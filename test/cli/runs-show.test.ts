import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/store/safetensors.js';
import { storedWeightsPath } from '../../src/store/weights.js';
import { cli } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/config.js';

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
    expect(shown.stdout).toContain(`(embeddings ${all}, ${nonzero} of them non-zero: pruned)`);
  });
});
