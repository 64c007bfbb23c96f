import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, planFileIn } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/config.js';

const TINY =
  'name: tiny\ndata: {source: synthetic, vocab_size: 16, branching: 2}\ntrain: {batch_size: 4, seq_len: 8}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: 512}\n';

const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

describe('run-trial --skip-from (the shared study database)', () => {
  it('reads the study database as it is: no WAL switch, no write, and skips a trial finished there', () => {
    const dir = tempDir();
    const plan = planFileIn(dir, TINY);
    const study = join(dir, 'study.db');
    expect(cli(['run-trial', plan, '--index', '0', '--db', study]).code).toBe(0);
    const d = new Database(study);
    d.pragma('journal_mode = DELETE'); // as on a network file system, where the merge job keeps it
    d.close();
    const before = md5(study);
    const r = cli(['run-trial', plan, '--index', '0', '--db', join(dir, 'shard.db'), '--skip-from', study]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/is already finished in .*study\.db; nothing to do/);
    // before, opening it as a store switched it to WAL (and could migrate it): every task rewrote it
    expect(md5(study)).toBe(before);
    const after = new Database(study, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });

  it('names --skip-from when it is not a database', () => {
    const dir = tempDir();
    const plan = planFileIn(dir, TINY);
    mkdirSync(join(dir, 'folder'));
    const r = cli([
      'run-trial',
      plan,
      '--index',
      '0',
      '--db',
      join(dir, 's.db'),
      '--skip-from',
      join(dir, 'folder'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--skip-from .*folder is a directory/);
    const text = join(dir, 'notes.txt');
    writeConfig('not a database', 'notes.txt', dir);
    const t = cli(['run-trial', plan, '--index', '0', '--db', join(dir, 's.db'), '--skip-from', text]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--skip-from .*notes\.txt cannot be read as a sparsebench database/);
  });
});
