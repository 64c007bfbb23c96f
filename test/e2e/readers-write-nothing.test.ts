import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { oneTrialConfig, tempDir, writeConfig } from '../helpers/config.js';

const CONFIG = oneTrialConfig('tiny');

/** Every file of a folder with its SHA-256: what a command that writes nothing must leave as it was. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [
        e.name,
        createHash('sha256')
          .update(readFileSync(join(dir, e.name)))
          .digest('hex'),
      ]),
  );
}

describe('commands that only read a database leave it as it was', () => {
  it('a dry run and the readers keep a study database byte for byte, in its own journal mode', () => {
    const dir = tempDir();
    const config = writeConfig(CONFIG, 'c.yaml', dir);
    const db = join(dir, 's.db');
    expect(cli(['sweep', config, '--db', db]).code).toBe(0);
    // a database someone switched out of WAL (or copied from a tool that did): reading it must not switch it back
    const handle = new Database(db);
    handle.pragma('journal_mode = DELETE');
    const id = (handle.prepare('SELECT id FROM trials').get() as { id: string }).id;
    handle.close();
    const before = snapshot(dir);
    for (const args of [
      ['sweep', config, '--dry-run'],
      ['runs', 'list'],
      ['runs', 'show', id],
      ['runs', 'fits'],
      ['runs', 'export', id, '--out', join(tempDir(), 'w.safetensors')],
      ['report', '--out', join(tempDir(), 'report')],
    ]) {
      const r = cli([...args, '--db', db]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(snapshot(dir), args.join(' ')).toEqual(before);
    }
    const after = new Database(db, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });

  it('an empty SQLite database gets no schema from a dry run or a reader', () => {
    const dir = tempDir();
    const config = writeConfig(CONFIG, 'c.yaml', dir);
    const db = join(dir, 'e.db');
    const handle = new Database(db);
    handle.exec('CREATE TABLE t (x); DROP TABLE t');
    handle.close();
    const before = snapshot(dir);
    const dry = cli(['sweep', config, '--dry-run', '--db', db]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    const list = cli(['runs', 'list', '--db', db]);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain(`${db} holds no sweeps yet (an empty database)`);
    expect(snapshot(dir)).toEqual(before);
  });
});
