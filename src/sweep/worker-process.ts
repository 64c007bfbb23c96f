/**
 * A sweep's worker process: receives one job at a time over IPC, trains it, and sends back progress,
 * metrics, checkpoints and the outcome. It writes nothing itself; see {@link ProcessRunner}.
 */
import type { FromWorker, ToWorker } from './process-runner.js';
import { executeJob } from './trial-runner.js';

let stopping = false;
const send = (m: FromWorker) => process.send?.(m);
/** Progress goes out at most this often: a bar redraws 5 times a second, and each message costs the writer. */
const PROGRESS_MS = 100;

// Ctrl-C reaches the whole process group: stop like the sweep does (checkpoint, then report interrupted),
// instead of dying mid-step. The sweep sends its own stop too; either is enough.
process.on('SIGINT', () => {
  stopping = true;
});
process.on('SIGTERM', () => {
  stopping = true;
});
// The sweep is gone (killed or finished): nothing could be recorded any more, so leave at once.
process.on('disconnect', () => process.exit(0));

process.on('message', async (m: ToWorker) => {
  if (m.type === 'stop') {
    stopping = true;
    return;
  }
  stopping = false;
  let lastProgress = 0;
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
  send({ type: 'outcome', outcome });
});
