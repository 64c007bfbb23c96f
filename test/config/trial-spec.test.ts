import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type TrialSpec, trialId } from '../../src/config/trial-spec.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

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

describe('trial id', () => {
  const spec = planOf(tinySyntheticConfig()).trials[1].spec;
  const withData = (data: object) => ({ ...spec, data: data as TrialSpec['data'] });

  it('leaves where files lie out of the id (a moved file is the same trial), and what they hold in it', () => {
    const text = {
      source: 'text',
      path: '/a/corpus.txt',
      validation_fraction: 0.05,
      chunk_bytes: 8192,
      sha256: 'x',
    };
    expect(trialId(withData(text))).toBe(trialId(withData({ ...text, path: '/elsewhere/corpus.txt' })));
    expect(trialId(withData(text))).not.toBe(trialId(withData({ ...text, sha256: 'y' })));
    const pruner = (options: Record<string, unknown>) => ({
      ...spec,
      pruner: { ...spec.pruner, name: 'from-dense', options },
    });
    expect(trialId(pruner({ weights: '/a/w.safetensors', sha256: 'h' }))).toBe(
      trialId(pruner({ weights: '/b/w.safetensors', sha256: 'h' })),
    );
    expect(trialId(pruner({ weights: '/a/w.safetensors', sha256: 'h' }))).not.toBe(
      trialId(pruner({ weights: '/a/w.safetensors', sha256: 'g' })),
    );
  });

  it('is the first 16 hex digits of SHA-256 over the canonical spec', () => {
    expect(trialId(spec)).toMatch(/^[0-9a-f]{16}$/);
    expect(trialId({ ...spec, seed: spec.seed + 1 })).not.toBe(trialId(spec));
  });
});
