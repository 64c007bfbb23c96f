import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type DataSpec, dataConfigSchema, resolveDataSpec } from '../../data/spec.js';
import { PathError, UsageError } from '../../errors.js';
import { describeShape, embeddingWords } from '../../models/describe.js';
import { families } from '../../models/registry.js';
import { SizingError } from '../../models/sizing.js';
import { countParams, prunableLayers } from '../../models/types.js';
import { expectedNonzero } from '../../sparsity/pruner.js';
import { resolvePrunerSpec } from '../../sparsity/spec.js';
import { flagNumber, fmt, parseHumanNumber } from '../../util/format.js';
import { describeZodIssue } from '../../util/issues.js';

export interface ModelsOptions {
  nonzero?: string;
  sparsity?: string;
  seqLen?: string;
  data?: string;
  /** `model:` options as "key=value", values read as YAML scalars. */
  set?: string[];
  json?: boolean;
}

/** The sizing flags given (`--nonzero`, `--sparsity`, `--seq-len`, `--data`), as written on the command line. */
function sizingFlags(opts: ModelsOptions): string[] {
  return [
    ...(['nonzero', 'sparsity', 'seqLen', 'data'] as const)
      .filter((k) => opts[k] !== undefined)
      .map((k) => `--${k === 'seqLen' ? 'seq-len' : k}`),
    ...((opts.set ?? []).length > 0 ? ['--set'] : []),
  ];
}

/**
 * The family's `model:` options with the `--set key=value` flags applied, validated by its schema as a config's
 * `model:` block is; a bad key or value is a UsageError naming the flag and what is valid.
 */
