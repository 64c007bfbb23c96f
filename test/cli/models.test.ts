import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

describe('sparsebench models', () => {
  it("lists every family, or one family's options when it is named without --nonzero", () => {
    const all = cli(['models']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^lm {2}/m);
    expect(all.stdout).toMatch(/^vit {2}/m);
    const t5 = cli(['models', 't5']);
    expect(t5.code, t5.stderr).toBe(0);
    expect(t5.stdout).toMatch(/^t5 {2}.*\n {2}D counts tokens.*\n {2}model options: .*noise_density=0\.15/);
    expect(t5.stdout).not.toMatch(/^lm {2}/m);
    const json = JSON.parse(cli(['models', 'vit', '--json']).stdout) as { name: string }[];
    expect(json.map((f) => f.name)).toEqual(['vit']);
  });

  it('refuses sizing flags without a family instead of listing the families', () => {
    const r = cli(['models', '--nonzero', '5k', '--sparsity', '0.5']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /--nonzero, --sparsity size a model of one family: name it, e\.g\. sparsebench models lm --nonzero 5k; families: lm, t5, vit/,
    );
    expect(cli(['models', '--data', 'mnist']).stderr).toMatch(/--data sizes a model of one family/);
  });

  it('sizes a model for N and S', () => {
    const r = cli(['models', 'lm', '--nonzero', '5k', '--sparsity', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/non-zero \d+ \(asked 5k, [+-]\d+\.\d+%\)/);
    // a text file is bytes: sized as the shipped corpus is, without one; IDX files set the image size, so they are needed
    const text = cli(['models', 'lm', '--nonzero', '5k', '--sparsity', '0.5', '--data', 'text']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.replace(/^lm: .*\n/, '')).toBe(
      cli(['models', 'lm', '--nonzero', '5k', '--sparsity', '0.5', '--data', 'brown']).stdout.replace(
        /^lm: .*\n/,
        '',
      ),
    );
    expect(cli(['models', 'vit', '--nonzero', '5k', '--data', 'idx']).stderr).toMatch(
      /--data idx: needs its files; size with a config instead/,
    );
  });

  it("sizes with the family's model: options given by --set, as a config's model: block does", () => {
    const shape = (...set: string[]) => {
      const r = cli(['models', 't5', '--nonzero', '20k', '--json', ...set.flatMap((s) => ['--set', s])]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { shape: Record<string, unknown> }).shape;
    };
    const plain = shape();
    const v11 = shape('ff_activation=gated-gelu', 'tied_embeddings=false');
    expect(plain).toMatchObject({ ff_activation: 'relu' });
    expect(plain.tied_embeddings).toBeUndefined(); // tied: the default
    expect(v11).toMatchObject({ ff_activation: 'gated-gelu', tied_embeddings: false });
  });
});
