import type { TrialSpec } from '../config/trial-spec.js';

/** One line describing a shape, for tables and `runs show`. */
export function describeShape(m: TrialSpec['model']): string {
  const layers = m.n_layers === 1 ? 'layer' : 'layers';
  const heads = m.n_heads === 1 ? 'head' : 'heads';
  const core = `${m.n_layers} ${layers}, d_model ${m.d_model}, ${m.n_heads} ${heads}, d_ff ${m.d_ff}`;
  switch (m.family) {
    case 'lm':
      return `lm: ${core}, vocab ${m.vocab_size}, seq ${m.seq_len}${m.tied_embeddings ? '' : ', untied head'}`;
    case 'vit':
      return `vit: ${core}, ${m.image_height}x${m.image_width}x${m.channels} images in ${m.patch_size}px patches, ${m.classes} classes, ${m.pooling} pooling`;
    case 't5':
      return `t5: ${m.n_layers} encoder + ${m.n_layers} decoder ${layers}, d_model ${m.d_model}, ${m.n_heads} ${heads}, d_ff ${m.d_ff}, vocab ${m.vocab_size}, input ${m.input_len} / target ${m.target_len} tokens, ${m.ff_activation} MLP${m.tied_embeddings === false ? ', untied head' : ''}`;
  }
}

/** Compact "L x d, heads, ff" form for plan tables. */
export function shortShape(m: TrialSpec['model']): string {
  const pair = m.family === 't5' ? `${m.n_layers}+${m.n_layers}` : `${m.n_layers}`;
  return `${pair} x ${m.d_model}, ${m.n_heads}h, ff ${m.d_ff}`;
}

/**
 * The parameters N leaves out, in words: "embeddings 3264 and output head 490" (the head, of `embedding`, where the
 * model has its own), or "embeddings 4608".
 */
export function embeddingWords(embedding: number, head: number): string {
  return head > 0 ? `embeddings ${embedding - head} and output head ${head}` : `embeddings ${embedding}`;
}
