import { type BackendReport, type DoctorReport, runDoctor } from '../../engine/doctor.js';
import { adapterLabel } from '../../engine/webgpu.js';
import { UsageError } from '../../errors.js';
import { flagNumber } from '../../util/format.js';

export interface DoctorOptions {
  seconds?: string;
  json?: boolean;
}

/** `sparsebench doctor [--seconds n] [--json]`: which backends work here, how fast, and what `auto` picks. */
export async function doctorCommand(opts: DoctorOptions): Promise<number> {
  const seconds = opts.seconds === undefined ? 10 : flagNumber(opts.seconds, { plain: true });
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--seconds ${opts.seconds}: expected a number of seconds in (0, 3600]`);
  }
  const report = await runDoctor({
    seconds,
    onProgress: (m) => process.stderr.write(`doctor: ${m}\n`),
  });
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}

function formatReport(r: DoctorReport): string {
  const { m, k, n } = r.probe;
  const rows = r.backends.map((b) => [
    b.name,
    b.loads ? 'yes' : 'no',
    b.matmul ? `${b.matmul.gflops.toFixed(1)} GFLOP/s` : '-',
    notes(b),
  ]);
  const header = ['backend', 'loads', `matmul ${m}x${k}x${n}`, 'notes'];
  // the last column (notes) is as wide as it needs; it sets no width
  const widths = header.map((h, i) =>
    i === header.length - 1 ? h.length : Math.max(h.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    `tfjs-core ${r.tfjs_core}, Node ${r.node}, ${r.platform}, ${r.cpu} (${r.cores} cores)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `auto picks ${r.auto.backend}: ${r.auto.reason.replace(/^auto: /, '')}`,
    `matmul probe: ${r.probe.seconds} s in total, ${r.probe.seconds_per_backend.toFixed(1)} s per backend that loads`,
    '',
  ].join('\n');
}

/** What to say about a backend: why it does not load, or its adapter, package and extras. */
function notes(b: BackendReport): string {
  if (!b.loads) return b.reason ?? '';
  const parts: string[] = [];
  if (b.adapter) parts.push(`adapter ${adapterLabel(b.adapter)}`);
  if (b.package) parts.push(b.package);
  for (const [key, value] of Object.entries(b.extras)) {
    parts.push(`${key} ${typeof value === 'boolean' ? (value ? 'yes' : 'no') : value}`);
  }
  return parts.join(', ');
}
