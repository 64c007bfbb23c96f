import { describe, expect, it } from 'vitest';
import { trialsTable } from '../../src/cli/commands/runs.js';
import { shownAxisColumns } from '../../src/store/trial-axes.js';
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
    const numeric = (key: string) => shownAxisColumns(trials).find((c) => c.key === key)?.numeric;
    expect(numeric('train.optimizer.lr')).toBe(true);
    expect(numeric('pruner.name')).toBe(false);
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

  it('leaves out listed whole pruners whose names tell them apart, and shows only the settings in which they differ', () => {
    const dense = trial(0, 8000, 4096);
    const a = trial(0.5, 8000, 4096);
    const b = trial(0.5, 8000, 4096);
    const schedule = (interval: number) => ({ start: 0.25, end: 0.75, interval });
    dense.axes = { pruner: { name: 'gmp', schedule: schedule(10) } };
    a.axes = { pruner: { name: 'gmp', schedule: schedule(10) } };
    b.axes = { pruner: { name: 'rigl', schedule: schedule(10) } };
    // names tell gmp and rigl apart: the pruner column says it all
    expect(shownAxisColumns([dense, a, b])).toEqual([]);
    b.axes = { pruner: { name: 'gmp', schedule: schedule(20) } };
    const [column] = shownAxisColumns([dense, a, b]);
    expect(column.header).toBe('pruner.setting');
    expect([dense, a, b].map((t) => column.cell(t))).toEqual([
      '-',
      'gmp (schedule.interval 10)',
      'gmp (schedule.interval 20)',
    ]);
  });
});
