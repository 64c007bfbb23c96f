import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { DataSpec } from '../data/spec.js';
import type { BackendName } from '../engine/backends.js';
import type { LmShape } from '../models/lm.js';
import type { T5Shape } from '../models/t5.js';
import type { VitShape } from '../models/vit.js';
import type { PrunerSpec } from '../sparsity/spec.js';
import type { lrScheduleSchema, optimizerSchema } from './schema.js';

/**
 * Bumped when the meaning of a spec field changes, so old and new trials never share an id.
 * 2: the held-out set of `eval.tokens` is spread over the whole validation split (it was its first windows or
 * images, from a few documents or classes).
 * 3: under hard masks `train.grad_clip` clips the norm of the live weights' gradients (it counted the dense gradient
 * pruned weights still receive).
 * 4: a drop/grow update of SET, RigL and SRigL takes the place of that step's optimizer update (it followed it).
 * 5: training examples are read in shuffled passes, none repeated before all were read (they were drawn
 * independently, with replacement); a from-dense trial reads on after the examples its dense model read.
 */
export const SPEC_VERSION = 5;

/**
 * Revisions of one model family's training, raised when a change alters the trials of that family only, so that
 * only they get new ids (a change to every trial raises {@link SPEC_VERSION} instead).
 * t5 1: T5X's initialisation, as in the sparse scaling-law authors' T5 model: token embeddings at std 1, the
 * scale T5's tied head (its output scaled by d^-0.5) is built for, and every matrix fan-in scaled, std 1/sqrt(n_in).
 * They started at GPT-2's 0.02 (residual outputs 0.02/sqrt(4L)), which left the logits near zero until the
 * embeddings had grown and the layers' outputs small. (from-dense t5 trials, whose embeddings come from the dense model, get new ids too:
 * the revision is the family's, whichever trials it changes.)
 */
export const MODEL_REVISIONS: Readonly<Record<string, number>> = { t5: 1 };

/**
 * Revisions of one pruning algorithm's training, as {@link MODEL_REVISIONS} for a family (a sparse trial's only: a
 * trial at sparsity 0 trains under `dense`, never revised).
 * 1, every algorithm: a packed matrix (q, k, v in one; a gated MLP's W_0, W_1) is pruned as its parts, each to the
 * layer's sparsity, as the separate matrices it stands for (sparsity/packed.ts). One ranking over the packed matrix
 * left the parts at sparsities of their own, and drop/grow dropped and grew across them. (global-magnitude ranks
 * across every part and layer as before; its total is now counted per part.)
 */
export const PRUNER_REVISIONS: Readonly<Record<string, number>> = Object.fromEntries(
  [
    'static',
    'magnitude',
    'gmp',
    'global-magnitude',
    'saliency',
    'set',
    'rigl',
    'ste',
    'sr-ste',
    'srigl',
    'mask-decay',
    'structure-decay',
    'from-dense',
  ].map((name) => [name, 1]),
);

/** The revisions a trial's components were trained at; in a spec only where one is above 0, so ids stay. */
export interface Revisions {
  model?: number;
  pruner?: number;
}

/** The current revisions of a family and an algorithm, or undefined when neither was ever revised. */
export function currentRevisions(family: string, pruner: string): Revisions | undefined {
  const model = MODEL_REVISIONS[family] ?? 0;
  const prunerRevision = PRUNER_REVISIONS[pruner] ?? 0;
  if (model === 0 && prunerRevision === 0) return undefined;
  return { ...(model > 0 ? { model } : {}), ...(prunerRevision > 0 ? { pruner: prunerRevision } : {}) };
}

/**
 * How a spec stands against this sparsebench: 'current' when its version and its components' revisions are this
 * one's, 'earlier' or 'later' otherwise (a spec from an earlier or later sparsebench, whose id means other training).
 */
export function specStanding(
  spec: Pick<TrialSpec, 'spec_version' | 'revisions'> & {
    model: { family: string };
    pruner: { name: string };
  },
): 'current' | 'earlier' | 'later' {
  const now = currentRevisions(spec.model.family, spec.pruner.name);
  const pairs: [number, number][] = [
    [spec.spec_version ?? 0, SPEC_VERSION],
    [spec.revisions?.model ?? 0, now?.model ?? 0],
    [spec.revisions?.pruner ?? 0, now?.pruner ?? 0],
  ];
  if (pairs.some(([had, is]) => had > is)) return 'later';
  if (pairs.some(([had, is]) => had < is)) return 'earlier';
  return 'current';
}

/**
 * One training run, fully resolved: plain JSON, stored with the trial; its canonical hash is the trial id.
 * N and D here are what was asked for; the trial records what was achieved.
 */
export interface TrialSpec {
  spec_version: number;
  /** Revisions of the family's and the algorithm's training, where above 0 ({@link currentRevisions}). */
  revisions?: Revisions;
  /** The model family and its shape (sizing's output). */
  model: LmShape | T5Shape | VitShape;
  data: DataSpec;
  /** Target sparsity of the prunable layers at the end of training. */
  sparsity: number;
  /** Requested non-zero prunable parameters N. */
  nonzero_params: number;
  /** Requested training tokens D (the trial trains steps · batch_size · seq_len ≤ D). */
  tokens: number;
  steps: number;
  batch_size: number;
  seq_len: number;
  optimizer: z.infer<typeof optimizerSchema>;
  lr_schedule: z.infer<typeof lrScheduleSchema>;
  grad_clip: number | null;
  /** z-loss weight of the training loss; absent when 0 (so trials without one keep their ids). */
  z_loss?: number;
  eval: { interval: number; tokens: number };
  pruner: PrunerSpec;
  seed: number;
  backend: BackendName;
}

/**
 * Fields that say where to find something rather than what it is (a path, or an object of paths); left out of
 * the id, so a plan's files can be moved (a cluster run reads them from where it copied them).
 */
export const LOCATOR_FIELDS: readonly (readonly string[])[] = [
  ['data', 'path'],
  ['data', 'paths'],
  ['data', 'dir'],
  // a pretrained dense model is identified by its content hash (pruner.options.sha256), not where it lies
  ['pruner', 'options', 'weights'],
];

/**
 * Canonical JSON: keys sorted at every level, numbers in JavaScript's shortest round-trip form
 * (1e6 and 1000000 are the same), -0 as 0, undefined members dropped.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`cannot hash non-finite number ${value}`);
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A trial id, or a prefix of one long enough to look it up by: 4 to 16 hex digits. */
export const TRIAL_ID_PREFIX = /^[0-9a-f]{4,16}$/;

/** Trial id: the first 16 hex digits of SHA-256 over the canonical spec without locator fields. */
export function trialId(spec: TrialSpec): string {
  const copy = structuredClone(spec) as unknown as Record<string, unknown>;
  for (const path of LOCATOR_FIELDS) {
    let cur: Record<string, unknown> | undefined = copy;
    for (const k of path.slice(0, -1)) cur = cur?.[k] as Record<string, unknown> | undefined;
    if (cur) delete cur[path[path.length - 1]];
  }
  return createHash('sha256').update(canonicalJson(copy)).digest('hex').slice(0, 16);
}
