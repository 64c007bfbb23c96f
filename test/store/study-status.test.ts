import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Store } from '../../src/store/store.js';
import { trialStatusIn } from '../../src/store/study-status.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

describe('a trial status read from the study database (run-trial --skip-from)', () => {
  it('reads a locked database as not finished with a warning, and refuses a file that is no database', () => {
    const dir = tempDir();
    const path = join(dir, 'study.db');
    const plan = planOf(tinySyntheticConfig());
    const store = Store.open(path, { create: true });
    store.saveSweep(plan);
    store.close();
    const id = plan.trials[0].id;
    const said: string[] = [];
    expect(trialStatusIn(path, id, '--skip-from', (w) => said.push(w))).toBe('pending');
    expect(trialStatusIn(join(dir, 'none.db'), id, '--skip-from', (w) => said.push(w))).toBeNull();
    expect(said).toEqual([]);
    // the merge job holding it (a rollback journal, as on a network file system): read again later, not a failure
    const writer = new Database(path);
    writer.pragma('journal_mode = DELETE');
    writer.exec('BEGIN EXCLUSIVE');
    try {
      expect(trialStatusIn(path, id, '--skip-from', (w) => said.push(w))).toBeNull();
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^--skip-from .*study\.db cannot be read just now \(database is locked\); training the trial/,
    );
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'not a database at all, but long enough to have a header of sorts'.repeat(10));
    expect(() => trialStatusIn(text, id, '--skip-from', () => {})).toThrow(UsageError);
  });
});
