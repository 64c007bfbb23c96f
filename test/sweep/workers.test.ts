import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { TrialPlan } from '../../src/config/plan.js';
import { decodeSafetensors } from '../../src/store/safetensors.js';
import { Store } from '../../src/store/store.js';
import type { MetricPoint } from '../../src/store/types.js';
import { ProcessRunner } from '../../src/sweep/process-runner.js';
import type { SweepReporter } from '../../src/sweep/progress.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { InProcessRunner, type TrialJob } from '../../src/sweep/trial-runner.js';
import { chooseWorkers, memoryWarning, trialBytes } from '../../src/sweep/worker-count.js';
import { cli, cliSpawn, exitOf, waitForStderr } from '../helpers/cli.js';
import { planOf, tempDir, tinySyntheticConfig, writeConfig } from '../helpers/config.js';

const GiB = 2 ** 30;

/** Three trials of 40k tokens each (S = 0, 0.5, 0.75): long enough for a worker to be stopped mid-trial. */
function threeLongerTrials() {
  return planOf(
    tinySyntheticConfig()
      .replace('tokens: 4096', 'tokens: 40k')
      .replace('sparsity: [0, 0.5]', 'sparsity: [0, 0.5, 0.75]'),
  );
}

function jobOf(t: TrialPlan, checkpointEverySteps = 0): TrialJob {
  return { trialId: t.id, spec: t.spec, resume: null, checkpointEverySteps, checkpointEverySeconds: 0 };
}

function recorder() {
  const events: string[] = [];
  const metrics: MetricPoint[] = [];
  return {
    events,
    metrics,
    hooks: {
      onProgress: () => {
        if (events.at(-1) !== 'progress') events.push('progress');
      },
      onMetrics: (p: MetricPoint[]) => {
        events.push('metrics');
        metrics.push(...p);
      },
      onCheckpoint: () => events.push('checkpoint'),
    },
  };
}

