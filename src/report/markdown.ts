import type { Block, ReportDocument, ReportSource } from './types.js';

/** File name of a plot's SVG beside the Markdown report. */
export function plotFileName(id: string): string {
  return `report-${id}.svg`;
}

/** Escapes a table cell: pipes would end the cell, newlines the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return b.text;
    case 'notice':
      return [
        `> **${b.level === 'warning' ? 'Warning' : 'Missing'}:** ${b.text}`,
        ...(b.items ?? []).map((i) => `> - ${i}`),
      ].join('\n');
    case 'list':
      return b.items.map((i) => `- ${i}`).join('\n');
    case 'code':
      return `\`\`\`yaml\n${b.text}\n\`\`\``;
    case 'plot':
      return `![${b.plot.title}. ${b.plot.alt}](${plotFileName(b.plot.id)})\n\n*${b.plot.title}.* ${b.plot.caption}`;
    case 'table': {
      const head = `| ${b.columns.map((c) => cell(c.header)).join(' | ')} |`;
      const rule = `|${b.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`;
      const rows = b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`);
      return [head, rule, ...rows, '', `*${b.caption}*`].join('\n');
    }
  }
}

/** The report as Markdown; its plots are SVG files beside it, named by {@link plotFileName}. */
/** The unseen line a report keeps of its source: "sparsebench-source {json}". */
export function sourceMark(source: ReportSource): string {
  // JSON with "--" escaped, so that no path can end the comment it sits in
  return `sparsebench-source ${JSON.stringify(source).replace(/--/g, '-\\u002d')}`;
}

/** The source a report's text records ({@link sourceMark}), or null when it has none (an older or foreign file). */
export function sourceOf(text: string): ReportSource | null {
  const m = /sparsebench-source (\{[^\n]*?\})(?: -->|")/.exec(text);
  if (!m) return null;
  try {
    const v = JSON.parse(
      m[1]
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as Partial<ReportSource>;
    return typeof v.database === 'string' && typeof v.sweep === 'string'
      ? { database: v.database, sweep: v.sweep }
      : null;
  } catch {
    return null;
  }
}

export function renderMarkdown(doc: ReportDocument): string {
  const toc = doc.sections
    .map(
      (s) =>
        `[${s.title}](#${s.title
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-')})`,
    )
    .join(' · ');
  const parts = [`# ${doc.title}`, ...doc.subtitle, toc];
  for (const s of doc.sections) parts.push(`## ${s.title}`, ...s.blocks.map(block));
  if (doc.source) parts.push(`<!-- ${sourceMark(doc.source)} -->`);
  return `${parts.join('\n\n')}\n`;
}
