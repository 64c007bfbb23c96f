import { z } from 'zod';
import { dataConfigSchema } from '../data/spec.js';
import { BACKEND_NAMES } from '../engine/backends.js';
import { lmHparamsSchema } from '../models/sizing.js';
import { t5HparamsSchema } from '../models/t5-sizing.js';
import { vitHparamsSchema } from '../models/vit-sizing.js';
import { prunerConfigSchema } from '../sparsity/spec.js';
import { human } from '../util/human-schema.js';
import { seedSchema } from '../util/seed-schema.js';

const positiveInt = () => human().pipe(z.number().int({ error: 'must be a whole number' }).positive());

/** One value or a list of them; a list becomes an axis of the sweep. */
function oneOrList<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (Array.isArray(v) || v === undefined ? v : [v]),
    z.array(item).min(1, { error: 'needs at least one value' }),
  );
}

/** The message for value i of an axis listed again at j. */
const listedTwice = (j: number) =>
  `listed twice (also at [${j}]); give each value once (repeated trials come from seed)`;

/** Each value that repeats an earlier one, as [its index, the earlier one's], values compared by `key`. */
function repeats<T>(values: readonly T[], key: (v: T) => unknown = (v) => v): [number, number][] {
  const first = new Map<unknown, number>();
  const out: [number, number][] = [];
  for (const [i, v] of values.entries()) {
    const j = first.get(key(v));
    if (j === undefined) first.set(key(v), i);
    else out.push([i, j]);
  }
  return out;
}

/**
 * An axis whose values must differ: a value listed twice is an error (most likely a typo for another level; repeats
 * of a trial come from seeds): it would be planned once.
 */
function oneOrMany<T extends z.ZodType>(item: T) {
  return oneOrList(item).superRefine((values, ctx) => {
    for (const [i, j] of repeats(values as unknown[]))
      ctx.addIssue({ code: 'custom', path: [i], message: listedTwice(j) });
  });
}

/** Longest sweep name: with the suffixes it is given it stays inside a file system's 255-byte file names. */
export const MAX_NAME_LENGTH = 200;

export const optimizerSchema = z.strictObject({
  /** AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay. */
  name: z.literal('adamw').default('adamw'),
  /** Peak learning rate; 3e-3 suits models of 10k–1M parameters at batch 16–32. */
  lr: human().pipe(z.number().positive()).default(3e-3),
  beta1: z.number().min(0).lt(1).default(0.9),
  /** 0.95 as in GPT-style training: steadier at small batch. */
  beta2: z.number().min(0).lt(1).default(0.95),
  eps: z.number().positive().default(1e-8),
  /** Decoupled decay on weight matrices (not norms, nor token and position embeddings; ViT's patch projection is decayed). */
  weight_decay: z.number().min(0).default(0.1),
});

export const lrScheduleSchema = z.strictObject({
  /** Linear warmup, then cosine decay to min_lr_ratio · lr at the last step. */
  name: z.literal('cosine').default('cosine'),
  /** Warmup length: a fraction of training if below 1, else a number of steps. */
  warmup: human().pipe(z.number().min(0)).default(0.05),
  min_lr_ratio: z.number().min(0).max(1).default(0.1),
});

export const trainSchema = z.strictObject({
  batch_size: positiveInt().default(16),
  seq_len: positiveInt().default(64),
  optimizer: optimizerSchema.prefault({}),
  lr_schedule: lrScheduleSchema.prefault({}),
  /** Global gradient-norm clip; null turns clipping off. */
  grad_clip: z
    .number({ error: 'expected a number > 0, or null to turn clipping off' })
    .positive({ error: 'must be > 0, or null to turn clipping off' })
    .nullable()
    .default(1),
  /**
   * Weight of the z-loss, z · mean((log Z)²) of the output softmax, added to the training loss (T5X's z_loss;
   * the sparse scaling-law authors trained T5 with 1e-4). 0: none. Validation loss is always plain cross-entropy.
   */
  z_loss: z.number().min(0).default(0),
  /** Steps between validation evaluations (and one at the end). */
  eval_interval: positiveInt().default(100),
  /**
   * Size of the fixed held-out set, in the family's D units: predicted tokens (lm), encoder input tokens (t5,
   * whose targets are about a quarter of that), or images (vit).
   */
  eval_tokens: positiveInt().default(16_384),
});

const sparsityValue = z
  .number({ error: 'expected a number in [0, 1)' })
  .min(0, { error: 'sparsity must be in [0, 1)' })
  .lt(1, {
    error: 'sparsity must be in [0, 1)',
  });

