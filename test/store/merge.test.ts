import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeDatabases } from '../../src/store/merge.js';
import { Store } from '../../src/store/store.js';
import type { TrialResult } from '../../src/store/types.js';
import { weightsPath, writeSafetensors } from '../../src/store/weights.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

const result = (loss: number): TrialResult => ({
  nonzeroParams: 10,
  achievedSparsity: 0,
  tokens: 100,
  steps: 2,
  finalValLoss: loss,
  finalValAccuracy: null,
  finalTrainLoss: loss,
  wallSeconds: 1,
  tokensPerSecond: 100,
  backend: 'wasm',
  layerDensity: {},
});

describe('merge', () => {
  it('keeps the best record per trial with its metrics and weights, and is idempotent', () => {
    const dir = tempDir();
    const plan = planOf(tinySyntheticConfig());
    const [a, b] = plan.trials.map((t) => t.id);
    const lease = { retryFailed: true, leaseMs: 1000 };
    // shard 1: a finished, b failed; shard 2: b finished
    const s1 = Store.open(join(dir, 's1', 'x.db'), { create: true });
    s1.saveSweep(plan);
    s1.claimTrial(a, 'o', lease);
    s1.finishTrial(a, 'o', result(1.5), [{ name: 'val_loss', step: 2, tokens: 100, value: 1.5 }]);
    writeSafetensors(
      weightsPath(s1.path, a),
      { params: [{ name: 'w', shape: [1], data: Float32Array.of(1) }], masks: new Map() },
      {},
    );
    s1.claimTrial(b, 'o', lease);
    s1.endTrial(b, 'o', 'failed', {
      error: 'nan',
      step: 1,
      lastPoints: [{ name: 'train_loss', step: 1, tokens: 50, value: 9 }],
    });
    s1.close();
    const s2 = Store.open(join(dir, 's2', 'x.db'), { create: true });
    s2.saveSweep(plan);
    s2.claimTrial(b, 'o', lease);
    s2.finishTrial(b, 'o', result(1.2), [{ name: 'val_loss', step: 2, tokens: 100, value: 1.2 }]);
    s2.close();

    const into = join(dir, 'main', 'study.db');
    const first = mergeDatabases(into, [join(dir, 's1', 'x.db'), join(dir, 's2', 'x.db')]);
    expect(first).toMatchObject({ added: 2, updated: 1, unchanged: 1 });
    const m = Store.open(into, { create: false });
    expect(m.findTrial(a)).toMatchObject({ status: 'finished', finalValLoss: 1.5 });
    expect(m.findTrial(b)).toMatchObject({ status: 'finished', finalValLoss: 1.2, error: null });
    expect(m.metrics(b)).toEqual([{ name: 'val_loss', step: 2, tokens: 100, value: 1.2 }]); // the failed attempt's are gone
    expect(m.listTrials('tiny').map((t) => t.id)).toEqual([a, b]);
    m.close();
    expect(existsSync(weightsPath(into, a))).toBe(true);

    const again = mergeDatabases(into, [join(dir, 's1', 'x.db'), join(dir, 's2', 'x.db')]);
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 4 });
    expect(() => mergeDatabases(into, [into])).toThrow(/is the target of the merge/);
    expect(() => mergeDatabases(into, [join(dir, 'nope.db')])).toThrow(/nope\.db: no such shard database/);
  });
});
