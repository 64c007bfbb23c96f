import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineReporter } from '../../src/sweep/progress.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

describe('line progress', () => {
  afterEach(() => vi.restoreAllMocks());

  it('numbers a trial by its start on both its lines, and counts what is done beside it', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    const [a, b] = planOf(tinySyntheticConfig()).trials;
    const r = new LineReporter();
    r.start(2, 0);
    r.trialStart(a, 0, 0);
    r.trialStart(b, 1, 0);
    r.trialEnd(b, 'finished', 'val loss 1'); // two workers: the second to start ends first
    r.trialEnd(a, 'failed', 'boom');
    expect(lines[1]).toMatch(/^\[1\/2\] training /);
    expect(lines[2]).toMatch(/^\[2\/2\] training /);
    expect(lines[3]).toBe(`[2/2] finished ${b.id.slice(0, 8)}: val loss 1 (1 of 2 finished)\n`);
    expect(lines[4]).toBe(`[1/2] failed ${a.id.slice(0, 8)}: boom (1 of 2 finished, 1 failed)\n`);
  });

  it('names the pruner of a trial, so that trials of a sweep over pruners at one S, N and D are told apart', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    const trials = planOf(tinySyntheticConfig().replace('name: gmp', 'name: rigl')).trials;
    const sparse = trials.find((t) => t.spec.sparsity > 0)!;
    const dense = trials.find((t) => t.spec.sparsity === 0)!;
    const r = new LineReporter();
    r.start(2, 0);
    r.trialStart(sparse, 0, 0);
    r.trialStart(dense, 1, 0);
    expect(lines[1]).toMatch(
      new RegExp(`^\\[1/2\\] training ${sparse.id.slice(0, 8)} rigl S=${sparse.spec.sparsity} N=`),
    );
    expect(lines[2]).toMatch(new RegExp(`^\\[2/2\\] training ${dense.id.slice(0, 8)} dense S=0 N=`));
  });

  it('does not count an interrupted trial as done: it resumes on the next run', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    const [a] = planOf(tinySyntheticConfig()).trials;
    const r = new LineReporter();
    r.start(2, 0);
    r.trialStart(a, 0, 0);
    r.trialEnd(a, 'interrupted', 'at step 134');
    expect(lines[2]).toBe(`[1/2] interrupted ${a.id.slice(0, 8)}: at step 134 (0 of 2 finished)\n`);
  });
});
