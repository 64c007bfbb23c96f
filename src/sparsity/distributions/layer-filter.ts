import { z } from 'zod';
import type { LayerRef } from '../types.js';

/** Options every distribution shares: layers kept dense, and whether embeddings are pruned. */
export interface LayerFilterOptions {
  /** Layer-name patterns kept dense: globs (`*` any run of characters, `?` one) or `/regex/`; absent = none. */
  dense?: string[];
  /** Prune the embedding matrices too, at 1 − sqrt(1 − S) (the sparse scaling-law authors' T5 setting). */
  embeddings?: boolean;
}

/** Turns one `dense` entry into a test on layer names; throws on a bad regex. */
export function namePattern(p: string): (name: string) => boolean {
  if (p.length > 2 && p.startsWith('/') && p.endsWith('/')) {
    const re = new RegExp(p.slice(1, -1));
    return (name) => re.test(name);
  }
  const escaped = p
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${escaped}$`);
  return (name) => re.test(name);
}

const densePattern = z.string().superRefine((p, ctx) => {
  try {
    namePattern(p);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a valid /regex/: ${(e as Error).message}` });
  }
});

/**
 * The zod shape of {@link LayerFilterOptions}, spread into each distribution's own options. Both are optional
 * without a filled-in default, so a spec that does not use them stays `{name: uniform}` and keeps its trial id.
 */
export const layerFilterShape = {
  // absent = none: the paper prunes every attention and MLP matrix
  dense: z
    .array(densePattern)
    .optional()
    .describe(
      'layer names kept dense: globs (layers.0.*, *.attn.qkv) or /regex/; S applies to the rest (default none)',
    ),
  // absent = false: the paper's default; embeddings are not counted in N either way
  embeddings: z
    .boolean()
    .optional()
    .describe(
      'also prune the embedding matrices, at 1 - sqrt(1 - S) (less than S); not in N (default false)',
    ),
};

/**
 * Sparsity a layer gets regardless of the distribution's rule, or null: 0 for layers kept dense, and
 * 1 − sqrt(1 − S) for embeddings made prunable, keeping an embedding (the input and output of every token) denser
 * than the blocks: the rule of the T5X code of Frantar et al. 2023 (arXiv:2309.08520; JaxPruner's
 * projects/bigsparse, `embed_sparsity = 'auto'`, for the token embedding and the untied head).
 */
export function fixedSparsity(layer: LayerRef, sparsity: number, o: LayerFilterOptions): number | null {
  if ((o.dense ?? []).some((p) => namePattern(p)(layer.name))) return 0;
  if (layer.embedding) return 1 - Math.sqrt(1 - sparsity);
  return null;
}

/** `dense` entries that match none of `layers` (a typo would otherwise silently prune everything), by index. */
export function unmatchedDense(layers: readonly LayerRef[], o: LayerFilterOptions): number[] {
  return (o.dense ?? []).flatMap((p, i) => (layers.some((l) => namePattern(p)(l.name)) ? [] : [i]));
}
