import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstLine } from '../../src/report/format.js';

describe('firstLine', () => {
  it('keeps a short first line whole, without its stack', () => {
    expect(firstLine('loss diverged (NaN) at step 12\n    at train (x.js:1)', 80)).toBe(
      'loss diverged (NaN) at step 12',
    );
  });

  it('cuts a long line at a word and says so with an ellipsis', () => {
    expect(firstLine('the quick brown fox jumps over the lazy dog', 20)).toBe('the quick brown fox…');
    // no space late enough: cut mid-word rather than drop most of the limit
    expect(firstLine('a supercalifragilisticexpialidocious word', 12)).toBe('a supercali…');
  });

  it('never exceeds the limit, and ends with an ellipsis exactly when it cut', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 4, max: 120 }), (text, max) => {
        const out = firstLine(text, max);
        const line = text.split('\n')[0].trimEnd();
        expect(out.length).toBeLessThanOrEqual(max);
        if (line.length <= max) expect(out).toBe(line);
        else {
          expect(out.endsWith('…')).toBe(true);
          expect(line.startsWith(out.slice(0, -1))).toBe(true);
        }
      }),
    );
  });
});
