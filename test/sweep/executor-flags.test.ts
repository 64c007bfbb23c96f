import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkExecutorFlags } from '../../src/cli/executor-flags.js';
import { loadSweep } from '../../src/config/load.js';
import { Store } from '../../src/store/store.js';
import { unreachable } from '../../src/sweep/executors/write.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/config.js';
import { trialResult } from '../helpers/trial-result.js';

describe('cluster flags', () => {
  it('need the executor that reads them, and a value', () => {
    expect(() => checkExecutorFlags({ partition: 'cpu' })).toThrow(
      /--partition is for a cluster run: it needs --executor slurm/,
    );
    expect(() => checkExecutorFlags({ executor: 'k8s', partition: 'cpu' })).toThrow(
      /--partition is not read by --executor k8s/,
    );
    expect(() => checkExecutorFlags({ executor: 'k8s', image: '' })).toThrow(
      /--image is empty; give a value or leave the flag out for its default/,
    );
    expect(() => checkExecutorFlags({ executor: 'k8s', image: 'sb:1', pvc: 'data' })).not.toThrow();
  });
});

/** argv of `sweep configs/smoke.yaml --db DB --executor EXECUTOR` and further flags. */
const clusterSweep = (db: string, executor: 'slurm' | 'k8s', ...flags: string[]) => [
  'sweep',
  'configs/smoke.yaml',
  '--db',
  db,
  '--executor',
  executor,
  ...flags,
];

/** The smoke sweep recorded in a fresh database, with a way to mark its i-th trial finished (no training). */
function smokeStudy() {
  const dir = tempDir();
  const db = join(dir, 'study.db');
  const plan = loadSweep('configs/smoke.yaml');
  const store = Store.open(db, { create: true });
  store.saveSweep(plan);
  const finish = (i: number) => {
    store.claimTrial(plan.trials[i].id, 'o', { retryFailed: false, leaseMs: 1000 });
    store.finishTrial(plan.trials[i].id, 'o', trialResult({ finalValLoss: 2, finalTrainLoss: 2 }), []);
  };
  const fail = (i: number) => {
    store.claimTrial(plan.trials[i].id, 'o', { retryFailed: false, leaseMs: 1000 });
    store.endTrial(plan.trials[i].id, 'o', 'failed', { error: 'diverged', step: 3 });
  };
  return { dir, db, plan, finish, fail, close: () => store.close() };
}

