import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { shArg } from '../util/shell.js';
import type { ImageSet } from './images.js';

/**
 * Why a file is not an IDX file of `kind` (its magic `expected`): the first bytes found, and for a gzip file (MNIST
 * is distributed gzipped) that it needs decompressing.
 */
function notIdx(path: string, head: Buffer, kind: 'image' | 'label', expected: number): string {
  const want = `0x${expected.toString(16).padStart(8, '0')}`;
  // the right magic in a file cut inside its header (8 bytes for labels, 16 for images)
  const header = kind === 'image' ? 16 : 8;
  if (head.length >= 4 && head.length < header && head.readUInt32BE(0) === expected)
    return `${path}: an IDX ${kind} file cut short inside its ${header}-byte header (${head.length} bytes in all)`;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)
    return `${path}: a gzip-compressed file, not an IDX ${kind} file (magic ${want}); decompress it first (gunzip -c ${shArg(path)} > ${shArg(path.endsWith('.gz') ? path.slice(0, -3) : `${path}.idx`)}) and give the file it writes`;
  const found =
    head.length >= 4
      ? `0x${head.readUInt32BE(0).toString(16).padStart(8, '0')}`
      : `${head.length} bytes in all`;
  return `${path}: not an IDX ${kind} file (magic ${want}; its first bytes read ${found})`;
}

/**
 * Reads an image/label pair in the IDX format of the MNIST distribution (http://yann.lecun.com/exdb/mnist/):
 * big-endian magic 0x00000803 (uint8 images, [N, H, W]) and 0x00000801 (uint8 labels, [N]).
 */
export function readIdx(imagesPath: string, labelsPath: string): ImageSet {
  const img = readFileSync(imagesPath);
  const lab = readFileSync(labelsPath);
  if (img.length < 16 || img.readUInt32BE(0) !== 0x803)
    throw new Error(notIdx(imagesPath, img, 'image', 0x803));
  if (lab.length < 8 || lab.readUInt32BE(0) !== 0x801)
    throw new Error(notIdx(labelsPath, lab, 'label', 0x801));
  const [n, h, w] = [img.readUInt32BE(4), img.readUInt32BE(8), img.readUInt32BE(12)];
  if (lab.readUInt32BE(4) !== n)
    throw new Error(`${labelsPath} has ${lab.readUInt32BE(4)} labels for ${n} images`);
  if (img.length < 16 + n * h * w || lab.length < 8 + n)
    throw new Error(`${imagesPath}: file is shorter than its header says`);
  const images = new Float32Array(n * h * w);
  for (let i = 0; i < images.length; i++) images[i] = img[16 + i] / 255;
  const labels = Int32Array.from(lab.subarray(8, 8 + n));
  // a loop, not Math.max(...labels): spreading a large set's labels (EMNIST's 240k and more) overflows the stack
  let classes = 0;
  for (const l of labels) classes = Math.max(classes, l + 1);
  return { images, labels, count: n, height: h, width: w, channels: 1, classes };
}

/** Which file of an IDX pair a problem is in. */
export type IdxRole = 'images' | 'labels';

