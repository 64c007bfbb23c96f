import { z } from 'zod';
import { MAX_SEED } from './rng.js';

/**
 * A seed in a config: a whole number from 0 to {@link MAX_SEED}. Seeds are mixed into 32 bits, so one outside
 * that range (a negative one included) would give the same random streams as a seed inside it.
 */
export function seedSchema() {
  return z.number().int({ error: 'must be a whole number' }).min(0, { error: seedRange }).max(MAX_SEED, {
    error: seedRange,
  });
}

function seedRange(): string {
  return `must be a whole number from 0 to ${MAX_SEED} (seeds are 32-bit)`;
}
