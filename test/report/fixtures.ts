import { defaultFitOptions, fitLaw } from '../../src/law/fit.js';
import { sparseLoss } from '../../src/law/optimal.js';
import type { LawFit, LawPoint, SparseLawParams } from '../../src/law/types.js';
import { toDenseFit, toStoredFit } from '../../src/report/load.js';
import type { DenseFit, ReportData, StoredFit } from '../../src/report/types.js';
import type { MetricPoint, SweepRecord, TrialRecord, TrialStatus } from '../../src/store/types.js';

/** A sparse law at our CPU scale (N ~ 1e4, D ~ 1e5-1e6), used to make measurements with known answers. */
export const LAW: SparseLawParams = { a_S: 30, b_S: 0.7, c_S: 60, b_N: 0.35, a_D: 2e4, b_D: 0.4, c: 1.2 };

let counter = 0;

/** A trial record; finished with a loss from {@link LAW} unless the status says otherwise. */
export function trial(
  s: number,
  N: number,
  D: number,
  status: TrialStatus = 'finished',
  noise = 0,
): TrialRecord {
  const id = (++counter).toString(16).padStart(16, '0');
  const done = status === 'finished';
  const loss = sparseLoss(LAW, s, N, D) * (1 + noise);
  return {
    id,
    spec: {
      steps: D / 128,
      batch_size: 8,
      seq_len: 16,
      sparsity: s,
      model: { family: 'lm' },
    } as unknown as TrialRecord['spec'],
    status,
    sparsity: s,
    pruner: s === 0 ? 'dense' : 'gmp',
    nonzeroTarget: N,
    tokensTarget: D,
    seed: 0,
    denseParams: N / (1 - s),
    totalParams: N / (1 - s) + 1000,
    embeddingParams: 1000,
    plannedNonzero: N,
    plannedFlops: (6 * N * D) / (1 - s),
    nonzeroParams: done ? N : null,
    achievedSparsity: done ? s : null,
    tokens: done ? D : null,
    steps: done ? D / 128 : null,
    finalValLoss: done ? loss : null,
    finalValAccuracy: null,
    finalTrainLoss: done ? loss * 0.98 : null,
    wallSeconds: done ? 3.5 : null,
    tokensPerSecond: done ? D / 3.5 : null,
    backend: status === 'pending' ? null : 'wasm',
    error: status === 'failed' ? 'loss diverged (NaN) at step 12\nstack...' : null,
    errorStep: status === 'failed' ? 12 : null,
    layerDensity: null,
    environment: null,
    attempts: status === 'pending' ? 0 : 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: status === 'pending' ? null : '2026-01-01T00:00:01.000Z',
    finishedAt: done || status === 'failed' ? '2026-01-01T00:00:05.000Z' : null,
  };
}

/** Logged curves of a trial: train loss every step (decaying to the final loss), val loss every 10 steps. */
export function curves(t: TrialRecord, steps = 40): MetricPoint[] {
  const final = t.finalValLoss ?? sparseLoss(LAW, t.sparsity, t.nonzeroTarget, t.tokensTarget);
  const logged = t.status === 'finished' ? steps : Math.floor(steps / 2);
  const out: MetricPoint[] = [];
  for (let step = 1; step <= logged; step++) {
    const tokens = Math.round((t.tokensTarget * step) / steps);
    const value = final + 2 * Math.exp((-5 * step) / steps);
    out.push({ name: 'train_loss', step, tokens, value });
    if (step % 10 === 0) out.push({ name: 'val_loss', step, tokens, value: value * 1.01 });
  }
  return out;
}

/** The grid of the default fixture: 3 sparsities × 2 N × 2 D. */
export const GRID = { sparsity: [0, 0.5, 0.75], N: [8000, 24000], D: [200_000, 600_000] };
/** A grid whose fit converges (GRID's does not: two data sizes), for what needs a fit's optimum. */
export const FIT_GRID = { sparsity: [0, 0.5, 0.75], N: [8000, 24000], D: [200_000, 600_000, 1_800_000] };

/** Trials on a grid, in plan order. */
export function grid(g = GRID, status: (i: number) => TrialStatus = () => 'finished'): TrialRecord[] {
  const out: TrialRecord[] = [];
  for (const s of g.sparsity)
    for (const N of g.N)
      for (const D of g.D) out.push(trial(s, N, D, status(out.length), 0.01 * Math.sin(out.length)));
  return out;
}

/** A stored fit of the finished trials (a real fit: bootstrap small to keep tests fast). */
export function fitOf(trials: readonly TrialRecord[], id = 7): StoredFit {
  const points: LawPoint[] = trials
    .filter((t) => t.status === 'finished')
    .map((t) => ({
      id: t.id,
      sparsity: t.sparsity,
      nonzeroParams: t.nonzeroTarget,
      tokens: t.tokensTarget,
      loss: t.finalValLoss as number,
    }));
  const fit: LawFit = fitLaw(points, 'sparse', { ...defaultFitOptions('sparse'), bootstrap: 8, holdout: 0 });
  return toStoredFit({
    id,
    sweep: 'fixture',
    source: 'db',
    form: 'sparse',
    options: {},
    result: { ...fit, queries: [{ N: 1e5, C: 1e15, S_opt: 0.3 }] },
    inputs: points.map((p) => p.id as string),
    converged: fit.converged,
    createdAt: '2026-01-02T00:00:00.000Z',
  });
}

/** A stored dense-law (chinchilla) fit of the finished dense trials. */
export function denseFitOf(trials: readonly TrialRecord[], id = 9): DenseFit {
  const points: LawPoint[] = trials
    .filter((t) => t.status === 'finished' && t.sparsity === 0)
    .map((t) => ({
      id: t.id,
      sparsity: 0,
      nonzeroParams: t.nonzeroTarget,
      tokens: t.tokensTarget,
      loss: t.finalValLoss as number,
    }));
  const fit: LawFit = fitLaw(points, 'chinchilla', {
    ...defaultFitOptions('chinchilla'),
    bootstrap: 8,
    holdout: 0,
  });
  return toDenseFit({
    id,
    sweep: 'fixture',
    source: 'db',
    form: 'chinchilla',
    options: {},
    result: fit,
    inputs: points.map((p) => p.id as string),
    converged: fit.converged,
    createdAt: '2026-01-02T00:00:00.000Z',
  });
}

/** A sweep record for the fixture. */
export function sweepRecord(name = 'fixture'): SweepRecord {
  return {
    name,
    configPath: '/tmp/fixture.yaml',
    config: {
      name,
      description: 'A fixture <sweep> & "friends".',
      backend: 'wasm',
      model: { family: 'lm' },
      data: { source: 'brown' },
    },
    axes: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** Report data for the given trials, with their curves, and a fit (or none). */
export function reportData(trials: TrialRecord[], fit: StoredFit | null): ReportData {
  return {
    dbPath: 'runs/sparsebench.db',
    sweep: sweepRecord(),
    trials,
    curves: Object.fromEntries(trials.map((t) => [t.id, t.status === 'pending' ? [] : curves(t)])),
    fit,
    unit: 'tokens',
  };
}
