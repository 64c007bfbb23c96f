import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** Plain-data state of an {@link Rng}. */
export interface RngState {
  gen: number[];
  /** The second normal of a Box–Muller pair, drawn but not yet used. */
  spareNormal: number | null;
}

/**
 * A seeded random stream (xoroshiro128+ from pure-rand). Everything random in a trial (weight init, batch
 * order, random masks) draws from one of these, so a trial is reproducible from its seed on any backend,
 * and the state is plain numbers that a checkpoint can hold.
 */
export class Rng {
  private gen: JumpableRandomGenerator;
  private spareNormal: number | null = null;

  private constructor(gen: JumpableRandomGenerator) {
    this.gen = gen;
  }

  /**
   * A stream from a whole seed from 0 to {@link MAX_SEED}; `stream` derives independent sub-streams from one
   * seed. The seed is mixed into 32 bits, so a seed outside that range would repeat another's stream: a
   * RangeError instead.
   */
  static seeded(seed: number, stream = 0): Rng {
    if (!isSeed(seed)) throw new RangeError(`seed must be a whole number from 0 to ${MAX_SEED}; got ${seed}`);
    return new Rng(xoroshiro128plus(mix32(seed, stream)));
  }

  /** Restores a stream saved with {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    const r = new Rng(xoroshiro128plusFromState(state.gen));
    r.spareNormal = state.spareNormal;
    return r;
  }

  /** The whole state, to checkpoint: the stream continues exactly from here after {@link Rng.fromState}. */
  state(): RngState {
    return { gen: [...this.gen.getState()], spareNormal: this.spareNormal };
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return uniformInt(this.gen, 0, n - 1);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A Float32Array of normals with the given standard deviation. */
  normalArray(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
    return xs;
  }
}

/** The largest seed: seeds are mixed into 32 bits, so 0 to 2^32 - 1 are the distinct ones. */
export const MAX_SEED = 2 ** 32 - 1;

/** Whether `seed` is one of the distinct seeds, a whole number from 0 to {@link MAX_SEED}. */
export function isSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED;
}

/** Mixes a seed and a stream number into one 32-bit seed (murmur3 finaliser), so streams differ. */
function mix32(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
