import { describe, expect, it } from 'vitest';
import { trialsTable } from '../../src/cli/commands/runs.js';
import { extraAxisNumeric } from '../../src/store/trial-axes.js';
import { trial } from '../report/fixtures.js';

describe('columns of a sweep’s other axes', () => {
  it('right-aligns numbers and left-aligns words, in runs list as in the report', () => {
    const dense = trial(0, 8000, 4096);
    const gmp = trial(0.5, 8000, 4096);
    const staticOne = trial(0.75, 8000, 4096);
    dense.axes = { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.001 };
    gmp.axes = { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.003 };
    staticOne.axes = { 'pruner.name': 'static', 'train.optimizer.lr': 0.0003 };
    const trials = [dense, gmp, staticOne];
    expect(extraAxisNumeric(trials, 'train.optimizer.lr')).toBe(true);
    expect(extraAxisNumeric(trials, 'pruner.name')).toBe(false);
    const lines = trialsTable(trials).split('\n');
    const header = lines[0];
    const at = (name: string) => header.indexOf(name);
    // 'pruner.name' is wider than its cells: left-aligned, each cell starts where the header does
    expect(lines[3].slice(at('pruner.name')).startsWith('gmp ')).toBe(true);
    expect(lines[4].slice(at('pruner.name')).startsWith('static ')).toBe(true);
    // the learning rate ends where its header ends
    const end = at('train.optimizer.lr') + 'train.optimizer.lr'.length;
    expect(lines[4].slice(0, end).endsWith('0.0003')).toBe(true);
  });
});