describe('chooseWorkers', () => {
  const plan = planOf(tinySyntheticConfig());
  const trials = [...plan.trials, ...plan.trials, ...plan.trials]; // six small trials

  it('takes one worker per core when memory and trials allow', () => {
    expect(chooseWorkers(trials, { cores: 2, threadsPerTrial: 1, freeBytes: 16 * GiB }).workers).toBe(2);
    expect(chooseWorkers(trials, { cores: 4, threadsPerTrial: 1, freeBytes: 16 * GiB }).workers).toBe(4);
  });

  it('divides the cores by the threads each trial uses', () => {
    const c = chooseWorkers(trials, { cores: 8, threadsPerTrial: 4, freeBytes: 16 * GiB });
    expect(c.workers).toBe(2);
    // rounded down: 6 cores hold one trial of 4 threads, not two
    expect(chooseWorkers(trials, { cores: 6, threadsPerTrial: 4, freeBytes: 16 * GiB }).workers).toBe(1);
    expect(c.reason).toMatch(/8 cores \/ 4 threads per trial/);
  });

  it('never takes more workers than trials to train, nor fewer than one', () => {
    expect(
      chooseWorkers(trials.slice(0, 1), { cores: 8, threadsPerTrial: 1, freeBytes: 16 * GiB }).workers,
    ).toBe(1);
    expect(chooseWorkers([], { cores: 8, threadsPerTrial: 1, freeBytes: 16 * GiB })).toEqual({
      workers: 1,
      reason: 'auto: nothing to train',
    });
    expect(chooseWorkers(trials, { cores: 1, threadsPerTrial: 4, freeBytes: 16 * GiB }).workers).toBe(1);
  });

  it('fits the largest trial into 80% of free memory', () => {
    const each = trialBytes(trials[0]);
    // room for exactly three of them in 80% of what is free
    const c = chooseWorkers(trials, { cores: 16, threadsPerTrial: 1, freeBytes: (3.5 * each) / 0.8 });
    expect(c.workers).toBe(3);
    expect(chooseWorkers(trials, { cores: 16, threadsPerTrial: 1, freeBytes: 1 }).workers).toBe(1);
    // the largest trial sizes it wherever it stands in the plan: a big one last leaves room for two
    const big = planOf(tinySyntheticConfig().replace('nonzero_params: 3000', 'nonzero_params: 300k'))
      .trials[0];
    const room = (2.5 * trialBytes(big)) / 0.8;
    expect(
      chooseWorkers([...trials.slice(0, 5), big], { cores: 16, threadsPerTrial: 1, freeBytes: room }).workers,
    ).toBe(2);
    // and a step's activations count: at one shape, a larger batch needs more
    const wider = planOf(tinySyntheticConfig().replace('batch_size: 8', 'batch_size: 64')).trials[0];
    expect(wider.total_params).toBe(trials[0].total_params);
    expect(trialBytes(wider)).toBeGreaterThan(trialBytes(trials[0]));
  });

  it('trains one at a time on an engine that uses a whole device', () => {
    const budget = { cores: 16, threadsPerTrial: 1, freeBytes: 16 * GiB };
    expect(chooseWorkers(trials, budget, new Set(['webgpu']))).toEqual({
      workers: 1,
      reason: 'auto: 1 (the webgpu backend uses a whole device)',
    });
    expect(chooseWorkers(trials, budget, new Set(['wasm', 'tensorflow'])).workers).toBe(1);
    expect(chooseWorkers(trials, budget, new Set(['wasm'])).workers).toBe(6);
  });

  it('warns when the largest trial needs more memory than is free for it, naming it', () => {
    const largest = trials.reduce((a, b) => (trialBytes(b) > trialBytes(a) ? b : a));
    const need = trialBytes(largest);
    expect(memoryWarning(trials, { freeBytes: need / 0.8 + 1 })).toBeNull();
    expect(memoryWarning(trials, { freeBytes: need / 0.8 / 2 })).toMatch(
      new RegExp(
        `^trial ${largest.id.slice(0, 8)} \\(S = ${largest.spec.sparsity}, .* parameters as trained\\) needs about [\\d.]+ GB of memory, more than the [\\d.e-]+ GB free for it here: it may be killed for memory part-way`,
      ),
    );
    expect(memoryWarning([], { freeBytes: 1 })).toBeNull();
  });

  it('estimates more memory for a bigger model', () => {
    const big = planOf(tinySyntheticConfig().replace('nonzero_params: 3000', 'nonzero_params: 300000'));
    expect(trialBytes(big.trials[0])).toBeGreaterThan(trialBytes(plan.trials[0]));
  });
});

