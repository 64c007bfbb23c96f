import { readFileSync } from 'node:fs';
import { heldOutCount } from '../data/images.js';
import { MNIST_DIGITS } from '../data/mnist.js';
import type { DataSpec } from '../data/spec.js';
import { splitStride } from '../data/split-stride.js';
import { heldOutImageCount, textStreamLengths } from '../data/stream-sizes.js';
import { type CutAt, textChunks } from '../data/text-file.js';
import { PathError } from '../errors.js';
import { families, type TextWindow } from '../models/registry.js';
import type { TrialPlan } from './plan.js';

/**
 * Checks at plan time that a data source can feed its family, so a split too small is a config error (exit 2,
 * nothing written) and not every trial failing when it loads its data: a text source holds at least one
 * example window in each split; MNIST holds out at least one digit (IDX and CIFAR-10 files are checked where
 * they are resolved; the synthetic image set's counts are positive by schema). Throws a PathError naming the
 * key to change.
 */
export function checkDataFeeds(data: DataSpec, window: TextWindow | null): true {
  if (data.source === 'mnist' && heldOutCount(MNIST_DIGITS, data.validation_fraction) === 0)
    throw new PathError(
      ['data', 'validation_fraction'],
      `holding out ${data.validation_fraction} of the ${MNIST_DIGITS} MNIST digits leaves none to validate on; give at least 0.0001`,
    );
  if (!window) return true;
  const need = { train: window.raw, validation: window.raw };
  const got = textStreamLengths(data, need);
  if (got.train >= need.train && got.validation >= need.validation) return true;
  const sizes = `after the split it has ${got.train} train and ${got.validation} validation tokens; each needs at least one example window of ${window.why}`;
  switch (data.source) {
    case 'text':
      throw new PathError(
        ['data', 'path'],
        `${data.path} is too short: ${sizes}${got.validation < need.validation ? ` (give more text, or a smaller data.chunk_bytes or larger data.validation_fraction: the split holds out whole chunks, each data.chunk_bytes ${data.chunk_bytes} bytes and on to the next ${data.cut_at === 'blank-line' ? 'blank line' : 'newline'})` : ''}`,
      );
    case 'brown':
      throw new PathError(
        ['data', 'validation_fraction'],
        `holding out ${data.validation_fraction} of the Brown texts is too little: ${sizes}`,
      );
    case 'synthetic':
      throw new PathError(
        ['data', got.validation < need.validation ? 'validation_tokens' : 'train_tokens'],
        `the synthetic source is too short: ${sizes}`,
      );
    default:
      return true;
  }
}

/** What a trial's fixed held-out set evaluates on, against what `train.eval_tokens` asks for. */
interface HeldOutSize {
  /** `eval.tokens` rounded down to whole examples (at least one): what the set holds when the split is large. */
  asked: number;
  /** What it holds: `asked`, or all the held-out split has when that is less. */
  got: number;
  unit: 'tokens' | 'images';
}

/**
 * The held-out set training builds from `data` ({@link validationBatches}, the span-corruption and image
 * sources) when `evalTokens` (`train.eval_tokens`) asks for it: that many units in whole examples, or every
 * whole example of the split when it has fewer. `window` is the text family's example, null for images.
 */
export function heldOutSize(data: DataSpec, evalTokens: number, window: TextWindow | null): HeldOutSize {
  if (!window) {
    const asked = Math.max(1, evalTokens);
    return { asked, got: Math.min(asked, heldOutImageCount(data)), unit: 'images' };
  }
  const windows = Math.max(1, Math.floor(evalTokens / window.units));
  const { validation } = textStreamLengths(data, { train: 0, validation: windows * window.raw });
  const got = Math.min(windows, Math.floor(validation / window.raw)) * window.units;
  return { asked: windows * window.units, got, unit: 'tokens' };
}

/**
 * A plan warning when `train.eval_tokens` asks for more than a trial's held-out split holds: its validation
 * losses are then measured on all of the split (each trial also logs what it evaluated on, `eval_units`).
 * Null when every trial's held-out set is as large as asked.
 */
export function heldOutWarning(trials: readonly TrialPlan[]): string | null {
  const sizes = new Map<string, HeldOutSize>();
  let worst: { trial: TrialPlan; size: HeldOutSize } | null = null;
  let short = 0;
  const gots = new Set<number>();
  for (const trial of trials) {
    const s = trial.spec;
    const window = families[s.model.family].textWindow?.(s.seq_len, s.model) ?? null;
    const key = JSON.stringify([s.data, s.eval.tokens, window]);
    const size = sizes.get(key) ?? heldOutSize(s.data, s.eval.tokens, window);
    sizes.set(key, size);
    if (size.got >= size.asked) continue;
    short++;
    gots.add(size.got);
    if (!worst || size.got < worst.size.got) worst = { trial, size };
  }
  if (!worst) return null;
  const { trial, size } = worst;
  const which =
    short < trials.length
      ? `${short} of ${trials.length} trials`
      : short === 1
        ? 'its trial'
        : `all ${short} trials`;
  return `train.eval_tokens ${trial.spec.eval.tokens} asks for more than the held-out split holds (${which}): validation losses are measured on all of it, ${gots.size > 1 ? 'as few as ' : ''}${size.got} ${size.unit}`;
}

