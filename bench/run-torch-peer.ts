/**
 * Runs the PyTorch peer (torch-peer.py) on the reference models and reads its results back, for
 * train-throughput.ts. The peer's set-up is documented at the top of torch-peer.py and in bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { peerReference, type Reference } from './references.js';

const PEER = fileURLToPath(new URL('./torch-peer.py', import.meta.url));
/** Debian's pthread OpenBLAS; first on the library path, it serves libblas.so.3 whatever the system default. */
export const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
const SETUP = 'sudo apt-get install python3-torch libopenblas0-pthread';

/** How the peer runs: on the CPU with intra-op threads + OpenBLAS threads, or on a CUDA GPU. */
export interface PeerThreads {
  intra: number;
  blas: number;
  label: string;
  /** torch device; 'cpu' unless set. */
  device?: 'cpu' | 'cuda';
}

/** ENGINE.md's setting (1 intra-op + 2 BLAS threads), then one core's worth (1 + 1). */
export const PEER_CPU_THREADS: PeerThreads[] = [
  { intra: 1, blas: 2, label: 'openblas, 1+2 threads' },
  { intra: 1, blas: 1, label: 'openblas, 1+1 threads' },
];

/** The GPU peer: float32 on the first CUDA device (TF32 off, as tfjs's WebGPU computes in float32). */
export const PEER_CUDA: PeerThreads = { intra: 1, blas: 1, label: 'cuda, float32', device: 'cuda' };

/** The peer's settings: the CPU ones, or only the GPU one when SPARSEBENCH_TORCH_DEVICE=cuda. */
export function peerSettings(): PeerThreads[] {
  return process.env['SPARSEBENCH_TORCH_DEVICE'] === 'cuda' ? [PEER_CUDA] : PEER_CPU_THREADS;
}

/** Timing the peer uses: the tfjs wasm rows' warm-up and timed steps, best of `segments` windows. */
const PEER_TIMING = { warmup: 3, steps: 20, segments: 3 };

/** One result of the peer (see `train` in torch-peer.py). */
export interface PeerResult {
  name: string;
  sparsity: number;
  unit: string;
  units_per_s: number;
  units_per_s_median: number;
  model_gflops: number;
  ceiling_gflops: number;
  params_total: number;
  achieved_sparsity: number;
}

export interface PeerRow extends PeerResult {
  label: string;
}

export interface PeerOutput {
  environment: {
    torch: string;
    intra_op_threads: number;
    blas_threads: number | null;
    blas: { mapped: string[]; openblas: { library: string; corename: string } | null };
    /** The GPU's name when the peer ran on CUDA. */
    device_name?: string;
  };
  results: PeerResult[];
}

/** The interpreter to run the peer with, if it can import torch; otherwise why not. */
export function torchPython(): { ok: true; path: string } | { ok: false; why: string } {
  const path = process.env['SPARSEBENCH_TORCH_PYTHON'] || '/usr/bin/python3';
  const probe = spawnSync(path, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) return { ok: true, path };
  const reason = probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? 'failed');
  return {
    ok: false,
    why: `\`${path} -c 'import torch'\` failed (${reason}); set up with \`${SETUP}\` or point SPARSEBENCH_TORCH_PYTHON at a Python that has torch`,
  };
}

/** The peer's environment: `blas` OpenBLAS threads, and OpenBLAS first on the library path if installed. */
function peerEnv(blas: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(blas) };
  if (existsSync(OPENBLAS_DIR))
    env['LD_LIBRARY_PATH'] = [OPENBLAS_DIR, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  return env;
}

/** Runs the peer on `refs` with the given threads; OpenBLAS is put first on the library path if installed. */
export function runPeer(
  python: string,
  refs: readonly Reference[],
  threads: PeerThreads,
): { ok: true; output: PeerOutput } | { ok: false; why: string } {
  const env = peerEnv(threads.blas);
  const t = PEER_TIMING;
  const run = spawnSync(
    python,
    [
      PEER,
      '-',
      '--json',
      `--intra-threads=${threads.intra}`,
      `--warmup=${t.warmup}`,
      `--steps=${t.steps}`,
      `--segments=${t.segments}`,
      ...(threads.device === 'cuda' ? ['--device=cuda', '--allow-any-blas'] : []),
    ],
    { input: JSON.stringify({ references: refs.map(peerReference) }), env, encoding: 'utf8' },
  );
  if (run.status !== 0) {
    const tail = (run.error?.message ?? run.stderr).trim().split('\n').slice(-3).join(' / ');
    return { ok: false, why: tail || `exit status ${run.status}` };
  }
  return { ok: true, output: JSON.parse(run.stdout.trim().split('\n').pop()!) as PeerOutput };
}

/** One line on how the peer ran: versions, the BLAS actually mapped, threads, timing. */
export function describePeer(out: PeerOutput, threads: PeerThreads): string {
  const e = out.environment;
  const ob = e.blas.openblas;
  const blas = ob ? `${ob.library} (core ${ob.corename})` : e.blas.mapped.join(', ');
  const t = PEER_TIMING;
  const where =
    threads.device === 'cuda'
      ? `on ${e.device_name ?? 'cuda'}`
      : `${e.intra_op_threads} intra-op thread(s), ${e.blas_threads} BLAS thread(s), BLAS mapped: ${blas}`;
  return (
    `pytorch (${threads.label}): torch ${e.torch}, ${where}; ` +
    `synthetic random inputs, best of ${t.segments} windows of ${t.steps} steps after ${t.warmup} warm-up`
  );
}

/** Loss and gradient norm the peer computes for the weights and batch in `file` (torch-peer-check.ts). */
export function checkWithPeer(python: string, file: string): { loss: number; grad_norm: number } | null {
  const run = spawnSync(python, [PEER, file, '--check'], { env: peerEnv(1), encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(run.stderr.trim());
    return null;
  }
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as { loss: number; grad_norm: number };
}
