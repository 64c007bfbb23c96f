import type { TrialResult } from '../../src/store/types.js';

/** A finished trial's result for tests that write a database without training; `over` sets what matters. */
export function trialResult(over: Partial<TrialResult> = {}): TrialResult {
  return {
    nonzeroParams: 10,
    achievedSparsity: 0,
    tokens: 100,
    steps: 2,
    finalValLoss: 1,
    finalValAccuracy: null,
    finalTrainLoss: 1,
    wallSeconds: 1,
    tokensPerSecond: 100,
    backend: 'wasm',
    layerDensity: {},
    ...over,
  };
}
