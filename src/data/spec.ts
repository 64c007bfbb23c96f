import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PathError } from '../errors.js';
import { loadBrown } from './brown.js';
import { syntheticCorpus } from './synthetic.js';
import { loadTextFile } from './text-file.js';
import type { TokenCorpus } from './types.js';

const fraction = z.number().gt(0).lt(0.5);
const count = z.number().int().positive();

/** The `data:` block of a config. */
export const dataConfigSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('brown'),
    /** Share of documents held out; 5% of Brown is 25 texts, ~300k validation tokens. */
    validation_fraction: fraction.default(0.05),
  }),
  z.strictObject({
    source: z.literal('text'),
    /** Path of a text file, relative to the config file. */
    path: z.string().min(1),
    validation_fraction: fraction.default(0.05),
    /** Split unit: about this many bytes, cut at a newline. */
    chunk_bytes: count.default(8192),
  }),
  z.strictObject({
    source: z.literal('synthetic'),
    vocab_size: z.number().int().min(2).max(65536).default(64),
    branching: z.number().int().min(1).default(4),
    train_tokens: count.default(1_000_000),
    validation_tokens: count.default(65_536),
    seed: z.number().int().default(1234),
  }),
]);
export type DataConfig = z.infer<typeof dataConfigSchema>;

/**
 * The data part of a trial spec. For a user file, `sha256` identifies the content (it is hashed into the
 * trial id); `path` only says where to read it and is left out of the id.
 */
export type DataSpec =
  | Extract<DataConfig, { source: 'brown' | 'synthetic' }>
  | (Extract<DataConfig, { source: 'text' }> & { sha256: string });

/** Resolves a data config (file paths relative to the config's directory). Errors are located PathErrors. */
export function resolveDataSpec(cfg: DataConfig, configDir: string): DataSpec {
  if (cfg.source !== 'text') return cfg;
  const path = resolve(configDir, cfg.path);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new PathError(['data', 'path'], `text file not found: ${path}`);
  }
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { ...cfg, path, sha256 };
}

/** Vocabulary size of a data spec without loading it (sizing needs it for the embedding count). */
export function vocabSizeOf(spec: DataSpec): number {
  return spec.source === 'synthetic' ? spec.vocab_size : 256;
}

/** Loads the token streams a data spec describes. */
export function loadCorpus(spec: DataSpec): TokenCorpus {
  switch (spec.source) {
    case 'brown':
      return loadBrown(spec.validation_fraction);
    case 'text':
      return loadTextFile(spec.path, spec.validation_fraction, spec.chunk_bytes);
    case 'synthetic':
      return syntheticCorpus({
        vocabSize: spec.vocab_size,
        branching: spec.branching,
        trainTokens: spec.train_tokens,
        validationTokens: spec.validation_tokens,
        seed: spec.seed,
      });
  }
}
