import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detagBrown, loadBrown } from '../../src/data/brown.js';

/** detagBrown's definition, written the plain way: split lines and words, cut tags, join, detokenise. */
function detagByDefinition(raw: string): string {
  const lines: string[] = [];
  for (const line of raw.split('\n')) {
    const words = line
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0)
      .map((w) => {
        const slash = w.lastIndexOf('/');
        return slash > 0 ? w.slice(0, slash) : w;
      });
    if (words.length === 0) continue;
    lines.push(
      words
        .join(' ')
        .replace(/``\s*/g, '"')
        .replace(/\s*''/g, '"')
        .replace(/\s+([.,;:!?)\]}])/g, '$1')
        .replace(/([([{])\s+/g, '$1')
        .replace(/\s+(n't|'s|'re|'ve|'ll|'d|'m)\b/g, '$1'),
    );
  }
  return lines.join('\n');
}

/** Characters that matter to the scanner: tag slashes, every kind of whitespace, quotes, punctuation. */
const PIECES = [
  'a',
  'B',
  'n',
  't',
  's',
  'd',
  '/',
  '//',
  '/nn',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  '`',
  '``',
  "'",
  "''",
  "n't",
  "'s",
  '.',
  ',',
  ';',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '!',
  '?',
  'é',
  '\ud800',
  '\udc00',
  '\ud83d\ude00',
];

describe('detagBrown', () => {
  it('equals the split-and-join definition on any text (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (pieces) => {
        const raw = pieces.join('');
        expect(detagBrown(raw)).toBe(detagByDefinition(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the corpus its fixed bytes (trial results depend on them)', () => {
    const c = loadBrown(0.05);
    const hash = createHash('sha256').update(c.train).update(c.validation).digest('hex');
    expect(hash.slice(0, 16)).toBe('503fb2a57d107358');
  });
});
