import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backends.js';

/** Runs `f` with the named backend active. */
export async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T | Promise<T>): Promise<T> {
  await selectBackend(name);
  return await f();
}

export { tf };
