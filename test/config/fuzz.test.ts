import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSweep } from '../../src/config/load.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/config.js';

const dir = tempDir('sb-fuzz-');
let n = 0;

/** Loads a config text; returns 'ok' or 'config-error', and fails the property on anything else. */
function outcome(text: string): 'ok' | 'config-error' {
  const path = join(dir, `f${n++}.yaml`);
  writeFileSync(path, text);
  try {
    const plan = loadSweep(path);
    for (const t of plan.trials) {
      expect(t.id).toMatch(/^[0-9a-f]{16}$/);
      expect(t.spec.steps).toBeGreaterThanOrEqual(1);
    }
    return 'ok';
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      expect((e as Error).message).toMatch(/f\d+\.yaml/); // always names the file
      return 'config-error';
    }
    throw e;
  }
}

const scalar = fc.oneof(
  fc.integer({ min: -1e6, max: 1e9 }),
  fc.double({ noNaN: false }),
  fc.constantFrom('50k', '2M', '1e6', 'abc', '', 'gmp', 'dense', 'brown', 'wasm', 'lm', '0.5', '-1'),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), tie('obj')),
  obj: fc.dictionary(
    fc.constantFrom(
      'name',
      'source',
      'path',
      'lr',
      'batch_size',
      'seq_len',
      'start',
      'end',
      'interval',
      'x',
      'family',
    ),
    tie('v'),
    { maxKeys: 3 },
  ),
})).v;

/** The valid value four times out of five, else a random one. */
const mostly = (valid: unknown, other: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: fc.constant(valid), weight: 4 }, { arbitrary: other, weight: 1 });

/** Configs close to valid: every top-level key present with random values here and there. */
const nearlyValid = fc.record(
  {
    name: mostly('fuzz', scalar),
    model: mostly({ family: 'lm' }, value),
    data: mostly({ source: 'synthetic', vocab_size: 16 }, value),
    train: mostly({ batch_size: 4, seq_len: 8 }, value),
    pruner: mostly({ name: 'gmp', schedule: { interval: 5 } }, value),
    backend: mostly('wasm', scalar),
    sweep: fc.oneof(
      fc.record({
        sparsity: mostly([0, 0.5], value),
        nonzero_params: mostly('5k', value),
        tokens: mostly(4096, value),
      }),
      value,
    ),
  },
  { requiredKeys: ['name', 'sweep'] },
);

describe('config parser fuzzing', () => {
  it('never throws anything but a config error on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => outcome(text) !== undefined),
      { numRuns: 150 },
    );
  });

  it('never throws anything but a config error on random structured configs', () => {
    const seen = { ok: 0, 'config-error': 0 };
    fc.assert(
      fc.property(nearlyValid, (cfg) => {
        seen[outcome(stringify(cfg))]++;
        return true;
      }),
      { numRuns: 300 },
    );
    // the generator reaches both sides of the parser
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen['config-error']).toBeGreaterThan(0);
  });
});
