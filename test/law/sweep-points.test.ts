import { describe, expect, it } from 'vitest';
import { noneFinishedError, pointsFromTrials, unfinishedWarning } from '../../src/law/sweep-points.js';
import type { TrialRecord } from '../../src/store/types.js';
import { trial } from '../report/fixtures.js';

describe('the points of a partly finished sweep', () => {
  const done = [trial(0, 8000, 1e5), trial(0.5, 8000, 1e5), trial(0.75, 8000, 1e5)];
  const as = (t: TrialRecord, status: TrialRecord['status']): TrialRecord => ({
    ...t,
    status,
    finalValLoss: null,
  });

  it('says nothing when every trial is finished', () => {
    expect(unfinishedWarning(done)).toBeNull();
  });

  it('names --retry-failed only when some trial failed', () => {
    expect(unfinishedWarning([...done, as(trial(0, 16000, 1e5), 'pending')])).toBe(
      "1 of the sweep's 4 trials has no final loss (1 pending), so the fit uses the other 3; run the sweep again to finish them",
    );
  });

  it('counts the trials without a final loss by status, and the fit keeps the others', () => {
    const trials = [
      ...done,
      as(trial(0, 16000, 1e5), 'interrupted'),
      as(trial(0.5, 16000, 1e5), 'failed'),
      as(trial(0.75, 16000, 1e5), 'failed'),
    ];
    expect(pointsFromTrials(trials)).toHaveLength(3);
    expect(unfinishedWarning(trials)).toBe(
      "3 of the sweep's 6 trials have no final loss (1 interrupted, 2 failed), so the fit uses the other 3; " +
        'run the sweep again to finish them (with --retry-failed for the failed ones)',
    );
  });

  it('says there is nothing to fit when none is finished, with how many of each status, and not otherwise', () => {
    const none = [
      as(trial(0, 8000, 1e5), 'failed'),
      as(trial(0.5, 8000, 1e5), 'interrupted'),
      as(trial(0.75, 8000, 1e5), 'pending'),
      as(trial(0, 16000, 1e5), 'pending'),
    ];
    expect(noneFinishedError(none)).toBe(
      'none of its 4 trials has finished (1 failed, 1 interrupted, 2 pending), so there is nothing to fit yet; ' +
        'run the sweep again to finish them (with --retry-failed for the failed ones)',
    );
    expect(noneFinishedError([as(trial(0, 8000, 1e5), 'running')])).toBe(
      'its one trial has not finished (1 running), so there is nothing to fit yet; run the sweep again to finish them',
    );
    expect(noneFinishedError([...none, done[0]])).toBeNull();
    expect(noneFinishedError([])).toBeNull();
  });
});
