import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/config/trial-spec.js';

describe('canonical JSON', () => {
  it('sorts keys and normalises numbers', () => {
    expect(canonicalJson({ b: 1e6, a: [-0, { d: 1, c: 2 }] })).toBe('{"a":[0,{"c":2,"d":1}],"b":1000000}');
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });

  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        return canonicalJson(obj) === canonicalJson(reversed);
      }),
    );
  });
});
