import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTextFile, textChunks } from '../../src/data/text-file.js';
import { tempDir } from '../helpers/config.js';

const text = (chunks: Uint8Array[]) => chunks.map((c) => Buffer.from(c).toString('utf8'));

describe('text file chunks', () => {
  it('ends a chunk at the next line end after chunk_bytes, or at the next blank line', () => {
    const bytes = Buffer.from('aaa\nbbb\n\nccc\nddd\n \neee');
    // 4 bytes: to the first line end at or after byte 4 of the chunk
    expect(text(textChunks(bytes, 4))).toEqual(['aaa\nbbb\n', '\nccc\n', 'ddd\n \n', 'eee']);
    // blank lines: a document (lines up to a blank line, which may hold spaces) is never cut
    expect(text(textChunks(bytes, 4, 'blank-line'))).toEqual(['aaa\nbbb\n\n', 'ccc\nddd\n \n', 'eee']);
    // a blank line right at the chunk's end still ends it there
    expect(text(textChunks(Buffer.from('ab\n\ncd\n\nef'), 4, 'blank-line'))).toEqual([
      'ab\n\n',
      'cd\n\n',
      'ef',
    ]);
  });

  it('keeps every byte, in order, and with blank-line never cuts a document (property)', () => {
    const doc = fc.stringMatching(/^[a-z ]{1,12}(\n[a-z ]{1,12}){0,3}$/).filter((d) => !/\n *\n/.test(d));
    fc.assert(
      fc.property(
        fc.array(doc, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 60 }),
        (docs, size) => {
          const file = docs.join('\n\n');
          const chunks = text(textChunks(Buffer.from(file), size, 'blank-line'));
          expect(chunks.join('')).toBe(file);
          // each chunk is whole documents: it ends the file or ends with its blank line
          for (const c of chunks.slice(0, -1)) expect(c).toMatch(/\n *\n$/);
          expect(text(textChunks(Buffer.from(file), size)).join('')).toBe(file);
        },
      ),
    );
  });

  it('holds out whole documents with cut_at blank-line: none has text on both sides', () => {
    const docs = Array.from({ length: 40 }, (_, i) => `doc${i} ${'word '.repeat(30 + (i % 7) * 20)}`.trim());
    const path = join(tempDir(), 'docs.txt');
    writeFileSync(path, docs.join('\n\n'));
    const corpus = loadTextFile(path, 0.25, 100, 'blank-line');
    const [train, validation] = [corpus.train, corpus.validation].map((t) => Buffer.from(t).toString('utf8'));
    const held = docs.filter((d) => validation.includes(d.slice(0, 6)));
    expect(held.length).toBeGreaterThan(0);
    for (const d of docs) {
      const name = `${d.split(' ')[0]} `;
      expect(train.includes(name) && validation.includes(name), name).toBe(false);
    }
    expect(corpus.description).toContain('cut at blank lines');
  });
});
