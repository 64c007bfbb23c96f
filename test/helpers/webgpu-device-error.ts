/**
 * Child process of test/train/webgpu-device-error.test.ts (a process that loads Dawn stays alive until it exits):
 * a tiny trial on the webgpu backend during which the device reports a validation error, then the same trial
 * again with no error. Prints one JSON line: how each trial ended.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrialSpec } from '../../src/config/trial-spec.js';
import { selectBackend } from '../../src/engine/backends.js';
import { TrialFailure, trainTrial } from '../../src/train/trainer.js';
import { planOf, tinySyntheticConfig } from './config.js';

await selectBackend('webgpu');
const spec: TrialSpec = { ...planOf(tinySyntheticConfig()).trials[1].spec, backend: 'webgpu' };

/** Trains `spec`, making the device report an error (a buffer with no usage) after step `breakAt`. */
async function trial(breakAt: number | null) {
  const losses: number[] = [];
  try {
    const out = await trainTrial(spec, {
      onMetrics: (points) => losses.push(...points.filter((p) => p.name === 'train_loss').map((p) => p.step)),
      onProgress: ({ step }) => {
        if (step === breakAt)
          (tf.backend() as unknown as { device: GPUDevice }).device.createBuffer({ size: 4, usage: 0 });
      },
    });
    return { ok: true, steps: out.result.steps, message: null, failedAt: null, filed: losses };
  } catch (e) {
    if (!(e instanceof TrialFailure)) throw e;
    const filed = [...losses, ...e.pending.filter((p) => p.name === 'train_loss').map((p) => p.step)];
    return { ok: false, steps: null, message: e.message, failedAt: e.step, filed };
  }
}

const broken = await trial(3);
const clean = await trial(null);
process.stdout.write(`${JSON.stringify({ steps: spec.steps, broken, clean })}\n`);
process.exit(0);