/** A problem with an IDX image/label pair, naming the file it is in. */
export class IdxError extends Error {
  constructor(
    readonly role: IdxRole,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks an IDX image/label pair from the headers, the file sizes and the labels (never the pixels), as
 * {@link readIdx} would read it: magics, one label per image, files as long as their headers say. Returns
 * the geometry and the classes its labels use; throws {@link IdxError}.
 */
export function checkIdxPair(
  imagesPath: string,
  labelsPath: string,
): { count: number; height: number; width: number; classes: number } {
  const head = readHead(imagesPath, 16);
  if (head.length < 16 || head.readUInt32BE(0) !== 0x803)
    throw new IdxError('images', notIdx(imagesPath, head, 'image', 0x803));
  const lab = readFileSync(labelsPath);
  if (lab.length < 8 || lab.readUInt32BE(0) !== 0x801)
    throw new IdxError('labels', notIdx(labelsPath, lab, 'label', 0x801));
  const [n, h, w] = [head.readUInt32BE(4), head.readUInt32BE(8), head.readUInt32BE(12)];
  if (lab.readUInt32BE(4) !== n)
    throw new IdxError(
      'labels',
      `${labelsPath} has ${lab.readUInt32BE(4)} labels for the ${n} images of ${imagesPath}`,
    );
  if (statSync(imagesPath).size < 16 + n * h * w)
    throw new IdxError(
      'images',
      `${imagesPath}: file is shorter than its header says (${n} images of ${h}×${w})`,
    );
  if (lab.length < 8 + n)
    throw new IdxError('labels', `${labelsPath}: file is shorter than its header says (${n} labels)`);
  if (n === 0) throw new IdxError('images', `${imagesPath} holds no images`);
  if (h === 0 || w === 0)
    throw new IdxError('images', `${imagesPath}: its header gives images of ${h}×${w} pixels`);
  let classes = 0;
  for (let i = 8; i < 8 + n; i++) classes = Math.max(classes, lab[i] + 1);
  return { count: n, height: h, width: w, classes };
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

const CIFAR_RECORD = 1 + 3 * 32 * 32;

/**
 * Images in one CIFAR-10 binary batch file, from its size alone (records of 1 + 3072 bytes); throws when the
 * size is not a whole, non-zero number of records, as {@link readCifarBatches} would.
 */
export function cifarRecordCount(path: string): number {
  const size = statSync(path).size;
  if (size === 0 || size % CIFAR_RECORD !== 0) throw new Error(notCifar(path));
  return size / CIFAR_RECORD;
}

/** CIFAR-10's classes: a label byte is one of 0-9. */
const CIFAR_CLASSES = 10;

/**
 * The first record of a CIFAR-10 batch file whose label byte is not a class (0-9), in words, or null when every one
 * is. Such a record would train as if it had no loss at all: cross-entropy reads no probability for it.
 */
export function cifarLabelProblem(path: string, bytes: Buffer = readFileSync(path)): string | null {
  for (let r = 0; r * CIFAR_RECORD < bytes.length; r++) {
    const label = bytes[r * CIFAR_RECORD];
    if (label >= CIFAR_CLASSES)
      return `${path}: record ${r} has label ${label}; CIFAR-10's labels are 0-9 (the first byte of each ${CIFAR_RECORD}-byte record)`;
  }
  return null;
}

function notCifar(path: string): string {
  return `${path}: not a CIFAR-10 binary batch (size must be a multiple of ${CIFAR_RECORD} bytes)`;
}

/**
 * Reads CIFAR-10 binary batches (https://www.cs.toronto.edu/~kriz/cifar.html): records of one label byte and
 * 3072 pixel bytes, channel-major (R, G, B planes of 32×32). Returns [N, 32, 32, 3] in [0, 1].
 */
export function readCifarBatches(paths: readonly string[]): ImageSet {
  const buffers = paths.map((p) => {
    const b = readFileSync(p);
    if (b.length === 0 || b.length % CIFAR_RECORD !== 0) throw new Error(notCifar(p));
    const problem = cifarLabelProblem(p, b);
    if (problem) throw new Error(problem);
    return b;
  });
  const n = buffers.reduce((a, b) => a + b.length / CIFAR_RECORD, 0);
  const images = new Float32Array(n * 3072);
  const labels = new Int32Array(n);
  let k = 0;
  for (const b of buffers) {
    for (let r = 0; r < b.length / CIFAR_RECORD; r++, k++) {
      const at = r * CIFAR_RECORD;
      labels[k] = b[at];
      for (let px = 0; px < 1024; px++) {
        for (let c = 0; c < 3; c++) images[k * 3072 + px * 3 + c] = b[at + 1 + c * 1024 + px] / 255;
      }
    }
  }
  return { images, labels, count: n, height: 32, width: 32, channels: 3, classes: CIFAR_CLASSES };
}

/** The training and test batch files of a CIFAR-10 binary directory. */
export function cifarFiles(dir: string): { train: string[]; test: string[] } {
  return {
    train: [1, 2, 3, 4, 5].map((i) => join(dir, `data_batch_${i}.bin`)),
    test: [join(dir, 'test_batch.bin')],
  };
}
