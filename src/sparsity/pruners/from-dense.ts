import { basename } from 'node:path';
import { z } from 'zod';
import { TRIAL_ID_PREFIX } from '../../config/trial-spec.js';
import { pretrainedPath, readPretrained } from '../pretrained.js';
import type { Algorithm, LayerRef, PlannedModel } from '../types.js';
import { magnitudeScores, scorePruner } from './score-pruning.js';

/**
 * from-dense options once resolved: the file and its content hash (the trial's identity and a guard), and the
 * training examples the dense trial read, where the file says (this trial's data order reads on after them).
 */
export interface FromDenseOptions {
  weights: string;
  sha256: string;
  dense_examples?: number;
}

const given = z
  .strictObject({
    weights: z
      .string()
      .optional()
      .describe(
        'safetensors file of a finished dense trial (<database>.weights/<id>.safetensors) or a checkpoint',
      ),
    trial: z
      .string({
        error: (iss) =>
          typeof iss.input === 'number'
            ? 'a trial id of digits only reads as a number in YAML: quote it, e.g. trial: "0123456789012345"'
            : undefined,
      })
      .regex(TRIAL_ID_PREFIX, { error: 'a trial id: 16 hex digits, or the first 4 or more of them' })
      .optional()
      .describe('or: id (or a unique prefix of it) of a finished dense trial whose weights lie beside `db`'),
    db: z
      .string()
      .optional()
      .describe("with trial: its database (default: the sweep's --db, else runs/sparsebench.db)"),
    sha256: z
      .string()
      .optional()
      .describe(
        "the weights file's content hash, filled in when planned (a trial's identity); given, it pins the file: planning refuses one whose hash differs",
      ),
    dense_examples: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "filled in when planned: the training examples the dense trial read (its steps × batch size); this trial reads its data on after them, not the dense model's first examples again",
      ),
  })
  .superRefine((o, ctx) => {
    if (!o.weights === !o.trial) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: 'give exactly one of weights (a file) or trial (an id)',
      });
    }
  });

/** Reads the file a config names and checks that it is a dense model; fills in the path and content hash. */
const options = given.transform((o, ctx): FromDenseOptions => {
  const key = o.weights ? 'weights' : 'trial';
  let path: string;
  try {
    path = pretrainedPath(o);
  } catch (e) {
    ctx.addIssue({ code: 'custom', path: [key], message: (e as Error).message });
    return z.NEVER;
  }
  try {
    const p = readPretrained(path);
    if (p.sparsity !== null && p.sparsity !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        // a checkpoint's sparsity is its masks' pruned fraction (0.8999993): four digits say it
        message: `${path} holds a model trained at sparsity ${+p.sparsity.toFixed(4)}, not a dense one`,
      });
    }
    // the file beside the database under the trial's name must be that trial's (not one copied or written over it)
    // (the id the file is named for: the one given, or the one its prefix found)
    const named = basename(path, '.safetensors');
    if (o.trial && p.trialId !== null && p.trialId !== named) {
      ctx.addIssue({
        code: 'custom',
        path: ['trial'],
        message: `${path} holds the weights of trial ${p.trialId}, not of ${named}; train ${named} again or give weights: <file>`,
      });
    }
    if (o.sha256 && o.sha256 !== p.sha256) {
      ctx.addIssue({
        code: 'custom',
        path: ['sha256'],
        message: `${path} has changed since this trial was planned`,
      });
    }
    if (o.dense_examples !== undefined && o.dense_examples !== (p.examples ?? undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['dense_examples'],
        message: `${path} says its trial read ${p.examples ?? 'no known number of'} examples, not ${o.dense_examples}; leave dense_examples out (planning fills it in)`,
      });
    }
    return {
      weights: path,
      sha256: p.sha256,
      ...(p.examples !== null ? { dense_examples: p.examples } : {}),
    };
  } catch (e) {
    // (a message that names the file already, "no such file: <path>", is said as it is)
    const why = (e as Error).message;
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: why.includes(path) ? why : `cannot read ${path}: ${why}`,
    });
    return z.NEVER;
  }
});

/**
 * Why the file cannot start this trial's model: a prunable layer is missing or of another shape, the dense trial
 * it names had another model (another family, or the same shapes with another activation or head), or, for a
 * file that names no model (a checkpoint), some other parameter is missing, of another shape or left over.
 */
