import { describe, expect, it } from 'vitest';
import { finalPoints, prunersByName, prunerVariant } from '../../src/report/points.js';
import { trial } from './fixtures.js';

describe('pruner settings in words', () => {
  it('names a whole pruner of a list by its name and other settings, a pruner.* setting as key = value', () => {
    const whole = { ...trial(0.5, 8000, 1e5), axes: { pruner: { name: 'gmp', schedule: { interval: 20 } } } };
    expect(prunerVariant(whole)).toBe('pruner = gmp (schedule.interval 20)');
    expect(prunerVariant({ ...whole, axes: { pruner: { name: 'static' } } })).toBe('pruner = static');
    // by name where the names tell the listed pruners apart; not where two differ only in their settings
    expect(prunerVariant(whole, true)).toBe('pruner.name = gmp');
    const other = { ...whole, axes: { pruner: { name: 'gmp', schedule: { interval: 40 } } } };
    expect(prunersByName([whole, { ...whole, axes: { pruner: { name: 'static' } } }])).toBe(true);
    expect(prunersByName([whole, other])).toBe(false);
    const dotted = { ...trial(0.5, 8000, 1e5), axes: { 'pruner.name': 'rigl', 'train.optimizer.lr': 0.003 } };
    expect(prunerVariant(dotted)).toBe('pruner.name = rigl');
    // a dense trial is every setting's baseline: it has none
    expect(prunerVariant({ ...trial(0, 8000, 1e5), axes: { 'pruner.name': 'rigl' } })).toBe('');
  });
});

describe('final points', () => {
  it('place a trial at its measured non-zero count and achieved sparsity, not the planned ones', () => {
    // sizing planned 8,000 non-zero at 50%; the final weights hold 7,900, 49% sparse
    const t = { ...trial(0.5, 8000, 1e5), nonzeroParams: 7900, achievedSparsity: 0.49 };
    const [p] = finalPoints([t]);
    expect(p.N).toBe(7900);
    expect(p.achieved).toBe(0.49);
    // the level it belongs to and its panel stay the planned ones
    expect(p.sparsity).toBe(0.5);
    expect(p.nTarget).toBe(8000);
  });
});
