import { describe, expect, it } from 'vitest';
import { planWarnings } from '../../src/config/plan-warnings.js';
import {
  EMBEDDING_SHARE_LIMIT,
  embeddingShareWarning,
  nonzeroEmbeddings,
  outputHeadParams,
} from '../../src/models/embedding-share.js';
import { planOf } from '../helpers/config.js';

describe('embedding share warning', () => {
  it('is silent while every trial keeps embeddings at most the limit of its N', () => {
    const at = (embedding: number) => ({ sparsity: 0.5, target: 1000, nonzero: 1000, embedding });
    expect(embeddingShareWarning([at(EMBEDDING_SHARE_LIMIT * 1000)], 'lm')).toBeNull();
    expect(embeddingShareWarning([], 'lm')).toBeNull();
    expect(embeddingShareWarning([at(EMBEDDING_SHARE_LIMIT * 1000 + 1)], 'lm')).toMatch(
      /^embeddings are up to 0\.20× N/,
    );
  });

  it('names the target N whose share grows most with sparsity, by the planned N and not the sized one', () => {
    const w = embeddingShareWarning(
      [
        { sparsity: 0, target: 6000, nonzero: 6016, embedding: 5120 },
        { sparsity: 0.75, target: 6000, nonzero: 5990, embedding: 15360 },
        { sparsity: 0, target: 24000, nonzero: 24000, embedding: 10240 },
        { sparsity: 0.75, target: 24000, nonzero: 24000, embedding: 20480 },
      ],
      'lm',
    );
    expect(w).toBe(
      "embeddings are up to 2.56× N in this sweep and grow with sparsity at equal N (N 6k: 0.85× at S = 0, 2.56× at S = 0.75): a sparse trial's wider shape widens its embeddings too, so part of what sparsity seems to gain over dense at equal N is embedding capacity the law does not count. N leaves them out, as Frantar et al. do for models whose embeddings are a small share of it; larger N shrinks the share, and so does a smaller vocabulary",
    );
  });

  it('takes its example at the N holding the largest share when the share grows there, not where it grows most', () => {
    // N 6k: 1.41× at S = 0.75 (the largest); N 12k: 0.35× → 1.06×, which grows more (3×) but is not the largest
    const w = embeddingShareWarning(
      [
        { sparsity: 0, target: 6000, nonzero: 6000, embedding: 6000 },
        { sparsity: 0.75, target: 6000, nonzero: 6000, embedding: 8460 },
        { sparsity: 0, target: 12000, nonzero: 12000, embedding: 4200 },
        { sparsity: 0.75, target: 12000, nonzero: 12000, embedding: 12720 },
      ],
      't5',
    );
    expect(w).toMatch(
      /^embeddings are up to 1\.41× N in this sweep and grow with sparsity at equal N \(N 6k: 1\.00× at S = 0, 1\.41× at S = 0\.75\)/,
    );
    expect(w).toMatch(/larger N shrinks the share \(t5 always reads bytes\)$/);
  });

  it('says only that N understates the models when the share does not grow with sparsity', () => {
    const w = embeddingShareWarning(
      [
        { sparsity: 0, target: 1000, nonzero: 1000, embedding: 500 },
        { sparsity: 0.5, target: 1000, nonzero: 1000, embedding: 500 },
      ],
      'vit',
    );
    // a classifier's head, counted with its embeddings, is named with them
    expect(w).toMatch(
      /^embeddings and classifier head are up to 0\.50× N in this sweep, so N understates every model's trained parameters\./,
    );
  });

  it('names an untied lm head with the embeddings, as it names a classifier head', () => {
    const config = (tied: boolean) =>
      `name: e\nmodel: {family: lm, tied_embeddings: ${tied}}\ndata: {source: synthetic, vocab_size: 256}\n` +
      'sweep: {sparsity: [0, 0.75], nonzero_params: 6k, tokens: 100k}\n';
    const share = (tied: boolean) =>
      planWarnings(planOf(config(tied))).find((w) => / are up to .* N in this sweep/.test(w));
    expect(share(true)).toMatch(/^embeddings are up to/);
    expect(share(false)).toMatch(/^embeddings and output head are up to/);
    const [dense] = planOf(config(false)).trials;
    expect(outputHeadParams(dense.spec)).toBe(256 * dense.spec.model.d_model);
  });

  it("is among the quickstart-sized plan's warnings, from the planned embedding counts", () => {
    const plan = planOf(
      'name: e\ndata: {source: synthetic, vocab_size: 256}\nsweep: {sparsity: [0, 0.75], nonzero_params: 6k, tokens: 100k}\n',
    );
    const [dense, sparse] = plan.trials;
    expect(sparse.embedding_params).toBeGreaterThan(dense.embedding_params);
    expect(planWarnings(plan).filter((w) => /^embeddings are up to .* \(N 6k: /.test(w))).toHaveLength(1);
  });

  it('counts the non-zero embeddings of trials whose distribution prunes them (embeddings: true)', () => {
    const config = (embeddings: boolean) =>
      'name: e\nmodel: {family: t5}\ndata: {source: brown}\ntrain: {batch_size: 8, seq_len: 32}\n' +
      `pruner: {name: gmp, distribution: {name: erk, embeddings: ${embeddings}}}\n` +
      'sweep: {sparsity: [0, 0.75], nonzero_params: 10k, tokens: 20k}\n';
    const share = (embeddings: boolean) =>
      planWarnings(planOf(config(embeddings))).find((w) => w.startsWith('embeddings are up to'));
    // kept dense, the sparse trial's embeddings are 0.84× its N; pruned at 1 − sqrt(1 − 0.75), half remain
    expect(share(false)).toMatch(/^embeddings are up to 0\.84× N .*0\.42× at S = 0, 0\.84× at S = 0\.75/);
    // pruned, they no longer grow with S (before: the same 0.84× and 'grow with sparsity', as if kept dense)
    expect(share(true)).toMatch(
      /^embeddings are up to 0\.4\d× N in this sweep, so N understates every model's trained parameters\./,
    );
    const [dense, sparse] = planOf(config(true)).trials;
    expect(nonzeroEmbeddings(dense.spec, dense.embedding_params)).toBe(dense.embedding_params);
    expect(nonzeroEmbeddings(sparse.spec, sparse.embedding_params)).toBeLessThan(
      sparse.embedding_params * 0.51,
    );
  });
});
