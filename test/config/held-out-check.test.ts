import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  heldOutShareWarning,
  heldOutSize,
  heldOutWarning,
  ordinal,
} from '../../src/config/held-out-check.js';
import { loadSweep } from '../../src/config/load.js';
import { planWarnings } from '../../src/config/plan-warnings.js';
import { BROWN_MIN_TEXT_TOKENS, brownDir, brownFiles, detagBrown, loadBrown } from '../../src/data/brown.js';
import { loadMnist, MNIST_DIGITS } from '../../src/data/mnist.js';
import { dataConfigSchema, resolveDataSpec } from '../../src/data/spec.js';
import { heldOutImageCount, textStreamLengths } from '../../src/data/stream-sizes.js';
import { splitDocuments } from '../../src/data/types.js';
import { families } from '../../src/models/registry.js';
import { planOf, tempDir, writeConfig } from '../helpers/config.js';

const sweep = (unit: string) => `sweep: {sparsity: 0, nonzero_params: 6000, tokens: ${unit}}\n`;

/** Plan-time held-out size of a planned trial against what its family's batch source builds in training. */
function bothSizes(config: string): { plan: number; training: number } {
  const [trial] = planOf(config).trials;
  const s = trial.spec;
  const family = families[s.model.family];
  const window = family.textWindow?.(s.seq_len, s.model) ?? null;
  return { plan: heldOutSize(s.data, s.eval.tokens, window).got, training: family.source(s).heldOutUnits };
}

