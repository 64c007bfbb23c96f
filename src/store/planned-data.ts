import type { TrialRecord } from './types.js';

/**
 * The data a trial's plan trains on, in its family's unit: images for vit (one per example), tokens for the
 * text families (the registry's unitsPerBatch, without loading the models for a listing).
 */
export function plannedData(spec: TrialRecord['spec']): {
  amount: number;
  unit: 'images' | 'tokens';
  text: string;
} {
  const { steps, batch_size: batch, seq_len: seq } = spec;
  return spec.model.family === 'vit'
    ? { amount: steps * batch, unit: 'images', text: `${steps} steps x ${batch} = ${steps * batch} images` }
    : {
        amount: steps * batch * seq,
        unit: 'tokens',
        text: `${steps} steps x ${batch} x ${seq} = ${steps * batch * seq} tokens`,
      };
}
