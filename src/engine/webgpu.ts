import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The GPU adapter WebGPU found, as recorded with a trial. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (lavapipe's llvmpipe, SwiftShader): right answers, no GPU speed. */
  software: boolean;
}

/** What probing for a WebGPU adapter found: an adapter, or why there is none. */
export type AdapterProbe =
  | { ok: true; adapter: AdapterInfo; gpu: GPU }
  | { ok: false; reason: string; noDriver?: boolean };

/** Dawn's `create(flags)`, loaded once. */
let dawn: Promise<{ create(flags: string[]): GPU; globals: object }> | null = null;

/**
 * Loads Dawn (the `webgpu` package, a native addon) and makes one `GPU` object. The `globals` (GPUBufferUsage
 * and friends) go onto globalThis, as in a browser, where the tfjs webgpu backend expects them.
 */
async function createGpu(): Promise<GPU> {
  dawn ??= import('webgpu') as Promise<{ create(flags: string[]): GPU; globals: object }>;
  const { create, globals } = await dawn;
  Object.assign(globalThis, globals);
  return create([]);
}

/** Turns Dawn's adapter info into our record; a software adapter is recognised by flag or by name. */
export function describeAdapter(
  info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean },
): AdapterInfo {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const named = /llvmpipe|lavapipe|swiftshader|software/i.test(`${architecture} ${device} ${description}`);
  return { vendor, architecture, device, description, software: info.isFallbackAdapter === true || named };
}

/** One line naming an adapter, e.g. "mesa llvmpipe: Mesa 25.0.7 (software)". */
export function adapterLabel(a: AdapterInfo): string {
  const name = a.description || [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'unnamed';
  return `${name} (${a.software ? 'software, CPU' : 'hardware'})`;
}

/**
 * Vulkan driver manifests (ICD files) the Vulkan loader would find on Linux, by its search rules. Without one,
 * Dawn finds no adapter, and probing for it only prints Vulkan warnings; `auto` then skips the probe.
 */
export function vulkanDriverFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = [env.VK_DRIVER_FILES, env.VK_ICD_FILENAMES, env.VK_ADD_DRIVER_FILES]
    .filter((v): v is string => Boolean(v))
    .flatMap((v) => v.split(':'))
    .filter((f) => f && existsSync(f));
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const dataDirs = [
    env.XDG_DATA_HOME || join(homedir(), '.local', 'share'),
    ...(env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':'),
  ];
  const dirs = [...configDirs, '/etc', ...dataDirs].map((d) => join(d, 'vulkan', 'icd.d'));
  const found = dirs.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(d, f));
    } catch {
      return [];
    }
  });
  return [...explicit, ...found];
}

/** How to get a Vulkan driver, for error messages. */
export const VULKAN_HELP =
  'a GPU needs its vendor driver with Vulkan support (e.g. the NVIDIA driver and libvulkan1); for CPU-only ' +
  'checks on Debian bookworm, run: eval "$(scripts/lavapipe.sh)" (Mesa 25 lavapipe; sets VK_ICD_FILENAMES ' +
  'and LD_LIBRARY_PATH)';

/**
 * Looks for a WebGPU adapter through Dawn: loads the native addon, asks for a high-performance adapter (the
 * one the tfjs webgpu backend asks for). Never throws: a missing or unloadable Dawn is a reason, not an error.
 * On Linux with no Vulkan driver manifest anywhere the loader looks ({@link vulkanDriverFiles}: the loader
 * finds drivers only through them), it answers "no Vulkan driver" without loading Dawn, which would find
 * nothing and print Vulkan's warnings to stderr; `auto`, `doctor` and `--backend webgpu` alike.
 */
export async function probeAdapter(): Promise<AdapterProbe> {
  if (process.platform === 'linux' && vulkanDriverFiles().length === 0) {
    return {
      ok: false,
      noDriver: true,
      reason: 'no Vulkan driver installed: no ICD manifest, VK_ICD_FILENAMES unset',
    };
  }
  let gpu: GPU;
  try {
    gpu = await createGpu();
  } catch (e) {
    return { ok: false, reason: `Dawn (the "webgpu" package) cannot load: ${firstLine(e)}` };
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      const none = process.platform === 'linux' && vulkanDriverFiles().length === 0;
      return {
        ok: false,
        reason: `Dawn found no adapter: ${none ? 'no Vulkan driver installed (no ICD manifest, VK_ICD_FILENAMES unset)' : 'no usable Vulkan driver'}`,
      };
    }
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const fallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return {
      ok: true,
      gpu,
      adapter: describeAdapter({
        vendor: info.vendor,
        architecture: info.architecture,
        device: info.device,
        description: info.description,
        isFallbackAdapter: info.isFallbackAdapter ?? fallback,
      }),
    };
  } catch (e) {
    return { ok: false, reason: `requesting a WebGPU adapter failed: ${firstLine(e)}` };
  }
}

/**
 * Puts `gpu` where the tfjs webgpu backend looks (`navigator.gpu`). Must run before that package is imported:
 * it registers the backend only if `navigator.gpu` exists. Node 21+ has a `navigator` of its own.
 */
export function installNavigatorGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: object };
  if (g.navigator)
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
