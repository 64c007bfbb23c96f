/**
 * Several builds of the native addon in one benchmark process, to compare them on the same machine state:
 * `gemm-step.ts` and `norms.ts` take their paths on the command line and alternate them round by round.
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { NATIVE_ADDON_PATH, type NativeAddon } from '../src/engine/native.js';

/** One build: where it was loaded from, and its exports. */
export interface AddonBuild {
  path: string;
  addon: NativeAddon;
}

/**
 * The builds at `paths` (paths to `sparsebench_native.node`), or the one in native/build when none is given.
 * Node opens each addon with its symbols kept local, so builds of the same source load side by side.
 */
export function loadAddonBuilds(paths: string[]): AddonBuild[] {
  const require = createRequire(import.meta.url);
  const chosen = paths.length > 0 ? paths : [NATIVE_ADDON_PATH];
  return chosen.map((p) => ({ path: p, addon: require(resolve(p)) as NativeAddon }));
}

/** The order to run `n` builds in round `round`: reversed every other round, so the host's drift hits each alike. */
export function roundOrder(n: number, round: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  return round % 2 ? order.reverse() : order;
}

/** Prints the machine and each build with the variant it runs. */
export function printBuilds(builds: AddonBuild[]): void {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
  for (const [i, b] of builds.entries()) console.log(`build ${i + 1}: ${b.path} (${b.addon.info().isa})`);
}
