import { describe, expect, it } from 'vitest';
import { cliSpawn, exitOf } from '../helpers/cli.js';

describe('output into a pipe whose reader has gone', () => {
  it('is dropped: the command exits with its own status and no EPIPE trace (`pruners --json | head -c 10`)', async () => {
    const child = cliSpawn(['pruners', '--json']);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout?.destroy(); // the reader closes its end before a byte is written
    const { code, signal } = await exitOf(child);
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
