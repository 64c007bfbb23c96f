import { UsageError } from '../errors.js';
import { erk } from './distributions/erk.js';
import { uniform } from './distributions/uniform.js';
import { constantFanIn } from './patterns/constant-fan-in.js';
import { nm } from './patterns/nm.js';
import { unstructured } from './patterns/unstructured.js';
import { dense } from './pruners/dense.js';
import { fromDense } from './pruners/from-dense.js';
import { globalMagnitude } from './pruners/global-magnitude.js';
import { gmp } from './pruners/gmp.js';
import { magnitude } from './pruners/magnitude.js';
import { maskDecay } from './pruners/mask-decay.js';
import { rigl } from './pruners/rigl.js';
import { saliency } from './pruners/saliency.js';
import { set } from './pruners/set.js';
import { srSte } from './pruners/sr-ste.js';
import { srigl } from './pruners/srigl.js';
import { staticSparse } from './pruners/static.js';
import { ste } from './pruners/ste.js';
import { structureDecay } from './pruners/structure-decay.js';
import { cubic } from './schedules/cubic.js';
import { nmStaircase } from './schedules/nm-staircase.js';
import { none } from './schedules/none.js';
import { oneShot } from './schedules/one-shot.js';
import { periodic } from './schedules/periodic.js';
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
export const algorithms = new Registry<Algorithm<unknown>>('pruner', [
  dense,
  staticSparse,
  magnitude,
  gmp,
  globalMagnitude,
  saliency,
  set,
  rigl,
  ste,
  srSte,
  srigl,
  maskDecay,
  structureDecay,
  fromDense,
] as Algorithm<never>[] as Algorithm<unknown>[]);
export const patterns = new Registry<Pattern<unknown>>('pattern', [
  unstructured,
  nm,
  constantFanIn,
] as Pattern<unknown>[]);
export const distributions = new Registry<Distribution<unknown>>('distribution', [
  uniform,
  erk,
] as Distribution<unknown>[]);
export const schedules = new Registry<Schedule<unknown>>('schedule', [
  none,
  oneShot,
  cubic,
  periodic,
  nmStaircase,
] as Schedule<unknown>[]);
