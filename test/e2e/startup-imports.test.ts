import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-imports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The module URLs `sparsebench <args>` loads, with its exit code. */
function importsOf(args: string[]): { code: number | null; urls: string[] } {
  const record = join(dir, `${args.join('_').replace(/\W/g, '')}.txt`);
  writeFileSync(record, '');
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      join(ROOT, 'test', 'fixtures', 'record-imports.mjs'),
      join(ROOT, 'bin', 'sparsebench.js'),
      ...args,
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RECORD_IMPORTS: record }, timeout: 60_000 },
  );
  return { code: r.status, urls: readFileSync(record, 'utf8').split('\n').filter(Boolean) };
}

const loads = (urls: string[], pkg: string) => urls.some((u) => u.includes(`/node_modules/${pkg}/`));

describe('command modules load when their command runs', () => {
  it('--help loads neither tfjs nor vega', () => {
    const { code, urls } = importsOf(['--help']);
    expect(code).toBe(0);
    expect(urls.some((u) => u.endsWith('/dist/cli/program.js'))).toBe(true);
    expect(loads(urls, '@tensorflow/tfjs-core')).toBe(false);
    expect(loads(urls, 'vega')).toBe(false);
    expect(urls.some((u) => u.includes('/dist/cli/commands/'))).toBe(false);
  });

  it('a dry-run sweep does not load the report renderer', () => {
    const { code, urls } = importsOf(['sweep', join(ROOT, 'configs', 'quickstart.yaml'), '--dry-run']);
    expect(code).toBe(0);
    expect(urls.some((u) => u.endsWith('/dist/cli/commands/sweep.js'))).toBe(true);
    expect(loads(urls, 'vega')).toBe(false);
    expect(loads(urls, 'vega-lite')).toBe(false);
  });
});