/** What a split holds out, by source: the documents, chunks or images it takes every k-th of. */
const SPLIT_UNITS: Partial<Record<DataSpec['source'], string>> = {
  brown: 'Brown text',
  text: 'chunk of the file',
  mnist: 'digit',
  idx: 'image',
};

/** Why a split holds out another share than `data.validation_fraction` asks for. */
interface ShareOff {
  /** What the fraction holds out, in words. */
  text: string;
  /** The fraction is not of the form 1/k, and the split holds out every k-th unit: it is rounded to 1/k. */
  rounded: boolean;
  /** A text file of few chunks: a whole number of them is held out, further off than 1/k. */
  fewChunks: boolean;
}

/** Whether `share` is within 1% of `target`. */
const near = (share: number, target: number) => Math.abs(share - target) <= 0.01 * target;

/**
 * How the split of `count` units (null: many, as Brown's texts, MNIST's digits) holds out `fraction`, or null when it
 * holds out that share. `chunk`: a text file's chunk size, whose few chunks are named as the cause.
 */
function shareOff(fraction: number, unit: string, count: number | null, chunk?: number): ShareOff | null {
  const k = splitStride(fraction);
  const share = count === null ? 1 / k : heldOutCount(count, fraction) / count;
  if (near(share, fraction)) return null;
  const rounded = !near(1 / k, fraction);
  const fewChunks = count !== null && !near(share, 1 / k);
  const held =
    count === null ? '' : `${heldOutCount(count, fraction)} of ${fewChunks ? count : `its ${count}`}, `;
  const where = fewChunks ? `, which has only ${count} chunks of data.chunk_bytes ${chunk}, so ` : ', ';
  return {
    text: `${fraction} holds out every ${ordinal(k)} ${unit}${where}${held}${+share.toPrecision(3)} of them`,
    rounded,
    fewChunks,
  };
}

/**
 * A plan warning for each `data.validation_fraction` the split holds out by more than 1% off (it holds out every
 * k-th document, chunk or image: 1/k of them, {@link splitStride}), with the cause: a fraction not of the form 1/k
 * is rounded to one, and a text file of few chunks holds out a whole number of them. Null when every one is held out
 * as asked. An IDX source with validation files of its own splits nothing.
 */
export function heldOutShareWarning(trials: readonly TrialPlan[]): string | null {
  const off = new Map<string, ShareOff>();
  // every trial of a sweep names the same file: read it once
  const chunkCounts = new Map<string, number>();
  const chunksOf = (path: string, bytes: number, cutAt: CutAt) => {
    const key = `${bytes}|${cutAt}|${path}`;
    if (!chunkCounts.has(key)) chunkCounts.set(key, textChunks(readFileSync(path), bytes, cutAt).length);
    return chunkCounts.get(key)!;
  };
  for (const { spec } of trials) {
    const data = spec.data;
    const unit = SPLIT_UNITS[data.source];
    if (!unit || !('validation_fraction' in data)) continue;
    if (data.source === 'idx' && data.paths.validation_images) continue;
    const f = data.validation_fraction;
    // a text file's few chunks: the share of them held out, which 1/k is only of many
    const text = data.source === 'text' ? data : null;
    const chunks = text ? chunksOf(text.path, text.chunk_bytes, text.cut_at ?? 'line') : null;
    const key = `${f}|${chunks}|${text?.chunk_bytes}`;
    if (off.has(key)) continue;
    const o = shareOff(f, unit, chunks, text?.chunk_bytes);
    if (o) off.set(key, o);
  }
  if (off.size === 0) return null;
  const causes: string[] = [];
  if ([...off.values()].some((o) => o.rounded))
    causes.push(
      'the split holds out every k-th one, k = round(1 / fraction), so a fraction of the form 1/k (0.5, 0.25, 0.2, 0.1, 0.05) is held out as asked and others are rounded to one',
    );
  if ([...off.values()].some((o) => o.fewChunks))
    causes.push(
      'a whole number of chunks is held out, so with few of them the share is off the fraction; a smaller data.chunk_bytes or a larger file gets closer',
    );
  return `data.validation_fraction ${[...off.values()].map((o) => o.text).join('; ')}: ${causes.join('; ')}`;
}

/** 2 → "2nd", 3 → "3rd", 7 → "7th", 12 → "12th". */
export function ordinal(k: number): string {
  const teen = k % 100 >= 11 && k % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[k % 10] ?? 'th');
  return `${k}${suffix}`;
}
