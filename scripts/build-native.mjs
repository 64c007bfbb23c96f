#!/usr/bin/env node
// Builds the native GEMM addon (native/) with node-gyp; run by `npm install` / `npm ci` (the "install" script).
//
// The addon is optional: when the build fails for any reason (no compiler, no headers, an unusual platform),
// this prints one warning line, keeps the full log in native/build-native.log and exits 0, so the install
// succeeds and the engine falls back to tfjs's own wasm kernels. SPARSEBENCH_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const logPath = join(nativeDir, 'build-native.log');

/** node-gyp as npm ships it: npm names it in npm_config_node_gyp, else it sits beside npm itself. */
function nodeGypCommand() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath &&
      join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  const script = candidates.find((c) => c?.endsWith('.js') && existsSync(c));
  // Last resort: the node-gyp that npm puts on PATH during lifecycle scripts.
  return script ? [process.execPath, script] : ['node-gyp'];
}

/**
 * Headers without a download: when npm names no nodedir, use the ones installed with this Node
 * (<prefix>/include/node, as Debian's and the official tarballs ship), so the build works offline.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) &&
    existsSync(join(prefix, 'include', 'node', 'common.gypi'))
    ? [`--nodedir=${prefix}`]
    : [];
}

function warn(why) {
  console.warn(
    `sparsebench: native kernels not built (${why}); using the pure wasm backend. Log: ${logPath}`,
  );
  process.exit(0);
}

if (process.env.SPARSEBENCH_NATIVE === '0') {
  console.warn('sparsebench: SPARSEBENCH_NATIVE=0, native kernels not built');
  process.exit(0);
}
const [cmd, ...pre] = nodeGypCommand();
const args = [...pre, 'rebuild', ...nodedirArgs()];
const env = { ...process.env };
if (!env.npm_config_nodedir) delete env.npm_config_nodedir; // an empty one would hide --nodedir
const run = spawnSync(cmd, args, {
  cwd: nativeDir,
  env,
  encoding: 'utf8',
  shell: process.platform === 'win32',
});
writeFileSync(
  logPath,
  `$ ${cmd} ${args.join(' ')}\n${run.stdout ?? ''}${run.stderr ?? ''}${run.error ?? ''}`,
);
if (run.error) warn(`could not run node-gyp: ${run.error.message}`);
if (run.status !== 0) warn(`node-gyp exited with ${run.status}`);
const addon = join(nativeDir, 'build', 'Release', 'sparsebench_native.node');
if (!existsSync(addon)) warn('node-gyp reported success but produced no addon');
rmSync(logPath, { force: true });
console.log(`sparsebench: native kernels built (${addon})`);
