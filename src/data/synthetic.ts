import { Rng } from '../util/rng.js';
import type { TokenCorpus } from './types.js';

/** Parameters of the synthetic Markov source. */
export interface SyntheticOptions {
  vocabSize: number;
  /** Each token has this many equally likely successors: the entropy rate is ln(branching) nats. */
  branching: number;
  trainTokens: number;
  validationTokens: number;
  seed: number;
}

/**
 * A first-order Markov source with a known floor: each token is followed by one of `branching` fixed
 * successors, uniformly. A model that learns the table reaches exactly ln(branching) nats per token, and
 * no model can do better, so tests can check that training approaches the floor.
 */
export function syntheticCorpus(o: SyntheticOptions): TokenCorpus {
  const rng = Rng.seeded(o.seed, 7);
  const successors: number[][] = [];
  for (let a = 0; a < o.vocabSize; a++) {
    const all = Array.from({ length: o.vocabSize }, (_, i) => i);
    successors.push(rng.shuffle(all).slice(0, o.branching));
  }
  const walk = (n: number, stream: Rng) => {
    const out = new Uint16Array(n);
    let cur = stream.int(o.vocabSize);
    for (let i = 0; i < n; i++) {
      out[i] = cur;
      cur = successors[cur][stream.int(o.branching)];
    }
    return out;
  };
  return {
    vocabSize: o.vocabSize,
    train: walk(o.trainTokens, Rng.seeded(o.seed, 8)),
    validation: walk(o.validationTokens, Rng.seeded(o.seed, 9)),
    entropyFloor: Math.log(o.branching),
    description: `synthetic Markov source: vocab ${o.vocabSize}, ${o.branching} successors per token (floor ln ${o.branching} = ${Math.log(o.branching).toFixed(4)} nats)`,
  };
}
