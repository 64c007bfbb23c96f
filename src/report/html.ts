import { sourceMark } from './source-mark.js';
import type { Block, RenderedPlot, ReportDocument } from './types.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escaped text with `code spans` (the Markdown convention used in report texts) as <code>. */
function inline(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');
}

/**
 * Inline CSS: a single readable column, tables that scroll rather than overflow, notices marked by a
 * word and a border (not by colour alone), and plots scaled to the column. No web fonts: nothing to fetch.
 */
const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.5 Helvetica, Arial, sans-serif; color: #111; background: #fff; margin: 0; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ccc; }
.subtitle { color: #444; margin: 0 0 4px; }
.subtitle:last-of-type { margin-bottom: 12px; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 0 0 8px; list-style: none; font-size: 14px; }
a { color: #0b57a4; }
.notice { border-left: 5px solid; padding: 6px 12px; margin: 8px 0; }
.notice.warning { border-color: #b35900; background: #fff6ec; }
.notice.missing { border-color: #666; background: #f3f3f3; border-left-style: double; }
.notice strong { margin-right: 4px; }
.notice ul { margin: 4px 0 2px; padding-left: 22px; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 13.5px; }
caption { caption-side: bottom; text-align: left; color: #444; font-size: 13px; padding-top: 6px; max-width: 1080px; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #888; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0 24px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #333; font-size: 13.5px; max-width: 1000px; }
figcaption strong { color: #111; }
pre { background: #f6f6f6; padding: 10px 14px; overflow-x: auto; font-size: 13px; }
code { font-family: Menlo, Consolas, monospace; font-size: 0.92em; }
@media print { main { max-width: none; } h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
`;

/** The SVG with an accessible name: role img, labelled by the plot's title and text alternative. */
export function accessibleSvg(plot: RenderedPlot): string {
  const label = escapeHtml(`${plot.title}. ${plot.alt}`);
  return plot.svg.replace(/^<svg\b/, `<svg role="img" aria-label="${label}"`);
}

function block(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${inline(b.text)}</p>`;
    case 'notice':
      return (
        `<div class="notice ${b.level}" role="note"><strong>${b.level === 'warning' ? 'Warning:' : 'Missing:'}</strong>${inline(b.text)}` +
        `${b.items ? `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>` : ''}</div>`
      );
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
    case 'code':
      return `<pre><code>${escapeHtml(b.text)}</code></pre>`;
    case 'plot':
      return (
        `<figure id="plot-${b.plot.id}" data-plot="${b.plot.id}">${accessibleSvg(b.plot)}` +
        `<figcaption><strong>${escapeHtml(b.plot.title)}.</strong> ${inline(b.plot.caption)}</figcaption></figure>`
      );
    case 'table': {
      const cls = (align?: string) => (align === 'right' ? ' class="num"' : '');
      const head = b.columns
        .map((c) => `<th scope="col"${cls(c.align)}>${escapeHtml(c.header)}</th>`)
        .join('');
      const rows = b.rows
        .map(
          (r) =>
            `<tr>${r.map((v, i) => `<td${cls(b.columns[i]?.align)}>${escapeHtml(v)}</td>`).join('')}</tr>`,
        )
        .join('\n');
      const table = `<div class="table-wrap"><table><caption>${inline(b.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
      // a long table folds away (a click opens it), so the sections after it are not pages of rows down
      return b.rows.length > FOLDED_ROWS
        ? `<details><summary>${b.rows.length} rows: show the table</summary>\n${table}</details>`
        : table;
    }
  }
}

/** Tables longer than this are folded in the HTML report (the Markdown keeps them open). */
const FOLDED_ROWS = 60;

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, nothing to fetch. */
export function renderHtml(doc: ReportDocument): string {
  const nav = doc.sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('');
  const sections = doc.sections
    .map(
      (s) =>
        `<section id="${s.id}" aria-labelledby="h-${s.id}">\n<h2 id="h-${s.id}">${escapeHtml(s.title)}</h2>\n${s.blocks.map(block).join('\n')}\n</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>${doc.source ? `\n<meta name="sparsebench-source" content="${escapeHtml(sourceMark(doc.source))}">` : ''}
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(doc.title)}</h1>
${doc.subtitle.map((line) => `<p class="subtitle">${inline(line)}</p>`).join('\n')}
<nav aria-label="sections"><ol>${nav}</ol></nav>
</header>
${sections}
</main>
</body>
</html>
`;
}
