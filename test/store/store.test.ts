import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MODEL_REVISIONS, trialId } from '../../src/config/trial-spec.js';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { LeaseLostError, Store } from '../../src/store/store.js';
import type { TrialResult } from '../../src/store/types.js';
import { cli, ROOT } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

const result: TrialResult = {
  nonzeroParams: 10,
  achievedSparsity: 0.5,
  tokens: 100,
  steps: 2,
  finalValLoss: 1.5,
  finalValAccuracy: null,
  finalTrainLoss: 1.4,
  wallSeconds: 1,
  tokensPerSecond: 100,
  backend: 'wasm',
  layerDensity: { a: 0.5 },
};

function fresh() {
  const path = join(tempDir(), 'sub', 'x.db');
  return { path, store: Store.open(path, { create: true }) };
}

describe('store', () => {
  it('records a sweep idempotently and keeps results across re-saves', () => {
    const { store } = fresh();
    const plan = planOf(tinySyntheticConfig());
    expect(store.saveSweep(plan)).toEqual({
      added: 2,
      known: 0,
      dropped: { trials: 0, finished: 0, olderVersion: 0, otherBackend: 0 },
    });
    const id = plan.trials[0].id;
    expect(store.claimTrial(id, 'me', { retryFailed: false, leaseMs: 1000 })).toBe('claimed');
    store.appendMetrics(id, 'me', [{ name: 'train_loss', step: 1, tokens: 50, value: 2 }]);
    store.finishTrial(id, 'me', result, [{ name: 'val_loss', step: 2, tokens: 100, value: 1.5 }]);
    expect(store.saveSweep(plan)).toEqual({
      added: 0,
      known: 2,
      dropped: { trials: 0, finished: 0, olderVersion: 0, otherBackend: 0 },
    });
    const t = store.findTrial(id.slice(0, 6))!;
    expect(t.status).toBe('finished');
    expect(store.findTrial(id.toUpperCase())!.id).toBe(id); // either case
    expect(t.finalValLoss).toBe(1.5);
    expect(t.layerDensity).toEqual({ a: 0.5 });
    expect(store.metrics(id).map((m) => m.name)).toEqual(['train_loss', 'val_loss']);
    expect(store.latestSweep()).toBe('tiny');
    expect(store.listTrials('tiny').map((r) => r.axes?.sparsity)).toEqual([0, 0.5]);
    // the same name with another config: the sweep now has its trials, and says which it no longer has
    const other = planOf(tinySyntheticConfig().replace('sparsity: [0, 0.5]', 'sparsity: [0.75]'));
    expect(store.saveSweep(other)).toEqual({
      added: 1,
      known: 0,
      dropped: { trials: 2, finished: 1, olderVersion: 0, otherBackend: 0 },
    });
    expect(store.listTrials('tiny').map((r) => r.axes?.sparsity)).toEqual([0.75]);
    expect(store.findTrial(id)!.status).toBe('finished'); // still in the database
    // by id, whatever sweep holds the trial: what a sweep sharing it has left to train
    expect(store.statusesOf([id, other.trials[0].id, 'f'.repeat(16)])).toEqual(
      new Map([
        [id, 'finished'],
        [other.trials[0].id, 'pending'],
      ]),
    );
  });

  it('counts the trials an earlier spec version made among those a sweep drops', () => {
    const { store } = fresh();
    const plan = planOf(tinySyntheticConfig());
    // the same sweep as an earlier sparsebench planned it: spec version 1, hence other ids
    const old = {
      ...plan,
      trials: plan.trials.map((t) => {
        const spec = { ...t.spec, spec_version: 1 };
        return { ...t, spec, id: trialId(spec) };
      }),
    };
    expect(old.trials[0].id).not.toBe(plan.trials[0].id);
    store.saveSweep(old);
    expect(store.saveSweep(plan).dropped).toEqual({
      trials: 2,
      finished: 0,
      olderVersion: 2,
      otherBackend: 0,
    });
  });

  it("counts the trials an earlier revision of the model's training made, and only those", () => {
    const { store } = fresh();
    const plan = planOf(
      tinySyntheticConfig('model: {family: t5}').replace('nonzero_params: 3000', 'nonzero_params: 6000'),
    );
    expect(plan.trials[0].spec.revisions).toEqual({ model: MODEL_REVISIONS.t5 });
    // the same sweep as a sparsebench before t5's current revision planned it, and one trial of another sweep
    const old = {
      ...plan,
      trials: plan.trials.map((t) => {
        const spec = { ...t.spec, revisions: undefined };
        return { ...t, spec, id: trialId(spec) };
      }),
    };
    store.saveSweep(old);
    const lm = planOf(tinySyntheticConfig());
    store.saveSweep({ ...plan, trials: [...old.trials, lm.trials[0]] });
    expect(store.saveSweep(plan).dropped).toEqual({
      trials: 3,
      finished: 0,
      olderVersion: 2,
      otherBackend: 0,
    });
  });

  it('never hands out a finished trial, and only stale leases are taken over', () => {
    const { store } = fresh();
    const plan = planOf(tinySyntheticConfig());
    store.saveSweep(plan);
    const [a, b] = plan.trials.map((t) => t.id);
    const lease = { retryFailed: false, leaseMs: 60_000 };
    expect(store.claimTrial(a, 'p1', lease)).toBe('claimed');
    expect(store.claimTrial(a, 'p2', lease)).toBe('busy');
    store.appendMetrics(a, 'p1', [{ name: 'train_loss', step: 1, tokens: 50, value: 2 }]);
    // an expired lease is taken over, and the partial metrics of the dead attempt are dropped
    expect(store.claimTrial(a, 'p2', { ...lease, leaseMs: -1 })).toBe('claimed');
    expect(store.metrics(a)).toEqual([]);
    expect(() => store.appendMetrics(a, 'p1', [])).toThrow(LeaseLostError);
    store.finishTrial(a, 'p2', result, []);
    expect(store.claimTrial(a, 'p3', { ...lease, leaseMs: -1 })).toBe('finished');
    expect(store.findTrial(a)!.attempts).toBe(2);
    // failed trials wait for --retry-failed
    store.claimTrial(b, 'p1', lease);
    store.endTrial(b, 'p1', 'failed', { error: 'loss is NaN', step: 3 });
    expect(store.findTrial(b)).toMatchObject({ status: 'failed', error: 'loss is NaN', errorStep: 3 });
    expect(store.claimTrial(b, 'p1', lease)).toBe('failed');
    expect(store.claimTrial(b, 'p1', { ...lease, retryFailed: true })).toBe('claimed');
  });

  it('takes over a trial whose owner process on this host is gone', () => {
    const { store } = fresh();
    const plan = planOf(tinySyntheticConfig());
    store.saveSweep(plan);
    const id = plan.trials[0].id;
    expect(store.claimTrial(id, `${hostname()}:999999999:abc`, { retryFailed: false, leaseMs: 1e9 })).toBe(
      'claimed',
    );
    expect(store.claimTrial(id, 'me', { retryFailed: false, leaseMs: 1e9 })).toBe('claimed');
  });

  it('is created exactly once when several processes open a new database at the same moment', async () => {
    // four rounds of eight: each race (a schema half-seen, a WAL switch answered busy) showed in a few % of rounds
    for (let round = 0; round < 4; round++) await createRace(join(tempDir(), 'race.db'));
  });

  async function createRace(path: string): Promise<void> {
    const script = `import { Store } from ${JSON.stringify(join(ROOT, 'dist', 'store', 'store.js'))};
      const s = Store.open(${JSON.stringify(path)}, { create: true }); s.close();`;
    const runs = Array.from(
      { length: 8 },
      () =>
        new Promise<{ code: number | null; err: string }>((resolve) => {
          const c = spawn(process.execPath, ['--input-type=module', '-e', script], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let err = '';
          c.stderr.on('data', (d: Buffer) => {
            err += d.toString();
          });
          c.on('exit', (code) => resolve({ code, err }));
        }),
    );
    for (const r of await Promise.all(runs)) expect(r, r.err).toMatchObject({ code: 0 });
    const s = Store.open(path, { create: false });
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    s.close();
  }

  it('refuses databases it must not touch', () => {
    const dir = tempDir();
    expect(() => Store.open(join(dir, 'missing.db'), { create: false })).toThrow(/no database at/);
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => Store.open(newer, { create: true })).toThrow(/newer than this sparsebench understands/);
    const other = join(dir, 'other.db');
    const o = new Database(other);
    o.exec('CREATE TABLE t (x)');
    o.close();
    expect(() => Store.open(other, { create: true })).toThrow(/not a sparsebench one/);
    const text = join(dir, 'text.db');
    writeFileSync(text, 'hello, this is not sqlite at all, really not'.repeat(20));
    expect(() => Store.open(text, { create: true })).toThrow(/not a SQLite database/);
    expect(() => Store.open(dir, { create: true })).toThrow(/is a directory/);
  });
});

describe('a damaged database', () => {
  it('is named in the error with what to do, exit 2, by a reader that opens it and one that fails later', () => {
    const dir = tempDir();
    const path = join(dir, 'study.db');
    const s = Store.open(path, { create: true });
    s.saveSweep(planOf(tinySyntheticConfig()));
    s.close();
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'trunc.db'), bytes.subarray(0, 5000)); // a copy cut short
    const r = cli(['runs', 'list', '--db', join(dir, 'trunc.db')]);
    expect(r.code).toBe(2);
    // before: "sparsebench: database disk image is malformed", exit 1, no file named
    expect(r.stderr).toMatch(
      /trunc\.db is damaged \(database disk image is malformed\): a truncated or partly overwritten copy\?/,
    );
    // every page past the first (the header and schema) overwritten: the store opens, and a query fails after
    // the command closed it
    const damaged = Buffer.from(bytes);
    damaged.fill(0x47, 4096);
    writeFileSync(join(dir, 'page.db'), damaged);
    const later = cli(['runs', 'list', '--all', '--db', join(dir, 'page.db')]);
    expect(later.code, later.stderr).toBe(2);
    expect(later.stderr).toMatch(/page\.db is damaged \(/);
  });
});
