#!/usr/bin/env node
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Bundles tfjs-core's gradient registrations into dist/tfjs-gradients.mjs.
//
// tfjs-core's Node entry registers no gradients (the umbrella @tensorflow/tfjs package does that from its
// own bundle), and its per-op gradient files are extensionless ESM that Node cannot load directly. We bundle
// just `register_all_gradients` (~280 kB) at build time. Its private copy of the op functions dispatches
// through tfjs's global engine and kernel/gradient registries, so it registers into the running tfjs.
// It must be imported after '@tensorflow/tfjs-core' (src/engine/gradients.ts does that).
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const coreDir = dirname(require.resolve('@tensorflow/tfjs-core/package.json'));

await build({
  entryPoints: [join(coreDir, 'dist', 'register_all_gradients.js')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(root, 'dist', 'tfjs-gradients.mjs'),
  logLevel: 'warning',
  legalComments: 'inline',
});
