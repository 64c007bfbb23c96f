import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { oneTrialConfig, tempDir, writeConfig } from '../helpers/config.js';

describe('sweep --db in a folder that does not exist', () => {
  it('makes the folder and says so (a typo there would start a new study unnoticed); an existing one is not named', () => {
    const dir = tempDir();
    const config = writeConfig(oneTrialConfig('fold'), 'c.yaml', dir);
    const db = join(dir, 'new', 'deeper', 's.db');
    const first = cli(['sweep', config, '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      `sparsebench: made folder ${join(dir, 'new', 'deeper')} for the new database ${db}`,
    );
    expect(existsSync(db)).toBe(true);
    const again = cli(['sweep', config, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('made folder');
  });
});
