import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmt, fmtDuration, fmtValue, parseHumanNumber } from '../../src/util/format.js';

describe('parseHumanNumber', () => {
  it.each([
    ['50k', 50_000],
    ['2M', 2_000_000],
    ['1.5B', 1_500_000_000],
    ['1e6', 1_000_000],
    ['2.5e-3', 0.0025],
    ['250_000', 250_000],
    ['1.1k', 1100],
    [' 3 ', 3],
    ['4G', 4e9],
  ])('%s → %d', (text, value) => {
    expect(parseHumanNumber(text)).toBe(value);
  });

  it.each(['', 'k', '50q', '1e', 'abc', '1..2', '-'])('rejects %j', (text) => {
    expect(parseHumanNumber(text)).toBeNull();
  });
});

describe('fmt', () => {
  it('abbreviates', () => {
    expect(fmt(12_345)).toBe('12.3k');
    expect(fmt(2e6)).toBe('2M');
    expect(fmt(0.5)).toBe('0.5');
    expect(fmtValue(0.003)).toBe('0.003');
    expect(fmtValue({ name: 'cubic', interval: 5 })).toBe('{"name":"cubic","interval":5}');
    expect(fmt(3e12)).toBe('3T');
    expect(fmt(1e18)).toBe('1.00e18');
    expect(fmtDuration(65)).toBe('1m05s');
    expect(fmtDuration(3.21)).toBe('3.2s');
  });

  it('rounds before choosing the suffix, so no "1000k"', () => {
    expect(fmt(999_950)).toBe('1M');
    expect(fmt(999_500)).toBe('1M');
    expect(fmt(999_499)).toBe('999k');
    expect(fmt(-999.7)).toBe('-1k');
    expect(fmt(999.4)).toBe('999');
    expect(fmt(9.996e11)).toBe('1T');
    expect(fmt(9.9996e14)).toBe('1.00e15');
  });

  // values anywhere, and values just around each power of ten, where rounding can carry into the next suffix
  const anyMagnitude = fc.oneof(
    fc.double({ min: 1e-3, max: 1e18, noNaN: true }),
    fc
      .tuple(fc.integer({ min: 0, max: 17 }), fc.double({ min: 0.999, max: 1.001, noNaN: true }))
      .map(([e, m]) => m * 10 ** e),
  );

  it('prints a mantissa below 1000 that reads back within 0.5%', () =>
    fc.assert(
      fc.property(anyMagnitude, fc.boolean(), (x, negative) => {
        const n = negative ? -x : x;
        const text = fmt(n);
        expect(text).not.toMatch(/^-?1000(?:\.\d+)?[kMBT]?$/);
        const back = parseHumanNumber(text);
        expect(back).not.toBeNull();
        expect(Math.abs((back as number) - n)).toBeLessThanOrEqual(0.005 * Math.abs(n));
      }),
    ));
});
