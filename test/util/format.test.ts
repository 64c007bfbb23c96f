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
});
