import * as tf from '@tensorflow/tfjs-core';

let registered: Promise<void> | null = null;

/**
 * Registers tfjs-core's gradient functions, once. tfjs-core's Node entry ships none; the build bundles
 * them into `dist/tfjs-gradients.mjs` (scripts/build-gradients.mjs). The path resolves from both
 * `src/engine/` (tests) and `dist/engine/` (the built CLI), each two levels below the package root.
 */
export function ensureGradients(): Promise<void> {
  registered ??= (async () => {
    // tfjs-core must be initialised first so the bundle joins its global engine instead of making one.
    tf.getBackend;
    const url = new URL('../../dist/tfjs-gradients.mjs', import.meta.url);
    try {
      await import(url.href);
    } catch (e) {
      throw new Error(
        `cannot load tfjs gradient registrations from ${url.pathname}: run "npm run build" first (${(e as Error).message})`,
      );
    }
    if (!tf.getGradient('Neg')) throw new Error('tfjs gradient registrations did not take effect');
  })();
  return registered;
}
