import { readFileSync } from 'node:fs';
import { cpus, hostname, platform, release, totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

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
  /** What computed beyond the CPU, when it is not the CPU: the WebGPU adapter or the native TensorFlow package. */
  accelerator?: string;
  /** What ran the matrix products (e.g. native-avx512, xnnpack, js, webgpu). */
  kernels?: string;
}

/** This package's version, from its package.json. */
export function packageVersion(): string {
  try {
    // src/util/ and dist/util/ are both two levels below the package root
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

/** This process's machine and versions; `accelerator` names the GPU adapter or native package in use. */
export function runEnvironment(accelerator?: string, kernels?: string): RunEnvironment {
  const c = cpus();
  return {
    ...(accelerator ? { accelerator } : {}),
    ...(kernels ? { kernels } : {}),
    host: hostname(),
    os: `${platform()} ${release()}`,
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    tfjs_core: tf.version_core,
    sparsebench: packageVersion(),
  };
}
