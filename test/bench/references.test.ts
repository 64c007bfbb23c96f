import { describe, expect, it } from 'vitest';
import { chooseReferences, peerReference, referenceSpec, references } from '../../bench/references.js';
import { families } from '../../src/models/registry.js';

describe('the benchmark reference models', () => {
  it('include a GPU model of at least 10M parameters, measured only when named', () => {
    const gpu = references.find((r) => r.name === 'lm-12m')!;
    const peer = peerReference(gpu);
    expect(peer.param_counts.total).toBeGreaterThanOrEqual(10_000_000);
    expect(peer.param_counts.total).toBe(12_788_736);
    // its sequence length is the model's and the spec's, and one batch is 32 x 128 tokens
    expect(referenceSpec(gpu, 'webgpu', 0, 1).seq_len).toBe(128);
    expect(peer.units_per_batch).toBe(32 * 128);
    expect(families.lm.unitsPerBatch(referenceSpec(gpu, 'wasm', 0.75, 1))).toBe(4096);
    expect(chooseReferences([]).map((r) => r.name)).toEqual(['lm', 't5', 'vit']);
    expect(chooseReferences(['lm-12m', 'lm']).map((r) => r.name)).toEqual(['lm', 'lm-12m']);
  });

  it('refuse an unknown name, listing the known ones', () => {
    expect(() => chooseReferences(['lm-10m'])).toThrow(
      'unknown reference lm-10m: expected lm, t5, vit, lm-12m',
    );
  });
});