function layerMismatch(
  layers: readonly LayerRef[],
  o: FromDenseOptions,
  model?: PlannedModel,
): string | null {
  const pretrained = readPretrained(o.weights);
  for (const l of layers) {
    const t = pretrained.params.get(l.name);
    if (!t) return `${o.weights} has no ${l.name}: it is not a model of this family`;
    if (t.shape.join() !== l.shape.join()) {
      return `${o.weights} has ${l.name} of shape [${t.shape}], this trial's model needs [${l.shape}]: choose N = N_dense·(1 - S) so the sparse model has the dense trial's shape (for several sparsities, pair each with its N: sweep.zip: [sparsity, nonzero_params])`;
    }
  }
  if (!model) return null;
  const differs = pretrained.model && modelDifference(network(pretrained.model), network(model.spec));
  const why = differs ? `holds a model with ${differs}` : paramDifference(pretrained.params, model.params);
  return why ? `${o.weights} ${why}: prune a dense trial of this trial's model` : null;
}

/**
 * The first parameter of the model that the file lacks or holds in another shape, or the parameters the file holds
 * beyond the model's, as "has …"; or null. The trainer refuses the same at the trial's start
 * (`prunerInitialParams`); here it is refused when the trial is planned.
 */
function paramDifference(
  file: ReadonlyMap<string, { shape: readonly number[] }>,
  params: PlannedModel['params'],
): string | null {
  for (const p of params) {
    const t = file.get(p.name);
    if (!t) return `has no ${p.name}, which this trial's model needs`;
    if (t.shape.join() !== p.shape.join())
      return `has ${p.name} of shape [${t.shape}], this trial's model needs [${p.shape}]`;
  }
  const names = new Set(params.map((p) => p.name));
  const extra = [...file.keys()].filter((name) => !names.has(name));
  return extra.length > 0
    ? `has ${extra.join(', ')}, which this trial's model has no place for (an untied head for a tied model?)`
    : null;
}

/** Fields of a model spec that lay out the objective rather than the network (t5's span corruption). */
const OBJECTIVE_FIELDS = ['input_len', 'target_len', 'noise_density', 'mean_span_length'];

/**
 * A model spec's network, defaults written out: t5 specs leave `tied_embeddings` out when it is true (and the specs
 * of one version wrote it true), and a dense model may be fine-tuned on another span layout.
 */
function network(model: object): Record<string, unknown> {
  const m: Record<string, unknown> = { ...model };
  for (const key of OBJECTIVE_FIELDS) delete m[key];
  if (m.family === 't5') m.tied_embeddings ??= true;
  return m;
}

/** The first field of two model specs that differs, as "key a where this trial's has b", or null. */
function modelDifference(from: Record<string, unknown>, to: Record<string, unknown>): string | null {
  for (const key of new Set([...Object.keys(to), ...Object.keys(from)])) {
    const [a, b] = [JSON.stringify(from[key]), JSON.stringify(to[key])];
    if (a !== b) return `${key} ${a ?? '(none)'} where this trial's has ${b ?? '(none)'}`;
  }
  return null;
}

/**
 * Pruning a pretrained dense model (the dense-to-sparse setting of Frantar et al. 2023, arXiv:2309.08520,
 * and Zhu & Gupta 2017, arXiv:1710.01878): start from a finished dense trial's final weights instead of a
 * random initialisation, prune by magnitude (at once by default; a cubic schedule prunes gradually) and train
 * on sparse for the trial's budget, reading the data on from where the dense trial stopped (its seed's order, see
 * data/shuffled-passes.ts), not its first examples again. The optimiser starts afresh.
 */
export const fromDense: Algorithm<FromDenseOptions> = {
  ...scorePruner<FromDenseOptions>({
    name: 'from-dense',
    summary:
      "prune a finished dense trial's weights by magnitude (one-shot at step 0 by default), then train",
    paper: 'https://arxiv.org/abs/2309.08520',
    options: options as unknown as z.ZodType<FromDenseOptions>,
    // at 0: the model is already trained, so prune before the first step and spend the budget fine-tuning
    defaultSchedule: { name: 'one-shot', at: 0 },
    score: magnitudeScores,
  }),
  initialWeights(o: FromDenseOptions): ReadonlyMap<string, Float32Array> {
    const p = readPretrained(o.weights);
    if (p.sha256 !== o.sha256) throw new Error(`${o.weights} has changed since this trial was planned`);
    return new Map([...p.params].map(([name, t]) => [name, t.data]));
  },
  layerMismatch,
};