describe('held-out size at plan time', () => {
  it('is what lm and t5 training evaluate on, for any split and eval_tokens', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('lm', 't5'),
        fc.integer({ min: 4, max: 40 }),
        fc.integer({ min: 100, max: 3000 }),
        fc.integer({ min: 1, max: 5000 }),
        (family, seqLen, validation, evalTokens) => {
          const { raw } = families[family].textWindow!(seqLen, { noise_density: 0.15, mean_span_length: 3 });
          fc.pre(validation >= raw);
          const sizes = bothSizes(
            `name: h\nmodel: {family: ${family}}\n` +
              `data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 4000, validation_tokens: ${validation}}\n` +
              `train: {batch_size: 8, seq_len: ${seqLen}, eval_tokens: ${evalTokens}}\n${sweep('4096')}`,
          );
          expect(sizes.plan).toBe(sizes.training);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('is what vit training evaluates on, for any held-out image count and eval_tokens', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 500 }),
        (validation, evalTokens) => {
          const sizes = bothSizes(
            `name: h\nmodel: {family: vit, patch_size: 4}\n` +
              `data: {source: synthetic-images, size: 8, train_images: 50, validation_images: ${validation}}\n` +
              `train: {batch_size: 8, eval_tokens: ${evalTokens}}\n${sweep('64')}`,
          );
          expect(sizes.plan).toBe(sizes.training);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('is what training evaluates on for a text file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'the quick brown fox jumps over the lazy dog\n'.repeat(400));
    for (const family of ['lm', 't5']) {
      const text = `name: h\nmodel: {family: ${family}}\ndata: {source: text, path: c.txt, chunk_bytes: 256}\ntrain: {batch_size: 4, seq_len: 24, eval_tokens: 100000}\n${sweep('2048')}`;
      const [trial] = loadSweep(writeConfig(text, `${family}.yaml`, dir)).trials;
      const s = trial.spec;
      const f = families[family];
      const window = f.textWindow?.(s.seq_len, s.model) ?? null;
      expect(heldOutSize(s.data, s.eval.tokens, window).got).toBe(f.source(s).heldOutUnits);
    }
  });
});

describe('stream lengths without loading the data', () => {
  it('every Brown text is at least BROWN_MIN_TEXT_TOKENS byte tokens once detagged', () => {
    const shortest = Math.min(
      ...brownFiles().map((f) => Buffer.byteLength(detagBrown(readFileSync(join(brownDir(), f), 'utf8')))),
    );
    expect(shortest).toBeGreaterThanOrEqual(BROWN_MIN_TEXT_TOKENS);
  });

  it("Brown's bounds are at most the real lengths, and exact when asked for more", () => {
    for (const f of [0.05, 0.2]) {
      const spec = resolveDataSpec(dataConfigSchema.parse({ source: 'brown', validation_fraction: f }), '.');
      const real = loadBrown(f);
      const floor = textStreamLengths(spec, { train: 1, validation: 1 });
      expect(floor.train).toBeLessThanOrEqual(real.train.length);
      expect(floor.validation).toBeLessThanOrEqual(real.validation.length);
      expect(floor.validation).toBeGreaterThan(0);
      expect(textStreamLengths(spec, { train: 0, validation: 1e9 })).toEqual({
        train: real.train.length,
        validation: real.validation.length,
      });
    }
  });

  it('MNIST_DIGITS is how many digits the package ships, and held-out counts match the split', () => {
    for (const f of [0.1, 0.0003]) {
      const data = loadMnist(f);
      expect(data.train.count + data.validation.count).toBe(MNIST_DIGITS);
      const spec = resolveDataSpec(dataConfigSchema.parse({ source: 'mnist', validation_fraction: f }), '.');
      expect(heldOutImageCount(spec)).toBe(data.validation.count);
    }
  });
});

describe('the plan warning', () => {
  it('names eval_tokens, the trials it concerns and the smallest set', () => {
    const plan = planOf(
      'name: h\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}\n' +
        'train: {batch_size: 8, seq_len: 16, eval_tokens: 16384}\nsweep: {sparsity: [0, 0.5], nonzero_params: 2k, tokens: 2048}\n',
    );
    // 2,000 held-out tokens make 117 windows of 16 + 1: 1,872 tokens to evaluate on, fewer than the 16,384 asked
    expect(heldOutWarning(plan.trials)).toBe(
      'train.eval_tokens 16384 asks for more than the held-out split holds (all 2 trials): validation losses are measured on all of it, 1872 tokens',
    );
    expect(planWarnings(plan)).toContain(heldOutWarning(plan.trials));
  });

  it('is silent when the split holds what is asked, rounded down to whole windows', () => {
    // 1,000 asked at seq_len 16 is 62 windows = 992 tokens; the split has 117
    const plan = planOf(
      'name: h\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}\n' +
        'train: {batch_size: 8, seq_len: 16, eval_tokens: 1000}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: 2048}\n',
    );
    expect(heldOutWarning(plan.trials)).toBeNull();
  });

  it('counts only the trials whose split is short, and says when sets differ', () => {
    const plan = planOf(
      'name: h\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}\n' +
        'train: {batch_size: 8, eval_tokens: 1600, seq_len: [8, 16, 199]}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: 4000}\n',
    );
    // seq_len 8: 200 of 222 windows of 9 -> 1,600 as asked; 16: 100 of 117 windows of 17; 199: 8 of 10 windows of 200
    expect(heldOutWarning(plan.trials)).toBeNull();
    const short = planOf(
      'name: h\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 1700}\n' +
        'train: {batch_size: 8, eval_tokens: 1600, seq_len: [8, 12, 16]}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: 4000}\n',
    );
    // 8: 188 windows of 9 held -> 1,504 of 1,600 asked; 12: 130 of 13 -> 1,560 of 1,596; 16: 100 of 17 -> 1,600 as asked
    expect(heldOutWarning(short.trials)).toBe(
      'train.eval_tokens 1600 asks for more than the held-out split holds (2 of 3 trials): validation losses are measured on all of it, as few as 1504 tokens',
    );
    // the smallest set named wherever its trial is in the plan: seq_len 8 (1,504 tokens) after 12 (1,560)
    const later = planOf(
      'name: h\ndata: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 1700}\n' +
        'train: {batch_size: 8, eval_tokens: 1600, seq_len: [12, 8, 16]}\nsweep: {sparsity: 0, nonzero_params: 2k, tokens: 4000}\n',
    );
    expect(later.trials.map((t) => t.spec.seq_len)).toEqual([12, 8, 16]);
    expect(heldOutWarning(later.trials)).toBe(
      'train.eval_tokens 1600 asks for more than the held-out split holds (2 of 3 trials): validation losses are measured on all of it, as few as 1504 tokens',
    );
  });
});

describe('the held-out share', () => {
  it('warns when the split rounds validation_fraction (every k-th document), and not for one of the form 1/k', () => {
    const config = (f: number) =>
      `name: share\ndata: {source: brown, validation_fraction: ${f}}\n${sweep('100k')}`;
    expect(heldOutShareWarning(planOf(config(0.05)).trials)).toBeNull();
    expect(heldOutShareWarning(planOf(config(0.25)).trials)).toBeNull();
    const warning = heldOutShareWarning(planOf(config(0.45)).trials);
    expect(warning).toMatch(
      /^data\.validation_fraction 0\.45 holds out every 2nd Brown text, 0\.5 of them: /,
    );
    // what the split really holds out: 250 of the 500 texts, and 71 at 0.15 (every 7th from the 4th: 1/7, not 75)
    expect(splitDocuments(brownFiles(), 0.45).validation).toHaveLength(250);
    expect(splitDocuments(brownFiles(), 0.15).validation).toHaveLength(71);
    expect(planWarnings(planOf(config(0.15)))).toContainEqual(
      expect.stringMatching(
        /^data\.validation_fraction 0\.15 holds out every 7th Brown text, 0\.143 of them/,
      ),
    );
  });

  it("gives a text file's share of its own chunks, which 1/k is only of many, and says so", () => {
    const dir = tempDir();
    // 5 chunks of 8 KiB (no newlines: each ends at its byte count)
    writeFileSync(join(dir, 'small.txt'), 'x'.repeat(5 * 8192));
    const config = (f: number, file = 'small.txt', bytes = 8192) =>
      `name: share\ndata: {source: text, path: ${file}, validation_fraction: ${f}, chunk_bytes: ${bytes}}\n${sweep('10k')}`;
    const plan = (f: number, file?: string, bytes?: number) =>
      loadSweep(writeConfig(config(f, file, bytes), 'c.yaml', dir));
    const rounding =
      'the split holds out every k-th one, k = round(1 / fraction), so a fraction of the form 1/k (0.5, 0.25, 0.2, 0.1, 0.05) is held out as asked and others are rounded to one';
    const fewChunks =
      'a whole number of chunks is held out, so with few of them the share is off the fraction; a smaller data.chunk_bytes or a larger file gets closer';
    // 0.25 is of the form 1/k: every 4th chunk from the 3rd, 1 of the 5 (0.2); the few chunks are the cause, not rounding
    expect(heldOutShareWarning(plan(0.25).trials)).toBe(
      `data.validation_fraction 0.25 holds out every 4th chunk of the file, which has only 5 chunks of data.chunk_bytes 8192, so 1 of 5, 0.2 of them: ${fewChunks}`,
    );
    // 0.15: every 7th chunk from the 4th, 1 of the 5 (0.2), where 1/7 would read 0.143: both causes
    expect(heldOutShareWarning(plan(0.15).trials)).toBe(
      `data.validation_fraction 0.15 holds out every 7th chunk of the file, which has only 5 chunks of data.chunk_bytes 8192, so 1 of 5, 0.2 of them: ${rounding}; ${fewChunks}`,
    );
    expect(heldOutShareWarning(plan(0.2).trials)).toBeNull();
    // 700 chunks of 64 bytes: every 7th from the 4th is 100 of them, 1/7 exactly: rounding alone
    writeFileSync(join(dir, 'many.txt'), 'x'.repeat(700 * 64));
    expect(heldOutShareWarning(plan(0.15, 'many.txt', 64).trials)).toBe(
      `data.validation_fraction 0.15 holds out every 7th chunk of the file, 100 of its 700, 0.143 of them: ${rounding}`,
    );
    expect(heldOutShareWarning(plan(0.05, 'many.txt', 64).trials)).toBeNull();
  });
});

describe('ordinals in the held-out share warning', () => {
  it('say 1st, 2nd, 3rd, 4th, and 11th-13th, 21st, 112th as English does', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 20, 21, 22, 23, 101, 111, 112].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '20th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ]);
  });
});
