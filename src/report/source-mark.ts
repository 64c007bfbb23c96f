import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { ReportSource } from './types.js';

/**
 * A report's source as its files keep it: the sweep, the database's file name, and a key of its full path (a hash,
 * so that a published report does not carry the folders of the machine it was built on).
 */
export function reportSource(dbPath: string, sweep: string): ReportSource {
  const full = resolve(dbPath);
  return {
    sweep,
    database: basename(full),
    key: createHash('sha256').update(full).digest('hex').slice(0, 16),
  };
}

/** The unseen text a report keeps of its source: "sparsebench-source {json}". */
export function sourceMark(source: ReportSource): string {
  // "--" escaped in the JSON, so that no file name can end the Markdown comment it sits in
  return `sparsebench-source ${JSON.stringify(source).replace(/--/g, '-\\u002d')}`;
}

/** The source a report's text records ({@link sourceMark}), or null when it has none (an older or foreign file). */
export function sourceOf(text: string): ReportSource | null {
  // greedy up to the comment's end or the attribute's quote: a file name may hold "}"
  const m = /sparsebench-source (\{[^\n]*\})(?: -->|")/.exec(text);
  if (!m) return null;
  try {
    const v = JSON.parse(
      m[1]
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as Partial<ReportSource>;
    return typeof v.database === 'string' && typeof v.sweep === 'string' && typeof v.key === 'string'
      ? { sweep: v.sweep, database: v.database, key: v.key }
      : null;
  } catch {
    return null;
  }
}
