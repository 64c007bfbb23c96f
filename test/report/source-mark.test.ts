import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown, sourceOf } from '../../src/report/markdown.js';
import type { ReportDocument } from '../../src/report/types.js';

describe("a report's unseen source", () => {
  it('comes back from report.md and report.html as written, whatever the path holds', () => {
    const source = { database: '/data/a -- b/"x" <y> & z.db', sweep: 'study' };
    const doc: ReportDocument = { title: 'T', subtitle: [], sections: [], source };
    const md = renderMarkdown(doc);
    // one comment, not ended early by the path's "--"
    expect(md.match(/<!--/g)).toHaveLength(1);
    expect(md.trimEnd().endsWith('-->')).toBe(true);
    expect(sourceOf(md)).toEqual(source);
    expect(sourceOf(renderHtml(doc))).toEqual(source);
    // a report without one (an older build), or another file
    expect(sourceOf(renderMarkdown({ ...doc, source: undefined }))).toBeNull();
    expect(sourceOf('# notes')).toBeNull();
  });
});
