import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TrialPlan } from '../../src/config/plan.js';
import { checkIdxPair, readCifarBatches, readIdx } from '../../src/data/idx-cifar.js';
import { heldOutCount, splitImages } from '../../src/data/images.js';
import { labelGapWarnings, unusedLabels } from '../../src/data/label-gaps.js';
import { dataConfigSchema, imageGeometry, resolveDataSpec } from '../../src/data/spec.js';
import { heldOutImageCount } from '../../src/data/stream-sizes.js';
import { PathError } from '../../src/errors.js';
import { tempDir } from '../helpers/config.js';

/** Writes an IDX image file of `n` images h×w (header count `headerN`, default n) and returns its path. */
function images(dir: string, name: string, n: number, h: number, w: number, headerN = n): string {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(headerN, 4);
  head.writeUInt32BE(h, 8);
  head.writeUInt32BE(w, 12);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([head, Buffer.alloc(n * h * w, 7)]));
  return path;
}

/** Writes an IDX label file whose header counts `headerN` (default all) of `labels`. */
function labels(dir: string, name: string, values: number[], headerN = values.length): string {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x801, 0);
  head.writeUInt32BE(headerN, 4);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([head, Buffer.from(values)]));
  return path;
}

/** The error resolving an idx data config in `dir` throws, as "key: message". */
function resolveError(dir: string, data: Record<string, unknown>): string {
  try {
    resolveDataSpec(dataConfigSchema.parse({ source: 'idx', ...data }), dir);
  } catch (e) {
    if (e instanceof PathError) return `${e.path.join('.')}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('IDX files checked before training', () => {
  it('reads a pair from its headers and labels: geometry and the classes of the counted labels only', () => {
    const dir = tempDir();
    const img = images(dir, 'a.img', 3, 4, 5);
    // a label file longer than its header: bytes past the count are not labels
    const lab = labels(dir, 'a.lab', [0, 2, 1, 9, 9], 3);
    expect(checkIdxPair(img, lab)).toEqual({ count: 3, height: 4, width: 5, classes: 3 });
    expect(readIdx(img, lab).classes).toBe(3);
    const spec = resolveDataSpec(
      dataConfigSchema.parse({
        source: 'idx',
        train_images: 'a.img',
        train_labels: 'a.lab',
        validation_fraction: 0.4,
      }),
      dir,
    );
    expect(imageGeometry(spec).classes).toBe(3);
  });

  it('reads a set too large to spread into one call (more images than the stack holds arguments)', () => {
    const dir = tempDir();
    const n = 300_000;
    const img = images(dir, 'big.img', n, 1, 1);
    const lab = labels(
      dir,
      'big.lab',
      Array.from({ length: n }, (_, i) => i % 5),
    );
    const set = readIdx(img, lab);
    expect(set.count).toBe(n);
    expect(set.classes).toBe(5);
  });

  it('refuses, naming the key, what would make every trial fail', () => {
    const dir = tempDir();
    images(dir, 'zero.img', 0, 4, 4);
    labels(dir, 'zero.lab', []);
    expect(resolveError(dir, { train_images: 'zero.img', train_labels: 'zero.lab' })).toMatch(
      /^data\.train_images: .* holds no images/,
    );
    images(dir, 'flat.img', 2, 0, 4);
    labels(dir, 'two.lab', [0, 1]);
    expect(resolveError(dir, { train_images: 'flat.img', train_labels: 'two.lab' })).toMatch(
      /^data\.train_images: .*images of 0×4 pixels/,
    );
    images(dir, 'short.img', 2, 4, 4, 3);
    labels(dir, 'three.lab', [0, 1, 0]);
    expect(resolveError(dir, { train_images: 'short.img', train_labels: 'three.lab' })).toMatch(
      /^data\.train_images: .*shorter than its header says/,
    );
    // 5 images at the default 10%: one in 10 held out from the 6th, so none
    images(dir, 'five.img', 5, 4, 4);
    labels(dir, 'five.lab', [0, 1, 0, 1, 0]);
    expect(resolveError(dir, { train_images: 'five.img', train_labels: 'five.lab' })).toMatch(
      /^data.validation_fraction: holding out 0.1 of the 5 images .* leaves 0 to validate on and 5 to train on/,
    );
    images(dir, 'v.img', 2, 4, 4);
    labels(dir, 'v.lab', [0, 3]);
    expect(
      resolveError(dir, {
        train_images: 'five.img',
        train_labels: 'five.lab',
        validation_images: 'v.img',
        validation_labels: 'v.lab',
      }),
    ).toMatch(/^data.validation_labels: .* has label 3, but the training labels use classes 0-1/);
  });

  it('says a gzipped file needs decompressing, and what the first bytes of another file read', () => {
    const dir = tempDir();
    const img = images(dir, 'a.img', 2, 4, 4);
    writeFileSync(join(dir, 'a.img.gz'), gzipSync(readFileSync(img)));
    labels(dir, 'a.lab', [0, 1]);
    expect(resolveError(dir, { train_images: 'a.img.gz', train_labels: 'a.lab' })).toBe(
      `data.train_images: ${join(dir, 'a.img.gz')}: a gzip-compressed file, not an IDX image file (magic 0x00000803); decompress it first (gunzip -c ${join(dir, 'a.img.gz')} > ${join(dir, 'a.img')}) and give the file it writes`,
    );
    expect(resolveError(dir, { train_images: 'a.img', train_labels: 'a.img' })).toBe(
      `data.train_labels: ${join(dir, 'a.img')}: not an IDX label file (magic 0x00000801; its first bytes read 0x00000803)`,
    );
    // the right magic in a file cut inside its header: said so, not that the magic is wrong
    writeFileSync(join(dir, 'short.lab'), readFileSync(join(dir, 'a.lab')).subarray(0, 6));
    expect(resolveError(dir, { train_images: 'a.img', train_labels: 'short.lab' })).toBe(
      `data.train_labels: ${join(dir, 'short.lab')}: an IDX label file cut short inside its 8-byte header (6 bytes in all)`,
    );
    writeFileSync(join(dir, 'short.img'), readFileSync(img).subarray(0, 12));
    expect(resolveError(dir, { train_images: 'short.img', train_labels: 'a.lab' })).toBe(
      `data.train_images: ${join(dir, 'short.img')}: an IDX image file cut short inside its 16-byte header (12 bytes in all)`,
    );
  });

  it('warns when the labels leave classes of the head out (a stray label makes a wider head)', () => {
    const dir = tempDir();
    const spec = (lab: string) => ({
      spec: { data: { source: 'idx', paths: { train_labels: join(dir, lab) } } },
    });
    labels(dir, 'stray.lab', [0, 1, 2, 3, 4, 200, 1, 2]);
    labels(dir, 'whole.lab', [0, 1, 2, 2, 1, 0]);
    const trials = [spec('stray.lab'), spec('stray.lab'), spec('whole.lab')] as unknown as TrialPlan[];
    const warnings = labelGapWarnings(trials);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(
      `data.train_labels: ${join(dir, 'stray.lab')} has labels up to 200, so the classification head has 201 outputs, but no example has labels 5, 6, 7, 8, 9, 10, 11, 12 and 187 more: 195 of the outputs never train (their size and the starting loss depend on them); relabel the classes 0 to 5 if that is not meant`,
    );
    expect(unusedLabels(join(dir, 'whole.lab'))).toEqual({ classes: 3, unused: [] });
  });

  it('counts the held-out images as the split takes them', () => {
    for (const [n, f] of [
      [5, 0.1],
      [6, 0.1],
      [16, 0.1],
      [100, 0.25],
      [7, 0.5],
      [1, 0.5],
    ] as const) {
      const set = {
        images: new Float32Array(n),
        labels: new Int32Array(n),
        count: n,
        height: 1,
        width: 1,
        channels: 1,
        classes: 1,
      };
      expect(heldOutCount(n, f)).toBe(splitImages(set, f).validation.count);
    }
  });
});

describe('CIFAR-10 files checked before training', () => {
  it('counts held-out images from file sizes, and refuses a batch file of the wrong size naming data.dir', () => {
    const dir = tempDir();
    const record = 1 + 3072;
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), Buffer.alloc(2 * record));
    writeFileSync(join(dir, 'test_batch.bin'), Buffer.alloc(3 * record));
    const spec = resolveDataSpec(dataConfigSchema.parse({ source: 'cifar10', dir: '.' }), dir);
    expect(heldOutImageCount(spec)).toBe(3);
    expect(readCifarBatches([join(dir, 'test_batch.bin')]).count).toBe(3);
    writeFileSync(join(dir, 'data_batch_3.bin'), Buffer.alloc(record + 7));
    let message = 'no error';
    try {
      resolveDataSpec(dataConfigSchema.parse({ source: 'cifar10', dir: '.' }), dir);
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      message = `${e.path.join('.')}: ${e.message}`;
    }
    expect(message).toMatch(
      /^data\.dir: .*data_batch_3\.bin: not a CIFAR-10 binary batch \(size must be a multiple of 3073 bytes\)/,
    );
  });

  it('refuses a label byte that is not a class (0-9), which would train as if it had no loss', () => {
    const dir = tempDir();
    const record = 1 + 3072;
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), Buffer.alloc(2 * record));
    const test = Buffer.alloc(3 * record);
    test[2 * record] = 9; // the last class: fine
    writeFileSync(join(dir, 'test_batch.bin'), test);
    const resolve = () => resolveDataSpec(dataConfigSchema.parse({ source: 'cifar10', dir: '.' }), dir);
    expect(resolve).not.toThrow();
    test[record] = 255;
    writeFileSync(join(dir, 'test_batch.bin'), test);
    let message = 'no error';
    try {
      resolve();
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      message = `${e.path.join('.')}: ${e.message}`;
    }
    expect(message).toMatch(
      /^data\.dir: .*test_batch\.bin: record 1 has label 255; CIFAR-10's labels are 0-9 \(the first byte of each 3073-byte record\)$/,
    );
    expect(() => readCifarBatches([join(dir, 'test_batch.bin')])).toThrow(/record 1 has label 255/);
  });
});
