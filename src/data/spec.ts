import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PathError } from '../errors.js';
import { human } from '../util/human-schema.js';
import { seedSchema } from '../util/seed-schema.js';
import { loadBrown } from './brown.js';
import {
  checkIdxPair,
  cifarFiles,
  cifarLabelProblem,
  cifarRecordCount,
  IdxError,
  readCifarBatches,
  readIdx,
} from './idx-cifar.js';
import { heldOutCount, type ImageData, splitImages } from './images.js';
import { loadMnist } from './mnist.js';
import { syntheticCorpus } from './synthetic.js';
import { syntheticImages } from './synthetic-images.js';
import { loadTextFile } from './text-file.js';
import type { TokenCorpus } from './types.js';

const fraction = human().pipe(z.number().gt(0).lt(0.5));
/** The share of an IDX set's training files held out when it names no validation files. */
const IDX_VALIDATION_FRACTION = 0.1;
/** A whole number of tokens, images or bytes: 1M, 65_536 and 2k are read as elsewhere in a config. */
const count = human().pipe(z.number().int().positive());
const wholeNumber = () => human().pipe(z.number().int());

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
    /** Split unit: about this many bytes, cut at a newline (or a blank line, see cut_at). */
    chunk_bytes: count.default(8192),
    /**
     * Where a chunk ends once it holds chunk_bytes: at the next line end (`line`), or at the next blank line
     * (`blank-line`: documents separated by blank lines stay whole, each in one split, however long).
     */
    cut_at: z.enum(['line', 'blank-line']).default('line'),
  }),
  z
    .strictObject({
      source: z.literal('synthetic'),
      vocab_size: wholeNumber().pipe(z.number().min(2).max(65536)).default(64),
      branching: wholeNumber().pipe(z.number().min(1)).default(4),
      train_tokens: count.default(1_000_000),
      validation_tokens: count.default(65_536),
      seed: seedSchema().default(1234),
    })
    .superRefine((d, ctx) => {
      // a vocab_size out of range is said on its own
      if (d.vocab_size >= 2 && d.branching > d.vocab_size)
        ctx.addIssue({
          code: 'custom',
          path: ['branching'],
          message: `each token has \`branching\` (${d.branching}) possible successors among the vocab_size tokens: give at most vocab_size (${d.vocab_size})`,
        });
    }),
  z.strictObject({
    source: z.literal('mnist'),
    /** Share of images held out (10% of the ~10,000 shipped digits). */
    validation_fraction: fraction.default(0.1),
  }),
  z.strictObject({
    source: z.literal('idx'),
    /** IDX image and label files (MNIST format), relative to the config file. */
    train_images: z.string().min(1),
    train_labels: z.string().min(1),
    /** Held-out files; when absent, validation_fraction of the training files is held out. */
    validation_images: z.string().min(1).optional(),
    validation_labels: z.string().min(1).optional(),
    validation_fraction: fraction.default(IDX_VALIDATION_FRACTION),
  }),
  z.strictObject({
    source: z.literal('cifar10'),
    /** Folder of the CIFAR-10 binary version: data_batch_1..5.bin and test_batch.bin (held out). */
    dir: z.string().min(1),
  }),
  z.strictObject({
    source: z.literal('synthetic-images'),
    classes: wholeNumber().pipe(z.number().min(2)).default(4),
    size: wholeNumber().pipe(z.number().min(2)).default(8),
    label_noise: z.number().min(0).lt(1).default(0.1),
    train_images: count.default(20_000),
    validation_images: count.default(2_000),
    seed: seedSchema().default(1234),
  }),
]);
export type DataConfig = z.infer<typeof dataConfigSchema>;

/** Data sources of text and of images. */
export const TEXT_SOURCES = ['brown', 'text', 'synthetic'] as const;
export const IMAGE_SOURCES = ['mnist', 'idx', 'cifar10', 'synthetic-images'] as const;

/**
 * The data part of a trial spec. For a user file, `sha256` identifies the content (it is hashed into the
 * trial id); `path` only says where to read it and is left out of the id.
 */
export type DataSpec =
  | Extract<DataConfig, { source: 'brown' | 'synthetic' | 'mnist' | 'synthetic-images' }>
  | (Extract<DataConfig, { source: 'text' }> & { sha256: string })
  | { source: 'idx'; validation_fraction: number; sha256: string; paths: IdxPaths }
  | { source: 'cifar10'; dir: string; sha256: string };

/** Absolute paths of an IDX data set. */
export interface IdxPaths {
  train_images: string;
  train_labels: string;
  validation_images?: string;
  validation_labels?: string;
}

/** An existing file, resolved against the config's directory, or a PathError at `key`. */
function existingFile(configDir: string, path: string, key: string, what: string): string {
  const abs = resolve(configDir, path);
  if (!existsSync(abs)) throw new PathError(['data', key], `${what} not found: ${abs}`);
  if (!statSync(abs).isFile())
    throw new PathError(
      ['data', key],
      `${what} ${abs} is ${statSync(abs).isDirectory() ? 'a directory' : 'not a regular file (a device or a pipe?)'}; give the path of a file`,
    );
  return abs;
}

