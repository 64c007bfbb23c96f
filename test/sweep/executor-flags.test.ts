import { describe, expect, it } from 'vitest';
import { checkExecutorFlags } from '../../src/cli/executor-flags.js';

describe('cluster flags', () => {
  it('need the executor that reads them, and a value', () => {
    expect(() => checkExecutorFlags({ partition: 'cpu' })).toThrow(
      /--partition is for a cluster run: it needs --executor slurm/,
    );
    expect(() => checkExecutorFlags({ executor: 'k8s', partition: 'cpu' })).toThrow(
      /--partition is not read by --executor k8s/,
    );
    expect(() => checkExecutorFlags({ executor: 'k8s', image: '' })).toThrow(
      /--image is empty; give a value or leave the flag out for its default/,
    );
    expect(() => checkExecutorFlags({ executor: 'k8s', image: 'sb:1', pvc: 'data' })).not.toThrow();
  });
});
