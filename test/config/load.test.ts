import { describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { planOf, writeConfig } from '../helpers/config.js';

const base = (sweep: string, extra = '') => `name: t
${extra}
sweep:
${sweep}
`;

function errorOf(text: string): string {
  const path = writeConfig(text, 'bad.yaml');
  try {
    loadSweep(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the pruner block', () => {
  it('names every unknown key of its pieces in one run, in file order (it took one run each)', () => {
    const message = errorOf(
      'name: t\npruner:\n  name: gmp\n  pattern: {name: unstructured, zz: 1}\n  distribution: {name: uniform, yy: 2}\n' +
        '  schedule: {bogus: 3}\nsweep: {sparsity: [0, 0.5], nonzero_params: 4k, tokens: 16k}\n',
    );
    const lines = message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/:4:\d+: pruner\.pattern\.zz: unstructured: unknown key "zz"/);
    expect(lines[1]).toMatch(/:5:\d+: pruner\.distribution\.yy: uniform: unknown key "yy"/);
    expect(lines[2]).toMatch(/:6:\d+: pruner\.schedule\.bogus: cubic: unknown key "bogus"/);
  });

  it('checks a written schedule even when the algorithm is unknown', () => {
    const lines = errorOf(
      'name: t\npruner: {name: nope, schedule: {name: cubic, bogus: 3}}\nsweep: {sparsity: [0.5], nonzero_params: 4k, tokens: 16k}\n',
    ).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/pruner\.name: .*nope/);
    expect(lines[1]).toMatch(/pruner\.schedule\.bogus: cubic: unknown key "bogus"/);
  });
});