/** Hashes already computed in this process, by files and their size and modification time. */
const hashed = new Map<string, string>();

/**
 * SHA-256 over the contents of several files, in order. Remembered per process while every file keeps its size
 * and modification time, so planning many variants, and a worker loading the same files for trial after
 * trial, read and hash them once.
 */
function hashFiles(paths: readonly string[]): string {
  const key = paths
    .map((p) => {
      const st = statSync(p);
      return `${p}\0${st.size}\0${st.mtimeMs}`;
    })
    .join('\0');
  const known = hashed.get(key);
  if (known) return known;
  const h = createHash('sha256');
  for (const p of paths) h.update(readFileSync(p));
  const digest = h.digest('hex');
  hashed.set(key, digest);
  return digest;
}

/** Resolves a data config (file paths relative to the config's directory). Errors are located PathErrors. */
export function resolveDataSpec(cfg: DataConfig, configDir: string): DataSpec {
  switch (cfg.source) {
    case 'text': {
      const path = existingFile(configDir, cfg.path, 'path', 'text file');
      return { ...cfg, path, sha256: hashFiles([path]) };
    }
    case 'idx': {
      if ((cfg.validation_images === undefined) !== (cfg.validation_labels === undefined)) {
        throw new PathError(
          ['data', cfg.validation_images ? 'validation_labels' : 'validation_images'],
          'give both validation_images and validation_labels, or neither',
        );
      }
      const paths: IdxPaths = {
        train_images: existingFile(configDir, cfg.train_images, 'train_images', 'IDX image file'),
        train_labels: existingFile(configDir, cfg.train_labels, 'train_labels', 'IDX label file'),
      };
      if (cfg.validation_images && cfg.validation_labels) {
        // read only to split the training files: another value would give trials that train alike two ids
        if (cfg.validation_fraction !== IDX_VALIDATION_FRACTION)
          throw new PathError(
            ['data', 'validation_fraction'],
            'is not read when validation_images and validation_labels give the held-out set; leave it out',
          );
        paths.validation_images = existingFile(
          configDir,
          cfg.validation_images,
          'validation_images',
          'IDX image file',
        );
        paths.validation_labels = existingFile(
          configDir,
          cfg.validation_labels,
          'validation_labels',
          'IDX label file',
        );
        // by content, not name: a copy of the training images is no held-out set either
        if (hashFiles([paths.validation_images]) === hashFiles([paths.train_images]))
          throw new PathError(
            ['data', 'validation_images'],
            'holds the same images as train_images, so its loss would be the training loss; give held-out images, or leave validation_images and validation_labels out to hold out validation_fraction of the training files',
          );
      }
      checkIdxFiles(paths, cfg.validation_fraction);
      return {
        source: 'idx',
        validation_fraction: cfg.validation_fraction,
        paths,
        sha256: hashFiles(idxFiles(paths)),
      };
    }
    case 'cifar10': {
      const dir = resolve(configDir, cfg.dir);
      const { train, test } = cifarFiles(dir);
      for (const f of [...train, ...test]) {
        if (!existsSync(f)) throw new PathError(['data', 'dir'], `CIFAR-10 binary file not found: ${f}`);
        try {
          cifarRecordCount(f);
        } catch (e) {
          throw new PathError(['data', 'dir'], (e as Error).message);
        }
        const problem = cifarLabelProblem(f);
        if (problem) throw new PathError(['data', 'dir'], problem);
      }
      return { source: 'cifar10', dir, sha256: hashFiles([...train, ...test]) };
    }
    default:
      return cfg;
  }
}

/**
 * An IDX set as training will read it, checked at plan time so a bad file is a config error (exit 2, nothing
 * written) rather than every trial failing: each pair well formed, and held-out images of the training
 * images' size with labels among their classes.
 */
function checkIdxFiles(p: IdxPaths, validationFraction: number): void {
  const pair = (images: string, labels: string, keys: [string, string]) => {
    try {
      return checkIdxPair(images, labels);
    } catch (e) {
      if (e instanceof IdxError)
        throw new PathError(['data', e.role === 'images' ? keys[0] : keys[1]], e.message);
      throw e;
    }
  };
  const train = pair(p.train_images, p.train_labels, ['train_images', 'train_labels']);
  if (!p.validation_images || !p.validation_labels) {
    const held = heldOutCount(train.count, validationFraction);
    if (held === 0 || held === train.count)
      throw new PathError(
        ['data', 'validation_fraction'],
        `holding out ${validationFraction} of the ${train.count} images of ${p.train_images} leaves ${held} to validate on and ${train.count - held} to train on; each needs at least one (give more images, or validation_images and validation_labels)`,
      );
    return;
  }
  const val = pair(p.validation_images, p.validation_labels, ['validation_images', 'validation_labels']);
  if (val.height !== train.height || val.width !== train.width)
    throw new PathError(
      ['data', 'validation_images'],
      `${p.validation_images} holds ${val.height}×${val.width} images, the training images are ${train.height}×${train.width}: both sets need one size`,
    );
  if (val.classes > train.classes)
    throw new PathError(
      ['data', 'validation_labels'],
      `${p.validation_labels} has label ${val.classes - 1}, but the training labels use classes 0-${train.classes - 1}`,
    );
}

