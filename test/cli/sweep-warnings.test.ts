import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { oneTrialConfig, tempDir, writeConfig } from '../helpers/config.js';

describe("a sweep's plan warnings", () => {
  it('come with a run that trains, and with a dry run; not with a rerun that has nothing left to train', () => {
    const dir = tempDir();
    // more evaluation tokens than the held-out split holds: a plan warning
    const config = writeConfig(
      oneTrialConfig().replace('eval_tokens: 512', 'eval_tokens: 4096'),
      'c.yaml',
      dir,
    );
    const db = join(dir, 's.db');
    const warning = /warning: train\.eval_tokens 4096 asks for more than the held-out split holds/;
    const first = cli(['sweep', config, '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(warning);
    const again = cli(['sweep', config, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/warning:/);
    expect(again.stdout).toContain('0 trained, 1 already finished');
    expect(cli(['sweep', config, '--db', db, '--dry-run']).stderr).toMatch(warning);
  });
});
