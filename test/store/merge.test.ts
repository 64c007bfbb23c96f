import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { trialWeights } from '../../src/cli/commands/export.js';
import { UsageError } from '../../src/errors.js';
import { betterRecord, mergeDatabases } from '../../src/store/merge.js';
import { Store } from '../../src/store/store.js';
import { removedFrom } from '../../src/store/sweep-overview.js';
import { weightsPath, writeSafetensors } from '../../src/store/weights.js';
import { checkpointPath } from '../../src/sweep/checkpoints.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';
import { trialResult } from '../helpers/trial-result.js';

const result = (loss: number) => trialResult({ finalValLoss: loss, finalTrainLoss: loss });

/** A shard at `<dir>/<name>/x.db` holding only the sweep of `plan` (its trials pending), recorded now. */
function planShard(dir: string, name: string, plan: ReturnType<typeof planOf>): string {
  const s = Store.open(join(dir, name, 'x.db'), { create: true });
  s.saveSweep(plan);
  s.close();
  return join(dir, name, 'x.db');
}

describe('merge', () => {
  it('notes a trial a shard still has running: merged as it stands, to merge again once its task ends', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a] = plan.trials.map((t) => t.id);
    const shard = Store.open(join(dir, 's', 'x.db'), { create: true });
    shard.saveSweep(plan);
    shard.claimTrial(a, 'node7:42:abc', { retryFailed: false, leaseMs: 1000 });
    shard.appendMetrics(a, 'node7:42:abc', [{ name: 'train_loss', step: 1, tokens: 8, value: 3 }]);
    shard.close();
    const r = mergeDatabases(join(dir, 'study.db'), [join(dir, 's', 'x.db')]);
    expect(r.notes).toEqual([
      `${join(dir, 's', 'x.db')}: 1 trial (${a.slice(0, 8)}) is still running there (a task still training, or killed): merged as it stands; merge again once the task has ended`,
    ]);
  });

  it('keeps the best record per trial with its metrics and weights, and is idempotent', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a, b] = plan.trials.map((t) => t.id);
    const lease = { retryFailed: true, leaseMs: 1000 };
    // shard 1: a finished, b failed; shard 2: b finished
    const s1 = Store.open(join(dir, 's1', 'x.db'), { create: true });
    s1.saveSweep(plan);
    s1.claimTrial(a, 'o', lease);
    s1.finishTrial(a, 'o', result(1.5), [{ name: 'val_loss', step: 2, tokens: 100, value: 1.5 }]);
    writeSafetensors(
      weightsPath(s1.path, a),
      { params: [{ name: 'w', shape: [1], data: Float32Array.of(1) }], masks: new Map() },
      {},
    );
    s1.claimTrial(b, 'o', lease);
    s1.endTrial(b, 'o', 'failed', {
      error: 'nan',
      step: 1,
      lastPoints: [{ name: 'train_loss', step: 1, tokens: 50, value: 9 }],
    });
    s1.close();
    const s2 = Store.open(join(dir, 's2', 'x.db'), { create: true });
    s2.saveSweep(plan);
    s2.claimTrial(b, 'o', lease);
    s2.finishTrial(b, 'o', result(1.2), [{ name: 'val_loss', step: 2, tokens: 100, value: 1.2 }]);
    s2.close();

    const into = join(dir, 'main', 'study.db');
    const first = mergeDatabases(into, [join(dir, 's1', 'x.db'), join(dir, 's2', 'x.db')]);
    expect(first).toMatchObject({ added: 2, updated: 1, unchanged: 1 });
    const m = Store.open(into, { create: false });
    expect(m.findTrial(a)).toMatchObject({ status: 'finished', finalValLoss: 1.5 });
    expect(m.findTrial(b)).toMatchObject({ status: 'finished', finalValLoss: 1.2, error: null });
    expect(m.metrics(b)).toEqual([{ name: 'val_loss', step: 2, tokens: 100, value: 1.2 }]); // the failed attempt's are gone
    expect(m.listTrials('tiny').map((t) => t.id)).toEqual([a, b]);
    m.close();
    expect(existsSync(weightsPath(into, a))).toBe(true);

    const again = mergeDatabases(into, [join(dir, 's1', 'x.db'), join(dir, 's2', 'x.db')]);
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 4 });
    expect(() => mergeDatabases(into, [into])).toThrow(/is the target of the merge/);
    expect(() => mergeDatabases(into, [join(dir, 'nope.db')])).toThrow(/nope\.db: no such shard database/);
  });
});

