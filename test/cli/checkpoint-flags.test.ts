import { describe, expect, it } from 'vitest';
import { checkpointCadence } from '../../src/cli/checkpoint-flags.js';

describe('checkpoint flags', () => {
  it('default to every 10 minutes and no step cadence, and take whole steps only', () => {
    expect(checkpointCadence({})).toEqual({ minutes: 10, steps: 0 });
    expect(checkpointCadence({ checkpointMinutes: '0.5', checkpointSteps: '100' })).toEqual({
      minutes: 0.5,
      steps: 100,
    });
    expect(() => checkpointCadence({ checkpointSteps: '2.5' })).toThrow(
      /--checkpoint-steps 2\.5: expected a whole number/,
    );
    expect(() => checkpointCadence({ checkpointSteps: '-1' })).toThrow(/--checkpoint-steps -1/);
    // an empty value is not 0 (which would turn checkpoints off)
    expect(() => checkpointCadence({ checkpointMinutes: '' })).toThrow(
      /--checkpoint-minutes : expected a number of minutes >= 0/,
    );
    expect(() => checkpointCadence({ checkpointSteps: ' ' })).toThrow(/--checkpoint-steps/);
    // numbers as configs write them: Number() would read 0x10 as 16 and 0b1 as 1
    // and a suffix on minutes: 10m is not ten million
    for (const text of ['0x10', '0b1', 'Infinity', '1..5', '10m', '1k'])
      expect(() => checkpointCadence({ checkpointMinutes: text })).toThrow(`--checkpoint-minutes ${text}:`);
    expect(() => checkpointCadence({ checkpointSteps: '0x10' })).toThrow('--checkpoint-steps 0x10:');
    expect(checkpointCadence({ checkpointMinutes: '1e1', checkpointSteps: '1e3' })).toEqual({
      minutes: 10,
      steps: 1000,
    });
    expect(checkpointCadence({ checkpointSteps: '10k' }).steps).toBe(10_000);
  });
});
