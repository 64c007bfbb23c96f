import { describe, expect, it } from 'vitest';
import { probeWebGpu, runWebGpuCheck, webgpuRequired } from '../helpers/webgpu.js';

/**
 * The fused WGSL ops (src/engine/fused-webgpu.ts) compute what the composed tfjs ops compute on the same webgpu
 * backend: layer norm, RMSNorm, GELU and softmax cross-entropy, values and gradients, on shapes at the programs'
 * edges (rank 3, fewer columns than a workgroup's lanes, column counts not a multiple of them, more rows than one
 * dispatch dimension holds, GELU far into tanh's saturation). The comparison runs in a child process
 * (test/helpers/webgpu-fused-check.ts). Runs where Dawn finds an adapter (lavapipe on a CPU-only machine);
 * SPARSEBENCH_REQUIRE_WEBGPU=1 turns a missing adapter into a failure.
 */

const adapter = probeWebGpu();

interface Result {
  name: string;
  maxAbs: number;
  scale: number;
  finite: boolean;
  /** Programs recorded for value and gradients: fused, composed. */
  programs: [number, number];
}

describe.skipIf(!adapter.ok && !webgpuRequired)(`fused WGSL ops on ${adapter.label}`, () => {
  it('equal the composed ops to 1e-5 of their scale, with a fraction of the programs', () => {
    expect(adapter.ok, `SPARSEBENCH_REQUIRE_WEBGPU=1 but ${adapter.label}`).toBe(true);
    const { result, stderr } = runWebGpuCheck<{
      kernels: string;
      results: Result[];
      deviceErrors: string | null;
    }>('webgpu-fused-check.ts');
    const { kernels, results, deviceErrors } = result;
    expect(kernels).toBe('webgpu+fused');
    // a WGSL program that does not compile is reported by the device, not thrown
    expect(deviceErrors).toBeNull();
    expect(stderr).not.toMatch(/webgpu device error/);
    expect(results.map((x) => x.name.split(' ')[0])).toEqual(
      expect.arrayContaining(['layerNorm', 'rmsNorm', 'gelu,', 'crossEntropy', 'clipScale']),
    );
    for (const x of results) {
      expect(x.finite, `${x.name}: a value is not finite`).toBe(true);
      // measured on lavapipe: at most 1.1e-6 of the scale (the 70000-row gain gradients' sums)
      expect(x.maxAbs, `${x.name}: |fused − composed| ${x.maxAbs} at scale ${x.scale}`).toBeLessThanOrEqual(
        1e-5 * Math.max(1, x.scale),
      );
      // the fused path ran: far fewer programs than the composed ops record
      expect(x.programs[0], x.name).toBeLessThan(x.programs[1] / 2);
    }
  }, 150_000);
});
