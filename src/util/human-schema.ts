import { z } from 'zod';
import { parseHumanNumber } from './format.js';

/** How a number may be written in a config, for messages. */
export const HUMAN_HINT = 'a number such as 50k, 2M, 1.5e6 or 250_000';

/** A number that may be written for humans: 50k, 2M, 1e6 (strings become numbers before checks). */
export function human() {
  return z.preprocess(
    (v) => (typeof v === 'string' ? (parseHumanNumber(v) ?? v) : v),
    z.number({ error: (iss) => (iss.input === undefined ? 'required' : `expected ${HUMAN_HINT}`) }),
  );
}
