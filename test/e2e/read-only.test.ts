import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsNobody, nobodyCanRunCli, ROOT } from '../helpers/cli.js';
import { oneTrialConfig, tempDir, writeConfig } from '../helpers/config.js';

const BIN = join(ROOT, 'bin', 'sparsebench.js');

/**
 * File permissions bind everyone but root, so as root the CLI runs as `nobody` (uid/gid 65534): root would
 * write through any mode. Where `nobody` cannot read the checkout (a home directory of mode 0700), the
 * tests are skipped and say why.
 */
if (!nobodyCanRunCli()) console.warn(`read-only tests skipped: ${BIN} is not readable as uid 65534`);

const CONFIG = oneTrialConfig('tiny');

describe.skipIf(!nobodyCanRunCli())('a database the user cannot write', () => {
  /** A finished one-trial database in `<dir>/db/s.db`, every path readable by the test's user. */
  function finishedDb() {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const config = writeConfig(CONFIG, 'c.yaml', dir);
    chmodSync(config, 0o644);
    const db = join(dir, 'db', 's.db');
    mkdirSync(join(dir, 'db'));
    expect(cli(['sweep', config, '--db', db]).code).toBe(0);
    return { dir, config, db };
  }

  it('a read-only file: writers are refused up front (exit 2, naming --db), readers still read', () => {
    const { dir, db } = finishedDb();
    chmodSync(db, 0o444);
    chmodSync(join(dir, 'db'), 0o777); // SQLite may create its WAL files beside it
    for (const args of [
      ['fit-law', '--db', db],
      ['sweep', 'c.yaml', '--db', db],
    ]) {
      const r = cliAsNobody(args, dir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--db ${db} is read-only; this command writes to it`);
    }
    const list = cliAsNobody(['runs', 'list', '--db', db], dir);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/finished/);
  });

  it('a directory SQLite cannot write its WAL files to: a reader reads a copy, said, which then goes', () => {
    const { dir, db } = finishedDb();
    chmodSync(join(dir, 'db'), 0o555);
    try {
      // before: exit 2, "its directory is not writable", for a database that could only be read
      const r = cliAsNobody(['runs', 'list', '--db', db], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/finished/);
      const copy = /reading a copy in (\S+)\n/.exec(r.stderr);
      expect(copy, r.stderr).not.toBeNull();
      expect(r.stderr).toContain(`sparsebench: note: ${db} lies in a folder that cannot be written`);
      expect(existsSync(copy![1])).toBe(false);
      const report = cliAsNobody(['fit-law', '--db', db, '--no-store'], dir);
      expect(report.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack
      // a writer is still refused up front
      const writer = cliAsNobody(['fit-law', '--db', db], dir);
      expect(writer.code, writer.stderr).toBe(2);
    } finally {
      chmodSync(join(dir, 'db'), 0o755);
    }
  });
});
