import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseThreads } from '../../src/engine/threads-env.js';
import { machineBudget } from '../../src/sweep/worker-count.js';
import { cli } from '../helpers/cli.js';
import { oneTrialConfig, tempDir, writeConfig } from '../helpers/config.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

describe('SPARSEBENCH_THREADS', () => {
  it('is a whole number of threads ≥ 1; unset or blank is the default, 1', () => {
    expect(parseThreads('4')).toEqual({ threads: 4 });
    expect(parseThreads(' 12 ')).toEqual({ threads: 12 });
    expect(parseThreads('1')).toEqual({ threads: 1 });
    expect(parseThreads(undefined)).toEqual({ threads: 1 });
    expect(parseThreads('')).toEqual({ threads: 1 });
    expect(parseThreads('  ')).toEqual({ threads: 1 });
  });

  it('falls back to 1 with a warning naming the variable, the value and what is valid, for anything else', () => {
    // parseInt read 2.5 as 2 and 4x as 4; Number + an integer check read them as 1: both now the default, said so
    for (const bad of ['2.5', '0', '-3', 'abc', '4x', '1e3', '0x10']) {
      const r = parseThreads(bad);
      expect(r.threads, bad).toBe(1);
      expect(r.warning, bad).toBe(
        `warning: SPARSEBENCH_THREADS="${bad}" is not a whole number of threads ≥ 1 (e.g. 4); using the default, 1`,
      );
    }
  });

  it('is read alike by the worker count and the native kernels, warning once per process', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const fresh = await import('../../src/engine/threads-env.js');
    expect(fresh.requestedThreads({ SPARSEBENCH_THREADS: '2.5' })).toBe(1);
    expect(fresh.requestedThreads({ SPARSEBENCH_THREADS: 'abc' })).toBe(1);
    expect(fresh.requestedThreads({ SPARSEBENCH_THREADS: '3' })).toBe(3);
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0][0])).toMatch(/^warning: SPARSEBENCH_THREADS="2\.5" .*\n$/);
    write.mockClear();
    expect(machineBudget({ SPARSEBENCH_THREADS: '3' }).threadsPerTrial).toBe(3);
    expect(machineBudget({ SPARSEBENCH_THREADS: '2.5' }).threadsPerTrial).toBe(1);
    expect(machineBudget({}).threadsPerTrial).toBe(1);
  });

  it('warns once in a sweep that reads it for its worker count and its kernels', () => {
    const dir = tempDir();
    const config = writeConfig(oneTrialConfig(), 'c.yaml', dir);
    const r = cli(['sweep', config, '--db', join(dir, 's.db')], {
      env: { ...process.env, SPARSEBENCH_THREADS: '0' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/SPARSEBENCH_THREADS/g)).toHaveLength(1);
    expect(r.stderr).toContain('warning: SPARSEBENCH_THREADS="0" is not a whole number of threads ≥ 1');
  });
});
