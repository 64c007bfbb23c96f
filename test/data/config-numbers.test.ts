import { describe, expect, it } from 'vitest';
import { dataConfigSchema } from '../../src/data/spec.js';

describe('the data: block', () => {
  it('reads counts written for humans (1M, 8k, 65_536) as the rest of a config does', () => {
    expect(
      dataConfigSchema.parse({
        source: 'synthetic',
        train_tokens: '1M',
        validation_tokens: '65_536',
        vocab_size: '1k',
        branching: 4,
      }),
    ).toMatchObject({ train_tokens: 1_000_000, validation_tokens: 65_536, vocab_size: 1000 });
    expect(dataConfigSchema.parse({ source: 'synthetic-images', train_images: '20k' })).toMatchObject({
      train_images: 20_000,
    });
    expect(dataConfigSchema.parse({ source: 'text', path: 'a.txt', chunk_bytes: '16k' })).toMatchObject({
      chunk_bytes: 16_000,
    });
  });

  it('still refuses what is not a whole count, or not a number at all', () => {
    expect(dataConfigSchema.safeParse({ source: 'synthetic', train_tokens: '1.5' }).success).toBe(false);
    expect(dataConfigSchema.safeParse({ source: 'synthetic', train_tokens: 'lots' }).success).toBe(false);
    expect(dataConfigSchema.safeParse({ source: 'synthetic', vocab_size: '100k' }).success).toBe(false);
  });
});
