import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/config.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'bad-configs');
const configs = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
const flagCases = readFileSync(join(FIXTURES, 'flags.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t') as [string, string]);

/** Every file of a directory with its content hash: "unchanged" means this map is equal. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    try {
      out[f] = createHash('sha256').update(readFileSync(p)).digest('hex');
    } catch {
      out[f] = 'dir';
    }
  }
  return out;
}

let place: Record<string, string>;
let work: string;

beforeAll(() => {
  work = tempDir('sb-bad-');
  const db = join(work, 'good.db');
  expect(cli(['sweep', 'configs/smoke.yaml', '--db', db]).code).toBe(0);
  // fold the WAL into the main file so the snapshot compares one settled file
  const d = new Database(db);
  d.pragma('wal_checkpoint(TRUNCATE)');
  const { id: trial } = d.prepare("SELECT id FROM trials WHERE status = 'finished' LIMIT 1").get() as {
    id: string;
  };
  d.close();
  const newer = join(work, 'newer.db');
  copyFileSync(db, newer);
  const n = new Database(newer);
  n.pragma('user_version = 999');
  n.close();
  writeFileSync(join(work, 'notes.txt'), 'these are notes, not a database\n'.repeat(40));
  writeFileSync(join(work, 'empty.db'), '');
  // well-formed points, too few for the sparse law's 7 coefficients
  writeFileSync(
    join(work, 'few.csv'),
    'sparsity,nonzero_params,tokens,loss\n0,1e6,1e8,3.1\n0.5,1e6,1e8,3.2\n0,2e6,1e8,3.0\n0.5,2e6,2e8,2.9\n',
  );
  // a named pipe, standing for /dev/null and other files that are not regular ones (outside `work`: reading it for
  // the snapshot would block)
  const fifo = join(tempDir(), 'pipe');
  execFileSync('mkfifo', [fifo]);
  place = {
    '{fifo}': fifo,
    '{smoke}': join(ROOT, 'configs', 'smoke.yaml'),
    '{db}': db,
    '{dir}': tempDir(),
    '{text}': join(work, 'notes.txt'),
    '{newer}': newer,
    '{missing}': join(work, 'missing'),
    '{empty}': join(work, 'empty.db'),
    '{few}': join(work, 'few.csv'),
    '{trial}': trial,
  };
}, 60_000);

describe(`bad input: ${configs.length} bad configs and ${flagCases.length} bad flags`, () => {
  it('has a corpus of at least 30 bad configs, each stating the message it expects', () => {
    expect(configs.length).toBeGreaterThanOrEqual(30);
    for (const f of configs) expect(readFileSync(join(FIXTURES, f), 'utf8')).toMatch(/^# expect: .+/);
  });

  it.each(configs)('%s: exit 2, the expected message, nothing written', (file) => {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    const expected = /^# expect: (.+)$/m.exec(text)![1];
    const before = snapshot(work);
    const out = join(work, 'fresh', 'x.db');
    const r = cli(['sweep', join(FIXTURES, file), '--db', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stderr).toMatch(new RegExp(`${file.replace('.', '\\.')}(:\\d+:\\d+)?`));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toMatch(/\(node:\d+\) Warning/); // nothing from Node or a library beside the message
    expect(r.stdout).toBe('');
    expect(existsSync(join(work, 'fresh'))).toBe(false);
    expect(snapshot(work)).toEqual(before);
  });

  it.each(flagCases)('%s: exit 2 and the expected message, databases unchanged', (args, expected) => {
    const argv = args.split(' ').map((a) => a.replace(/\{[a-z]+\}/g, (k) => place[k] ?? k));
    const before = snapshot(work);
    const r = cli(argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(work)).toEqual(before);
  });

  it('leaves a pipe given as a database or an output file a pipe (a renamed file would have replaced it)', () => {
    expect(statSync(place['{fifo}']).isFIFO()).toBe(true);
    expect(readdirSync(join(place['{fifo}'], '..'))).toEqual(['pipe']); // no journal or temporary file beside it
  });
});
