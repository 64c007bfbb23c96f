import { arch, cpus, platform, release, totalmem } from 'node:os';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { packageVersion, sourceRevision } from '../util/environment.js';
import { fmtDuration } from '../util/format.js';
import { plural } from './format.js';
import type { ReportData } from './types.js';

/** Data sources read byte by byte, whose "tokens" are bytes (not the subword tokens of the paper's C4). */
const BYTE_SOURCES = new Set(['brown', 'text']);

/** Where and how the trials ran, as far as the database records it. */
export function runEnvironment(data: ReportData): [string, string][] {
  const cfg = (data.sweep.config ?? {}) as {
    backend?: string;
    model?: { family?: string };
    data?: { source?: string };
  };
  const backends = new Map<string, number>();
  for (const t of data.trials) if (t.backend) backends.set(t.backend, (backends.get(t.backend) ?? 0) + 1);
  const started = data.trials
    .map((t) => t.startedAt)
    .filter((s): s is string => s !== null)
    .sort();
  const finished = data.trials
    .map((t) => t.finishedAt)
    .filter((s): s is string => s !== null)
    .sort();
  const wall = data.trials.reduce((s, t) => s + (t.wallSeconds ?? 0), 0);
  return [
    ['database', data.dbPath],
    ['sweep config', data.sweep.configPath],
    ['sweep created / updated', `${data.sweep.createdAt} / ${data.sweep.updatedAt}`],
    [
      'model family / data',
      `${cfg.model?.family ?? '-'} / ${cfg.data?.source ?? '-'}${BYTE_SOURCES.has(cfg.data?.source ?? '') ? ' (read as bytes: a token is one byte, vocabulary 256)' : ''}`,
    ],
    ['backend (config)', cfg.backend ?? '-'],
    [
      'backend (trials)',
      backends.size === 0 ? '-' : [...backends].map(([b, n]) => `${b} (${plural(n, 'trial')})`).join(', '),
    ],
    ['first trial started', started[0] ?? '-'],
    ['last trial ended', finished[finished.length - 1] ?? '-'],
    ['training time, summed over trials', wall > 0 ? fmtDuration(wall) : '-'],
    ['training machine, library versions', trainingEnvironments(data)],
  ];
}

/** The distinct machines and versions the finished trials recorded, with how many trials each. */
function trainingEnvironments(data: ReportData): string {
  const seen = new Map<string, number>();
  for (const t of data.trials) {
    const e = t.environment;
    if (!e) continue;
    const key = `${e.cpu} (${e.cores} cores, ${e.memory_gib} GiB) on ${e.host}, ${e.os}; Node ${e.node}, tfjs-core ${e.tfjs_core}, sparsebench ${e.sparsebench}${e.source ? ` (git ${e.source})` : ''}${e.kernels ? `; kernels ${e.kernels}` : ''}${e.accelerator ? `; ${e.accelerator}` : ''}${e.optimizer === 'device' ? '; optimizer on the device' : ''}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  if (seen.size === 0) return 'not recorded (trials finished before sparsebench recorded it)';
  return [...seen].map(([k, n]) => `${k} [${plural(n, 'trial')}]`).join('; ');
}

/** The machine and versions that built this report (not necessarily those that trained the trials). */
export function reportEnvironment(builtAt: string): [string, string][] {
  const cpu = cpus();
  const revision = sourceRevision();
  return [
    ['report built at', builtAt],
    ['sparsebench', `${packageVersion()}${revision ? ` (git ${revision})` : ''}`],
    ['Node.js', process.version],
    ['Vega / Vega-Lite', `${vega.version} / ${vegaLite.version}`],
    [
      'machine',
      `${platform()} ${release()} ${arch()}, ${cpu.length} × ${cpu[0]?.model?.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    ],
  ];
}
