import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of uniform numbers: the only randomness the law fitter uses. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number;
}

/** A deterministic {@link Rng} from an integer seed (xoroshiro128+, via pure-rand). */
export function makeRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed | 0);
  return {
    uniform: () => uniformFloat64(gen),
    int: (from, to) => uniformInt(gen, from, to),
  };
}
