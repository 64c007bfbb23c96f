import { describe, expect, it } from 'vitest';
import { ConfigError, PathError } from '../../src/errors.js';
import { families } from '../../src/models/registry.js';
import { prunableLayers } from '../../src/models/types.js';
import { fanIn } from '../../src/sparsity/patterns/constant-fan-in.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

/** The tiny config with another pruner block and sweep sparsities. */
const config = (pruner: string, sparsity = '[0, 0.5]') =>
  tinySyntheticConfig()
    .replace('pruner: {name: gmp, schedule: {interval: 2}}', `pruner: ${pruner}`)
    .replace('sparsity: [0, 0.5]', `sparsity: ${sparsity}`);

function errorOf(text: string): string {
  try {
    planOf(text);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PathError) return e.message;
    throw e;
  }
  throw new Error('expected a config error');
}

describe('unsupported combinations are config errors naming the key and what is valid', () => {
  it('an option for a pruner that takes none', () => {
    expect(errorOf(config('{name: gmp, options: {foo: 1}}'))).toMatch(
      /pruner\.options\.foo: gmp: unknown key "foo"; it takes no options$/,
    );
  });

  it('sr-ste with unstructured', () => {
    expect(errorOf(config('{name: sr-ste}'))).toMatch(
      /sweep\.yaml:4:\d+: pruner\.pattern: pruner sr-ste works with pattern nm, not unstructured \(the default\)/,
    );
  });

  it('N:M at a sparsity that is not 1 - n/m', () => {
    expect(errorOf(config('{name: gmp, pattern: {name: nm, n: 2, m: 4}}', '[0.75]'))).toMatch(
      /pruner\.pattern: pattern nm: 2:4 prunes exactly 1 - n\/m = 0\.5 of every group, but this trial's sparsity is 0\.75/,
    );
    expect(errorOf(config('{name: sr-ste, pattern: {name: nm, m: 4}}', '[0.6]'))).toMatch(
      /with m 4 valid sparsities are 0\.75, 0\.5, 0\.25/,
    );
    expect(errorOf(config('{name: gmp, pattern: {name: nm, n: 4, m: 4}}'))).toMatch(
      /pruner\.pattern\.n: .*n must be less than m/,
    );
  });

  it('N:M with ERK, RigL without a periodic schedule, a staircase without N:M', () => {
    expect(errorOf(config('{name: gmp, pattern: nm, distribution: erk}'))).toMatch(
      /needs distribution uniform \(got erk\)/,
    );
    expect(errorOf(config('{name: rigl, schedule: {name: cubic}}'))).toMatch(
      /pruner\.schedule: pruner rigl works with schedule periodic, not cubic/,
    );
    expect(errorOf(config('{name: gmp, schedule: {name: nm-staircase}}'))).toMatch(
      /schedule nm-staircase works with pattern nm, not unstructured/,
    );
  });

  it('bad options of a piece, located at the option', () => {
    expect(
      errorOf(config('{name: srigl, pattern: constant-fan-in, options: {ablation_threshold: 2}}')),
    ).toMatch(/pruner\.options\.ablation_threshold: srigl: 2 is out of range: must be <= 1/);
    expect(errorOf(config("{name: gmp, distribution: {name: erk, dense: ['/([/']}}"))).toMatch(
      /pruner\.distribution\.dense\[0\]: erk: .*not a valid \/regex\//,
    );
    expect(errorOf(config('{name: set, schedule: {drop_fraction: 1.5}}'))).toMatch(
      /pruner\.schedule\.drop_fraction/,
    );
  });

  it('dense-layer patterns that match no layer, or every layer', () => {
    expect(errorOf(config("{name: gmp, distribution: {name: uniform, dense: ['layers.9.*']}}"))).toMatch(
      /"layers\.9\.\*" matches no prunable layer; the layers are layers\.0\.attn\.qkv/,
    );
    expect(errorOf(config("{name: gmp, distribution: {name: uniform, dense: ['*']}}"))).toMatch(
      /every prunable layer is kept dense/,
    );
  });

  it('global ranking with pruned embeddings; from-dense without a file', () => {
    expect(
      errorOf(config('{name: global-magnitude, distribution: {name: uniform, embeddings: true}}')),
    ).toMatch(/pruner\.distribution: pruner global-magnitude: global ranking would trade embedding weights/);
    expect(errorOf(config('{name: from-dense, options: {weights: /nonexistent/w.safetensors}}'))).toMatch(
      /pruner\.options\.weights: from-dense: no such file: \/nonexistent\/w\.safetensors$/m,
    );
    expect(errorOf(config('{name: from-dense}'))).toMatch(/give exactly one of weights \(a file\) or trial/);
  });
});

describe('valid compositions resolve fully', () => {
  it('fills N:M n from the sparsity, so one config sweeps 2:4 and 1:4', () => {
    const plan = planOf(config('{name: sr-ste, pattern: {name: nm, m: 4}}', '[0.5, 0.75]'));
    const patterns = plan.trials.map((t) => t.spec.pruner.pattern);
    expect(patterns).toEqual([
      { name: 'nm', m: 4, n: 2 },
      { name: 'nm', m: 4, n: 1 },
    ]);
  });

  it('plans N from the rounded per-layer targets (constant fan-in) and leaves embeddings out of N', () => {
    const t = planOf(config('{name: srigl, pattern: constant-fan-in}', '[0.3]')).trials[0];
    const layers = prunableLayers(families[t.spec.model.family].model.params(t.spec.model));
    // every layer keeps round(0.7·n_in) inputs per output neuron
    const expected = layers.reduce((a, l) => a + l.shape[1] * fanIn(l.shape[0], 0.3), 0);
    expect(t.nonzero_params).toBe(expected);
    const emb = planOf(config('{name: gmp, distribution: {name: uniform, embeddings: true}}'));
    const plain = planOf(config('{name: gmp}'));
    expect(emb.trials.map((x) => x.nonzero_params)).toEqual(plain.trials.map((x) => x.nonzero_params));
  });
});
