/** A planned N this far from its target (relative) is worth a warning: sizing itself stays within 5%. */
export const NONZERO_MISS = 0.1;

/**
 * A warning when some trials' planned non-zero parameters miss the sweep's N target by more than
 * {@link NONZERO_MISS}, e.g. because the pruner's distribution keeps layers dense (`distribution.dense`):
 * sizing picks the shape for the target as if every prunable layer were at S, so those layers add their
 * pruned share back and the overall sparsity lands below S. The law is fitted to the measured S and N, so
 * the fit stays right, but the grid is not the one the config asks for. Null when every trial is within.
 */
export function nonzeroMissWarning(
  trials: readonly {
    id: string;
    nonzero_params: number;
    spec: { nonzero_params: number; sparsity: number };
  }[],
): string | null {
  const missing = trials
    .map((t) => ({ t, ratio: t.nonzero_params / t.spec.nonzero_params }))
    .filter(({ ratio }) => Math.abs(ratio - 1) > NONZERO_MISS);
  if (missing.length === 0) return null;
  const worst = missing.reduce((a, b) => (Math.abs(b.ratio - 1) > Math.abs(a.ratio - 1) ? b : a));
  const n = missing.length;
  return (
    `${n} ${n === 1 ? 'trial plans' : 'trials plan'} a non-zero count more than ${NONZERO_MISS * 100}% from its N target ` +
    `(${worst.t.id.slice(0, 8)}: ${worst.t.nonzero_params} non-zero for N ${worst.t.spec.nonzero_params} at S ${worst.t.spec.sparsity}, ` +
    `${worst.ratio.toFixed(2)}x), and its sparsity misses S with it; layers kept dense (pruner.distribution.dense) or a pattern's rounding do this. ` +
    'fit-law uses the measured S and N, so the law is unaffected, but the grid is not the one the config asks for'
  );
}
