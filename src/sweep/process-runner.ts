import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricPoint } from '../store/types.js';
import type { TrainProgress } from '../train/trainer.js';
import type { TrialEvents, TrialJob, TrialOutcome, TrialRunner } from './trial-runner.js';

/** Messages from the sweep to a worker process. */
export type ToWorker = { type: 'job'; job: TrialJob } | { type: 'stop' };

/** Messages from a worker process to the sweep, in the order they happen. */
export type FromWorker =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'metrics'; points: MetricPoint[] }
  | { type: 'checkpoint'; bytes: Uint8Array }
  | { type: 'outcome'; outcome: TrialOutcome };

/** The worker entry point, built to dist/ (src/sweep and dist/sweep are both two levels below the root). */
function workerScript(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'sweep', 'worker-process.js');
}

/**
 * Trains jobs in a child process. The child only computes: metrics, checkpoints and final weights come back
 * over IPC (structured clone, so typed arrays travel as they are) and the sweep process writes them, making
 * it the only writer of the database and the run directory. If the child dies mid-trial the job ends
 * `failed` with the exit code or signal (its checkpoint kept, see `processDied`) and the next job gets a
 * new child; if the sweep dies, the child sees its channel close and exits.
 */
/**
 * V8 heap settings of a worker. tfjs's per-op objects land in V8's old generation and die there within a step;
 * with the default (small) old-space start size that means a full collection every few hundred milliseconds,
 * whose concurrent marking keeps V8's helper threads busy beside the training thread, and with one worker per
 * core those threads take time from the other worker. Letting the old space reach 128 MB before the first full
 * collection left 2 per sweep where there were ~50-180 (BENCHMARKS.md, "Worker processes"). It costs up to that
 * much more memory per worker, which trialBytes (worker-count.ts) counts.
 */
export const WORKER_OLD_SPACE_MB = 128;
/** After a worker's exit, how long its end waits for the rest of its stderr (the `close` event). */
const EXIT_GRACE_MS = 500;
const WORKER_V8_FLAGS = [`--initial-old-space-size=${WORKER_OLD_SPACE_MB}`];
/** Signals that ask a process to stop (Ctrl-C, kill, a closed terminal), as against a crash or SIGKILL. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export class ProcessRunner implements TrialRunner {
  private child: ChildProcess | null;
  private current: {
    events: TrialEvents;
    resolve: (o: TrialOutcome) => void;
  } | null = null;
  /** How the current child ended, or null while it lives. */
  private exited: string | null = null;
  /** The last step the current job reported (its resume step before its first report). */
  private lastStep = 0;

  constructor(readonly label: string) {
    this.child = this.start();
  }

  /**
   * A new worker process, wired to this runner; null (with `exited` set) when it cannot be started. Its
   * listeners act only while it is this runner's child, so nothing a dead child left in its pipes reaches the
   * job of the child that replaced it. Its end is taken at `close`, once its stderr is read to the end, so the
   * failure message carries its last words (e.g. V8's out-of-memory report).
   */
  private start(): ChildProcess | null {
    this.exited = null;
    let child: ChildProcess;
    try {
      child = fork(workerScript(), [], {
        execArgv: [...process.execArgv, ...WORKER_V8_FLAGS],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (e) {
      this.exited = `could not start: ${(e as Error).message}`;
      return null;
    }
    let tail = '';
    const mine = () => this.child === child;
    child.stderr?.on('data', (d: Buffer) => {
      // kept for the failure message; a healthy worker prints nothing
      tail = (tail + d.toString()).slice(-2000);
    });
    child.on('message', (m: FromWorker) => {
      if (mine()) this.onMessage(m);
    });
    const end = (how: string, signal: NodeJS.Signals | null = null) => {
      if (!mine() || this.exited) return;
      this.exited = how;
      const c = this.current;
      this.current = null;
      const last = tail.trim().split('\n').slice(-3).join(' | ');
      // a stop signal the worker could not yet catch (it arrived while the worker was starting) interrupted
      // the trial: it resumes on the next run, as after a stop the worker caught; any other death is a failure
      if (signal && STOP_SIGNALS.includes(signal))
        c?.resolve({ kind: 'interrupted', step: this.lastStep, pending: [] });
      else
        c?.resolve({
          kind: 'failed',
          message: `${this.label} process ${how} while training${last ? `: ${last}` : ''}`,
          pending: [],
          processDied: true,
        });
    };
    const how = (code: number | null, signal: NodeJS.Signals | null) =>
      `exited (${signal ? `signal ${signal}` : `code ${code}`})`;
    child.on('close', (code, signal) => end(how(code, signal), signal));
    // close waits for the stderr pipe, which a stray holder could keep open: never wait long for it
    child.on('exit', (code, signal) =>
      setTimeout(() => end(how(code, signal), signal), EXIT_GRACE_MS).unref(),
    );
    // a failed spawn (e.g. EAGAIN right after an out-of-memory death) is reported here, not by close
    child.on('error', (e) => end(`failed (${e.message})`));
    return child;
  }

  private onMessage(m: FromWorker): void {
    const c = this.current;
    if (!c) return;
    if (m.type === 'progress') {
      this.lastStep = m.progress.step;
      c.events.onProgress(m.progress);
    } else if (m.type === 'metrics') c.events.onMetrics(m.points);
    else if (m.type === 'checkpoint') c.events.onCheckpoint(m.bytes);
    else if (m.type === 'outcome') {
      this.current = null;
      c.resolve(m.outcome);
    }
  }

  run(job: TrialJob, events: TrialEvents): Promise<TrialOutcome> {
    if (this.current) throw new Error(`${this.label} is already training a trial`);
    // a worker that died (killed, out of memory) is replaced: one death costs one trial, not the rest
    if (this.exited) this.child = this.start();
    if (!this.child)
      return Promise.resolve({
        kind: 'failed',
        message: `${this.label} process ${this.exited}`,
        pending: [],
        processDied: true,
      });
    this.lastStep = job.resume?.step ?? 0;
    return new Promise<TrialOutcome>((resolve) => {
      this.current = { events, resolve };
      this.send({ type: 'job', job });
    });
  }

  stop(): void {
    if (this.current) this.send({ type: 'stop' });
  }

  close(): Promise<void> {
    const child = this.child;
    if (this.exited || !child) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect(); // the worker exits when its channel closes
    });
  }

  private send(m: ToWorker): void {
    if (this.child?.connected) this.child.send(m);
  }
}
