import { sourceMark } from './source-mark.js';
import type { Block, ReportDocument } from './types.js';

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