export function modelOptions(family: string, sets: readonly string[]): unknown {
  const schema = families[family].hparams;
  const valid = Object.keys((schema as unknown as { shape?: Record<string, unknown> }).shape ?? {}).filter(
    (k) => k !== 'family',
  );
  const raw: Record<string, unknown> = { family };
  for (const set of sets) {
    const eq = set.indexOf('=');
    const key = set.slice(0, eq).trim();
    if (eq <= 0 || key === 'family')
      throw new UsageError(
        `--set ${set}: expected key=value with one of the ${family} family's model options (${valid.join(', ')}), e.g. --set ${valid[0]}=...`,
      );
    let value: unknown;
    try {
      value = parseYaml(set.slice(eq + 1));
    } catch (e) {
      throw new UsageError(`--set ${set}: the value is not a YAML scalar (${(e as Error).message})`);
    }
    raw[key] = value;
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : String(issue.path[0] ?? '');
  throw new UsageError(
    `--set ${key}: ${describeZodIssue(issue, raw[key], valid)} (model options of ${family})`,
  );
}

/** `sparsebench models [family] [--nonzero N --sparsity S]`: the families, or the shape sizing gives. */
export async function modelsCommand(family: string | undefined, opts: ModelsOptions): Promise<number> {
  if (!family) {
    const sizing = sizingFlags(opts);
    if (sizing.length > 0)
      throw new UsageError(
        `${sizing.join(', ')} ${sizing.length === 1 ? 'sizes' : 'size'} a model of one family: name it, e.g. sparsebench models lm ${sizing.includes('--nonzero') ? `--nonzero ${opts.nonzero}` : '--nonzero 200k'}; families: ${Object.keys(families).join(', ')}`,
      );
    return listFamilies(opts.json);
  }
  const entry = families[family];
  if (!entry)
    throw new UsageError(`unknown model family "${family}"; valid: ${Object.keys(families).join(', ')}`);
  if (opts.nonzero === undefined) {
    const sizing = sizingFlags(opts);
    if (sizing.length > 0)
      throw new UsageError(
        `${sizing.join(', ')} ${sizing.length === 1 ? 'sizes' : 'size'} a model: give --nonzero N too (e.g. --nonzero 200k), or leave them out to list the ${family} family's options`,
      );
    return listFamilies(opts.json, family);
  }
  const nonzero = parseHumanNumber(opts.nonzero);
  if (nonzero === null || nonzero <= 0)
    throw new UsageError(`--nonzero ${opts.nonzero}: expected a number > 0, e.g. 200k`);
  const sparsity = opts.sparsity === undefined ? 0 : flagNumber(opts.sparsity);
  if (!(sparsity >= 0 && sparsity < 1))
    throw new UsageError(`--sparsity ${opts.sparsity}: expected a number in [0, 1)`);
  if (!entry.seqLen && opts.seqLen !== undefined)
    throw new UsageError(
      `--seq-len: the ${family} family does not read it (an image is one sequence of its patches)`,
    );
  const seqLen = opts.seqLen === undefined ? 64 : flagNumber(opts.seqLen);
  const min = Math.max(2, entry.seqLen?.min ?? 2);
  if (!Number.isInteger(seqLen) || seqLen < min)
    throw new UsageError(
      `--seq-len ${opts.seqLen}: expected a whole number >= ${min}${entry.seqLen && entry.seqLen.min > 2 ? ` for ${family} (${entry.seqLen.why})` : ''}`,
    );
  const source = opts.data ?? entry.dataSources[0];
  if (!entry.dataSources.includes(source)) {
    throw new UsageError(`--data ${source}: the ${family} family trains on ${entry.dataSources.join(', ')}`);
  }
  const hparams = modelOptions(family, opts.set ?? []);
  let shape: unknown;
  try {
    shape = entry.size(nonzero, sparsity, hparams, { data: dataFor(source), seqLen });
  } catch (e) {
    if (e instanceof SizingError) throw new UsageError(e.message);
    // a model option's problem, named by the flag that set it (or as the family's default when none did)
    if (e instanceof PathError && e.path[0] === 'model') {
      const key = String(e.path[1]);
      const given = (opts.set ?? []).find((s) => s.slice(0, s.indexOf('=')).trim() === key);
      throw new UsageError(`${given ? `--set ${given}` : `${key} (the ${family} default)`}: ${e.message}`);
    }
    throw e;
  }
  const infos = entry.model.params(shape);
  const counts = countParams(infos);
  const pruner = resolvePrunerSpec({ name: 'gmp', options: {} }, sparsity);
  const achieved = expectedNonzero(pruner, prunableLayers(infos), sparsity);
  const doc = {
    family,
    sparsity,
    requested_nonzero_params: nonzero,
    nonzero_params: achieved,
    dense_params: counts.prunable,
    total_params: counts.total,
    embedding_params: counts.embedding,
    shape,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const err = ((achieved - nonzero) / nonzero) * 100;
    process.stdout.write(
      [
        describeShape(shape as Parameters<typeof describeShape>[0]),
        `non-zero ${achieved} (asked ${fmt(nonzero)}, ${err >= 0 ? '+' : ''}${err.toFixed(2)}%) of ${counts.prunable} dense prunable parameters at sparsity ${sparsity}`,
        `total ${counts.total} parameters, ${embeddingWords(counts.embedding, counts.head)} (not in N); D counts ${entry.unit}`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

/** A data spec good enough for sizing: geometry and vocabulary, no files read (CIFAR-10's are fixed). */
function dataFor(source: string): DataSpec {
  if (source === 'cifar10') return { source: 'cifar10', dir: '', sha256: '' };
  // a text file is read as bytes: its vocabulary is 256 whatever the file, so no file is needed to size
  if (source === 'text')
    return {
      ...(dataConfigSchema.parse({ source, path: '(any text file)' }) as { source: 'text' }),
      sha256: '',
    } as DataSpec;
  const cfg = dataConfigSchema.safeParse({ source });
  if (!cfg.success)
    throw new UsageError(`--data ${source}: needs its files; size with a config instead (sweep --dry-run)`);
  return resolveDataSpec(cfg.data, process.cwd());
}

/** The families (or only `only`) with their descriptions and `model:` options. */
function listFamilies(json?: boolean, only?: string): number {
  const rows = Object.entries(families)
    .filter(([name]) => only === undefined || name === only)
    .map(([name, e]) => ({
      name,
      description: e.model.description,
      unit: e.unit,
      data_sources: e.dataSources,
      options: defaults(e.hparams, name),
    }));
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const r of rows) {
    const opts = Object.entries(r.options)
      .filter(([k]) => k !== 'family')
      .map(([k, v]) => `${k}=${v === undefined ? '(auto)' : v}`)
      .join(' ');
    process.stdout.write(
      `${r.name}  ${r.description}\n  D counts ${r.unit}; data: ${r.data_sources.join(', ')}\n  model options: ${opts}\n\n`,
    );
  }
  return 0;
}

/** Every option of a family's `model:` block with its default (undefined for computed ones). */
function defaults(schema: z.ZodType, family: string): Record<string, unknown> {
  const parsed = schema.parse({ family }) as Record<string, unknown>;
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return Object.fromEntries(Object.keys(shape).map((k) => [k, parsed[k]]));
}
