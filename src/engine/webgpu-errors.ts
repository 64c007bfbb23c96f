import * as tf from '@tensorflow/tfjs-core';

/**
 * Errors the WebGPU device reported, in the order they came. Dawn throws for none of them: a WGSL program that
 * does not compile, a validation error, an allocation past the device's memory or a lost device become
 * `uncapturederror` events (unhandled, Dawn prints them on stdout), and the commands they touch do nothing, so
 * their outputs read back as zeros or stale memory. A trial would train on that silently; {@link deviceErrorsSince}
 * lets the trainer fail it instead. Events arrive by the time a later read from the device resolves.
 */
interface DeviceErrorLog {
  /** Errors reported since the device was watched. */
  count: number;
  /** The last {@link KEPT} of them, error `i` at `i % KEPT`. */
  messages: string[];
  /** Why the device was lost, once it was: everything after that fails too, whatever the mark. */
  lost: string | null;
}

/** How many messages are kept (the latest); a broken program repeats its errors at every use. */
const KEPT = 64;
/** How many are printed on stderr as they come, per process. */
const PRINTED = 8;

const log: DeviceErrorLog = { count: 0, messages: [], lost: null };
const watched = new WeakSet<GPUDevice>();

/** Records `message` (a Dawn error, possibly several lines) as one reported error; returns it as recorded. */
function record(kind: string, message: string): string {
  const text = `${kind}: ${message.trim()}`;
  log.messages[log.count % KEPT] = text;
  log.count++;
  if (log.count <= PRINTED) process.stderr.write(`webgpu device error: ${text}\n`);
  if (log.count === PRINTED) process.stderr.write('webgpu: further device errors are counted, not printed\n');
  return text;
}

/**
 * Starts recording the errors of the active webgpu backend's device (once per device), and prints the first few
 * on stderr instead of Dawn's stdout, where they would break a command's `--json`. `device.lost` counts as an
 * error unless the device was destroyed on purpose.
 */
export function watchWebGpuDevice(device: GPUDevice = activeDevice()): void {
  if (watched.has(device)) return;
  watched.add(device);
  device.addEventListener('uncapturederror', (event) => {
    event.preventDefault(); // handled: Dawn does not print it on stdout
    const error = (event as GPUUncapturedErrorEvent).error;
    record(error?.constructor?.name || 'GPUError', String(error?.message ?? error));
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed')
      log.lost = record('GPUDeviceLost', info.message || 'the device was lost');
  });
}

/** The device of the active tfjs webgpu backend. */
function activeDevice(): GPUDevice {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (!device) throw new Error(`the active backend (${tf.getBackend()}) has no WebGPU device`);
  return device;
}

/** A point in the error log, to ask later what came after it. */
export function deviceErrorMark(): number {
  return log.count;
}

/**
 * What the device reported since `mark`: how many errors, and the first of them still kept (the first, unless
 * more than {@link KEPT} came since); null when none. A device lost before `mark` is still lost: it counts as one.
 */
export function deviceErrorsSince(mark: number): { count: number; first: string } | null {
  const count = log.count - mark;
  if (count > 0) return { count, first: log.messages[Math.max(mark, log.count - KEPT) % KEPT] };
  return log.lost ? { count: 1, first: log.lost } : null;
}

/**
 * A one-paragraph account of the device's errors since `mark` (the first one's first lines), or null when there
 * were none: what a failed trial or probe reports.
 */
export function describeDeviceErrors(mark: number): string | null {
  const errors = deviceErrorsSince(mark);
  if (!errors) return null;
  const first = errors.first
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 4)
    .join(' | ');
  const more = errors.count > 1 ? ` (and ${errors.count - 1} more)` : '';
  return `the WebGPU device reported an error, so results computed since are not valid: ${first}${more}`;
}

/** Throws when the device reported an error since `mark`: `what` (the work done since) is then not valid. */
export function throwOnDeviceErrors(mark: number, what: string): void {
  const error = describeDeviceErrors(mark);
  if (error) throw new Error(`${what}: ${error}`);
}
