import { createRequire } from 'node:module';

/**
 * The optional native TensorFlow packages, preferred first: the CUDA build, then the CPU one. Neither is a
 * dependency (their install downloads libtensorflow from Google's storage); they are used when the user has
 * installed one next to sparsebench.
 */
export const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type TensorflowPackage = (typeof TENSORFLOW_PACKAGES)[number];

/** What to install to get the tensorflow backend, for messages. */
export const TENSORFLOW_HELP =
  'install @tensorflow/tfjs-node@4.22.0 (CPU) or @tensorflow/tfjs-node-gpu@4.22.0 (CUDA 11.2 + cuDNN 8.1) ' +
  "next to sparsebench; their install downloads libtensorflow 2.9.1, so it needs access to Google's storage";

const require = createRequire(import.meta.url);

/** The first installed native TensorFlow package (GPU build preferred), or null; does not load it. */
export function findTensorflowPackage(
  resolve: (name: string) => string = require.resolve,
): TensorflowPackage | null {
  for (const name of TENSORFLOW_PACKAGES) {
    try {
      resolve(name);
      return name;
    } catch {
      // not installed
    }
  }
  return null;
}
