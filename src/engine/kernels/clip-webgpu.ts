import type * as tf from '@tensorflow/tfjs-core';
import { float, int, ROW_THREADS, rowProgram, runProgram } from './webgpu-program.js';

/**
 * The global-norm clipping scale (Pascanu et al. 2013, arXiv:1211.5063) as a tree of WGSL sums: the squares of the
 * gradients, as many as bind at most {@link MAX_INPUTS} buffers, are summed by {@link PARTIALS} workgroups into as
 * many partial sums, and the partials are summed the same way until one program holds all of them and writes the
 * scale. A masked parameter's gradient binds its mask too and counts only where the mask is 1: under hard masks
 * the norm is that of the sparse network's gradient, as in RigL's and JaxPruner's training loops. For the lm's 36
 * gradients that is 7 programs dense and 12 sparse (bench/profile-step.ts), where one square, one sum and one add
 * per gradient made 108.
 */

/**
 * Inputs one program reads: WebGPU guarantees 8 storage buffers per shader stage
 * (maxStorageBuffersPerShaderStage), and the output takes one.
 */
export const MAX_INPUTS = 7;
/** Workgroups summing the squares of one group of gradients, each over a strided share of every element. */
export const PARTIALS = 256;

/** A gradient whose square enters the norm where its mask (float 0/1, the gradient's shape) is 1, or everywhere. */
export interface ClipTerm {
  grad: tf.Tensor;
  mask: tf.Tensor | null;
}

/** Storage buffers a term binds: the gradient, and its mask where it has one. */
const slotsOf = (t: ClipTerm) => (t.mask ? 2 : 1);

/**
 * Sums (of squares where `square`, each times its mask where it has one) over every element of `terms` by
 * `workgroups` workgroups → [workgroups]; with `maxNorm` given (one workgroup), writes instead the scale
 * maxNorm / (√total + 1e-6) where √total > maxNorm, else 1.
 */
function sumProgram(terms: ClipTerm[], workgroups: number, square: boolean, maxNorm: number | null) {
  const inputs: tf.Tensor[] = [];
  const names: string[] = [];
  const loops = terms.map((t, i) => {
    inputs.push(t.grad);
    names.push(`g${i}`);
    if (t.mask) {
      inputs.push(t.mask);
      names.push(`mask${i}`);
    }
    const value = t.mask ? `g${i}[k] * f32(mask${i}[k])` : `g${i}[k]`; // a cast mask may be stored as i32
    const term = square ? `let v = ${value}; acc = acc + v * v;` : `acc = acc + ${value};`;
    return `for (var k = first; k < uniforms.n${i}; k = k + stride) { ${term} }`;
  });
  const write =
    maxNorm === null
      ? 'setOutputAtIndex(row, total);'
      : `let norm = sqrt(total);
          setOutputAtIndex(0, select(1.0, uniforms.maxNorm / (norm + 1e-6), norm > uniforms.maxNorm));`;
  const layout = terms.map((t) => (t.mask ? 'm' : 'g')).join('');
  const program = rowProgram(
    [workgroups],
    workgroups,
    `sparsebench_clip_${square ? 'squares' : 'sums'}_${maxNorm === null ? 'partial' : 'scale'}_${layout}`,
    names,
    `${terms.map((_, i) => `n${i} : i32, `).join('')}maxNorm : f32,`,
    `
      fn row_main(row : i32, lane : i32, valid : bool) {
        let first = row * ${ROW_THREADS} + lane;
        let stride = uniforms.rows * ${ROW_THREADS};
        var acc = 0.0;
        ${loops.join('\n        ')}
        let total = rowSum(lane, acc);
        if (valid && lane == 0) {
          ${write}
        }
      }`,
  );
  return runProgram<tf.Tensor1D>(program, inputs, [
    int(workgroups),
    ...terms.map((t) => int(t.grad.size)),
    float(maxNorm ?? 0),
  ]);
}

/** `terms` in consecutive groups binding at most {@link MAX_INPUTS} buffers each. */
function groupsOf(terms: readonly ClipTerm[]): ClipTerm[][] {
  const groups: ClipTerm[][] = [];
  let slots = MAX_INPUTS;
  for (const t of terms) {
    if (slots + slotsOf(t) > MAX_INPUTS) {
      groups.push([]);
      slots = 0;
    }
    groups.at(-1)!.push(t);
    slots += slotsOf(t);
  }
  return groups;
}

/**
 * The clipping scale as a [1] tensor: maxNorm / (‖g‖ + 1e-6) where the global norm ‖g‖ of all `terms` (each
 * gradient times its mask, where it has one) exceeds maxNorm, else 1. Call inside a `tf.tidy` (the partial sums
 * are intermediate tensors).
 */
export function clipScaleWebGpu(terms: readonly ClipTerm[], maxNorm: number): tf.Tensor1D {
  const partial = (sums: tf.Tensor1D[]) => sums.map((grad) => ({ grad, mask: null }));
  let level = groupsOf(terms).map((g) => sumProgram(g, PARTIALS, true, null));
  while (level.length > MAX_INPUTS)
    level = groupsOf(partial(level)).map((g) => sumProgram(g, PARTIALS, false, null));
  return sumProgram(partial(level), 1, false, maxNorm);
}