/** An IDX set's files in the order their contents are hashed. */
function idxFiles(p: IdxPaths): string[] {
  return [p.train_images, p.train_labels, p.validation_images, p.validation_labels].filter(
    (f): f is string => f !== undefined,
  );
}

/** A trial's data files changed since it was planned, or cannot be read now: not the trial's own failure. */
export class DataUnavailableError extends Error {
  override name = 'DataUnavailableError';
}

/**
 * Checks that a user's data files still hold the content the trial was planned with (`sha256`, part of its
 * id), so a file edited or replaced after planning (between `plan` and a cluster task, during a long sweep,
 * before a resume) cannot put results under an id that names other data. No-op for the shipped sources.
 */
export function assertDataUnchanged(spec: DataSpec): void {
  if (spec.source !== 'text' && spec.source !== 'idx' && spec.source !== 'cifar10') return;
  const files =
    spec.source === 'text'
      ? [spec.path]
      : spec.source === 'idx'
        ? idxFiles(spec.paths)
        : (({ train, test }) => [...train, ...test])(cifarFiles(spec.dir));
  let now: string;
  try {
    now = hashFiles(files);
  } catch (e) {
    throw new DataUnavailableError(`data for this trial cannot be read: ${(e as Error).message}`);
  }
  if (now !== spec.sha256) {
    throw new DataUnavailableError(
      `data changed since this trial was planned: ${files.join(', ')} now ${files.length === 1 ? 'hashes' : 'hash'} to ${now.slice(0, 12)}…, the trial's data was ${spec.sha256.slice(0, 12)}…; restore the file and retry (sweep or run-trial with --retry-failed), or run the sweep (or plan) again to make trials for the new content`,
    );
  }
}

/** Vocabulary size of a data spec without loading it (sizing needs it for the embedding count). */
export function vocabSizeOf(spec: DataSpec): number {
  return spec.source === 'synthetic' ? spec.vocab_size : 256;
}

/** Loads the token streams a data spec describes. */
export function loadCorpus(spec: DataSpec): TokenCorpus {
  assertDataUnchanged(spec);
  switch (spec.source) {
    case 'brown':
      return loadBrown(spec.validation_fraction);
    case 'text':
      return loadTextFile(spec.path, spec.validation_fraction, spec.chunk_bytes, spec.cut_at);
    case 'synthetic':
      return syntheticCorpus({
        vocabSize: spec.vocab_size,
        branching: spec.branching,
        trainTokens: spec.train_tokens,
        validationTokens: spec.validation_tokens,
        seed: spec.seed,
      });
    default:
      throw new Error(`${spec.source} is image data, not text`);
  }
}

/** Image geometry and classes of an image data spec, read without loading the pixels where possible. */
export function imageGeometry(spec: DataSpec): {
  height: number;
  width: number;
  channels: number;
  classes: number;
} {
  switch (spec.source) {
    case 'mnist':
      return { height: 28, width: 28, channels: 1, classes: 10 };
    case 'cifar10':
      return { height: 32, width: 32, channels: 3, classes: 10 };
    case 'synthetic-images':
      return { height: spec.size, width: spec.size, channels: 1, classes: spec.classes };
    case 'idx': {
      // the classes the first `count` labels use, as training reads them (not bytes past the header's count)
      const h = checkIdxPair(spec.paths.train_images, spec.paths.train_labels);
      return { height: h.height, width: h.width, channels: 1, classes: h.classes };
    }
    default:
      throw new Error(`${spec.source} is text data, not images`);
  }
}

/** Loads the train and held-out images an image data spec describes. */
export function loadImages(spec: DataSpec): ImageData {
  assertDataUnchanged(spec);
  switch (spec.source) {
    case 'mnist':
      return loadMnist(spec.validation_fraction);
    case 'synthetic-images':
      return syntheticImages({
        classes: spec.classes,
        size: spec.size,
        labelNoise: spec.label_noise,
        trainImages: spec.train_images,
        validationImages: spec.validation_images,
        seed: spec.seed,
      });
    case 'idx': {
      const p = spec.paths;
      const all = readIdx(p.train_images, p.train_labels);
      const { train, validation } =
        p.validation_images && p.validation_labels
          ? { train: all, validation: readIdx(p.validation_images, p.validation_labels) }
          : splitImages(all, spec.validation_fraction);
      return {
        train,
        validation,
        entropyFloor: null,
        description: `IDX images ${p.train_images}: ${train.count} train, ${validation.count} validation`,
      };
    }
    case 'cifar10': {
      const f = cifarFiles(spec.dir);
      const train = readCifarBatches(f.train);
      const validation = readCifarBatches(f.test);
      return {
        train,
        validation,
        entropyFloor: null,
        description: `CIFAR-10 ${spec.dir}: ${train.count} train, ${validation.count} test`,
      };
    }
    default:
      throw new Error(`${spec.source} is text data, not images`);
  }
}