describe('sweep --executor and the flags of a local sweep', () => {
  it('k8s says where the merged study goes, and that trials finished in --db train again unless it is copied', () => {
    const { dir, db, plan, finish, close } = smokeStudy();
    finish(0);
    close();
    const r = cli(clusterSweep(db, 'k8s', '--image', 'reg/sb:1'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `1 of the ${plan.trials.length} trials is finished in ${db}; the pods skip only those finished in /data/smoke/study.db on the claim, so copy them there first (step 1 of run.sh says how) or they train again`,
    );
    expect(r.stdout).toContain(
      `the merged study is written to /data/smoke/study.db on the claim "sparsebench-data", not to ${db}: step 4 of run.sh says how to copy it back and merge it in`,
    );
    expect(r.stdout).not.toContain('the default; --image');
    const run = readFileSync(join(dir, 'smoke.k8s', 'run.sh'), 'utf8');
    expect(run).toContain(
      `#    sparsebench merge ${db} --into upload.db && kubectl cp upload.db sb-copy:/data/smoke/study.db && kubectl cp upload.db.weights sb-copy:/data/smoke/study.db.weights`,
    );
    expect(run).toContain(`#    kubectl cp sb-copy:/data/smoke/study.db ${db}.k8s.db`);
  });

  it('warns of trials on webgpu that get no GPU (no --gpus), the backend named as asked: flag or config key', () => {
    const dir = tempDir();
    const db = join(dir, 'study.db');
    const warning =
      'without --gpus: no task asks the cluster for a GPU, so the trials find none for webgpu and fail';
    // --dry-run: slurm writes its scripts without submitting; k8s writes its files and submits nothing either way
    const flag = cli(clusterSweep(db, 'slurm', '--backend', 'webgpu', '--dry-run', '--out', join(dir, 's')));
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stderr).toContain(`warning: --backend webgpu ${warning}`);
    const config = join(dir, 'gpu.yaml');
    writeFileSync(
      config,
      readFileSync('configs/smoke.yaml', 'utf8').replace('backend: wasm', 'backend: webgpu'),
    );
    const args = ['sweep', config, '--db', db, '--executor', 'k8s', '--out', join(dir, 'k')];
    const own = cli(args);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stderr).toContain(`warning: ${config}: backend: webgpu ${warning}`);
    expect(own.stderr).toContain('give --gpus 1 for a GPU per trial');
    // with a GPU per task: no warning of either kind
    const given = cli([...args, '--gpus', '1', '--out', join(dir, 'k1')]);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stderr).not.toMatch(/--gpus|GPU/);
  });

  it('slurm submits only the trials not finished in --db, nothing when all are, and says how to submit by hand when sbatch fails', () => {
    const { dir, db, plan, finish, close } = smokeStudy();
    finish(0);
    // a stand-in sbatch that cannot reach a controller, as on a host with no cluster
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'sbatch'),
      '#!/bin/bash\necho "sbatch: error: Could not establish a configuration source" >&2\nexit 1\n',
      {
        mode: 0o755,
      },
    );
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const args = clusterSweep(db, 'slurm', '--max-parallel', '4', '--gpus', '1');
    const r = cli(args, { env });
    expect(r.code).toBe(1);
    const rest = plan.trials.length - 1;
    expect(r.stdout).toContain(
      `1 of the ${plan.trials.length} trials is finished in ${db}: submitting the other ${rest} (--array=1${rest > 1 ? `-${rest}` : ''}%4)`,
    );
    expect(r.stderr).toContain('Could not establish a configuration source');
    expect(r.stderr).toContain(
      `Nothing was submitted; the scripts are written in ${join(dir, 'smoke.slurm')}. Once sbatch reaches the cluster (on a login node, or with SLURM_CONF naming its slurm.conf), submit them with: sbatch --array=1`,
    );
    // the smoke config trains on wasm: a GPU per task would sit idle
    expect(r.stderr).toContain('warning: --gpus 1: the trials run on the wasm backend, which uses no GPU');
    for (let i = 1; i < plan.trials.length; i++) finish(i);
    close();
    const none = cli(args, { env });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('nothing to submit: every trial of the plan is finished');
  });

  it('reads an sbatch that cannot load its slurm.conf as a cluster not reached, not a job refused', () => {
    expect(
      unreachable(
        'sbatch: error: s_p_parse_file: cannot stat file /nonexistent/slurm.conf: No such file or directory, retrying in 1sec up to 60sec\nsbatch: error: ClusterName needs to be specified\nsbatch: fatal: Unable to process configuration file',
      ),
    ).toBe(true);
    expect(unreachable('sbatch: error: Batch job submission failed: Invalid partition name specified')).toBe(
      false,
    );
  });

  it('without sbatch, says where the scripts are written and how to submit them (exit 2)', () => {
    const { dir, db } = smokeStudy();
    const r = cli(clusterSweep(db, 'slurm'), { env: { ...process.env, PATH: join(dir, 'no-bin') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `sbatch not found on this machine: run the sweep on a Slurm login node. Nothing was submitted; the scripts are written in ${join(dir, 'smoke.slurm')}.`,
    );
  });

  it('a job the cluster refuses (a partition it lacks) is bad input naming the flag, not a hint to reach the cluster', () => {
    const { dir, db } = smokeStudy();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'sbatch'),
      '#!/bin/bash\necho "sbatch: error: invalid partition specified: nosuch" >&2\necho "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    writeFileSync(join(bin, 'squeue'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
    const r = cli(clusterSweep(db, 'slurm', '--partition', 'nosuch'), {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--partition: the cluster refused the array job (sbatch: error: invalid partition specified: nosuch; sbatch: error: Batch job',
    );
    expect(r.stderr).toContain('Nothing was submitted.');
    expect(r.stderr).toContain('`sinfo -s` lists its partitions');
    expect(r.stderr).not.toContain('Once sbatch reaches the cluster');
  });

  it('passes the checkpoint cadence and --retry-failed on to every task, and refuses --workers and --json', () => {
    const dir = tempDir();
    const db = join(dir, 'study.db');
    const slurm = cli(
      clusterSweep(
        db,
        'slurm',
        '--dry-run',
        '--checkpoint-minutes',
        '5',
        '--checkpoint-steps',
        '7',
        '--retry-failed',
      ),
    );
    expect(slurm.code, slurm.stderr).toBe(0);
    // before: the flags were accepted and left out of the scripts, so the tasks checkpointed every 10 minutes
    expect(readFileSync(join(dir, 'smoke.slurm', 'array.sbatch'), 'utf8')).toMatch(
      /--skip-from '[^']*study\.db' --take-over --checkpoint-minutes 5 --checkpoint-steps 7 --retry-failed\n/,
    );
    // the trial's products run on the CPUs asked for (before: one thread, whatever --cpus-per-task reserved)
    expect(readFileSync(join(dir, 'smoke.slurm', 'array.sbatch'), 'utf8')).toContain(
      'export SPARSEBENCH_THREADS=1\n',
    );
    const k8s = cli(clusterSweep(db, 'k8s', '--checkpoint-minutes', '2', '--cpus-per-task', '2'));
    expect(k8s.code, k8s.stderr).toBe(0);
    const job = parse(readFileSync(join(dir, 'smoke.k8s', 'job.yaml'), 'utf8'));
    expect(job.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: '2', memory: '2Gi' });
    expect(job.spec.template.spec.containers[0].env).toEqual([{ name: 'SPARSEBENCH_THREADS', value: '2' }]);
    expect(job.spec.template.spec.containers[0].command[2]).toMatch(
      /--skip-from \/data\/smoke\/study\.db --take-over --checkpoint-minutes 2$/,
    );
    // without them, the scripts carry no defaults of their own
    const plain = cli(clusterSweep(join(dir, 'plain', 'study.db'), 'slurm', '--dry-run'));
    expect(plain.code, plain.stderr).toBe(0);
    expect(readFileSync(join(dir, 'plain', 'smoke.slurm', 'array.sbatch'), 'utf8')).not.toMatch(
      /--checkpoint|--retry/,
    );
    for (const [flag, value] of [
      ['--workers', '2'],
      ['--json', null],
    ] as const) {
      const out = join(dir, `refused${flag}`);
      const r = cli(
        clusterSweep(join(out, 'study.db'), 'slurm', '--dry-run', flag, ...(value === null ? [] : [value])),
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${flag} is not read by --executor slurm: `));
      expect(existsSync(out)).toBe(false);
    }
    const bad = cli(clusterSweep(join(dir, 'bad', 'study.db'), 'slurm', '--checkpoint-minutes', '-3'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--checkpoint-minutes -3: expected a number of minutes >= 0/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('slurm leaves trials failed in --db out of the submission unless --retry-failed, as a local sweep does', () => {
    const { db, plan, finish, fail, close } = smokeStudy();
    const n = plan.trials.length;
    finish(0);
    fail(1);
    close();
    // before: every failed trial was submitted, and each task exited 1 at once without training
    const r = cli(clusterSweep(db, 'slurm', '--dry-run'));
    expect(r.code, r.stderr).toBe(0);
    const rest = Array.from({ length: n - 2 }, (_, i) => i + 2);
    const array = rest.length > 1 ? `2-${n - 1}` : '2';
    expect(r.stdout).toContain(
      `1 of the ${n} trials is finished in ${db}; 1 of the ${n} trials failed in ${db} (left out: --retry-failed submits it again): submitting the other ${n - 2} (--array=${array})`,
    );
    expect(r.stdout).toContain(`sbatch --array=${array} `);
    const retry = cli(clusterSweep(db, 'slurm', '--dry-run', '--retry-failed'));
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`submitting the other ${n - 1} (--array=1-${n - 1})`);
    expect(retry.stdout).not.toContain('left out');
    // nothing but failed trials left: nothing submitted, and exit 1 as a sweep with failed trials
    const s = Store.open(db, { create: true });
    for (let i = 2; i < n; i++) {
      s.claimTrial(plan.trials[i].id, 'o', { retryFailed: false, leaseMs: 1000 });
      s.finishTrial(plan.trials[i].id, 'o', trialResult({ finalValLoss: 2, finalTrainLoss: 2 }), []);
    }
    s.close();
    const none = cli(clusterSweep(db, 'slurm', '--dry-run'));
    expect(none.code).toBe(1);
    expect(none.stdout).toContain(
      'nothing to submit: every trial of the plan is finished or failed (--retry-failed submits the failed ones again)',
    );
  });
});