/** The core axes a sweep may advance together (`sweep.zip`). */
export const ZIPPABLE_AXES = ['sparsity', 'nonzero_params', 'tokens'] as const;

/** The `sweep:` block: the four axes of a scaling study; other dotted keys (e.g. train.optimizer.lr) add axes. */
export const sweepSchema = z
  .looseObject({
    // the core axes' repeats are checked below, where `zip` is known: zipped axes may repeat a value, not a tuple
    sparsity: oneOrList(sparsityValue),
    /** Target non-zero prunable parameters N (the law's N). */
    nonzero_params: oneOrList(human().pipe(z.number().positive())),
    /** Training tokens D. */
    tokens: oneOrList(human().pipe(z.number().positive())),
    seed: oneOrMany(seedSchema()).default([0]),
    /** Core axes that advance together, value i with value i (pairs instead of the grid's every combination). */
    zip: z
      .array(z.enum(ZIPPABLE_AXES))
      .min(2, { error: 'name at least two axes to advance together' })
      .refine((keys) => new Set(keys).size === keys.length, { error: 'an axis is named twice' })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const zip: readonly (typeof ZIPPABLE_AXES)[number][] = s.zip ?? [];
    // an axis alone: each value once
    for (const key of ZIPPABLE_AXES.filter((k) => !zip.includes(k)))
      for (const [i, j] of repeats(s[key]))
        ctx.addIssue({ code: 'custom', path: [key, i], message: listedTwice(j) });
    if (zip.length === 0) return;
    const lengths = zip.map((k) => s[k].length);
    if (lengths.some((n) => n !== lengths[0])) {
      ctx.addIssue({
        code: 'custom',
        path: ['zip'],
        message: `the axes it names advance together, so they need as many values each: ${zip.map((k, i) => `${k} has ${lengths[i]}`).join(', ')}`,
      });
      return;
    }
    // zipped axes: a value may repeat (one dense shape pruned to two sparsities, two shapes at one sparsity), a tuple not
    const tuples = Array.from({ length: lengths[0] }, (_, i) => zip.map((k) => s[k][i]));
    for (const [i, j] of repeats(tuples, (t) => JSON.stringify(t)))
      ctx.addIssue({
        code: 'custom',
        path: [zip[0], i],
        message: `with ${zip.slice(1).join(' and ')} at [${i}], the same ${zip.join(', ')} as at [${j}] (${tuples[i].join(', ')}): zipped axes advance together, so give each combination once (repeated trials come from seed)`,
      });
  });

/** A sweep config file (`sweep.yaml`). */
export const configSchema = z.strictObject({
  /** Name of the sweep in the database; letters, digits, '.', '_' and '-', starting with a letter or digit. */
  // it names the report's folder and the cluster files (`<name>.slurm`, `<name>.report.html`): a file name's limit
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]*$/, {
      error: "use letters, digits, '.', '_' and '-', starting with a letter or digit",
    })
    .max(MAX_NAME_LENGTH, {
      error: `at most ${MAX_NAME_LENGTH} characters: it names the sweep's report folder and cluster files`,
    }),
  description: z.string().optional(),
  /** The model family and its fixed hyperparameters; `family` defaults to lm. */
  model: z
    .preprocess(
      (v) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) && !('family' in v)
          ? { ...v, family: 'lm' }
          : v,
      z.discriminatedUnion('family', [lmHparamsSchema, t5HparamsSchema, vitHparamsSchema]),
    )
    .prefault({}),
  data: dataConfigSchema.prefault({ source: 'brown' }),
  train: trainSchema.prefault({}),
  pruner: prunerConfigSchema.prefault({}),
  /** wasm: the fast CPU path (default); cpu: the slow pure-JS reference; auto: the best available. */
  backend: z.enum(BACKEND_NAMES).default('wasm'),
  sweep: sweepSchema,
});
export type SweepConfig = z.infer<typeof configSchema>;

/** The four axes every sweep has, in the order trials are expanded. */
export const CORE_AXES = ['sparsity', 'nonzero_params', 'tokens', 'seed'] as const;

/** Whether a sweep axis key is one of the {@link CORE_AXES} (S, N, D, seed), not a setting swept beside them. */
export function isCoreAxis(key: string): boolean {
  return (CORE_AXES as readonly string[]).includes(key);
}

/**
 * Whether a sweep axis sets the pruner: the whole pruner (a list of pruner mappings, each algorithm with its own
 * schedule and options) or one of its settings (`pruner.name`). Dense trials (S = 0) have no pruner setting: every
 * pruner setting shares them.
 */
export function isPrunerAxis(key: string): boolean {
  return key === 'pruner' || key.startsWith('pruner.');
}
