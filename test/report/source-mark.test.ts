import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { reportSource, sourceOf } from '../../src/report/source-mark.js';
import type { ReportDocument } from '../../src/report/types.js';

describe("a report's unseen source", () => {
  it('comes back from report.md and report.html as written, whatever the file name holds', () => {
    const source = reportSource('/data/a -- b/"x" <y> & {z}.db', 'study');
    // the file name, and a key of the full path: the folders themselves are not in the report
    expect(source).toEqual({
      sweep: 'study',
      database: '"x" <y> & {z}.db',
      key: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const doc: ReportDocument = { title: 'T', subtitle: [], sections: [], source };
    const md = renderMarkdown(doc);
    // one comment, not ended early by a "--"
    expect(md.match(/<!--/g)).toHaveLength(1);
    expect(md.trimEnd().endsWith('-->')).toBe(true);
    expect(md).not.toContain('/data/');
    expect(sourceOf(md)).toEqual(source);
    expect(sourceOf(renderHtml(doc))).toEqual(source);
    expect(sourceOf(renderMarkdown({ ...doc, source: reportSource('/data/a--b.db', 'study') }))).toEqual(
      reportSource('/data/a--b.db', 'study'),
    );
    // two databases of one name in different folders differ in their key
    expect(reportSource('/one/s.db', 'x').key).not.toBe(reportSource('/two/s.db', 'x').key);
    // a report without one (an older build), or another file
    expect(sourceOf(renderMarkdown({ ...doc, source: undefined }))).toBeNull();
    expect(sourceOf('# notes')).toBeNull();
  });
});
