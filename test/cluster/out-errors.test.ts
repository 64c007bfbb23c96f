import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsNobody, nobodyCanRunCli } from '../helpers/cli.js';
import { tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

/** `sweep <config> --executor <executor> --dry-run --db <db> --out <out>`: writes the run's files, submits nothing. */
function executorDryRun(config: string, executor: string, db: string, out: string): string[] {
  return ['sweep', config, '--executor', executor, '--dry-run', '--db', db, '--out', out];
}

/** The exit status and message every unwritable `--out` must give: exit 2, the flag named, no stack. */
function expectOutError(r: { code: number | null; stderr: string }, flag: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(flag);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('cluster outputs that cannot be written', () => {
  it('plan and sweep --executor with --out beneath a regular file: exit 2 naming --out, nothing written', () => {
    const dir = tempDir();
    const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const plan = cli(['plan', config, '--out', join(file, 'plan.json')]);
    expectOutError(plan, /--out .*a-file\/plan\.json: cannot write the plan \(.*a-file is not a directory\)/);
    for (const executor of ['slurm', 'k8s']) {
      const r = cli(executorDryRun(config, executor, join(dir, 's.db'), join(file, 'run')));
      expectOutError(r, /--out .*a-file\/run: .*a-file is not a directory/);
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'c.yaml']);
  });

  it.skipIf(!nobodyCanRunCli())(
    'plan and sweep --executor into a directory the user cannot write: exit 2 naming --out (EACCES)',
    () => {
      const dir = tempDir();
      chmodSync(dir, 0o755);
      const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
      chmodSync(config, 0o644);
      const ro = join(dir, 'ro');
      mkdirSync(ro, { mode: 0o755 }); // owned by root: nobody cannot write it
      const plan = cliAsNobody(['plan', config, '--out', join(ro, 'plan.json')], dir);
      expectOutError(plan, /--out .*ro\/plan\.json: cannot write the plan \(EACCES: permission denied\)/);
      for (const executor of ['slurm', 'k8s']) {
        const r = cliAsNobody(executorDryRun(config, executor, join(dir, 's.db'), join(ro, executor)), dir);
        expectOutError(
          r,
          new RegExp(`--out .*ro/${executor}: cannot create the directory \\(EACCES: permission denied\\)`),
        );
      }
      // the folder exists and is read-only: the files cannot be written there
      const k8s = join(dir, 'k8s');
      mkdirSync(k8s, { mode: 0o755 });
      const r = cliAsNobody(
        ['sweep', config, '--executor', 'k8s', '--db', join(dir, 's.db'), '--out', k8s],
        dir,
      );
      expectOutError(r, /--out .*k8s: cannot write the cluster run \(EACCES: permission denied\)/);
      expect(readdirSync(ro)).toEqual([]);
      expect(readdirSync(k8s)).toEqual([]);
      expect(existsSync(join(dir, 's.db'))).toBe(false);
    },
  );
});
