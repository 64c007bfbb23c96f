import { families } from '../models/registry.js';

/** What D counts: tokens (language families) or images (vision). */
export type DataUnit = 'tokens' | 'images';

/** Words for the data unit in labels and sentences. */
export interface UnitLabels {
  /** Plural: "tokens". */
  d: string;
  /** Loss unit: cross-entropy per predicted token (t5: per target token), or per image. */
  loss: string;
  /** Throughput unit. */
  rate: string;
  /**
   * What C = 6·N/(1−S)·D counts: training FLOPs (approximately) when D counts tokens; for images it is
   * 6·N/(1−S)·images, the law's compute, which real FLOPs exceed by the tokens per image; for t5 it overstates
   * the FLOPs (see {@link unitLabels}).
   */
  compute: string;
}

/**
 * Labels for a data unit; `family`, when known, refines what C counts and what the loss is per: t5's D counts
 * encoder input tokens, its decoder's weights see only the shorter targets, so 6·N/(1−S)·D counts more than the
 * FLOPs spent (it overstates them), and its loss is per target token.
 */
export function unitLabels(unit: DataUnit, family?: string): UnitLabels {
  if (unit === 'images')
    return { d: 'images', loss: 'nats/image', rate: 'images/s', compute: '6·N/(1−S)·images, not FLOPs' };
  return {
    d: 'tokens',
    // t5's D counts its inputs, but its loss is over the (shorter) targets: say which tokens the loss is per
    loss: family === 't5' ? 'nats/target token' : 'nats/token',
    rate: 'tokens/s',
    compute: family === 't5' ? '6·N/(1−S)·D, overstates FLOPs' : 'FLOPs',
  };
}

/** The data unit of a sweep's model family (from the family registry); tokens when unknown. */
export function dataUnitOf(family: string | undefined): DataUnit {
  return (family !== undefined && families[family]?.unit) || 'tokens';
}
