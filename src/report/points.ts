import { isCoreAxis, isPrunerAxis } from '../config/schema.js';
import { nonzeroEmbeddings, outputHeadParams } from '../models/embedding-share.js';
import { plannedData } from '../store/planned-data.js';
import { settingText } from '../store/trial-axes.js';
import type { TrialRecord } from '../store/types.js';
import { sparsityLabel } from './specs/style.js';

/** A finished trial as the final-loss plots see it. */
export interface FinalPoint {
  id: string;
  /** Target sparsity: the level the trial belongs to. */
  sparsity: number;
  /** Sparsity measured from the final weights. */
  achieved: number;
  /** N: non-zero prunable parameters, measured. */
  N: number;
  /** D: data trained on (tokens or images). */
  D: number;
  /** Final validation loss (nats per token or image). */
  loss: number;
  /** Final validation accuracy, where the family measures it (a classifier); absent or null otherwise. */
  accuracy?: number | null;
  /** Dense embedding parameters, which N leaves out. */
  embedding: number;
  /** Of `embedding`, the output head's where the model has its own (a classifier's, an untied one); absent: none. */
  head?: number;
  /** Planned N and D: the sweep's grid values, used to group trials into panels. */
  nTarget: number;
  dTarget: number;
  seed: number;
  /** Legend label of the sparsity level. */
  group: string;
  /**
   * The sweep's pruner axes this trial sits at, e.g. "pruner.name = rigl" ("" without such axes, and for dense
   * trials, which every pruner setting shares).
   */
  variant: string;
  /** Its other extra axes (e.g. a learning rate), as a key: a sparse trial is compared with dense at the same. */
  context: string;
}

/** A trial's sweep axes beyond S, N, D and seed, sorted by key. */
function extraAxes(t: TrialRecord): [string, unknown][] {
  return Object.entries(t.axes ?? {})
    .filter(([k]) => !isCoreAxis(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Whether the trials' whole-pruner settings (a `pruner` axis listing pruners) are told apart by their names
 * alone, so labels can be the names (the trial table and the config show the rest).
 */
export function prunersByName(trials: readonly TrialRecord[]): boolean {
  const seen = new Map<string, string>();
  for (const t of trials) {
    const v = t.axes?.pruner;
    if (t.sparsity === 0 || v === null || typeof v !== 'object') continue;
    const name = String((v as { name?: unknown }).name);
    const text = JSON.stringify(v);
    if ((seen.get(name) ?? text) !== text) return false;
    seen.set(name, text);
  }
  return true;
}

/**
 * The pruner setting a sparse trial sits at, from the sweep's pruner axes ("pruner.name = rigl", or for a list of
 * whole pruners "pruner = gmp (schedule.interval 20)"); "" for a dense trial (the baseline every setting shares)
 * and without such axes.
 */
export function prunerVariant(t: TrialRecord, byName = false): string {
  if (t.sparsity === 0) return '';
  return extraAxes(t)
    .filter(([k]) => isPrunerAxis(k))
    .map(([k, v]) =>
      k === 'pruner' && byName ? `pruner.name = ${settingText(v, true)}` : `${k} = ${settingText(v, false)}`,
    )
    .join(', ');
}

/** Extra axes of a trial: pruner ones as a readable variant, the others as a comparison key. */
function axesOf(t: TrialRecord, byName: boolean): { variant: string; context: string } {
  return {
    variant: prunerVariant(t, byName),
    context: JSON.stringify(extraAxes(t).filter(([k]) => !isPrunerAxis(k))),
  };
}

/**
 * D of a trial: what it trained on once finished, else what its plan trains on (whole steps of batches, as
 * `runs list` shows it; the sweep's D rounded to them).
 */
export function dataOf(t: TrialRecord): number {
  return t.tokens ?? plannedData(t.spec).amount;
}

/** Finished trials with a final validation loss, as plot points (the same points fit-law uses). */
export function finalPoints(trials: readonly TrialRecord[]): FinalPoint[] {
  const byName = prunersByName(trials);
  return trials
    .filter((t) => t.status === 'finished' && t.finalValLoss !== null)
    .map((t) => ({
      id: t.id,
      sparsity: t.sparsity,
      achieved: t.achievedSparsity ?? t.sparsity,
      N: t.nonzeroParams ?? t.plannedNonzero,
      D: dataOf(t),
      loss: t.finalValLoss as number,
      accuracy: t.finalValAccuracy,
      embedding: nonzeroEmbeddings(t.spec, t.embeddingParams),
      head: outputHeadParams(t.spec),
      nTarget: t.nonzeroTarget,
      dTarget: t.tokensTarget,
      seed: t.seed,
      group: sparsityLabel(t.sparsity),
      ...axesOf(t, byName),
    }));
}

/** Distinct values in ascending order. */
export function levels(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * At most `max` of the given ascending levels, evenly spread and always including the first and last
 * (a plot with a dozen small panels is unreadable; the omitted ones are named in the caption).
 */
export function pickLevels(sorted: readonly number[], max: number): number[] {
  if (sorted.length <= max) return [...sorted];
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]);
  return [...picked].sort((a, b) => a - b);
}

/** `count` values evenly spaced in log between lo and hi (both included). */
export function logSpace(lo: number, hi: number, count: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: count }, (_, i) => Math.exp(a + ((b - a) * i) / (count - 1)));
}

/** Arithmetic mean. */
export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
