import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/config/load.js';
import { loadCorpus, loadImages } from '../../src/data/spec.js';
import { Store } from '../../src/store/store.js';
import type { SweepReporter } from '../../src/sweep/progress.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { InProcessRunner } from '../../src/sweep/trial-runner.js';
import { cli } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/config.js';
import { idxImages, idxLabels } from '../helpers/idx.js';

/** Prose long enough for a few windows of 16 tokens in each split. */
const TEXT = Array.from({ length: 400 }, (_, i) => `line ${i} of a small corpus, with words.\n`).join('');

function textConfig(dir: string): string {
  writeFileSync(join(dir, 'corpus.txt'), TEXT);
  return writeConfig(
    `name: t
data: {source: text, path: corpus.txt, chunk_bytes: 512}
train: {batch_size: 4, seq_len: 16, eval_interval: 10, eval_tokens: 256}
sweep: {sparsity: 0, nonzero_params: 3k, tokens: 2048}
`,
    'c.yaml',
    dir,
  );
}

/** A two-image IDX set (2x2 pixels) with its labels, as train and validation files. */
function writeIdx(dir: string): void {
  const [img, lab] = [idxImages(), idxLabels([0, 1])];
  const held = Buffer.from(img);
  held[held.length - 1] ^= 1; // other images than training's, or the plan refuses them as no held-out set
  for (const [name, b] of [
    ['ti', img],
    ['tl', lab],
    ['vi', held],
    ['vl', lab],
  ] as const)
    writeFileSync(join(dir, name), b);
}

describe("a user's data files are checked against the trial's content hash when loaded", () => {
  it('text: loads as planned; an edited or missing file is refused, naming the file', () => {
    const dir = tempDir();
    const { spec } = loadSweep(textConfig(dir)).trials[0];
    expect(loadCorpus(spec.data).train.length).toBeGreaterThan(0);
    appendFileSync(join(dir, 'corpus.txt'), 'one more line\n');
    expect(() => loadCorpus(spec.data)).toThrow(
      new RegExp(`data changed since this trial was planned: ${join(dir, 'corpus.txt')} now hashes to`),
    );
    rmSync(join(dir, 'corpus.txt'));
    expect(() => loadCorpus(spec.data)).toThrow(/data for this trial cannot be read: .*ENOENT/);
  });

  it('idx: any of the four files', () => {
    const dir = tempDir();
    writeIdx(dir);
    const config = writeConfig(
      `name: i
model: {family: vit, patch_size: 1}
data: {source: idx, train_images: ti, train_labels: tl, validation_images: vi, validation_labels: vl}
train: {batch_size: 2, eval_tokens: 2}
sweep: {sparsity: 0, nonzero_params: 2k, tokens: 8}
`,
      'c.yaml',
      dir,
    );
    const { spec } = loadSweep(config).trials[0];
    expect(loadImages(spec.data).train.count).toBe(2);
    const vl = readFileSync(join(dir, 'vl'));
    vl[9] = 0; // relabel a validation image
    writeFileSync(join(dir, 'vl'), vl);
    expect(() => loadImages(spec.data)).toThrow(/data changed since this trial was planned: .*vl now hash/);
  });

  it('a resumed trial whose file changed keeps its checkpoint: restored, --retry-failed resumes from it', async () => {
    const dir = tempDir();
    const plan = loadSweep(textConfig(dir)); // 32 steps
    const store = Store.open(join(dir, 's.db'), { create: true });
    let step = 0;
    const starts: number[] = [];
    const reporter: SweepReporter = {
      start() {},
      stop() {},
      trialEnd() {},
      trialStart(_t, _i, from) {
        starts.push(from);
      },
      trialProgress(p) {
        step = p.step;
      },
    };
    try {
      // stopped at step 20, checkpointed every 10 steps
      const stop = () => step >= 20;
      await runSweep(plan, store, {
        checkpointSteps: 10,
        shouldStop: stop,
        runners: [new InProcessRunner(stop)],
        reporter,
      });
      expect(store.listTrials('t')[0].status).toBe('interrupted');
      const text = readFileSync(join(dir, 'corpus.txt'));
      appendFileSync(join(dir, 'corpus.txt'), 'edited\n');
      await runSweep(plan, store, { reporter });
      const failed = store.listTrials('t')[0];
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(
        /data changed since this trial was planned.*its checkpoint is kept, and --retry-failed resumes from it/,
      );
      writeFileSync(join(dir, 'corpus.txt'), text);
      step = 0;
      await runSweep(plan, store, { retryFailed: true, reporter });
      expect(store.listTrials('t')[0].status).toBe('finished');
      expect(starts.at(-1)).toBe(20);
    } finally {
      store.close();
    }
  });

  it('end to end: a planned trial whose file changed before its task ran fails with the reason', () => {
    const dir = tempDir();
    const config = textConfig(dir);
    const plan = join(dir, 'plan.json');
    expect(cli(['plan', config, '--out', plan]).code).toBe(0);
    const original = readFileSync(join(dir, 'corpus.txt'));
    appendFileSync(join(dir, 'corpus.txt'), 'edited after planning\n');
    const shard = join(dir, 'shard.db');
    const r = cli(['run-trial', plan, '--index', '0', '--db', shard]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data changed since this trial was planned: .*corpus\.txt now hashes? to/);
    expect(cli(['runs', 'list', '--db', shard]).stdout).toMatch(/failed/);
    // the file restored, the task is run again: the failure stands until asked to retry
    writeFileSync(join(dir, 'corpus.txt'), original);
    const again = cli(['run-trial', plan, '--index', '0', '--db', shard]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/trial 0 failed in an earlier run; --retry-failed trains it again/);
    const retried = cli(['run-trial', plan, '--index', '0', '--db', shard, '--retry-failed']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/: finished, val loss/);
  });
});