describe('trial runners', () => {
  const plan = planOf(tinySyntheticConfig());

  it('a worker process trains a job and returns what an in-process run returns, weights as bytes', async () => {
    const t = plan.trials[1];
    const here = recorder();
    const local = await new InProcessRunner().run(jobOf(t), here.hooks);
    const runner = new ProcessRunner('worker 1');
    const there = recorder();
    const remote = await runner.run(jobOf(t), there.hooks);
    await runner.close();
    expect(local.kind).toBe('finished');
    expect(remote.kind).toBe('finished');
    if (local.kind !== 'finished' || remote.kind !== 'finished') return;
    expect(remote.result.finalValLoss).toBe(local.result.finalValLoss);
    expect(there.metrics).toEqual(here.metrics);
    // the weights come back as safetensors bytes, identical to the in-process ones
    expect(Buffer.from(remote.weights).equals(Buffer.from(local.weights))).toBe(true);
    expect(decodeSafetensors(Buffer.from(remote.weights)).metadata.trial_id).toBe(t.id);
  });

  it('stop() ends the job interrupted, its checkpoint reported after the metrics it covers', async () => {
    const long = planOf(tinySyntheticConfig().replace('tokens: 4096', 'tokens: 200k')).trials[0];
    const runner = new ProcessRunner('worker 1');
    const rec = recorder();
    let steps = 0;
    const outcome = await runner.run(jobOf(long), {
      ...rec.hooks,
      onProgress: () => {
        rec.hooks.onProgress();
        if (++steps === 3) runner.stop();
      },
    });
    await runner.close();
    expect(outcome.kind).toBe('interrupted');
    if (outcome.kind !== 'interrupted') return;
    expect(outcome.step).toBeGreaterThanOrEqual(3);
    expect(outcome.step).toBeLessThan(long.spec.steps);
    // the checkpoint comes last, after metrics through the step it holds
    expect(rec.events.at(-1)).toBe('checkpoint');
    expect(Math.max(...rec.metrics.map((p) => p.step))).toBe(outcome.step);
  });

  it('a worker process that dies mid-trial ends the job failed with its signal', async () => {
    const long = planOf(tinySyntheticConfig().replace('tokens: 4096', 'tokens: 200k')).trials[0];
    const runner = new ProcessRunner('worker 7');
    let killed = false;
    const outcome = await runner.run(jobOf(long), {
      onProgress: () => {
        if (killed) return;
        killed = true;
        // biome-ignore lint/suspicious/noExplicitAny: reaching the child to kill it is the point of the test
        (runner as any).child.kill('SIGKILL');
      },
      onMetrics: () => {},
      onCheckpoint: () => {},
    });
    expect(outcome).toMatchObject({ kind: 'failed', processDied: true });
    if (outcome.kind === 'failed')
      expect(outcome.message).toMatch(/worker 7 process exited \(signal SIGKILL\)/);
    // the runner starts a new process for its next job instead of failing every job after a death
    const next = await runner.run(jobOf(plan.trials[0]), recorder().hooks);
    expect(next.kind).toBe('finished');
    await runner.close();
  });

  it('a stop signal ends the job interrupted, also one that reaches the worker while it is starting', async () => {
    const long = planOf(tinySyntheticConfig().replace('tokens: 4096', 'tokens: 200k')).trials[0];
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const runner = new ProcessRunner('worker 3');
      const outcome = runner.run(jobOf(long), recorder().hooks);
      // at once: before the worker has loaded anything, when Ctrl-C's default action would kill it
      // biome-ignore lint/suspicious/noExplicitAny: reaching the child to signal it is the point of the test
      (runner as any).child.kill(signal);
      expect(await outcome, signal).toMatchObject({ kind: 'interrupted' });
      await runner.close();
    }
  });

  it('a sweep goes on past a dead worker, and --retry-failed resumes the killed trial from its checkpoint', async () => {
    const plan3 = threeLongerTrials();
    const store = Store.open(join(tempDir(), 's.db'), { create: true });
    const runner = new ProcessRunner('worker 1');
    let victim: string | null = null;
    const starts: [string, number][] = [];
    const killer = (): SweepReporter => ({
      stop() {},
      start() {},
      trialEnd() {},
      trialStart(t, _i, from) {
        starts.push([t.id, from]);
      },
      trialProgress(p, t) {
        if (victim === null && p.step >= 40) {
          victim = t.id;
          // biome-ignore lint/suspicious/noExplicitAny: reaching the child to kill it is the point of the test
          (runner as any).child.kill('SIGKILL');
        }
      },
    });
    try {
      const first = await runSweep(plan3, store, {
        runners: [runner],
        checkpointSteps: 10,
        reporter: killer(),
      });
      expect(first).toMatchObject({ trained: 2, failed: 1 });
      const failed = store.listTrials(plan3.name).find((t) => t.status === 'failed')!;
      expect(failed.id).toBe(victim);
      expect(failed.error).toMatch(/signal SIGKILL.*checkpoint is kept, and --retry-failed resumes from it/);
      const again = await runSweep(plan3, store, { retryFailed: true, reporter: killer() });
      expect(again).toMatchObject({ trained: 1, failed: 0, alreadyFinished: 2 });
      const resumedFrom = starts.at(-1)!;
      expect(resumedFrom[0]).toBe(victim);
      expect(resumedFrom[1]).toBeGreaterThanOrEqual(30); // the last checkpoint before step 40
      expect(store.listTrials(plan3.name).every((t) => t.status === 'finished')).toBe(true);
    } finally {
      await runner.close();
      store.close();
    }
  });

  it('a worker stopped by a signal of its own leaves its trial interrupted and the sweep trains the rest', async () => {
    const plan3 = threeLongerTrials();
    const store = Store.open(join(tempDir(), 's.db'), { create: true });
    const runner = new ProcessRunner('worker 1');
    let victim: string | null = null;
    const ends: string[] = [];
    const reporter: SweepReporter = {
      stop() {},
      start() {},
      trialEnd(t, status, detail) {
        ends.push(`${t.id} ${status} ${detail ?? ''}`);
      },
      trialStart() {},
      trialProgress(p, t) {
        if (victim === null && p.step >= 40) {
          victim = t.id;
          // biome-ignore lint/suspicious/noExplicitAny: reaching the child to signal it is the point of the test
          (runner as any).child.kill('SIGTERM');
        }
      },
    };
    try {
      const first = await runSweep(plan3, store, { runners: [runner], checkpointSteps: 10, reporter });
      // before, the sweep stopped at the first such trial as if it had been stopped itself, and exited 0
      expect(first).toMatchObject({ trained: 2, failed: 0, stoppedWorkers: 1, interrupted: false });
      const stopped = store.listTrials(plan3.name).find((t) => t.status === 'interrupted')!;
      expect(stopped.id).toBe(victim);
      expect(ends.find((e) => e.startsWith(victim!))).toMatch(
        /interrupted at step \d+: its worker process was stopped by a signal; run the sweep again to resume it/,
      );
      const again = await runSweep(plan3, store, {});
      expect(again).toMatchObject({ trained: 1, alreadyFinished: 2, stoppedWorkers: 0 });
    } finally {
      await runner.close();
      store.close();
    }
  });

  it('runSweep with two runners trains every trial once, with the losses of one runner', async () => {
    const dir = tempDir();
    const one = Store.open(join(dir, 'one.db'), { create: true });
    const two = Store.open(join(dir, 'two', 'two.db'), { create: true });
    try {
      const a = await runSweep(plan, one);
      const b = await runSweep(plan, two, { runners: [new InProcessRunner(), new InProcessRunner()] });
      expect(a.trained).toBe(2);
      expect(b.trained).toBe(2);
      const loss = (s: Store) =>
        Object.fromEntries(
          s.listTrials(plan.name).map((t) => [t.id, [t.status, t.finalValLoss, t.attempts]]),
        );
      expect(loss(two)).toEqual(loss(one));
      expect(readdirSync(`${two.path}.weights`).sort()).toEqual(
        plan.trials.map((t) => `${t.id}.safetensors`).sort(),
      );
    } finally {
      one.close();
      two.close();
    }
  });
});

