import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/config.js';

/** Slurm runs here when its daemons are installed and we are root (CI installs them: see .ci/run). */
const haveSlurm =
  process.getuid?.() === 0 &&
  spawnSync('sh', ['-c', 'command -v slurmctld && command -v sbatch']).status === 0;
const required = process.env.SPARSEBENCH_REQUIRE_SLURM === '1';

describe.skipIf(!haveSlurm && !required)('sweep --executor slurm on a one-node cluster', () => {
  const clusterDir = join(tempDir('sb-slurm-'), 'cluster');
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    expect(haveSlurm, 'Slurm is required (SPARSEBENCH_REQUIRE_SLURM=1) but not installed').toBe(true);
    const conf = execFileSync(join(ROOT, 'scripts', 'slurm-local.sh'), ['start', clusterDir], {
      encoding: 'utf8',
    }).trim();
    env = { ...process.env, SLURM_CONF: conf };
  }, 60_000);

  afterAll(() => {
    spawnSync(join(ROOT, 'scripts', 'slurm-local.sh'), ['stop', clusterDir]);
  });

  it('trains the smoke sweep as an array job and merges to what a local sweep produces', async () => {
    // a folder whose name bash and sbatch would split or expand unquoted, and whose % Slurm would replace
    const dir = join(tempDir(), 'my study $HOME 100%');
    mkdirSync(dir);
    const study = join(dir, 'study.db');
    const submit = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'sparsebench.js'),
        'sweep',
        'configs/smoke.yaml',
        '--executor',
        'slurm',
        '--db',
        study,
        '--max-parallel',
        '2',
      ],
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    expect(submit.status, submit.stderr).toBe(0);
    const ids = /submitted array job (\d+) \(4 trials\) and merge job (\d+)/.exec(submit.stdout);
    expect(ids).not.toBeNull();
    // wait for the merge job to leave the queue
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const q = spawnSync('squeue', ['-h', '-j', `${ids![1]},${ids![2]}`], { env, encoding: 'utf8' });
      if (q.status === 0 && q.stdout.trim() === '') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const local = join(dir, 'local.db');
    expect(cli(['sweep', 'configs/smoke.yaml', '--db', local]).code).toBe(0);
    const read = (p: string) => {
      const d = new Database(p, { readonly: true });
      const rows = d.prepare('SELECT id, status, final_val_loss FROM trials ORDER BY id').all();
      const links = d.prepare("SELECT count(*) AS n FROM sweep_trials WHERE sweep = 'smoke'").get();
      d.close();
      return { rows, links };
    };
    const merged = read(study);
    expect(merged.rows).toHaveLength(4);
    expect(merged).toEqual(read(local));
    for (const r of merged.rows as { status: string }[]) expect(r.status).toBe('finished');
    // each task logged to its own file in the folder named, the merge job too
    const logs = readdirSync(join(dir, 'smoke.slurm', 'logs')).sort();
    expect(logs).toHaveLength(5);
    expect(logs.at(-1)).toBe(`trial-${ids![1]}_3.out`);
    expect(logs[0]).toBe(`merge-${ids![2]}.out`);
  }, 240_000);
});
