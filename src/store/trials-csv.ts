import { shownStatus } from './owner.js';
import { plannedData } from './planned-data.js';
import { extraAxisCsvCell, extraAxisHeader, extraAxisKeys } from './trial-axes.js';
import type { TrialRecord } from './types.js';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled; a line break
 * is written as a space, so every record stays on one line (the points reader, `fit-law --points`, reads lines).
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value).replace(/\r?\n|\r/g, ' ');
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const measured = (v: number | null) => (v === null ? '' : v);

/**
 * Trials as CSV, one row each, with a header. `sparsity`, `nonzero_params`, `tokens` and `loss` are the
 * measured values `fit-law` fits (S and N from the final weights, D trained, the final validation loss), so the
 * finished rows are input for `fit-law --points` as they stand; unfinished trials leave them empty and have
 * their plan in `target_sparsity`, `planned_nonzero_params` and `planned_tokens`. `tokens` counts what the
 * family's D counts (`data_unit`: tokens or images). A sweep's extra axes (e.g. `pruner.name`) get a column each
 * ({@link extraAxisHeader}: a list of whole pruners is `pruner.setting`, as JSON).
 */
export function trialsCsv(trials: readonly TrialRecord[]): string {
  const extra = extraAxisKeys(trials);
  const header = [
    'id',
    'status',
    'pruner',
    ...extra.map(extraAxisHeader),
    'seed',
    'target_sparsity',
    'sparsity',
    'planned_nonzero_params',
    'nonzero_params',
    'planned_tokens',
    'tokens',
    'data_unit',
    'loss',
    'train_loss',
    'val_accuracy',
    'embedding_params',
    'steps',
    'wall_seconds',
    'throughput_per_second',
    'backend',
    'finished_at',
    'error',
  ];
  const rows = trials.map((t) => {
    const planned = plannedData(t.spec);
    return [
      t.id,
      shownStatus(t),
      t.pruner,
      // '-' (no value, or a pruner axis of a dense trial, which every pruner setting shares) is an empty field
      ...extra.map((key) => extraAxisCsvCell(t, key)),
      t.seed,
      t.sparsity,
      measured(t.achievedSparsity),
      t.plannedNonzero,
      measured(t.nonzeroParams),
      planned.amount,
      measured(t.tokens),
      planned.unit,
      measured(t.finalValLoss),
      measured(t.finalTrainLoss),
      measured(t.finalValAccuracy),
      t.embeddingParams,
      measured(t.steps),
      measured(t.wallSeconds),
      measured(t.tokensPerSecond),
      t.backend,
      t.finishedAt,
      t.error,
    ];
  });
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}
