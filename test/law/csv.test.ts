import { describe, expect, it } from 'vitest';
import { parsePointsCsv } from '../../src/law/csv.js';
import { LawInputError } from '../../src/law/errors.js';

const errorOf = (text: string): LawInputError => {
  try {
    parsePointsCsv(text, 'runs.csv');
  } catch (e) {
    if (e instanceof LawInputError) return e;
    throw e;
  }
  throw new Error('expected a LawInputError');
};

describe('parsePointsCsv', () => {
  it('reads the four columns in any order, ignores extra columns, keeps ids', () => {
    const text =
      'loss,note,tokens,id,nonzero_params,sparsity\n3.5,first,1e6,t1,20000,0\n2.75,"a, quoted note",2.5e7,t2,1.5e5,0.875\n';
    expect(parsePointsCsv(text, 'runs.csv')).toEqual([
      { sparsity: 0, nonzeroParams: 20000, tokens: 1e6, loss: 3.5, id: 't1' },
      { sparsity: 0.875, nonzeroParams: 1.5e5, tokens: 2.5e7, loss: 2.75, id: 't2' },
    ]);
  });

  it('accepts a BOM, CRLF line ends, blank lines, upper-case headers and spaces', () => {
    const text = '\uFEFFSparsity, Nonzero_Params ,TOKENS,loss\r\n\r\n 0.5 , 1000, 2000 ,4\r\n';
    expect(parsePointsCsv(text, 'x.csv')).toEqual([
      { sparsity: 0.5, nonzeroParams: 1000, tokens: 2000, loss: 4 },
    ]);
  });

  it('names file, line and column of a bad value and says what is valid', () => {
    const e = errorOf('sparsity,nonzero_params,tokens,loss\n0,1000,2000,3\n0.5,1000,2000,abc\n');
    expect(e.message).toBe("runs.csv:3:15: column 'loss' is not a number (got 'abc'; valid: a number > 0)");
  });

  it('rejects non-positive loss, N, D and sparsity outside [0, 1)', () => {
    const header = 'sparsity,nonzero_params,tokens,loss\n';
    expect(errorOf(`${header}0,1000,2000,-1\n`).message).toMatch(
      /^runs\.csv:2:13: column 'loss' must be > 0/,
    );
    expect(errorOf(`${header}0,0,2000,1\n`).message).toMatch(
      /^runs\.csv:2:3: column 'nonzero_params' must be > 0/,
    );
    expect(errorOf(`${header}0,10,-5,1\n`).message).toMatch(/^runs\.csv:2:6: column 'tokens' must be > 0/);
    expect(errorOf(`${header}1,10,5,1\n`).message).toMatch(
      /^runs\.csv:2:1: column 'sparsity' must be in \[0, 1\)/,
    );
    expect(errorOf(`${header}NaN,10,5,1\n`).message).toMatch(/column 'sparsity' is not a number/);
    expect(errorOf(`${header}0,Infinity,5,1\n`).message).toMatch(/column 'nonzero_params' is not a number/);
    expect(errorOf(`${header}0,0x10,5,1\n`).message).toMatch(/is not a number/);
    expect(errorOf(`${header}0,,5,1\n`).message).toMatch(
      /^runs\.csv:2:3: column 'nonzero_params' is not a number \(got ''/,
    );
  });

  it('reports missing and duplicated columns with the valid header', () => {
    expect(errorOf('sparsity,tokens,loss\n0,1,1\n').message).toBe(
      "runs.csv:1:1: missing column(s) nonzero_params; the header needs sparsity, nonzero_params, tokens, loss (any order; 'id' optional; other columns ignored)",
    );
    expect(errorOf('sparsity,nonzero_params,tokens,loss,loss\n').message).toBe(
      "runs.csv:1:37: column 'loss' appears twice",
    );
  });

  it('reports wrong field counts, empty input, no rows and broken quotes', () => {
    const header = 'sparsity,nonzero_params,tokens,loss\n';
    expect(errorOf(`${header}0,1,2\n`).message).toBe('runs.csv:2:1: 3 field(s), but the header has 4');
    expect(errorOf('\n  \n').message).toMatch(
      /^runs\.csv: empty file; expected a header with columns sparsity/,
    );
    expect(errorOf(header).message).toBe('runs.csv: no data rows after the header');
    expect(errorOf(`${header}0,1,2,"3\n`).message).toBe('runs.csv:2:7: unterminated quoted field');
    expect(errorOf(`${header}0,1,"2"x,3\n`).message).toBe("runs.csv:2:8: expected ',' after a quoted field");
  });
});
