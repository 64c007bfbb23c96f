import { UsageError } from '../errors.js';
import { uniform } from './distributions/uniform.js';
import { unstructured } from './patterns/unstructured.js';
import { dense } from './pruners/dense.js';
import { gmp } from './pruners/gmp.js';
import { cubic } from './schedules/cubic.js';
import { none } from './schedules/none.js';
import type { Algorithm, Distribution, Pattern, PieceInfo, Schedule } from './types.js';

/** A registry of named pieces; an unknown name throws an error that lists the known ones. */
export class Registry<T extends PieceInfo<unknown>> {
  private readonly items = new Map<string, T>();
  constructor(
    readonly kind: string,
    items: readonly T[],
  ) {
    for (const item of items) {
      if (this.items.has(item.name)) throw new Error(`duplicate ${kind} "${item.name}"`);
      this.items.set(item.name, item);
    }
  }
  get(name: string): T {
    const item = this.items.get(name);
    if (!item) throw new UsageError(`unknown ${this.kind} "${name}"; valid: ${this.names().join(', ')}`);
    return item;
  }
  has(name: string): boolean {
    return this.items.has(name);
  }
  names(): string[] {
    return [...this.items.keys()];
  }
  all(): T[] {
    return [...this.items.values()];
  }
}

// One explicit list per kind: adding a method means adding its file and one line here.
export const algorithms = new Registry<Algorithm<unknown>>('pruner', [dense, gmp]);
export const patterns = new Registry<Pattern<unknown>>('pattern', [unstructured]);
export const distributions = new Registry<Distribution<unknown>>('distribution', [uniform]);
export const schedules = new Registry<Schedule<unknown>>('schedule', [none, cubic]);
