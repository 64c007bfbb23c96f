import { describe, expect, it } from 'vitest';
import { planWarnings } from '../../src/config/plan-warnings.js';
import { EMBEDDING_SHARE_LIMIT, embeddingShareWarning } from '../../src/models/embedding-share.js';
import { planOf } from '../helpers/config.js';

describe('embedding share warning', () => {
  it('is silent while every trial keeps embeddings at most the limit of its N', () => {
    const at = (embedding: number) => ({ sparsity: 0.5, target: 1000, nonzero: 1000, embedding });
    expect(embeddingShareWarning([at(EMBEDDING_SHARE_LIMIT * 1000)])).toBeNull();
    expect(embeddingShareWarning([])).toBeNull();
    expect(embeddingShareWarning([at(EMBEDDING_SHARE_LIMIT * 1000 + 1)])).toMatch(
      /^embeddings are up to 0\.20× N/,
    );
  });

  it('names the target N whose share grows most with sparsity, by the planned N and not the sized one', () => {
    const w = embeddingShareWarning([
      { sparsity: 0, target: 6000, nonzero: 6016, embedding: 5120 },
      { sparsity: 0.75, target: 6000, nonzero: 5990, embedding: 15360 },
      { sparsity: 0, target: 24000, nonzero: 24000, embedding: 10240 },
      { sparsity: 0.75, target: 24000, nonzero: 24000, embedding: 20480 },
    ]);
    expect(w).toBe(
      "embeddings are up to 2.56× N in this sweep and grow with sparsity at equal N (N 6k: 0.85× at S = 0, 2.56× at S = 0.75): a sparse trial's wider shape widens its dense embeddings too, so part of what sparsity seems to gain over dense at equal N is embedding capacity the law does not count. N leaves them out, as Frantar et al. do for models whose embeddings are a small share of it; larger N or a smaller vocabulary shrinks the share",
    );
  });

  it('says only that N understates the models when the share does not grow with sparsity', () => {
    const w = embeddingShareWarning([
      { sparsity: 0, target: 1000, nonzero: 1000, embedding: 500 },
      { sparsity: 0.5, target: 1000, nonzero: 1000, embedding: 500 },
    ]);
    expect(w).toMatch(
      /^embeddings are up to 0\.50× N in this sweep, so N understates every model's trained parameters\./,
    );
  });

  it("is among the quickstart-sized plan's warnings, from the planned embedding counts", () => {
    const plan = planOf(
      'name: e\ndata: {source: synthetic, vocab_size: 256}\nsweep: {sparsity: [0, 0.75], nonzero_params: 6k, tokens: 100k}\n',
    );
    const [dense, sparse] = plan.trials;
    expect(sparse.embedding_params).toBeGreaterThan(dense.embedding_params);
    expect(planWarnings(plan).filter((w) => /^embeddings are up to .* \(N 6k: /.test(w))).toHaveLength(1);
  });
});
