import { chmodSync, mkdirSync } from 'node:fs';
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

  it('a directory SQLite cannot write its WAL files to: even a reader gets exit 2 and the reason', () => {
    const { dir, db } = finishedDb();
    chmodSync(join(dir, 'db'), 0o555);
    try {
      const r = cliAsNobody(['runs', 'list', '--db', db], dir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`cannot use ${db}: its directory is not writable`);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack
    } finally {
      chmodSync(join(dir, 'db'), 0o755);
    }
  });
});
