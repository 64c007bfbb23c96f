import { describe, expect, it } from 'vitest';
import { families } from '../../src/models/registry.js';
import { prunerLayers } from '../../src/sparsity/layers.js';
import { planOf } from '../helpers/config.js';

const VIT = `name: vitlayers
model: {family: vit, patch_size: 4}
data: {source: synthetic-images, classes: 4, size: 8, train_images: 400, validation_images: 64}
train: {batch_size: 8, eval_interval: 10, eval_tokens: 64}
pruner: {name: gmp, distribution: {name: uniform, embeddings: true}}
sweep: {sparsity: 0.75, nonzero_params: 5k, tokens: 1k}
`;

describe('prunerLayers', () => {
  it("adds ViT's patch projection, position embeddings and head with embeddings on, but not its class token", () => {
    const spec = planOf(VIT).trials[0].spec;
    const infos = families.vit.model.params(spec.model);
    expect(infos.find((p) => p.name === 'cls')?.shape).toEqual([1, expect.any(Number)]);
    const layers = prunerLayers(infos, spec.pruner);
    const extra = layers.filter((l) => l.embedding).map((l) => l.name);
    expect(extra).toContain('patch.w');
    expect(extra).toContain('pos_emb');
    expect(extra).not.toContain('cls');
    expect(layers.filter((l) => !l.embedding).map((l) => l.name)).toEqual(
      infos.filter((p) => p.prunable).map((p) => p.name),
    );
  });
});
