import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/config.js';

describe('an empty flag value or argument', () => {
  it('is refused with exit 2, naming it, before anything is read or written', () => {
    const dir = tempDir();
    const cases: [string[], string][] = [
      // before: a raw ENOENT and exit 1
      [['report', '--out', ''], '--out is empty: expected <dir>'],
      // before: "--db  is a directory"
      [['runs', 'list', '--db', ''], '--db is empty: expected <path>'],
      [['merge', join(dir, 'a.db'), '--into', ''], '--into is empty: expected <db>'],
      // before: ignored, and the default database read
      [['fit-law', '--points', ''], '--points is empty: expected <csv>'],
      [['runs', 'list', '--where', 'seed=0', '--where', ''], '--where is empty'],
      [['sweep', ''], 'the config argument is empty'],
      [['runs', 'list', '--sweep', '  '], '--sweep is empty'],
    ];
    for (const [args, message] of cases) {
      const r = cli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });
});
