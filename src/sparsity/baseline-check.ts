/**
 * A warning when a sweep's sparse trials start from a pretrained dense model (`from-dense`): with dense (S = 0) trials
 * trained from scratch on the same D, the two did not see the same data, so direct comparisons and a law fitted
 * across both favour sparsity; without them, D and the compute count the fine-tuning alone, so a law fitted to them
 * is one of pruning a trained model, not of training sparse from scratch as Frantar et al.'s. Null when no trial
 * prunes a pretrained model. `pruner` is the algorithm's name.
 */
export function baselineWarning(trials: readonly { sparsity: number; pruner: string }[]): string | null {
  const fromDense = trials.filter((t) => t.pruner === 'from-dense').length;
  const dense = trials.filter((t) => t.sparsity === 0).length;
  if (fromDense === 0) return null;
  if (dense === 0)
    return (
      `${fromDense} sparse ${fromDense === 1 ? 'trial starts' : 'trials start'} from a pretrained dense model (from-dense): ` +
      "D and the compute count the fine-tuning after pruning, not the pretrained model's own training, so a law " +
      'fitted to them describes pruning a trained model at that budget, not training sparse from scratch as the ' +
      "paper's law does; count the pretrained model's data in D to compare with it"
    );
  return (
    `${fromDense} sparse ${fromDense === 1 ? 'trial starts' : 'trials start'} from a pretrained dense model (from-dense), ` +
    `but the ${dense} dense (S = 0) ${dense === 1 ? 'trial is' : 'trials are'} trained from scratch on the same D, ` +
    "without the pretrained model's data: comparing them, or fitting a law across both, favours sparsity; " +
    "compare the sparse trials with their pretrained source's loss, or count its data in D"
  );
}
