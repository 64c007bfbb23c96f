import { plannedData } from './planned-data.js';
import { extraAxisCsvCell, extraAxisHeader, extraAxisKeys } from './trial-axes.js';
import { csvField } from './trials-csv.js';
import type { MetricPoint, TrialRecord } from './types.js';

/**
 * Trials' logged curves as one long CSV (a row per trial, metric and step), for plots of one's own: the trial's id,
 * pruner, extra axes (as `runs list --csv` gives them), seed and planned S, N and D (the shape's N and the steps' D, as `runs list --csv` gives them) with what D counts
 * (`data_unit`: tokens or images), then the metric's name (train_loss,
 * val_loss, lr, sparsity, ...), step, tokens (or images) seen, and value. `curves(id)` reads a trial's points.
 */
export function curvesCsv(trials: readonly TrialRecord[], curves: (id: string) => MetricPoint[]): string {
  const extra = extraAxisKeys(trials);
  const header = [
    'id',
    'pruner',
    ...extra.map(extraAxisHeader),
    'seed',
    'target_sparsity',
    'planned_nonzero_params',
    'planned_tokens',
    'data_unit',
    'metric',
    'step',
    'tokens',
    'value',
  ];
  const rows = trials.flatMap((t) => {
    const about = [
      t.id,
      t.pruner,
      ...extra.map((key) => extraAxisCsvCell(t, key)),
      t.seed,
      t.sparsity,
      // as runs list --csv gives them: one name, one meaning, in both files
      t.plannedNonzero,
      plannedData(t.spec).amount,
      // what planned_tokens and tokens count: tokens, or images for an image model
      plannedData(t.spec).unit,
    ];
    return curves(t.id).map((p) => [...about, p.name, p.step, p.tokens, p.value].map(csvField).join(','));
  });
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
