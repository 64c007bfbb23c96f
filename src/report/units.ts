import { families } from '../models/registry.js';

/** What D counts: tokens (language families) or images (vision). */
export type DataUnit = 'tokens' | 'images';

/** Words for the data unit in labels and sentences. */
export interface UnitLabels {
  /** Plural: "tokens". */
  d: string;
  /** Loss unit: cross-entropy per token, or per image. */
  loss: string;
  /** Throughput unit. */
  rate: string;
  /**
   * What C = 6·N/(1−S)·D counts: training FLOPs (approximately) when D counts tokens; for images it is
   * 6·N/(1−S)·images, the law's compute, which real FLOPs exceed by the tokens per image.
   */
  compute: string;
}

/** Labels for a data unit. */
export function unitLabels(unit: DataUnit): UnitLabels {
  return unit === 'images'
    ? { d: 'images', loss: 'nats/image', rate: 'images/s', compute: '6·N/(1−S)·images, not FLOPs' }
    : { d: 'tokens', loss: 'nats/token', rate: 'tokens/s', compute: 'FLOPs' };
}

/** The data unit of a sweep's model family (from the family registry); tokens when unknown. */
export function dataUnitOf(family: string | undefined): DataUnit {
  return (family !== undefined && families[family]?.unit) || 'tokens';
}
