import { describe, expect, it } from 'vitest';
import { probeWebGpu, runWebGpuCheck, webgpuRequired } from '../helpers/webgpu.js';

/**
 * A trial on webgpu fails, naming the device's error, when the device reports one (Dawn reports a program that
 * does not compile, or memory it cannot get, as an event and leaves the outputs unwritten): no loss computed
 * after the error is filed. The next trial in the same process trains. Runs in a child process
 * (test/helpers/webgpu-device-error.ts) where Dawn finds an adapter; SPARSEBENCH_REQUIRE_WEBGPU=1 makes a missing
 * adapter a failure.
 */

const adapter = probeWebGpu();

interface Ended {
  ok: boolean;
  steps: number | null;
  message: string | null;
  failedAt: number | null;
  /** Steps whose train loss was filed. */
  filed: number[];
}

describe.skipIf(!adapter.ok && !webgpuRequired)(`a WebGPU device error on ${adapter.label}`, () => {
  it('fails the trial it happens in, with the error, and not the next', () => {
    expect(adapter.ok, `SPARSEBENCH_REQUIRE_WEBGPU=1 but ${adapter.label}`).toBe(true);
    const { result, rest, stderr } = runWebGpuCheck<{ steps: number; broken: Ended; clean: Ended }>(
      'webgpu-device-error.ts',
    );
    const { steps, broken, clean } = result;
    // the error is made after step 3 reports progress; on the device path that is once step 4 is queued
    expect(broken.ok).toBe(false);
    expect(broken.message).toMatch(/^the WebGPU device reported an error.*Buffer usages must not be 0/);
    expect(broken.failedAt).toBe(4);
    expect(broken.filed).toEqual([1, 2, 3]);
    expect(clean).toMatchObject({ ok: true, steps });
    // on stderr, not on stdout where Dawn would print it (and break a command's --json)
    expect(stderr).toMatch(/webgpu device error: GPUValidationError: Buffer usages must not be 0/);
    expect(rest).not.toMatch(/Buffer usages|validation/);
  }, 150_000);
});
