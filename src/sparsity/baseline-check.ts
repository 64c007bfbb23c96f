/**
 * A warning when a sweep's sparse trials start from a pretrained dense model (`from-dense`) while its dense
 * (S = 0) trials are trained from scratch on the same D: the two did not see the same data, so direct
 * comparisons and a law fitted across both favour sparsity. Null when no trial prunes a pretrained model or
 * the sweep has no dense trial. `pruner` is the algorithm's name.
 */
export function baselineWarning(trials: readonly { sparsity: number; pruner: string }[]): string | null {
  const fromDense = trials.filter((t) => t.pruner === 'from-dense').length;
  const dense = trials.filter((t) => t.sparsity === 0).length;
  if (fromDense === 0 || dense === 0) return null;
  return (
    `${fromDense} sparse ${fromDense === 1 ? 'trial starts' : 'trials start'} from a pretrained dense model (from-dense), ` +
    `but the ${dense} dense (S = 0) ${dense === 1 ? 'trial is' : 'trials are'} trained from scratch on the same D, ` +
    "without the pretrained model's data: comparing them, or fitting a law across both, favours sparsity; " +
    "compare the sparse trials with their pretrained source's loss, or count its data in D"
  );
}
