import { Rng } from '../util/rng.js';

/** Where the k-th training example read lies: its pass over the split, its slot, and the pass's offset. */
export interface PassPosition {
  /** Which pass over the training split, from 0. */
  pass: number;
  /** Which of the split's `count` examples (a window of text, an image), from 0. */
  index: number;
  /** This pass's offset from 0 to `offsets` − 1 (the first window's start in a text stream; 0 for images). */
  offset: number;
}

/** Sub-streams of a trial's seed that draw pass p's offset and order: 100 + p (0 to 12 are taken elsewhere). */
const PASS_STREAM = 100;

/**
 * The order a trial reads its training examples in: shuffled passes without replacement. Pass p draws an offset
 * and a permutation of the `count` examples (Fisher–Yates) from the trial's seed alone, and the k-th example read
 * is the (k mod count)-th of pass ⌊k / count⌋, so no example repeats before every one was read once: a scaling
 * law's D counts new data, and repeated data is worth less (Muennighoff et al. 2023, https://arxiv.org/abs/2305.16264).
 * Independent draws with replacement repeat some examples early (63% of a split new after one pass's worth of
 * draws). The position is a pure function of k: a resumed trial reads on
 * exactly where it stopped, and trials of one seed read the same examples in the same order, so a sweep's trials
 * differ by sparsity and size, not by the data they drew.
 */
export class ShuffledPasses {
  private cached: { pass: number; offset: number; order: Uint32Array } | null = null;

  /**
   * @param count examples in the split (at least 1)
   * @param offsets how many offsets a pass may start at (1 for whole examples; a text window's length for windows)
   * @param seed the trial's seed
   */
  constructor(
    readonly count: number,
    readonly offsets: number,
    private readonly seed: number,
  ) {
    if (!(Number.isInteger(count) && count >= 1))
      throw new RangeError(`count must be a whole number ≥ 1; got ${count}`);
    if (!(Number.isInteger(offsets) && offsets >= 1))
      throw new RangeError(`offsets must be a whole number ≥ 1; got ${offsets}`);
  }

  /** The k-th example read (k from 0). */
  position(k: number): PassPosition {
    const pass = Math.floor(k / this.count);
    const { offset, order } = this.passAt(pass);
    return { pass, index: order[k - pass * this.count], offset };
  }

  /**
   * The examples of training batch `batch` (from 0) of `batchSize` each, reading from example `first` on (a from-dense
   * trial's offset; 0 otherwise): examples first + batch·B to first + batch·B + B − 1.
   */
  batch(batch: number, batchSize: number, first = 0): PassPosition[] {
    return Array.from({ length: batchSize }, (_, b) => this.position(first + batch * batchSize + b));
  }

  private passAt(pass: number): { pass: number; offset: number; order: Uint32Array } {
    if (this.cached?.pass === pass) return this.cached;
    const rng = Rng.seeded(this.seed, PASS_STREAM + pass);
    const offset = this.offsets > 1 ? rng.int(this.offsets) : 0;
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[i] = i;
    for (let i = this.count - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    this.cached = { pass, offset, order };
    return this.cached;
  }
}

/**
 * Non-overlapping windows of `width` tokens over a stream of `length` tokens, as passes cut them: `count` windows a
 * pass, starting at the pass's offset (from 0 to `offsets` − 1) plus a multiple of `width`. Every pass has the same
 * count, so a pass at any offset fits: count = ⌊(length − width + 1) / width⌋ (at least 1), offsets up to width or
 * what the stream leaves. Varying the offset by pass lets later passes read the text cut at other places.
 */
export function windowPasses(length: number, width: number): { count: number; offsets: number } {
  if (length < width) throw new RangeError(`a stream of ${length} tokens holds no window of ${width}`);
  const count = Math.max(1, Math.floor((length - width + 1) / width));
  return { count, offsets: Math.min(width, length - count * width + 1) };
}
