import { z } from 'zod';
import { human } from './human-schema.js';
import { MAX_SEED } from './rng.js';

/**
 * A seed in a config: a whole number from 0 to {@link MAX_SEED}, which may be written for humans (1k, 250_000).
 * Seeds are mixed into 32 bits, so one outside that range (a negative one included) would give the same random
 * streams as a seed inside it.
 */
export function seedSchema() {
  return human().pipe(
    z
      .number()
      .int({ error: 'must be a whole number' })
      .min(0, { error: seedRange })
      .max(MAX_SEED, { error: seedRange }),
  );
}

function seedRange(): string {
  return `must be a whole number from 0 to ${MAX_SEED} (seeds are 32-bit)`;
}
