import type { TrialSpec } from './trial-spec.js';

/**
 * A warning when token budgets of the sweep differ by less than one batch: steps = floor(D / units per batch),
 * so two such budgets train exactly the same steps, yet D is part of the trial spec and the trials get two
 * ids: the same training is run twice, and the fit (whose D is the tokens trained) counts it twice. Names one
 * such pair of budgets; null when every pair of otherwise identical trials trains different steps.
 */
export function sameTrainingWarning(trials: readonly { spec: TrialSpec }[]): string | null {
  const byTraining = new Map<string, Set<number>>();
  for (const { spec } of trials) {
    const key = JSON.stringify({ ...spec, tokens: null });
    const budgets = byTraining.get(key) ?? new Set<number>();
    budgets.add(spec.tokens);
    byTraining.set(key, budgets);
  }
  const twice = [...byTraining].filter(([, budgets]) => budgets.size > 1);
  if (twice.length === 0) return null;
  const [key, budgets] = twice[0];
  const spec = JSON.parse(key) as TrialSpec;
  const [a, b] = [...budgets].sort((x, y) => x - y);
  const runs = twice.reduce((n, [, budgets]) => n + budgets.size - 1, 0);
  return (
    `sweep.tokens ${a} and ${b} both train ${spec.steps} steps (D counts whole batches), so ${runs} ` +
    `${runs === 1 ? 'trial repeats' : 'trials repeat'} another's training under a new id, and the fit counts each such run twice; ` +
    'give budgets at least one batch apart'
  );
}
