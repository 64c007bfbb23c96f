import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeConfig } from '../helpers/config.js';

const config = (family: string) =>
  writeConfig(
    `name: c\nmodel: {family: ${family}}\ndata: {source: synthetic, vocab_size: 16, branching: 2}\ntrain: {batch_size: 4, seq_len: 32}\nsweep: {sparsity: 0, nonzero_params: 6k, tokens: 4096}\n`,
  );

describe('the dry run names what its compute counts', () => {
  it("calls an lm's C FLOPs, and a t5's the law's compute above its FLOPs (its decoder sees only the targets)", () => {
    const lm = cli(['sweep', config('lm'), '--dry-run']);
    expect(lm.code, lm.stderr).toBe(0);
    expect(lm.stdout).toMatch(
      /total estimated training compute: [0-9.e]+ FLOPs \(C = 6 \* N\/\(1-S\) \* D\)/,
    );
    const t5 = cli(['sweep', config('t5'), '--dry-run']);
    expect(t5.code, t5.stderr).toBe(0);
    expect(t5.stdout).toMatch(/ C \(6·N\/\(1−S\)·D\)\n/);
    expect(t5.stdout).toMatch(
      /total estimated training compute: C = 6 \* N\/\(1-S\) \* D = [0-9.e]+ with D in encoder input tokens \(the law's compute; the decoder's weights see only the shorter targets, so the weight matrices' FLOPs are 0\.[0-9]{2} of C\)/,
    );
    expect(t5.stdout).not.toMatch(/FLOPs \(C = /);
  });
});

describe("the dry run's table", () => {
  it('tells listed whole pruners that share a name apart, as runs list does (pruner.setting)', () => {
    const r = cli([
      'sweep',
      writeConfig(
        `name: c\ndata: {source: synthetic, vocab_size: 16, branching: 2}\ntrain: {batch_size: 4, seq_len: 32}\npruner:\n  - {name: gmp, schedule: {interval: 5}}\n  - {name: gmp, distribution: erk}\nsweep: {sparsity: [0, 0.5], nonzero_params: 6k, tokens: 4096}\n`,
      ),
      '--dry-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ pruner +pruner\.setting +FLOPs\n/);
    expect(r.stdout).toMatch(/ gmp +gmp \(schedule\.interval 5\) +[0-9.e]+\n/);
    expect(r.stdout).toMatch(/ gmp +gmp \(distribution erk\) +[0-9.e]+\n/);
    expect(r.stdout).toMatch(/ dense +- +[0-9.e]+\n/);
  });
});
