import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/util/dirs.js';
import { tempDir } from '../helpers/config.js';

describe('makeDirs', () => {
  it('creates missing parents, accepts an existing directory, refuses a file on the way', () => {
    const root = tempDir();
    makeDirs(join(root, 'a', 'b', 'c'));
    expect(existsSync(join(root, 'a', 'b', 'c'))).toBe(true);
    makeDirs(join(root, 'a', 'b')); // already there
    writeFileSync(join(root, 'f'), 'x');
    expect(() => makeDirs(join(root, 'f', 'g'))).toThrow(/is not a directory/);
  });

  it('does not fail when other processes create the same directories at once', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'x'));
    // four processes racing through the same 300 fresh paths: an exists-check then mkdir loses races
    const script = `
      const { makeDirs } = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'util', 'dirs.ts'))});
      for (let i = 0; i < 300; i++) makeDirs(${JSON.stringify(root)} + '/x/' + i + '/y/z');
    `;
    const codes = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<number | null>((resolve) => {
            const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
              stdio: ['ignore', 'ignore', 'inherit'],
            });
            c.on('exit', resolve);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
  });
});
