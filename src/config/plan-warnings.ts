import { labelGapWarnings } from '../data/label-gaps.js';
import { embeddingShareWarning, nonzeroEmbeddings, outputHeadParams } from '../models/embedding-share.js';
import { spanLayoutWarning } from '../models/span-layout-check.js';
import { baselineWarning } from '../sparsity/baseline-check.js';
import { scheduleWarnings, skippedStepsWarning } from '../sparsity/schedule-check.js';
import { sharedScheduleWarning } from '../sparsity/shared-schedule-check.js';
import { sameTrainingWarning } from './budget-check.js';
import { repeatedDataWarning } from './epochs-check.js';
import { heldOutShareWarning, heldOutWarning } from './held-out-check.js';
import type { SweepPlan } from './load.js';
import { nonzeroMissWarning } from './nonzero-check.js';
import { warmupWarning } from './warmup-check.js';

/**
 * What a plan does that its config may not mean, in words (a sweep and `plan` print them): schedules with too
 * few mask updates, or with so many that replace optimizer steps that D overstates the data trained on,
 * pretrained sparse trials beside dense ones from scratch, N targets the shapes miss, trials that train alike under
 * two ids (budgets less than a batch apart, N targets of one shape), held-out shares the split rounds, held-out sets smaller than `train.eval_tokens` asks,
 * data read more than a few epochs over, t5 inputs too short for their
 * span-corruption settings, embeddings a large share of N, warmups as long as training, one pruner.schedule
 * given to several algorithms whose defaults differ, IDX labels that leave classes of the head out.
 */
export function planWarnings(plan: SweepPlan): string[] {
  const baseline = baselineWarning(
    plan.trials.map((t) => ({ sparsity: t.spec.sparsity, pruner: t.spec.pruner.name })),
  );
  const missed = nonzeroMissWarning(plan.trials);
  const repeated = sameTrainingWarning(plan.trials);
  const heldOut = heldOutWarning(plan.trials);
  const share = heldOutShareWarning(plan.trials);
  const repeatedData = repeatedDataWarning(plan.trials);
  const spans = spanLayoutWarning(plan.trials);
  const warmup = warmupWarning(plan.trials);
  const skipped = skippedStepsWarning(plan.trials);
  const embeddings = embeddingShareWarning(
    plan.trials.map((t) => ({
      sparsity: t.spec.sparsity,
      target: t.spec.nonzero_params,
      nonzero: t.nonzero_params,
      embedding: nonzeroEmbeddings(t.spec, t.embedding_params),
      head: outputHeadParams(t.spec),
    })),
    plan.trials[0]?.spec.model.family ?? 'lm',
  );
  // a list of whole pruners gives each its own schedule: no one block is shared
  const wholePruners = plan.axes.some((a) => a.key === 'pruner');
  const shared = wholePruners ? null : sharedScheduleWarning(plan.config.pruner.schedule, plan.trials);
  return [
    ...scheduleWarnings(plan.trials),
    ...(skipped ? [skipped] : []),
    ...(shared ? [shared] : []),
    ...(baseline ? [baseline] : []),
    ...(missed ? [missed] : []),
    ...(repeated ? [repeated] : []),
    ...(share ? [share] : []),
    ...(heldOut ? [heldOut] : []),
    ...(repeatedData ? [repeatedData] : []),
    ...(spans ? [spans] : []),
    ...(embeddings ? [embeddings] : []),
    ...(warmup ? [warmup] : []),
    ...labelGapWarnings(plan.trials),
  ];
}
