import type * as tf from '@tensorflow/tfjs-core';
import { float, int, ROW_THREADS, rowProgram, runProgram } from './webgpu-program.js';

/**
 * The global-norm clipping scale (Pascanu et al. 2013, arXiv:1211.5063) as a tree of WGSL sums: the squares of up
 * to {@link MAX_INPUTS} gradients are summed by {@link PARTIALS} workgroups into as many partial sums, and the
 * partials are summed the same way until one program holds all of them and writes the scale. For the lm's 36
 * gradients that is 7 programs, where one square, one sum and one add per gradient made 108.
 */

/**
 * Inputs one program reads: WebGPU guarantees 8 storage buffers per shader stage
 * (maxStorageBuffersPerShaderStage), and the output takes one.
 */
export const MAX_INPUTS = 7;
/** Workgroups summing the squares of one group of gradients, each over a strided share of every element. */
export const PARTIALS = 256;

/**
 * Sums (of squares where `square`) over every element of `inputs` by `workgroups` workgroups → [workgroups]; with
 * `maxNorm` given (one workgroup), writes instead the scale maxNorm / (√total + 1e-6) where √total > maxNorm, else 1.
 */
function sumProgram(inputs: tf.Tensor[], workgroups: number, square: boolean, maxNorm: number | null) {
  const names = inputs.map((_, i) => `g${i}`);
  const term = (name: string) =>
    square ? `let v = ${name}[k]; acc = acc + v * v;` : `acc = acc + ${name}[k];`;
  const loops = names
    .map((name, i) => `for (var k = first; k < uniforms.n${i}; k = k + stride) { ${term(name)} }`)
    .join('\n        ');
  const write =
    maxNorm === null
      ? 'setOutputAtIndex(row, total);'
      : `let norm = sqrt(total);
          setOutputAtIndex(0, select(1.0, uniforms.maxNorm / (norm + 1e-6), norm > uniforms.maxNorm));`;
  const program = rowProgram(
    [workgroups],
    workgroups,
    `sparsebench_clip_${square ? 'squares' : 'sums'}_${maxNorm === null ? 'partial' : 'scale'}_${names.length}`,
    names,
    `${names.map((_, i) => `n${i} : i32, `).join('')}maxNorm : f32,`,
    `
      fn row_main(row : i32, lane : i32, valid : bool) {
        let first = row * ${ROW_THREADS} + lane;
        let stride = uniforms.rows * ${ROW_THREADS};
        var acc = 0.0;
        ${loops}
        let total = rowSum(lane, acc);
        if (valid && lane == 0) {
          ${write}
        }
      }`,
  );
  return runProgram<tf.Tensor1D>(program, inputs, [
    int(workgroups),
    ...inputs.map((t) => int(t.size)),
    float(maxNorm ?? 0),
  ]);
}

/** `xs` in groups of at most `size`. */
const groupsOf = <T>(xs: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/**
 * The clipping scale as a [1] tensor: maxNorm / (‖g‖ + 1e-6) where the global norm ‖g‖ of all `grads` exceeds
 * maxNorm, else 1. Call inside a `tf.tidy` (the partial sums are intermediate tensors).
 */
export function clipScaleWebGpu(grads: readonly tf.Tensor[], maxNorm: number): tf.Tensor1D {
  let level = groupsOf(grads, MAX_INPUTS).map((g) => sumProgram(g, PARTIALS, true, null));
  while (level.length > MAX_INPUTS)
    level = groupsOf(level, MAX_INPUTS).map((g) => sumProgram(g, PARTIALS, false, null));
  return sumProgram(level, 1, false, maxNorm);
}