const weights = () => ({ params: [{ name: 'w', shape: [1], data: Float32Array.of(1) }], masks: new Map() });
const lease = { retryFailed: true, leaseMs: 1000 };

describe('which record a merge keeps', () => {
  it('refuses the target under another name, and a damaged shard before writing anything', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const into = join(dir, 'study.db');
    const study = Store.open(into, { create: true });
    study.saveSweep(plan);
    study.close();
    symlinkSync(into, join(dir, 'link.db'));
    linkSync(into, join(dir, 'hard.db'));
    // before, both waited out the 60 s lock and failed with SQLite's "database is locked"
    for (const name of ['link.db', 'hard.db'])
      expect(() => mergeDatabases(into, [join(dir, name)])).toThrow(
        new UsageError(
          `${join(dir, name)} is the target of the merge (the same file under another name); list only shards`,
        ),
      );
    const good = join(dir, 'good.db');
    copyFileSync(into, good);
    const damaged = join(dir, 'damaged.db');
    const bytes = readFileSync(into);
    bytes.fill(0x47, 4096, 8192); // its second page overwritten
    writeFileSync(damaged, bytes);
    const fresh = join(dir, 'fresh.db');
    expect(() => mergeDatabases(fresh, [good, damaged])).toThrow(/damaged\.db is damaged \(/);
    expect(existsSync(fresh)).toBe(false); // the good shard was not merged before the damaged one was found
  });

  it('a finished one over any other, else the one that trained further, else by status', () => {
    const at = (status: 'finished' | 'failed' | 'interrupted' | 'running' | 'pending', step: number) => ({
      status,
      step,
    });
    expect(betterRecord(at('finished', 10), at('interrupted', 1450))).toBe(true);
    expect(betterRecord(at('failed', 2000), at('finished', 10))).toBe(false);
    expect(betterRecord(at('finished', 10), at('finished', 10))).toBe(false); // a tie keeps the target's
    // an interrupted trial at step 1,450 is not replaced by one that failed at step 0
    expect(betterRecord(at('failed', 0), at('interrupted', 1450))).toBe(false);
    expect(betterRecord(at('interrupted', 1450), at('failed', 0))).toBe(true);
    expect(betterRecord(at('failed', 5), at('interrupted', 5))).toBe(true);
    expect(betterRecord(at('pending', 0), at('running', 0))).toBe(false);
    // a checkpoint to resume from outweighs logged steps a rerun would train again from step 0
    expect(
      betterRecord({ ...at('failed', 860), resume: 0 }, { ...at('interrupted', 365), resume: 365 }),
    ).toBe(false);
    expect(
      betterRecord({ ...at('interrupted', 365), resume: 365 }, { ...at('failed', 860), resume: 0 }),
    ).toBe(true);
    expect(
      betterRecord({ ...at('interrupted', 500), resume: 400 }, { ...at('interrupted', 450), resume: 450 }),
    ).toBe(false);
  });

  it('does not trade a checkpointed record for one that logged further with no checkpoint (deleting it)', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a] = plan.trials.map((t) => t.id);
    const shardAt = (name: string, step: number, checkpoint: boolean) => {
      const s = Store.open(join(dir, name, 'x.db'), { create: true });
      s.saveSweep(plan);
      s.claimTrial(a, 'o', lease);
      s.endTrial(a, 'o', 'interrupted', {
        step,
        lastPoints: [{ name: 'train_loss', step, tokens: step * 128, value: 2 }],
      });
      if (checkpoint) {
        mkdirSync(`${s.path}.checkpoints`, { recursive: true });
        writeSafetensors(checkpointPath(s.path, a), weights(), {
          sparsebench_checkpoint: JSON.stringify({ step }),
        });
      }
      s.close();
      return join(dir, name, 'x.db');
    };
    const checkpointed = shardAt('q', 16, true);
    const further = shardAt('p', 30, false); // killed later, before its first checkpoint
    const into = join(dir, 'main', 'study.db');
    mergeDatabases(into, [checkpointed]);
    expect(existsSync(checkpointPath(into, a))).toBe(true);
    mergeDatabases(into, [further]);
    expect(existsSync(checkpointPath(into, a))).toBe(true);
    const m = Store.open(into, { create: false });
    expect(m.metrics(a, 'train_loss').map((p) => p.step)).toEqual([16]);
    m.close();
  });
});

