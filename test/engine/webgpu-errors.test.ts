import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  describeDeviceErrors,
  deviceErrorMark,
  deviceErrorsSince,
  watchWebGpuDevice,
} from '../../src/engine/webgpu-errors.js';

/**
 * The device error log on a stand-in device: an EventTarget with a `lost` promise, which is what the log uses of
 * a GPUDevice. Dawn itself is exercised by test/train/webgpu-device-error.test.ts where an adapter exists.
 */

class ValidationError {
  constructor(readonly message: string) {}
}

function fakeDevice() {
  let lose: (info: { reason: string; message: string }) => void = () => undefined;
  const target = new EventTarget() as EventTarget & { lost: Promise<unknown> };
  target.lost = new Promise((r) => {
    lose = r;
  });
  const report = (message: string) => {
    const event = new Event('uncapturederror') as Event & { error: ValidationError };
    event.error = new ValidationError(message);
    target.dispatchEvent(event);
  };
  return {
    device: target as unknown as GPUDevice,
    report,
    lose: (reason: string) => lose({ reason, message: `${reason}!` }),
  };
}

describe('the WebGPU device error log', () => {
  const printed: string[] = [];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => printed.push(String(s)) > 0);
  afterAll(() => stderr.mockRestore());
  // one log per process, so the order matters: no device is lost before the first test
  it('reports what came after a mark, first error first, and nothing before any', () => {
    const { device, report } = fakeDevice();
    watchWebGpuDevice(device);
    watchWebGpuDevice(device); // watched once: each error counts once
    const mark = deviceErrorMark();
    expect(deviceErrorsSince(mark)).toBeNull();
    expect(describeDeviceErrors(mark)).toBeNull();
    report('Error while parsing WGSL: bad\n\n - While calling CreateShaderModule\n');
    report('second');
    expect(deviceErrorsSince(mark)).toEqual({
      count: 2,
      first: 'ValidationError: Error while parsing WGSL: bad\n\n - While calling CreateShaderModule',
    });
    expect(describeDeviceErrors(mark)).toBe(
      'the WebGPU device reported an error, so results computed since are not valid: ValidationError: Error while parsing WGSL: bad | - While calling CreateShaderModule (and 1 more)',
    );
    const later = deviceErrorMark();
    expect(later).toBe(mark + 2);
    expect(deviceErrorsSince(later)).toBeNull();
  });

  it('counts a lost device, but not one destroyed on purpose', async () => {
    const a = fakeDevice();
    const b = fakeDevice();
    watchWebGpuDevice(a.device);
    watchWebGpuDevice(b.device);
    const mark = deviceErrorMark();
    a.lose('destroyed');
    b.lose('unknown');
    await new Promise((r) => setTimeout(r, 0));
    expect(deviceErrorsSince(mark)).toEqual({ count: 1, first: 'GPUDeviceLost: unknown!' });
    // a lost device stays lost: later work fails too
    expect(deviceErrorsSince(deviceErrorMark())).toEqual({ count: 1, first: 'GPUDeviceLost: unknown!' });
  });

  it('keeps counting past the messages it keeps, and the latest of them', () => {
    const { device, report } = fakeDevice();
    watchWebGpuDevice(device);
    const mark = deviceErrorMark();
    for (let i = 0; i < 100; i++) report(`error ${i}`);
    // 64 are kept: the first since the mark still kept is error 36
    expect(deviceErrorsSince(mark)).toEqual({ count: 100, first: 'ValidationError: error 36' });
    expect(deviceErrorsSince(deviceErrorMark() - 1)).toEqual({
      count: 1,
      first: 'ValidationError: error 99',
    });
    // the process's first 8 errors are printed (3 came in the tests before), then a line saying the rest are not
    expect(printed).toHaveLength(9);
    expect(printed[7]).toBe('webgpu device error: ValidationError: error 4\n');
    expect(printed[8]).toMatch(/further device errors are counted, not printed/);
  });
});
