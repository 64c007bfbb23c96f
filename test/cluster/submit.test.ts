import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { cli } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

/**
 * A stand-in `sbatch` on PATH: it logs its arguments one per line (a blank line after each call) and answers
 * job ids from 4242 up, until call number $SBATCH_FAIL_AT, which fails as Slurm does.
 */
function fakeSbatch(dir: string): { env: NodeJS.ProcessEnv; calls: () => string[][] } {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'sbatch-calls');
  writeFileSync(log, '');
  writeFileSync(
    join(bin, 'sbatch'),
    `#!/bin/bash
printf '%s\\n' "$@" >> '${log}'
echo >> '${log}'
n=$(grep -c '^$' '${log}')
if [[ $n == "\${SBATCH_FAIL_AT:-0}" ]]; then
  echo "sbatch: error: Batch job submission failed: Job dependency problem" >&2
  exit 1
fi
echo $((4241 + n))
`,
    { mode: 0o755 },
  );
  const calls = () =>
    readFileSync(log, 'utf8')
      .split('\n\n')
      .filter(Boolean)
      .map((c) => c.split('\n').filter(Boolean));
  return { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, calls };
}

describe('sweep --executor slurm submitting', () => {
  it('submits the array, then the merge depending on it', () => {
    const dir = tempDir();
    const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
    const { env, calls } = fakeSbatch(dir);
    const out = join(dir, 'run');
    const r = cli(['sweep', config, '--executor', 'slurm', '--db', join(dir, 's.db'), '--out', out], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('submitted array job 4242 (2 trials) and merge job 4243');
    expect(r.stdout).toContain(
      `watch them with: squeue -j 4242,4243; each task's log is in ${join(out, 'logs')}/. ${join(dir, 's.db')} gets their trials when the merge job has run`,
    );
    expect(calls()).toEqual([
      ['--parsable', join(out, 'array.sbatch')],
      ['--parsable', '--dependency=afterany:4242', join(out, 'merge.sbatch')],
    ]);
  });

  it('--dry-run prints the sbatch commands quoted for bash, for a folder with spaces, quotes and $', () => {
    const dir = tempDir();
    const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
    const { env, calls } = fakeSbatch(dir);
    const out = join(dir, "my run $HOME `id` 'q'");
    const r = cli(
      ['sweep', config, '--executor', 'slurm', '--dry-run', '--db', join(dir, 's.db'), '--out', out],
      {
        env,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const m = /to submit: (sbatch .*), then (sbatch .*)\n/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(calls()).toEqual([]);
    for (const command of [m![1], m![2].replace('<array id>', '4242')]) {
      const run = spawnSync('bash', ['-c', command], { env, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
    }
    expect(calls()).toEqual([
      [join(out, 'array.sbatch')],
      ['--dependency=afterany:4242', join(out, 'merge.sbatch')],
    ]);
  });

  it('submits a plan over MaxArraySize as several array jobs with offsets, chained under --max-parallel', () => {
    const dir = tempDir();
    const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
    const { env, calls } = fakeSbatch(dir);
    // a cluster whose MaxArraySize is 1: task ids 0 only, so the 2 trials take an array job each
    writeFileSync(join(dir, 'bin', 'scontrol'), '#!/bin/bash\necho "MaxArraySize            = 1"\n', {
      mode: 0o755,
    });
    const out = join(dir, 'run');
    const r = cli(
      [
        'sweep',
        config,
        '--executor',
        'slurm',
        '--db',
        join(dir, 's.db'),
        '--out',
        out,
        '--max-parallel',
        '1',
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "submitted array jobs 4242, 4243 (2 trials: 2 array jobs, since a task id must be below the cluster's MaxArraySize (1), each waiting for the one before so that --max-parallel holds) and merge job 4244",
    );
    expect(calls()).toEqual([
      ['--parsable', '--array=0%1', join(out, 'array.sbatch')],
      [
        '--parsable',
        '--export=ALL,SPARSEBENCH_INDEX_OFFSET=1',
        '--array=0%1',
        '--dependency=afterany:4242',
        join(out, 'array.sbatch'),
      ],
      ['--parsable', '--dependency=afterany:4242:4243', join(out, 'merge.sbatch')],
    ]);
    // the second job's task 0 is plan index 1
    const stand = join(dir, 'node');
    writeFileSync(stand, '#!/bin/bash\nprintf \'%s\\n\' "$@"\n', { mode: 0o755 });
    const script = readFileSync(join(out, 'array.sbatch'), 'utf8').replace(/^exec \S+ /m, `exec ${stand} `);
    const task = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { ...env, SLURM_ARRAY_TASK_ID: '0', SPARSEBENCH_INDEX_OFFSET: '1' },
    });
    expect(task.status, task.stderr).toBe(0);
    expect(task.stdout).toContain(`--index\n1\n--db\n${join(out, 'shards', 'shard-1.db')}\n`);
  });

  it("says which of the study's trials leave its sweep once this plan is merged, as a local sweep does", () => {
    const dir = tempDir();
    const db = join(dir, 's.db');
    const store = Store.open(db, { create: true });
    store.saveSweep(planOf(tinySyntheticConfig()));
    store.close();
    const config = writeConfig(
      tinySyntheticConfig().replace('nonzero_params: 3000', 'nonzero_params: 4000'),
      'c.yaml',
      dir,
    );
    const { env } = fakeSbatch(dir);
    const r = cli(['sweep', config, '--executor', 'slurm', '--dry-run', '--db', db], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `note: once merged into ${db}: sweep tiny was run before with another plan (another config, or data files that changed since); 2 of its trials are not in this one`,
    );
  });

  it('when the merge fails to submit, says the array job was submitted and how to submit the merge or cancel it', () => {
    const dir = tempDir();
    const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
    const { env, calls } = fakeSbatch(dir);
    const out = join(dir, 'run');
    const r = cli(['sweep', config, '--executor', 'slurm', '--db', join(dir, 's.db'), '--out', out], {
      env: { ...env, SBATCH_FAIL_AT: '2' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'array job 4242 (2 trials) was submitted and will run, but its merge job was not',
    );
    expect(r.stderr).toContain('Job dependency problem');
    expect(r.stderr).toMatch(/Do not run this sweep again: that would submit the trials a second time/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const command =
      /Submit the merge with: (sbatch .*?merge\.sbatch'?), or cancel the trials with: scancel 4242\n/.exec(
        r.stderr,
      );
    expect(command, r.stderr).not.toBeNull();
    // the command printed submits the merge after the array, as the sweep would have
    const again = spawnSync('bash', ['-c', command![1]], { env, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(calls().at(-1)).toEqual(['--dependency=afterany:4242', join(out, 'merge.sbatch')]);
  });

  it('refuses to write or submit again while jobs of an earlier submission from the folder are queued', () => {
    const dir = tempDir();
    const config = writeConfig(tinySyntheticConfig(), 'c.yaml', dir);
    const { env, calls } = fakeSbatch(dir);
    const out = join(dir, 'run');
    // a stand-in squeue beside the stand-in sbatch: the earlier array and merge jobs of this folder, and a job
    // of another folder whose script has the same name
    writeFileSync(
      join(dir, 'bin', 'squeue'),
      `#!/bin/bash
echo '4242|${join(out, 'array.sbatch')}'
echo '4242|${join(out, 'array.sbatch')}'
echo '4243|${join(out, 'merge.sbatch')}'
echo '77|${join(dir, 'other', 'array.sbatch')}'
`,
      { mode: 0o755 },
    );
    const r = cli(['sweep', config, '--executor', 'slurm', '--db', join(dir, 's.db'), '--out', out], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--out ${out}: jobs 4242, 4243 of an earlier submission from this folder are still queued or running`,
    );
    expect(r.stderr).toContain(
      '(squeue -j 4242,4243), cancel them (scancel 4242 4243), or give another --out',
    );
    expect(calls()).toEqual([]);
    expect(existsSync(join(out, 'plan.json'))).toBe(false);
    // another folder's jobs do not hold this one back
    const other = cli(
      ['sweep', config, '--executor', 'slurm', '--db', join(dir, 's.db'), '--out', join(dir, 'b')],
      {
        env,
      },
    );
    expect(other.code, other.stderr).toBe(0);
    expect(calls()).toHaveLength(2);
  });
});