describe('config loading', () => {
  it('expands the grid with defaults and human numbers', () => {
    const plan = planOf(base('  sparsity: [0, 0.5, 0.75]\n  nonzero_params: [20k, 0.1M]\n  tokens: 1e6'));
    expect(plan.trials).toHaveLength(6);
    expect(plan.axes.find((a) => a.key === 'nonzero_params')!.values).toEqual([20_000, 100_000]);
    const t = plan.trials[0];
    expect(t.spec.steps).toBe(Math.floor(1e6 / (16 * 64)));
    expect(t.spec.backend).toBe('wasm');
    expect(t.spec.data).toEqual({ source: 'brown', validation_fraction: 0.05 });
    expect(t.flops).toBe(6 * t.dense_params * t.train_tokens);
    for (const p of plan.trials) {
      expect(Math.abs(p.nonzero_params - p.spec.nonzero_params) / p.spec.nonzero_params).toBeLessThan(0.05);
    }
  });

  it('makes an axis of a list given to any scalar setting, in place or as a dotted sweep key', () => {
    const plan = planOf(
      base(
        '  sparsity: 0.5\n  nonzero_params: 20k\n  tokens: 100k\n  train.optimizer.lr: [1e-3, 3e-3]\n  pruner.schedule.end: [0.5, 0.75]',
        'train: {batch_size: [8, 16]}',
      ),
    );
    expect(plan.trials).toHaveLength(8);
    expect(plan.axes.map((a) => a.key)).toEqual([
      'sparsity',
      'nonzero_params',
      'tokens',
      'seed',
      'train.optimizer.lr',
      'pruner.schedule.end',
      'train.batch_size',
    ]);
    const lrs = new Set(plan.trials.map((t) => t.spec.optimizer.lr));
    expect(lrs).toEqual(new Set([1e-3, 3e-3]));
    expect(new Set(plan.trials.map((t) => t.spec.pruner.schedule.end))).toEqual(new Set([0.5, 0.75]));
    expect(new Set(plan.trials.map((t) => t.spec.batch_size))).toEqual(new Set([8, 16]));
  });

  it('shares one dense trial across pruner settings at sparsity 0', () => {
    const plan = planOf(
      base('  sparsity: [0, 0.5]\n  nonzero_params: 20k\n  tokens: 100k\n  pruner.schedule.end: [0.5, 0.75]'),
    );
    expect(plan.trials).toHaveLength(3);
  });

  it('gives the same ids whatever the key order or number spelling', () => {
    const a = planOf(
      'name: a\ntrain: {batch_size: 16, seq_len: 64}\nsweep: {sparsity: 0.5, nonzero_params: 20k, tokens: 1M}',
    );
    const b = planOf(
      'name: b\nsweep: {tokens: 1000000, nonzero_params: 2e4, sparsity: 0.5}\ntrain: {seq_len: 64}',
    );
    expect(a.trials[0].id).toBe(b.trials[0].id);
    const c = planOf('name: c\nsweep: {tokens: 1000000, nonzero_params: 2e4, sparsity: 0.5, seed: 1}');
    expect(c.trials[0].id).not.toBe(a.trials[0].id);
  });

  it('reads a count written for humans in every count-like key, as the number it is', () => {
    const config = (v: {
      layers: string;
      warmup: string;
      interval: string;
      seed: string;
      m: string;
    }) => `name: h
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000, seed: ${v.seed}}
model: {max_layers: ${v.layers}, head_dim: 16}
train: {batch_size: 8, seq_len: 16, eval_interval: 10, eval_tokens: 512, lr_schedule: {warmup: ${v.warmup}}}
pruner: {name: gmp, schedule: {interval: ${v.interval}}, pattern: {name: nm, m: ${v.m}}}
sweep: {sparsity: [0, 0.5], nonzero_params: 3000, tokens: 4096, seed: [${v.seed}]}
`;
    const human = planOf(config({ layers: '1k', warmup: '2k', interval: '1_000', seed: '3k', m: '0.004k' }));
    const plain = planOf(config({ layers: '1000', warmup: '2000', interval: '1000', seed: '3000', m: '4' }));
    expect(human.trials.map((t) => t.id)).toEqual(plain.trials.map((t) => t.id));
    const sparse = human.trials.find((t) => t.spec.sparsity > 0)!.spec;
    expect(sparse.lr_schedule.warmup).toBe(2000);
    expect(sparse.seed).toBe(3000);
    expect(sparse.pruner).toMatchObject({
      schedule: { interval: 1000 },
      pattern: { name: 'nm', m: 4, n: 2 },
    });
    // t5 and vit counts too
    const t5 = configSchema.parse({
      name: 't',
      model: { family: 't5', max_layers: '1k', rel_buckets: '64', rel_max_distance: '1_024' },
      sweep: { sparsity: 0, nonzero_params: 1e4, tokens: 1e5 },
    }).model;
    expect(t5).toMatchObject({ max_layers: 1000, rel_buckets: 64, rel_max_distance: 1024 });
    const vit = configSchema.parse({
      name: 'v',
      model: { family: 'vit', patch_size: '4' },
      sweep: { sparsity: 0, nonzero_params: 1e4, tokens: 1e5 },
    }).model;
    expect(vit).toMatchObject({ patch_size: 4 });
  });

  it('keeps the checks of a count written for humans', () => {
    const msg = errorOf(`name: t
model: {max_layers: lots, head_dim: 16}
train: {lr_schedule: {warmup: -1k}}
pruner: {name: gmp, schedule: {interval: 2.5}}
sweep: {sparsity: [0, 0.5], nonzero_params: 20k, tokens: 100k, seed: [5G]}
`);
    expect(msg).toContain('bad.yaml:2:21: model.max_layers: expected a number such as 50k');
    expect(msg).toContain('bad.yaml:3:31: train.lr_schedule.warmup: "-1k" is out of range: must be >= 0');
    expect(msg).toContain('bad.yaml:5:71: sweep.seed[0]: "5G": must be a whole number from 0 to 4294967295');
    expect(
      errorOf(
        base(
          '  sparsity: [0, 0.5]\n  nonzero_params: 20k\n  tokens: 100k',
          'pruner: {name: gmp, schedule: {interval: 2.5}}',
        ),
      ),
    ).toContain('pruner.schedule.interval: cubic: expected int, got 2.5');
  });

  it('names file, line:column, key, value and what is valid', () => {
    const msg = errorOf(`name: t
train:
  batch_siz: 3
  optimizer: {lr: -1}
sweep:
  sparsity: [0, 1.5]
  nonzero_params: 20k
  tokens: 50q
`);
    expect(msg).toContain(
      'bad.yaml:3:3: train.batch_siz: unknown key "batch_siz" (did you mean "batch_size"?)',
    );
    expect(msg).toContain('bad.yaml:4:19: train.optimizer.lr: -1 is out of range: must be > 0');
    expect(msg).toContain('bad.yaml:6:17: sweep.sparsity[1]: 1.5: sparsity must be in [0, 1)');
    expect(msg).toContain('bad.yaml:8:11: sweep.tokens: expected a number such as 50k');
    // in file order
    expect(msg.indexOf(':3:3:')).toBeLessThan(msg.indexOf(':8:11:'));
  });

  it('rejects a budget smaller than one batch and an N no shape reaches', () => {
    const msg = errorOf(base('  sparsity: 0.5\n  nonzero_params: [20k, 50]\n  tokens: [100k, 500]'));
    expect(msg).toMatch(
      /bad.yaml:6:18: sweep.tokens\[1\]: 500 tokens is less than one batch: batch_size 16 × seq_len 64 = 1024/,
    );
    expect(msg).toMatch(
      /bad.yaml:5:25: sweep.nonzero_params\[1\]: no lm shape has 50 non-zero parameters at sparsity 0.5/,
    );
  });

  it('reports a bad value in a dotted axis at that value', () => {
    const msg = errorOf(
      base('  sparsity: 0.5\n  nonzero_params: 20k\n  tokens: 100k\n  pruner.schedule.end: [0.5, 2]'),
    );
    expect(msg).toMatch(/bad.yaml:7:30: pruner.schedule.end: cubic: 2 is out of range: must be <= 1/);
    const typo = errorOf(base('  sparsity: 0.5\n  nonzero_params: 20k\n  tokens: 100k\n  sparsityy: 3'));
    expect(typo).toMatch(/sweep.sparsityy: unknown sweep axis "sparsityy" \(did you mean "sparsity"\?\)/);
  });

  it('says which axis settings raise a message only when not all that reach its check do', () => {
    const grid = '  sparsity: 0.5\n  nonzero_params: 3k\n  tokens: 4096';
    // only magnitude's schedule (one-shot) refuses interval: named
    expect(errorOf(base(grid, 'pruner: {name: [gmp, magnitude], schedule: {interval: 5}}'))).toMatch(
      /one-shot: unknown key "interval"; valid keys: at \(with pruner\.name="magnitude"\); to give each algorithm its own schedule, list whole pruners instead of pruner\.name values: pruner: \[\{name: gmp, schedule: \{\.\.\.\}\}, \{name: magnitude\}\]$/,
    );
    // many settings: the first three and a count
    expect(
      errorOf(
        base(
          grid,
          'pruner: {name: [gmp, magnitude], schedule: {interval: 5}}\ntrain: {optimizer: {lr: [1e-3, 2e-3, 3e-3, 4e-3, 5e-3]}}',
        ),
      ),
    ).toMatch(/\(with train\.optimizer\.lr=0\.001, pruner\.name="magnitude"; .*; .*; and 2 more\); to give/);
    // a mistake outside the axes, which every setting has: no suffix
    expect(errorOf(base(grid, 'pruner: {name: [gmp, magnitude]}\ntrain: {optimiser: {lr: 0.1}}'))).toMatch(
      /train\.optimiser: unknown key "optimiser".*optimizer.*eval_tokens$/,
    );
    // lr -1 fails before the budget is checked: every setting that reaches that check has the short budget
    const early = errorOf(
      base('  sparsity: 0.5\n  nonzero_params: 3k\n  tokens: 100', 'train: {optimizer: {lr: [0.001, -1]}}'),
    );
    expect(early).toMatch(
      /less than one batch: batch_size 16 × seq_len 64 = 1024 tokens; give at least 1024$/,
    );
    expect(early).not.toMatch(/\(with /);
  });

  it('reports YAML syntax errors and a missing file', () => {
    expect(errorOf('name: t\nsweep: [unclosed\n')).toMatch(/bad.yaml:\d+:\d+: YAML syntax/);
    expect(() => loadSweep('/nonexistent/x.yaml')).toThrow(
      /cannot read config \/nonexistent\/x.yaml: no such file/,
    );
  });

  it('requires the core axes and reads a user text file', () => {
    expect(errorOf('name: t\nsweep: {sparsity: 0}')).toMatch(/sweep.nonzero_params: required/);
    const dir = writeConfig('x'.repeat(10), 'tiny.txt').replace(/tiny.txt$/, '');
    const cfg = writeConfig(
      `name: t\ndata: {source: text, path: tiny.txt}\nsweep: {sparsity: 0, nonzero_params: 20k, tokens: 100k}`,
      'c.yaml',
      dir,
    );
    expect(() => loadSweep(cfg)).toThrow(/tiny.txt is too short/);
  });
});
