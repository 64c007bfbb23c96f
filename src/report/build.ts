import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { Store } from '../store/store.js';
import { ensureOutDir, writeFilesAtomically } from '../util/out-files.js';
import { buildDocument } from './document.js';
import { accessibleSvg, renderHtml } from './html.js';
import { loadReportData } from './load.js';
import { plotFileName, renderMarkdown } from './markdown.js';
import { PLOTS, renderPlots } from './plots.js';
import { isSettingLawsPlot } from './setting-laws-plot.js';
import { reportSource, sourceOf } from './source-mark.js';
import { REPORT_FORMATS, type ReportData, type ReportFormat, type ReportSource } from './types.js';

/** What to report on and where to write it. */
export interface ReportOptions {
  /** Database path. */
  db: string;
  /** Sweep name; default: the most recently run sweep. */
  sweep?: string;
  /** Id of the stored fit to report; default: the sweep's newest sparse-law fit whose trials it still holds. */
  fit?: number;
  /** Output directory; default: `<directory of the database>/<sweep>` (runs/<sweep> for the default database). */
  out?: string;
  formats: readonly ReportFormat[];
  /** Timestamp printed in the report; default now. */
  builtAt?: string;
}

/** What a report build wrote. */
export interface ReportResult {
  sweep: string;
  outDir: string;
  /** The main files, one per format, in the order asked for. */
  reports: { format: ReportFormat; path: string }[];
  /** Every file written (reports and plot SVGs). */
  files: string[];
  /** Plots drawn, and plots left out with the reason. */
  drawn: string[];
  missing: { id: string; reason: string }[];
  /** Vega/Vega-Lite warnings while rendering (none expected). */
  renderWarnings: string[];
  /** The source of a report of another database or sweep that this one replaced in its folder, or null. */
  replaced: ReportSource | null;
  /** Reports in the folder in a format this build did not write (report.html beside a new report.md): an earlier build's. */
  stale: string[];
}

/** Parses `--format html,md`; throws UsageError naming the bad value and the valid ones. */
export function parseFormats(text: string): ReportFormat[] {
  const valid = `valid: ${REPORT_FORMATS.join(', ')} (comma-separated, e.g. --format html,md)`;
  const parts = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError(`--format ${text}: no format given; ${valid}`);
  const bad = parts.find((p) => !(REPORT_FORMATS as readonly string[]).includes(p));
  if (bad !== undefined) throw new UsageError(`--format ${text}: unknown format "${bad}"; ${valid}`);
  return [...new Set(parts)] as ReportFormat[];
}

/** Reads the sweep, its trials, curves and its latest (or the chosen) fit from the database (read only). */
export function readReportData(db: string, sweep?: string, fit?: number): ReportData {
  const store = Store.open(db, { create: false, read: 'upgrading' });
  try {
    return loadReportData(store, db, sweep, fit);
  } finally {
    store.close();
  }
}

/**
 * Builds the report of a sweep from the database alone: reads it, renders every plot to SVG, writes
 * report.html (self-contained) and/or report.md with its plots as SVG files beside it (removing plot files of an
 * earlier build that this one does not draw). Bad input throws
 * UsageError before anything is written; the files appear whole or not at all.
 */
export async function buildReport(opts: ReportOptions): Promise<ReportResult> {
  if (opts.formats.length === 0) throw new UsageError('--format: no format given; valid: html, md');
  const data = readReportData(opts.db, opts.sweep, opts.fit);
  const outDir = opts.out ?? join(dirname(opts.db), data.sweep.name);
  const builtAt = opts.builtAt ?? new Date().toISOString();
  const { plots, warnings } = await renderPlots(data);
  const doc = {
    ...buildDocument(data, plots, builtAt),
    source: reportSource(opts.db, data.sweep.name),
  };
  const replaced = replacedSource(outDir, opts.formats, doc.source);
  const files = new Map<string, string>();
  const reports: ReportResult['reports'] = [];
  for (const format of opts.formats) {
    if (format === 'html') files.set('report.html', renderHtml(doc));
    else {
      for (const p of plots.values())
        if ('plot' in p) files.set(plotFileName(p.plot.id), accessibleSvg(p.plot));
      files.set('report.md', renderMarkdown(doc));
    }
    reports.push({ format, path: join(outDir, format === 'html' ? 'report.html' : 'report.md') });
  }
  ensureOutDir(outDir);
  const written = writeFilesAtomically(outDir, files, 'the report');
  // report.md's plots are files beside it: one an earlier build drew and this one does not would be taken for
  // part of this report (only our own plot names go; nothing else in the folder is touched)
  if (opts.formats.includes('md'))
    for (const name of [
      ...PLOTS.map((def) => plotFileName(def.id)),
      // the figures of overlaid laws, as many as the sweep's groups of fits had then
      ...readdirSync(outDir).filter((f) => isSettingLawsPlot(/^report-(.*)\.svg$/.exec(f)?.[1] ?? '')),
    ])
      if (!files.has(name)) rmSync(join(outDir, name), { force: true });
  const outcomes = [...plots.values()];
  return {
    sweep: data.sweep.name,
    outDir,
    reports,
    files: written,
    drawn: outcomes.flatMap((p) => ('plot' in p ? [p.plot.id] : [])),
    missing: outcomes.flatMap((p) => ('plot' in p ? [] : [{ id: p.id, reason: p.missing }])),
    renderWarnings: warnings,
    replaced,
    stale: REPORT_FORMATS.filter((f) => !opts.formats.includes(f))
      .map((f) => join(outDir, f === 'html' ? 'report.html' : 'report.md'))
      .filter((path) => existsSync(path)),
  };
}

/**
 * The source of a report in `outDir` that this build replaces (one of the `formats` it writes), when it came from
 * another database or sweep (same-named sweeps of two databases in one folder share the default folder); null when
 * there is none, every one is this build's own, or they do not say (reports of an older sparsebench).
 */
function replacedSource(
  outDir: string,
  formats: readonly ReportFormat[],
  source: ReportSource,
): ReportSource | null {
  for (const format of formats) {
    const path = join(outDir, format === 'html' ? 'report.html' : 'report.md');
    // (one that is not a file is refused when the files are written)
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // unreadable: writing over it fails with its own message
    }
    const before = sourceOf(text);
    if (before && (before.key !== source.key || before.sweep !== source.sweep)) return before;
  }
  return null;
}
