import { cpus, hostname, platform, release, totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { packageVersion, sourceRevision } from './package-version.js';

export { packageVersion, sourceRevision };

/** Where a trial ran: recorded with every finished trial, shown in reports. */
export interface RunEnvironment {
  host: string;
  os: string;
  cpu: string;
  cores: number;
  memory_gib: number;
  node: string;
  tfjs_core: string;
  sparsebench: string;
  /** The git commit it ran from, when run from a checkout ("+modified" with local changes): see `sourceRevision`. */
  source?: string;
  /** What computed beyond the CPU, when it is not the CPU: the WebGPU adapter or the native TensorFlow package. */
  accelerator?: string;
  /** What ran the matrix products (e.g. native-avx512, xnnpack, js, webgpu). */
  kernels?: string;
  /** Where the optimizer step ran: `device` (AdamW and masks on the GPU) or `host` . */
  optimizer?: 'host' | 'device';
}

/** This process's machine and versions; `accelerator` names the GPU adapter or native package in use. */
export function runEnvironment(
  accelerator?: string,
  kernels?: string,
  optimizer?: 'host' | 'device',
): RunEnvironment {
  const c = cpus();
  const source = sourceRevision();
  return {
    ...(accelerator ? { accelerator } : {}),
    ...(kernels ? { kernels } : {}),
    ...(optimizer ? { optimizer } : {}),
    host: hostname(),
    os: `${platform()} ${release()}`,
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    tfjs_core: tf.version_core,
    sparsebench: packageVersion(),
    ...(source ? { source } : {}),
  };
}
