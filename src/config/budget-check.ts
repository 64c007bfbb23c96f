import type { TrialSpec } from './trial-spec.js';

/** Sparsities this close train the same masks: every layer prunes round(s·size) weights, far below 1e12 of them. */
const SAME_SPARSITY_DIGITS = 12;

/** The axes whose values can differ while the training stays the same, with how each such pair is named. */
const AXES = [
  {
    key: 'tokens',
    words: (a: number, b: number, spec: TrialSpec) =>
      `sweep.tokens ${a} and ${b} both train ${spec.steps} steps (D counts whole batches)`,
    remedy: 'give budgets at least one batch apart',
  },
  {
    key: 'nonzero_params',
    words: (a: number, b: number) => `sweep.nonzero_params ${a} and ${b} size to the same model`,
    remedy: 'give sizes far enough apart to give other shapes (`sparsebench models` shows the shape of each)',
  },
  {
    key: 'sparsity',
    words: (a: number, b: number) => `sweep.sparsity ${a} and ${b} prune the same weights`,
    remedy: 'give each sparsity once',
  },
] as const;

/**
 * A warning when trials of the sweep differ only in values that change nothing they train: token budgets less than a
 * batch apart (steps = floor(D / units per batch)), N targets that size to the same shape, sparsities equal to
 * twelve digits. Their specs differ, so they get two ids: the same training is run twice, and the fit (whose N and
 * D are measured) counts it twice. Names one such pair; null when every pair of trials trains differently.
 */
export function sameTrainingWarning(trials: readonly { spec: TrialSpec }[]): string | null {
  const byTraining = new Map<string, TrialSpec[]>();
  for (const { spec } of trials) {
    const key = JSON.stringify({
      ...spec,
      tokens: null,
      nonzero_params: null,
      sparsity: Number(spec.sparsity.toPrecision(SAME_SPARSITY_DIGITS)),
    });
    byTraining.set(key, [...(byTraining.get(key) ?? []), spec]);
  }
  const distinct = (specs: TrialSpec[]) => new Set(specs.map((s) => JSON.stringify(s))).size;
  const twice = [...byTraining.values()].filter((specs) => distinct(specs) > 1);
  if (twice.length === 0) return null;
  const runs = twice.reduce((n, specs) => n + distinct(specs) - 1, 0);
  const specs = twice[0];
  const axis = AXES.find((a) => new Set(specs.map((s) => s[a.key])).size > 1) ?? AXES[0];
  const [a, b] = [...new Set(specs.map((s) => s[axis.key]))].sort((x, y) => x - y);
  return (
    `${axis.words(a, b, specs[0])}, so ${runs} ${runs === 1 ? 'trial repeats' : 'trials repeat'} another's training ` +
    `under a new id, and the fit counts each such run twice; ${axis.remedy}`
  );
}