describe('merge, stopped part-way or out of step', () => {
  it('copies the files before the record: a merge that fails leaves nothing recorded, the next one completes', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a] = plan.trials.map((t) => t.id);
    const shard = Store.open(join(dir, 's', 'x.db'), { create: true });
    shard.saveSweep(plan);
    shard.claimTrial(a, 'o', lease);
    shard.finishTrial(a, 'o', result(1.5), [{ name: 'val_loss', step: 2, tokens: 100, value: 1.5 }]);
    writeSafetensors(weightsPath(shard.path, a), weights(), {});
    shard.close();
    const into = join(dir, 'main', 'study.db');
    mkdirSync(join(dir, 'main'));
    writeFileSync(`${into}.weights`, 'a file where the weights folder goes');
    expect(() => mergeDatabases(into, [join(dir, 's', 'x.db')])).toThrow();
    const m = Store.open(into, { create: false });
    expect(m.findTrial(a)).toBeNull();
    m.close();
    rmSync(`${into}.weights`);
    expect(mergeDatabases(into, [join(dir, 's', 'x.db')])).toMatchObject({ added: 2 });
    expect(existsSync(weightsPath(into, a))).toBe(true);
    // a finished trial whose weights went missing (an older merge killed between record and files) gets them back
    rmSync(weightsPath(into, a));
    expect(mergeDatabases(into, [join(dir, 's', 'x.db')])).toMatchObject({ added: 0, updated: 0 });
    expect(existsSync(weightsPath(into, a))).toBe(true);
  });

  it('keeps the record that trained further with its checkpoint; a taken record brings its own checkpoint or none', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a, b] = plan.trials.map((t) => t.id);
    const into = join(dir, 'main', 'study.db');
    const study = Store.open(into, { create: true });
    study.saveSweep(plan);
    for (const id of [a, b]) {
      study.claimTrial(id, 'o', lease);
      study.endTrial(id, 'o', 'interrupted', {
        step: 20,
        lastPoints: [{ name: 'train_loss', step: 20, tokens: 2560, value: 2 }],
      });
      mkdirSync(join(`${into}.checkpoints`), { recursive: true });
      writeFileSync(checkpointPath(into, id), `study checkpoint of ${id}`);
    }
    study.close();
    // the shard: a failed at step 0 (its worker was killed), b finished
    const shard = Store.open(join(dir, 's', 'x.db'), { create: true });
    shard.saveSweep(plan);
    shard.claimTrial(a, 'o', lease);
    shard.endTrial(a, 'o', 'failed', { error: 'worker died', step: 0, lastPoints: [] });
    shard.claimTrial(b, 'o', lease);
    shard.finishTrial(b, 'o', result(1.2), [{ name: 'val_loss', step: 32, tokens: 4096, value: 1.2 }]);
    writeSafetensors(weightsPath(shard.path, b), weights(), {});
    shard.close();
    expect(mergeDatabases(into, [join(dir, 's', 'x.db')])).toMatchObject({
      updated: 1,
      unchanged: 1,
      shards: [{ trials: 2, finished: 1, taken: 1 }],
    });
    const m = Store.open(into, { create: false });
    expect(m.findTrial(a)).toMatchObject({ status: 'interrupted' });
    expect(m.metrics(a, 'train_loss')).toHaveLength(1);
    expect(m.findTrial(b)).toMatchObject({ status: 'finished' });
    m.close();
    expect(existsSync(checkpointPath(into, a))).toBe(true);
    expect(existsSync(checkpointPath(into, b))).toBe(false); // the finished record has none to resume
  });

  it('adds a shard recorded under another config to the sweep only when it is the later one, and says so', () => {
    const dir = tempDir();
    const older = planOf(tinySyntheticConfig());
    // another N: other trials (another aspect ratio would size these to the same shapes, the same trials)
    const newer = planOf(tinySyntheticConfig().replace('nonzero_params: 3000', 'nonzero_params: 4000'));
    const into = join(dir, 'main', 'study.db');
    const first = planShard(dir, 'old', older);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // recorded a few ms later
    const second = planShard(dir, 'new', newer);
    mergeDatabases(into, [first]);
    // a trial runs rm took out of the target's sweep, which the older config plans
    const target = Store.open(into, { create: false });
    target.db.prepare("INSERT INTO removed_trials VALUES ('tiny', 'feedfacefeedface', 'then')").run();
    expect(removedFrom(target, 'tiny')).toBe(1);
    target.close();
    const r = mergeDatabases(into, [second]);
    expect(r.notes).toEqual([
      expect.stringMatching(
        /sweep tiny was last run there with another config, later than in the target \(a run, even one that trains nothing, records the time\): the sweep now has that config and its trials; 2 of the target's earlier trials of it stay in the database, outside the sweep; to study them together/,
      ),
    ]);
    let m = Store.open(into, { create: false });
    expect(m.listTrials('tiny').map((t) => t.id)).toEqual(newer.trials.map((t) => t.id));
    // the newer config plans its own trials: nothing of the older one's is said to be removed from it
    expect(removedFrom(m, 'tiny')).toBe(0);
    m.close();
    // the older shard again: its trials stay out of the sweep
    const back = mergeDatabases(into, [first]);
    expect(back.notes).toEqual([
      expect.stringMatching(
        /earlier than in the target: 2 of its trials were merged into the database but not into the sweep \(fit-law and report do not see them\); to study them together, run "sparsebench sweep" on the merged database with a config whose plan holds them all/,
      ),
    ]);
    m = Store.open(into, { create: false });
    expect(m.listTrials('tiny').map((t) => t.id)).toEqual(newer.trials.map((t) => t.id));
    // and its config stays the newer one, beside the trials it planned
    expect(m.getSweep('tiny')!.config).toEqual(newer.config);
    // a plan that holds both, recorded on the merged database (as such a sweep does): the older shard's trials
    // are in the sweep, and merging it again says nothing false about them
    m.saveSweep({ ...newer, trials: [...newer.trials, ...older.trials] });
    m.close();
    expect(mergeDatabases(into, [first]).notes).toEqual([]);
  });

  it('replaces the trials of a plan of the same config that planned other trials (its data changed): never two at a point', () => {
    const dir = tempDir();
    const before = planOf(tinySyntheticConfig());
    // the same config, other trials: as when a text file it reads changed between two submissions (ids hash content)
    const other = planOf(tinySyntheticConfig().replace('nonzero_params: 3000', 'nonzero_params: 4000'));
    const after = { ...before, trials: other.trials };
    const into = join(dir, 'main', 'study.db');
    const first = planShard(dir, 'first', before);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // recorded a few ms later
    const second = planShard(dir, 'second', after);
    // a shard of the first plan merged twice, or two of its shards: one plan, linked
    expect(mergeDatabases(into, [first]).notes).toEqual([]);
    expect(mergeDatabases(into, [first]).notes).toEqual([]);
    const r = mergeDatabases(into, [second]);
    expect(r.notes).toEqual([
      expect.stringMatching(
        /sweep tiny was last run there with the same config planning other trials \(its data files changed, or another sparsebench version planned them\), later than in the target .*: the sweep now has that config and its trials; 2 of the target's earlier trials of it stay in the database, outside the sweep/,
      ),
    ]);
    const m = Store.open(into, { create: false });
    expect(m.listTrials('tiny').map((t) => t.id)).toEqual(after.trials.map((t) => t.id));
    m.close();
    // the first plan's shard again, now the earlier one: its trials stay out of the sweep
    expect(mergeDatabases(into, [first]).notes).toEqual([
      expect.stringMatching(
        /same config planning other trials .*, earlier than in the target: 2 of its trials were merged/,
      ),
    ]);
    // a later plan of the same config that holds only some of the sweep's trials is another plan too
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    const fewer = planShard(dir, 'fewer', { ...after, trials: after.trials.slice(0, 1) });
    expect(mergeDatabases(into, [fewer]).notes).toEqual([
      expect.stringMatching(
        /same config planning other trials .*later than in the target.*1 of the target's earlier trials/,
      ),
    ]);
    const f = Store.open(into, { create: false });
    expect(f.listTrials('tiny').map((t) => t.id)).toEqual([after.trials[0].id]);
    f.close();
  });

  it('says which finished records come without weights, and which trials finished twice with another loss', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a, b] = plan.trials.map((t) => t.id);
    const shard = (name: string, losses: [number, number], weights: boolean) => {
      const s = Store.open(join(dir, name, 'x.db'), { create: true });
      s.saveSweep(plan);
      for (const [i, id] of [a, b].entries()) {
        s.claimTrial(id, 'o', lease);
        s.finishTrial(id, 'o', result(losses[i]), []);
        if (weights)
          writeSafetensors(
            weightsPath(s.path, id),
            { params: [{ name: 'w', shape: [1], data: Float32Array.of(losses[i]) }], masks: new Map() },
            {},
          );
      }
      s.close();
      return join(dir, name, 'x.db');
    };
    const bare = shard('bare', [1.5, 1.2], false);
    const into = join(dir, 'main', 'study.db');
    const first = mergeDatabases(into, [bare]);
    expect(first.notes).toEqual([
      `${bare}: 2 finished trials (${a.slice(0, 8)}, ${b.slice(0, 8)}) have no weights file beside it, in ${join(dir, 'bare', 'x.db.weights')}: the records are merged without final weights, so "runs export" cannot export them; copy the shard's weights folder with its database and merge again to bring them`,
    ]);
    const m = Store.open(into, { create: false });
    expect(() => trialWeights(into, m.findTrial(a)!)).toThrow(
      /merged from a shard without its weights folder/,
    );
    m.close();
    // the same trials finished elsewhere: the weights come (the target had none), the records do not, and
    // the second result of b is named
    const other = shard('other', [1.5, 1.25], true);
    const second = mergeDatabases(into, [other]);
    expect(second).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    expect(second.notes).toEqual([
      `${other}: 1 trial finished there and in the target with another final validation loss (${b.slice(0, 8)}: 1.2 kept, 1.25 not): the same trial trained twice did not give the same result (another backend or machine?); the target's record, merged first, is kept`,
    ]);
    expect(existsSync(weightsPath(into, a))).toBe(true);
    // a truncated weights file is not copied on, and the note says so
    const cut = shard('cut', [1.5, 1.2], true);
    const file = weightsPath(cut, a);
    truncateSync(file, 20);
    const fresh = join(dir, 'fresh', 'study.db');
    const third = mergeDatabases(fresh, [cut]);
    expect(third.notes).toHaveLength(1);
    expect(third.notes[0]).toContain(
      `${cut}: the weights file of 1 finished trial (${a.slice(0, 8)}) cannot be read (${file}: `,
    );
    expect(third.notes[0]).toContain('so it was not copied');
    expect(existsSync(weightsPath(fresh, a))).toBe(false);
    expect(existsSync(weightsPath(fresh, b))).toBe(true);
  });

  it('makes the newest fit the one made last, not the one merged last', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const storeFit = (path: string, loss: number) => {
      const s = Store.open(path, { create: true });
      s.saveSweep(plan);
      const id = s.saveFit({
        sweep: 'tiny',
        source: 'db',
        form: 'sparse',
        options: {},
        result: { loss },
        inputs: [],
        converged: true,
      });
      s.close();
      return id;
    };
    const shard = join(dir, 'old', 'x.db');
    storeFit(shard, 1); // made first
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    const into = join(dir, 'main', 'study.db');
    const own = storeFit(into, 2);
    expect(mergeDatabases(into, [shard]).fits).toBe(1);
    const m = Store.open(into, { create: false });
    expect(m.fitIds('tiny', 'sparse')).toEqual([own, own + 1]); // the merged one has the higher id
    expect(m.defaultFit('tiny', 'sparse')).toMatchObject({ id: own, result: { loss: 2 } });
    m.close();
  });

  it("skips an empty shard file with a note, and never gives a pending trial another shard's checkpoint", () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [, b] = plan.trials.map((t) => t.id);
    // two shards of an older layout in one folder: shard 1 was interrupted on trial b, its checkpoint in the
    // folder's shared checkpoints/, and shard 0 (which ran a) lists b as pending
    const shards = join(dir, 'shards');
    const s0 = Store.open(join(shards, 'shard-0.db'), { create: true });
    s0.saveSweep(plan);
    s0.close();
    const s1 = Store.open(join(shards, 'shard-1.db'), { create: true });
    s1.saveSweep(plan);
    s1.claimTrial(b, 'o', lease);
    s1.endTrial(b, 'o', 'interrupted', {
      step: 20,
      lastPoints: [{ name: 'train_loss', step: 20, tokens: 2560, value: 2 }],
    });
    s1.close();
    mkdirSync(join(shards, 'checkpoints'));
    writeFileSync(join(shards, 'checkpoints', `${b}.safetensors`), 'shard 1 checkpoint');
    writeFileSync(join(shards, 'shard-9.db'), '');
    // a task killed after SQLite made its file and before the schema: a database with no tables
    const bare = new Database(join(shards, 'shard-8.db'));
    bare.pragma('journal_mode = WAL');
    bare.close();
    const into = join(dir, 'study.db');
    const r = mergeDatabases(into, [
      join(shards, 'shard-0.db'),
      join(shards, 'shard-9.db'),
      join(shards, 'shard-8.db'),
    ]);
    expect(r.notes).toEqual([
      expect.stringMatching(/shard-9\.db: an empty file .*; skipped/),
      expect.stringMatching(/shard-8\.db: an empty database .*; skipped/),
    ]);
    expect(r.shards).toHaveLength(1);
    expect(existsSync(checkpointPath(into, b))).toBe(false); // b is pending there: not shard 0's checkpoint
    mergeDatabases(into, [join(shards, 'shard-1.db')]);
    expect(existsSync(checkpointPath(into, b))).toBe(true); // shard 1 started b: its checkpoint comes along
  });
});
