import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { readSafetensors, weightsPath } from '../../src/store/weights.js';
import { cli, cliSpawn, exitOf, waitForStderr } from '../helpers/cli.js';
import { tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

const SMOKE = 'configs/smoke.yaml';

function rows(db: string, sql: string): Record<string, unknown>[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    d.close();
  }
}

describe('sparsebench sweep (end to end)', () => {
  it('runs list and runs show give a vit trial its accuracy and count images, not tokens', () => {
    const dir = tempDir();
    const db = join(dir, 'v.db');
    const config = writeConfig(
      `name: v
model: {family: vit, patch_size: 4}
data: {source: synthetic-images, train_images: 2000, validation_images: 200}
train: {batch_size: 16, eval_interval: 10, eval_tokens: 64}
sweep: {sparsity: 0.5, nonzero_params: 3k, tokens: 480}
`,
      'v.yaml',
      dir,
    );
    const sweep = cli(['sweep', config, '--db', db]);
    expect(sweep.code).toBe(0);
    expect(sweep.stderr).toMatch(/finished [0-9a-f]{8}: .* images\/s, /);
    const list = cli(['runs', 'list', '--db', db]).stdout;
    expect(list).toMatch(/val loss +val acc +sparsity +img\/s/);
    const id = /^([0-9a-f]{16}) /m.exec(list)![1];
    const show = cli(['runs', 'show', id, '--db', db]).stdout;
    expect(show).toMatch(/results +val loss \d\.\d{4}, val accuracy \d\.\d{4}, .* img\/s/);
    expect(show).toMatch(/step +images +val loss +val acc/);
  });

  it('says before training (and in a dry run) which trials a reused sweep name leaves out', () => {
    const dir = tempDir();
    const db = join(dir, 's.db');
    expect(cli(['sweep', writeConfig(tinySyntheticConfig(), 'a.yaml', dir), '--db', db]).code).toBe(0);
    const b = writeConfig(
      tinySyntheticConfig().replace('sparsity: [0, 0.5]', 'sparsity: [0.5]'),
      'b.yaml',
      dir,
    );
    const note =
      'note: sweep tiny was run before with another plan (another config, or data files that changed since); 1 of its trials is not in this one';
    const dry = cli(['sweep', b, '--db', db, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(note);
    expect(JSON.parse(cli(['sweep', b, '--db', db, '--dry-run', '--json']).stdout).dropped).toEqual({
      trials: 1,
      finished: 1,
      olderVersion: 0,
      otherBackend: 0,
    });
    // what a run would train of the plan the database holds
    expect(dry.stderr).toContain(
      `note: ${db} already holds 1 of this plan's 1 trial: 1 finished; a run would train none of them.`,
    );
    // the same config under another backend: the note names the backend, not the config or the data
    const cpu = cli([
      'sweep',
      writeConfig(tinySyntheticConfig(), 'a.yaml', dir),
      '--db',
      db,
      '--dry-run',
      '--backend',
      'cpu',
    ]);
    expect(cpu.code).toBe(0);
    expect(cpu.stderr).toContain(
      "note: 2 of sweep tiny's earlier trials differ from this plan's only in the backend (--backend",
    );
    expect(cpu.stderr).not.toContain('another plan (another config');
    expect(cpu.stderr).not.toContain('already holds');
    // a copy marked one schema older: a dry run upgrades nothing, so it says it cannot tell, and leaves the file be
    const older = join(dir, 'older.db');
    copyFileSync(db, older);
    const marked = new Database(older);
    marked.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    marked.close();
    const dryOlder = cli(['sweep', b, '--db', older, '--dry-run']);
    expect(dryOlder.code).toBe(0);
    expect(dryOlder.stderr).toContain(
      `note: ${older} has an older schema, which a dry run leaves as it is, so it cannot say whether this plan takes trials out of sweep tiny`,
    );
    expect(dryOlder.stderr).not.toContain(note);
    expect(rows(older, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION - 1 }]);
    const run = cli(['sweep', b, '--db', db]);
    expect(run.code).toBe(0);
    expect(run.stderr.indexOf(note)).toBeGreaterThanOrEqual(0);
    expect(run.stderr.indexOf(note)).toBeLessThan(run.stderr.indexOf('sweep: 1 trial,'));
    // nothing trained: the note at the start is still on screen, so the summary does not say it again
    expect(run.stdout).not.toContain(note);
    // a run that trains says it again with the summary, after the log that scrolled it away
    const c = writeConfig(
      tinySyntheticConfig().replace('sparsity: [0, 0.5]', 'sparsity: [0.75]'),
      'c.yaml',
      dir,
    );
    const trained = cli(['sweep', c, '--db', db]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toContain('1 trained');
    expect(trained.stdout).toContain('note: sweep tiny was run before with another plan');
  });

  it('trains the smoke sweep into SQLite, and a second run trains nothing', () => {
    const db = join(tempDir(), 'runs', 'smoke.db');
    const first = cli(['sweep', SMOKE, '--db', db]);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/4 trials: 4 trained, 0 already finished/);
    const trials = rows(db, 'SELECT * FROM trials ORDER BY sparsity, nonzero_target');
    expect(trials).toHaveLength(4);
    for (const t of trials) {
      expect(t.status).toBe('finished');
      expect(t.backend).toBe('wasm');
      expect(Math.abs((t.achieved_sparsity as number) - (t.sparsity as number))).toBeLessThan(1e-9);
      expect(t.final_val_loss as number).toBeGreaterThan(0.5);
      expect(t.final_val_loss as number).toBeLessThan(Math.log(256));
      expect(t.tokens_per_second as number).toBeGreaterThan(0);
      expect(t.nonzero_params).toBe(t.planned_nonzero);
      expect(
        Math.abs((t.nonzero_params as number) - (t.nonzero_target as number)) / (t.nonzero_target as number),
      ).toBeLessThan(0.05);
    }
    // final weights beside the database: masked entries are exact zeros, masks stored with them
    for (const t of trials) {
      const w = readSafetensors(weightsPath(db, t.id as string));
      expect(JSON.parse(w.metadata.spec).sparsity).toBe(t.sparsity);
      const masked = [...w.tensors.keys()].filter((k) => k.endsWith('.mask'));
      expect(masked.length > 0).toBe((t.sparsity as number) > 0);
      for (const k of masked) {
        const mask = w.tensors.get(k)!.data;
        const weights = w.tensors.get(k.replace(/\.mask$/, ''))!.data;
        for (let i = 0; i < mask.length; i++) if (mask[i] === 0) expect(weights[i]).toBe(0);
      }
    }
    const perTrial = rows(
      db,
      "SELECT trial_id, count(*) AS n FROM metrics WHERE name = 'train_loss' GROUP BY trial_id",
    );
    for (const r of perTrial) expect(r.n).toBe(62);
    const again = cli(['sweep', SMOKE, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 trained, 4 already finished/);
    expect(rows(db, 'SELECT max(attempts) AS a FROM trials')[0].a).toBe(1);

    const list = cli(['runs', 'list', '--db', db, '--json']);
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as { sweep: string; trials: { id: string; status: string }[] };
    expect(parsed.sweep).toBe('smoke');
    expect(parsed.trials.map((t) => t.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
    const show = cli(['runs', 'show', parsed.trials[3].id.slice(0, 8), '--db', db]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/sparsity {2}target 0.5, achieved 0.5000/);
    // the smoke model has one layer: singular, not "1 layers"
    expect(show.stdout).toMatch(/model {5}lm: 1 layer, d_model \d+, 2 heads,/);
  });

  it("runs list shows a sweep's extra axes, so trials differing only there can be told apart", () => {
    const cfg = writeConfig(
      tinySyntheticConfig()
        .replace('sparsity: [0, 0.5]', 'sparsity: [0.5]')
        .concat('  train.optimizer.lr: [0.001, 0.003]\n'),
    );
    const db = join(dirname(cfg), 'lr.db');
    const sweep = cli(['sweep', cfg, '--db', db]);
    expect(sweep.code).toBe(0);
    // the table the sweep prints at its end has the same column
    expect(sweep.stdout.split('\n').find((l) => l.startsWith('id '))).toMatch(
      /seed +train\.optimizer\.lr +val loss/,
    );
    const list = cli(['runs', 'list', '--db', db]).stdout.split('\n');
    expect(list.find((l) => l.startsWith('id '))).toMatch(/seed +train\.optimizer\.lr +val loss/);
    expect(list.filter((l) => / 0\.001 /.test(l))).toHaveLength(1);
    expect(list.filter((l) => / 0\.003 /.test(l))).toHaveLength(1);
  });

  it('runs list leaves a pruner axis blank for the dense baseline every pruner setting shares', () => {
    const cfg = writeConfig(tinySyntheticConfig().concat('  pruner.schedule.interval: [2, 4]\n'));
    const db = join(dirname(cfg), 'p.db');
    expect(cli(['sweep', cfg, '--db', db]).code).toBe(0);
    const rows = cli(['runs', 'list', '--db', db]).stdout.split('\n');
    expect(rows.find((l) => l.startsWith('id '))).toMatch(/seed +pruner\.schedule\.interval +val loss/);
    const cellOf = (l: string) => l.trim().split(/ +/)[7];
    expect(rows.filter((l) => / dense /.test(l)).map(cellOf)).toEqual(['-']);
    expect(
      rows
        .filter((l) => / gmp /.test(l))
        .map(cellOf)
        .sort(),
    ).toEqual(['2', '4']);
  });

  it('rejects an invalid config with exit 2, naming the key, and writes nothing', () => {
    const dir = tempDir();
    const config = writeConfig(
      'name: bad\ntrain: {batch_size: 8}\nsweep:\n  sparsity: [0, 1.2]\n  nonzero_params: 8k\n  tokens: 16k\n',
      'bad.yaml',
      dir,
    );
    const db = join(dir, 'runs', 'x.db');
    const r = cli(['sweep', config, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad.yaml:4:17: sweep.sparsity\[1\]: 1.2: sparsity must be in \[0, 1\)/);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
    const flag = cli(['sweep', config, '--backend', 'gpu']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--backend.*gpu.*auto, wasm, cpu/);
  });

  it('prints the plan with --dry-run and writes nothing', () => {
    const dir = tempDir();
    const r = cli(['sweep', join(process.cwd(), SMOKE), '--dry-run', '--json', '--db', join(dir, 'x.db')]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.trials).toHaveLength(4);
    expect(plan.total_flops).toBeGreaterThan(0);
    expect(plan.compute_unit).toBe('FLOPs');
    expect(plan.trials[0].spec.model.d_model).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("does not call an image model's compute FLOPs: D counts images there", () => {
    const r = cli(['sweep', join(process.cwd(), 'configs/vit-mnist.yaml'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/FLOPs \(C =/);
    expect(r.stdout).toMatch(/C = 6 \* N\/\(1-S\) \* D = [0-9.e]+ with D in images/);
    expect(r.stdout).toMatch(/ images +steps .* C \(6·N\/\(1−S\)·img\)/);
    const json = JSON.parse(
      cli(['sweep', join(process.cwd(), 'configs/vit-mnist.yaml'), '--dry-run', '--json']).stdout,
    );
    expect(json.compute_unit).toBe('6·N/(1−S)·images');
  });

  it('survives SIGKILL mid-sweep: the rerun keeps finished trials and trains the rest once', async () => {
    const db = join(tempDir(), 'kill.db');
    const child = cliSpawn(['sweep', SMOKE, '--db', db]);
    // with several workers trials start together: wait until one has finished
    await waitForStderr(child, /finished [0-9a-f]{8}:/);
    child.kill('SIGKILL');
    await exitOf(child);
    const before = rows(db, "SELECT id FROM trials WHERE status = 'finished'").map((r) => r.id);
    expect(before.length).toBeGreaterThanOrEqual(1);
    // the trials it was training still read "running" in the database: the list says their owner is gone
    const stillRunning = rows(db, "SELECT id FROM trials WHERE status = 'running'").length;
    const listed = cli(['runs', 'list', '--db', db]).stdout;
    expect(listed.match(/ running \(owner gone\) /g)?.length ?? 0).toBe(stillRunning);
    expect(listed).not.toMatch(/ running {2}/); // none shown as plainly running
    const listedJson = JSON.parse(cli(['runs', 'list', '--db', db, '--json']).stdout);
    const shown = listedJson.trials.filter((t: { status: string }) => t.status === 'running');
    expect(shown.map((t: { shownStatus: string }) => t.shownStatus)).toEqual(
      Array(stillRunning).fill('running (owner gone)'),
    );
    const rerun = cli(['sweep', SMOKE, '--db', db]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/already finished/);
    expect(rows(db, 'PRAGMA integrity_check')[0].integrity_check).toBe('ok');
    const trials = rows(db, 'SELECT id, status, attempts FROM trials');
    expect(trials.every((t) => t.status === 'finished')).toBe(true);
    for (const t of trials) if (before.includes(t.id)) expect(t.attempts).toBe(1);
    const counts = rows(db, "SELECT count(*) AS n FROM metrics WHERE name = 'train_loss' GROUP BY trial_id");
    for (const c of counts) expect(c.n).toBe(62);
  });

  // SIGTERM rather than SIGINT: a shell without job control starts background children with SIGINT
  // ignored, and test runners are often started that way; the CLI handles both signals the same way.
  it('stops gracefully on SIGTERM: the trial is checkpointed and marked interrupted, exit 143; the rerun resumes it', async () => {
    const dir = tempDir();
    const db = join(dir, 'int.db');
    // one trial of ~1000 steps, so the signal surely lands mid-trial
    const config = writeConfig(
      'name: long\ndata: {source: synthetic, vocab_size: 16, branching: 2}\ntrain: {batch_size: 4, seq_len: 8}\nsweep: {sparsity: 0.5, nonzero_params: 2k, tokens: 32k}\n',
      'long.yaml',
      dir,
    );
    const child = cliSpawn(['sweep', config, '--db', db]);
    await waitForStderr(child, /\[1\/1\] training/);
    await new Promise((r) => setTimeout(r, 800));
    child.kill('SIGTERM');
    const { code } = await exitOf(child);
    expect(code).toBe(143);
    const statuses = rows(db, 'SELECT status FROM trials').map((r) => r.status);
    expect(statuses).toContain('interrupted');
    expect(statuses).not.toContain('running');
    const checkpoints = `${db}.checkpoints`;
    expect(readdirSync(checkpoints)).toHaveLength(1);
    // a copy of the database without its checkpoint, in another folder, says the stopped trial's checkpoint is gone
    mkdirSync(join(dir, 'elsewhere'));
    copyFileSync(db, join(dir, 'elsewhere', 'copy.db'));
    const copied = cli(['sweep', config, '--db', join(dir, 'elsewhere', 'copy.db')]);
    expect(copied.code).toBe(0);
    expect(copied.stderr).toMatch(
      /warning: .*it was stopped at step [1-9]\d*, but its checkpoint is not at .*copy\.db\.checkpoints.*; it trains from step 0/,
    );
    // another database in the same folder trains the same trial from its first step, and leaves this one's
    // checkpoint alone (checkpoints are kept per database)
    const other = cli(['sweep', config, '--db', join(dir, 'other.db')]);
    expect(other.code).toBe(0);
    expect(other.stderr).not.toMatch(/resuming/);
    expect(
      rows(join(dir, 'other.db'), "SELECT min(step) AS s FROM metrics WHERE name = 'train_loss'"),
    ).toEqual([{ s: 1 }]);
    const [file] = readdirSync(checkpoints);
    expect(readdirSync(checkpoints)).toEqual([file]);
    // the folder's shared checkpoints/ of earlier versions is read only for a trial its own database started
    mkdirSync(join(dir, 'checkpoints'));
    renameSync(join(checkpoints, file), join(dir, 'checkpoints', file));
    const third = cli(['sweep', config, '--db', join(dir, 'third.db')]);
    expect(third.code).toBe(0);
    expect(third.stderr).not.toMatch(/resuming/);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual([file]);
    // reached through a link to its file, the database resumes from the checkpoint beside the file
    symlinkSync(db, join(dir, 'link.db'));
    const resumed = cli(['sweep', config, '--db', join(dir, 'link.db')]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from step [1-9]\d*/);
    const counts = rows(db, "SELECT count(*) AS n FROM metrics WHERE name = 'train_loss' GROUP BY trial_id");
    expect(counts).toEqual([{ n: 1000 }]);
    expect(readdirSync(checkpoints)).toEqual([]); // dropped once finished
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual([]); // taken over by its database, then dropped
    // the final weights, too, are the database's own
    expect(readdirSync(`${db}.weights`)).toHaveLength(1);
    expect(readdirSync(join(dir, 'other.db.weights'))).toHaveLength(1);
  });
});
