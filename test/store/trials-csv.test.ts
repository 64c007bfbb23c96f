import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePointsCsv, readPointsCsv } from '../../src/law/csv.js';
import { extraAxisCell } from '../../src/store/trial-axes.js';
import { csvField, trialsCsv } from '../../src/store/trials-csv.js';
import { trial } from '../report/fixtures.js';

describe('trials as CSV', () => {
  it('quotes a field only where RFC 4180 needs it, and keeps every record on one line', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(0.75)).toBe('0.75');
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line one\nline two')).toBe('line one line two');
  });

  it('gives the measured S, N, D and loss of finished trials and leaves them empty for the others', () => {
    const done = trial(0.5, 8000, 4096);
    const failed = trial(0.75, 8000, 4096, 'failed');
    failed.axes = { 'pruner.name': 'rigl', 'train.optimizer.lr': 0.003 };
    done.axes = { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.003 };
    const dense = trial(0, 8000, 4096);
    dense.axes = { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.001 };
    const [header, ...rows] = trialsCsv([done, failed, dense]).trimEnd().split('\n');
    const cols = header.split(',');
    expect(cols.slice(0, 6)).toEqual(['id', 'status', 'pruner', 'pruner.name', 'train.optimizer.lr', 'seed']);
    const at = (row: string, col: string) => row.split(',')[cols.indexOf(col)];
    expect(['sparsity', 'nonzero_params', 'tokens', 'loss'].map((c) => at(rows[0], c))).toEqual([
      '0.5',
      '8000',
      '4096',
      String(done.finalValLoss),
    ]);
    expect(['sparsity', 'nonzero_params', 'tokens', 'loss'].map((c) => at(rows[1], c))).toEqual([
      '',
      '',
      '',
      '',
    ]);
    expect(
      ['target_sparsity', 'planned_nonzero_params', 'planned_tokens', 'data_unit'].map((c) => at(rows[1], c)),
    ).toEqual(['0.75', '8000', '4096', 'tokens']);
    // the failure's first line and what follows, on one line; a dense trial has no pruner setting
    expect(rows[1].endsWith(',loss diverged (NaN) at step 12 stack...')).toBe(true);
    expect([at(rows[2], 'pruner.name'), at(rows[2], 'train.optimizer.lr')]).toEqual(['', '0.001']);
  });

  it('is read back by fit-law --points: each finished row a point with its id, whatever the text fields hold', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (errors) => {
        const trials = errors.map((e, i) => {
          const t = trial([0, 0.5, 0.75][i % 3], 4000 * (1 + i), 8192);
          t.error = e;
          t.pruner = `p,"${e}"`;
          return t;
        });
        const points = parsePointsCsv(trialsCsv(trials), 'trials.csv');
        expect(points).toEqual(
          trials.map((t) => ({
            id: t.id,
            sparsity: t.achievedSparsity,
            nonzeroParams: t.nonzeroParams,
            tokens: t.tokens,
            loss: t.finalValLoss,
          })),
        );
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a file with unfinished rows naming the fix, and names the settings a file's rows pool", () => {
    const done = trial(0.5, 8000, 4096);
    done.axes = { 'pruner.name': 'gmp' };
    const other = trial(0.5, 8000, 4096);
    other.axes = { 'pruner.name': 'rigl' };
    const dense = trial(0, 8000, 4096);
    dense.axes = { 'pruner.name': 'gmp' };
    const pending = trial(0.75, 8000, 4096, 'pending');
    expect(() => parsePointsCsv(trialsCsv([done, pending]), 'trials.csv')).toThrow(
      `trials.csv:3:18: status 'pending': only a finished trial has a measured S, N, D and loss; write the file with "sparsebench runs list --csv --status finished", or leave out such rows`,
    );
    expect(readPointsCsv(trialsCsv([dense, done, other]), 'trials.csv').pooled).toBe(
      'pruner.name (gmp, rigl)',
    );
    // one setting and the dense baseline (whose pruner.name is empty): nothing pooled
    expect(readPointsCsv(trialsCsv([dense, done]), 'trials.csv').pooled).toBeNull();
  });

  it('gives a list of whole pruners its own column beside the algorithm, and warns when a file pools them', () => {
    const gmp = { name: 'gmp', schedule: { interval: 20 } };
    const at = (s: number, pruner: object) => ({ ...trial(s, 8000, 4096), axes: { pruner } });
    const trials = [at(0, gmp), at(0.5, gmp), at(0.5, { name: 'static' })];
    const text = trialsCsv(trials);
    const header = text.split('\n')[0].split(',');
    expect(header.slice(0, 4)).toEqual(['id', 'status', 'pruner', 'pruner.setting']);
    expect(new Set(header).size).toBe(header.length);
    expect(text.split('\n')[2]).toContain('"{""name"":""gmp"",""schedule"":{""interval"":20}}"');
    expect(readPointsCsv(text, 'trials.csv').pooled).toBe(
      'pruner.setting ({"name":"gmp","schedule":{"interval":20}}, {"name":"static"})',
    );
    expect(extraAxisCell(trials[1], 'pruner')).toBe('gmp (schedule.interval 20)');
    expect(extraAxisCell(trials[0], 'pruner')).toBe('-');
  });
});
