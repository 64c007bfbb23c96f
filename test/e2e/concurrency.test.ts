import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, cliSpawn, exitOf } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/config.js';

/** Eight small trials of about half a second each. */
const CONFIG = `name: shared
data: {source: synthetic, vocab_size: 32, branching: 4, train_tokens: 50000, validation_tokens: 4000}
train: {batch_size: 8, seq_len: 32, eval_interval: 50, eval_tokens: 1024}
pruner: {name: gmp, schedule: {interval: 10}}
sweep:
  sparsity: [0, 0.5]
  nonzero_params: [3k, 6k]
  tokens: 40k
  seed: [0, 1]
`;

function db(path: string) {
  return new Database(path, { readonly: true });
}

/** Collects a child's stdout. */
function stdoutOf(child: ReturnType<typeof cliSpawn>): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', () => resolve(out));
  });
}

describe('concurrent sweeps on one database', () => {
  it('three processes share the work: every trial trained exactly once, no lock errors', async () => {
    const dir = tempDir();
    const config = writeConfig(CONFIG, 'shared.yaml', dir);
    const path = join(dir, 'shared.db');
    const children = [0, 1, 2].map(() => cliSpawn(['sweep', config, '--db', path]));
    const errs = children.map((c) => {
      let e = '';
      c.stderr?.on('data', (d: Buffer) => {
        e += d.toString();
      });
      return () => e;
    });
    const outs = await Promise.all(children.map(stdoutOf));
    const codes = await Promise.all(
      children.map((c) => (c.exitCode !== null ? { code: c.exitCode } : exitOf(c))),
    );
    // 3 from a process that ended while another still trained some of the sweep's trials, else 0
    for (const [i, c] of codes.entries())
      expect(c.code, errs[i]()).toBe(
        /(still running in|left unfinished by) another process/.test(outs[i]) ? 3 : 0,
      );
    for (const e of errs.map((f) => f())) expect(e).not.toMatch(/locked|SQLITE_BUSY|Error/);
    const trained = outs.map((o) => Number(/(\d+) trained/.exec(o)?.[1] ?? Number.NaN));
    expect(trained.reduce((a, b) => a + b, 0)).toBe(8);
    // each summary accounts for every trial, as it stood when that process ended
    const count = (o: string, what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(o)?.[1] ?? 0);
    for (const o of outs) {
      const parts = [
        'trained',
        'already finished',
        'finished by another process',
        'still running in another process',
      ];
      expect(
        parts.map((p) => count(o, p)).reduce((a, b) => a + b, 0),
        o,
      ).toBe(8);
    }
    const d = db(path);
    const rows = d.prepare('SELECT status, attempts FROM trials').all() as {
      status: string;
      attempts: number;
    }[];
    expect(rows).toHaveLength(8);
    for (const r of rows) expect(r).toEqual({ status: 'finished', attempts: 1 });
    expect((d.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe(
      'ok',
    );
    d.close();
    // a late fourth process finds nothing to do
    const late = cli(['sweep', config, '--db', path]).stdout;
    expect(late).toMatch(/8 trials: 0 trained, 8 already finished\. Database/);
  });
});
