import { UsageError } from '../../errors.js';
import { buildReport, parseFormats } from '../../report/build.js';

export interface ReportCommandOptions {
  db: string;
  sweep?: string;
  out?: string;
  format: string;
  fit?: string;
}

/** `sparsebench report`: writes the study report of a sweep; prints the paths of the reports on stdout. */
export async function reportCommand(opts: ReportCommandOptions): Promise<number> {
  const formats = parseFormats(opts.format);
  const fit = opts.fit === undefined ? undefined : fitId(opts.fit);
  const started = performance.now();
  const r = await buildReport({ db: opts.db, sweep: opts.sweep, out: opts.out, formats, fit });
  const seconds = (performance.now() - started) / 1000;
  const svgs = r.files.filter((f) => f.endsWith('.svg')).length;
  process.stderr.write(
    `report of sweep ${r.sweep}: ${r.drawn.length} plots drawn` +
      (r.missing.length > 0
        ? `, ${r.missing.length} left out (${r.missing.map((m) => m.id).join(', ')}: see the report)`
        : '') +
      (svgs > 0 ? `; ${svgs} SVG files beside report.md` : '') +
      ` (${seconds.toFixed(1)} s)\n`,
  );
  for (const w of r.renderWarnings) process.stderr.write(`sparsebench: warning: plot ${w}\n`);
  if (r.replaced) {
    // the default folder is the sweep's name beside the database: same-named sweeps of two databases share it
    const shared =
      opts.out === undefined && r.replaced.sweep === r.sweep
        ? ' (another database with a sweep of this name: they share the default folder)'
        : '';
    process.stderr.write(
      `sparsebench: note: this replaced the report in ${r.outDir} of sweep ${r.replaced.sweep} from ${r.replaced.database}${shared}; --out DIR keeps each report in a folder of its own\n`,
    );
  }
  for (const path of r.stale)
    process.stderr.write(
      `sparsebench: note: ${path} is an earlier build's, not this one's (--format ${opts.format} left it as it was); --format html,md writes both\n`,
    );
  for (const rep of r.reports) process.stdout.write(`${rep.path}\n`);
  return 0;
}

/** `--fit ID`: a positive integer, the id fit-law printed ("stored as fit #ID"). */
function fitId(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(id) || id < 1)
    throw new UsageError(
      `--fit ${text}: expected a fit id, a positive integer (fit-law prints "stored as fit #ID")`,
    );
  return id;
}
