/**
 * A sweep's worker process: receives one job at a time over IPC, trains it, and sends back progress,
 * metrics, checkpoints and the outcome. It writes nothing itself; see {@link ProcessRunner}.
 */
import type { FromWorker, ToWorker } from './process-runner.js';

/** Asked to stop the current job (by the sweep or a signal); set for the next job by a signal between jobs. */
let stopping = false;
/** Whether a job is training; a stop signal between jobs (e.g. while the first one loads) stops the next. */
let running = false;
let stopNext = false;
const send = (m: FromWorker) => process.send?.(m);
/** Progress goes out at most this often: a bar redraws 5 times a second, and each message costs the writer. */
const PROGRESS_MS = 100;

// Ctrl-C reaches the whole process group: stop like the sweep does (checkpoint, then report interrupted),
// instead of dying mid-step. The sweep sends its own stop too; either is enough.
const onStopSignal = () => {
  if (running) stopping = true;
  else stopNext = true;
};
process.on('SIGINT', onStopSignal);
process.on('SIGTERM', onStopSignal);
process.on('SIGHUP', onStopSignal); // the terminal closed: the whole group gets it
// The sweep is gone (killed or finished): nothing could be recorded any more, so leave at once.
process.on('disconnect', () => process.exit(0));

// Loaded after the handlers above are in place: loading tfjs takes a good part of a second, and a Ctrl-C in
// that time would otherwise kill the worker by the default action. The message handler is in place at once
// (a message that arrives before it would be lost) and waits for the load.
const trialRunner = import('./trial-runner.js');

process.on('message', async (m: ToWorker) => {
  if (m.type === 'stop') {
    stopping = true;
    return;
  }
  running = true;
  stopping = stopNext;
  stopNext = false;
  let lastProgress = 0;
  const { executeJob } = await trialRunner;
  const outcome = await executeJob(
    m.job,
    {
      onProgress: (progress) => {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_MS && progress.step < progress.steps) return;
        lastProgress = now;
        send({ type: 'progress', progress });
      },
      onMetrics: (points) => send({ type: 'metrics', points }),
      onCheckpoint: (bytes) => send({ type: 'checkpoint', bytes }),
    },
    () => stopping,
  );
  running = false;
  send({ type: 'outcome', outcome });
});