describe('sweep --workers (end to end)', () => {
  const config = () =>
    writeConfig(tinySyntheticConfig().replace('sparsity: [0, 0.5]', 'sparsity: [0, 0.5, 0.75]'));

  it('two worker processes give the results of one, every trial trained once', () => {
    const cfg = config();
    const db1 = join(dirname(cfg), 'one', 's.db');
    const db2 = join(dirname(cfg), 'two', 's.db');
    const r1 = cli(['sweep', cfg, '--db', db1, '--workers', '1', '--json']);
    const r2 = cli(['sweep', cfg, '--db', db2, '--workers', '2', '--json']);
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(0);
    expect(r2.stderr).toMatch(/workers: 2 \(--workers 2\)/);
    const losses = (out: string) =>
      Object.fromEntries(
        (JSON.parse(out).trials as { id: string; finalValLoss: number; attempts: number }[]).map((t) => [
          t.id,
          [t.finalValLoss, t.attempts],
        ]),
      );
    expect(losses(r2.stdout)).toEqual(losses(r1.stdout));
    expect(JSON.parse(r2.stdout).summary).toMatchObject({ trained: 3, failed: 0, busy: 0 });
  });

  it('auto names its choice; a bad --workers is a usage error', () => {
    const cfg = config();
    const r = cli(['sweep', cfg, '--db', join(dirname(cfg), 'a.db')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /workers: \d+ \(auto: \d+ \(limits: \d+ cores, memory for \d+ of the largest trial/,
    );
    const bad = cli(['sweep', cfg, '--db', join(dirname(cfg), 'b.db'), '--workers', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--workers two: expected auto or a whole number from 1 to 64/);
  });

  it('SIGTERM stops every worker: trials checkpointed and interrupted, exit 143; the rerun resumes them', async () => {
    const dir = tempDir();
    const db = join(dir, 'w.db');
    const cfg = writeConfig(
      'name: long2\ndata: {source: synthetic, vocab_size: 16, branching: 2}\ntrain: {batch_size: 4, seq_len: 8}\nsweep: {sparsity: [0, 0.5], nonzero_params: 2k, tokens: 32k}\n',
      'long2.yaml',
      dir,
    );
    const child = cliSpawn(['sweep', cfg, '--db', db, '--workers', '2']);
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    await waitForStderr(child, /\[2\/2\] training/);
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const { code } = await exitOf(child);
    expect(code).toBe(143);
    expect(stdout).toContain('stopped: 2 interrupted, 0 not started (run it again to resume)');
    const d = new Database(db, { readonly: true });
    const statuses = (d.prepare('SELECT status FROM trials').all() as { status: string }[]).map(
      (r) => r.status,
    );
    d.close();
    expect(statuses.sort()).toEqual(['interrupted', 'interrupted']);
    expect(readdirSync(`${db}.checkpoints`)).toHaveLength(2);
    const resumed = cli(['sweep', cfg, '--db', db, '--workers', '2']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr.match(/resuming from step [1-9]\d*/g)).toHaveLength(2);
    const e = new Database(db, { readonly: true });
    const counts = e
      .prepare("SELECT count(*) AS n FROM metrics WHERE name = 'train_loss' GROUP BY trial_id")
      .all();
    e.close();
    expect(counts).toEqual([{ n: 1000 }, { n: 1000 }]);
  });
});

describe('trials another process took', () => {
  /** A sweep of two trials whose second another process (on another host) claimed before this one ran. */
  function setup() {
    const plan = planOf(tinySyntheticConfig());
    const store = Store.open(join(tempDir(), 's.db'), { create: true });
    store.saveSweep(plan);
    const other = 'another-host:1:abc';
    const taken = plan.trials[1];
    expect(store.claimTrial(taken.id, other, { retryFailed: false, leaseMs: 60_000 })).toBe('claimed');
    return { plan, store, other, taken };
  }
  const quiet = (on: { start?: () => void; stop?: () => void }): SweepReporter => ({
    start() {},
    stop: on.stop ?? (() => {}),
    trialEnd() {},
    trialProgress() {},
    trialStart: on.start ?? (() => {}),
  });

  it('still running there when this run ends: counted as such (the CLI exits 3)', async () => {
    const { plan, store } = setup();
    const s = await runSweep(plan, store, { reporter: quiet({}) });
    expect(s).toMatchObject({ trained: 1, busy: 1, unfinishedElsewhere: 0, finishedElsewhere: 0 });
    store.close();
  });

  it('stopped there while this run trained: this run goes back for it and trains it', async () => {
    const { plan, store, other, taken } = setup();
    const s = await runSweep(plan, store, {
      reporter: quiet({ start: () => store.endTrial(taken.id, other, 'interrupted', { step: 3 }) }),
    });
    expect(s).toMatchObject({ trained: 2, busy: 0, unfinishedElsewhere: 0 });
    expect(store.listTrials(plan.name).map((t) => t.status)).toEqual(['finished', 'finished']);
    store.close();
  });

  it('stopped there after this run last looked: left unfinished, not "still running"', async () => {
    const { plan, store, other, taken } = setup();
    const s = await runSweep(plan, store, {
      reporter: quiet({ stop: () => store.endTrial(taken.id, other, 'interrupted', { step: 3 }) }),
    });
    expect(s).toMatchObject({ trained: 1, busy: 0, unfinishedElsewhere: 1 });
    store.close();
  });
});
