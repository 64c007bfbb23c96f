import fc from 'fast-check';
import { MAX_SEED } from '../../src/util/rng.js';

/** Any seed a trial or stream takes: a whole number from 0 to 2^32 - 1. */
export const anySeed = () => fc.integer({ min: 0, max: MAX_SEED });
