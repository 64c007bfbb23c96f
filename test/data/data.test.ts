import { describe, expect, it } from 'vitest';
import { validationBatches, windowBatch, windowOrder } from '../../src/data/batches.js';
import { detagBrown, loadBrown } from '../../src/data/brown.js';
import { syntheticCorpus } from '../../src/data/synthetic.js';
import { splitDocuments } from '../../src/data/types.js';

describe('data sources', () => {
  it('strips Brown POS tags and detokenises', () => {
    const raw =
      "\n\n\tThe/at jury/nn said/vbd ``/`` it/pps did/dod n't/* ''/'' ,/, (/( 1/2/cd )/) ./.\n\n\tNext/ap ./.\n";
    expect(detagBrown(raw)).toBe('The jury said "it didn\'t", (1/2).\nNext.');
  });

  it('splits documents deterministically, interleaved', () => {
    const docs = Array.from({ length: 40 }, (_, i) => i);
    const { train, validation } = splitDocuments(docs, 0.05);
    expect(validation).toEqual([10, 30]);
    expect(train).toHaveLength(38);
  });

  it('loads Brown: 500 texts, byte tokens, no tags left, ~5% held out', () => {
    const c = loadBrown(0.05);
    expect(c.vocabSize).toBe(256);
    expect(c.description).toMatch(/500 texts \(475 train, 25 validation\)/);
    const sample = Buffer.from(c.train.subarray(0, 2000)).toString('latin1');
    expect(sample).not.toMatch(/\/(at|nn|vbd)\b/);
    const share = c.validation.length / (c.train.length + c.validation.length);
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.08);
  });

  it('makes a synthetic source whose empirical entropy is ln(branching)', () => {
    const c = syntheticCorpus({
      vocabSize: 8,
      branching: 4,
      trainTokens: 100_000,
      validationTokens: 1000,
      seed: 1,
    });
    expect(c.entropyFloor).toBeCloseTo(Math.log(4), 12);
    // each token has exactly 4 successors, each seen about a quarter of the time
    const next = new Map<number, Map<number, number>>();
    for (let i = 0; i + 1 < c.train.length; i++) {
      const m = next.get(c.train[i]) ?? new Map<number, number>();
      m.set(c.train[i + 1], (m.get(c.train[i + 1]) ?? 0) + 1);
      next.set(c.train[i], m);
    }
    for (const m of next.values()) {
      expect(m.size).toBe(4);
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      for (const n of m.values()) expect(Math.abs(n / total - 0.25)).toBeLessThan(0.03);
    }
  });

  it('reads windows of seqLen + 1 from the stream in shuffled passes, and a fixed validation set', () => {
    const stream = Uint16Array.from({ length: 100 }, (_, i) => i);
    // 100 tokens hold 19 windows of 5 at any offset 0..4 (19·5 + 4 = 99 < 100)
    const order = windowOrder(stream, 4, 0);
    expect([order.count, order.offsets]).toEqual([19, 5]);
    const starts: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const b = windowBatch(stream, order, batch, 3, 4);
      expect(b.tokens).toHaveLength(15);
      for (let r = 0; r < 3; r++) {
        const w = [...b.tokens.subarray(r * 5, r * 5 + 5)];
        expect(w).toEqual(w.map((_, j) => w[0] + j));
        starts.push(w[0]);
      }
    }
    // the first 18 windows read are 18 different ones of pass 0, all at its one offset
    const offset = starts[0] % 5;
    expect(new Set(starts).size).toBe(18);
    for (const s of starts) expect(s % 5).toBe(offset);
    // and a batch is the same whenever it is read (a resumed trial reads on where it stopped)
    expect(windowBatch(stream, windowOrder(stream, 4, 0), 4, 3, 4)).toEqual(
      windowBatch(stream, order, 4, 3, 4),
    );
    // 20 windows of 5 available, 3 wanted (12 tokens / 4): windows 0, 6 and 13 (k·20/3 rounded down)
    const v = validationBatches(stream, 4, 12, 2);
    expect(v.map((x) => x.batchSize)).toEqual([2, 1]);
    expect([...v[0].tokens]).toEqual([0, 1, 2, 3, 4, 30, 31, 32, 33, 34]);
    expect([...v[1].tokens]).toEqual([65, 66, 67, 68, 69]);
    // more wanted than there are: every window, in order
    const all = validationBatches(stream, 4, 1000, 32);
    expect([...all[0].tokens]).toEqual([...stream]);
  });
});
