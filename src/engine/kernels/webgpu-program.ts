import * as tf from '@tensorflow/tfjs-core';

/**
 * Our own WGSL compute programs, run through the tfjs webgpu backend's `runWebGPUProgram`: the backend declares
 * the inputs (`array<f32>` or `array<i32>` by dtype, named as `variableNames`), one output (`result`, written with
 * `setOutputAtIndex`), the uniforms (shapes, `size`, then a program's own), and calls `main(index)` with the global
 * invocation index. Programs here are of two kinds: flat (one invocation per output element) and row-wise (one
 * workgroup of {@link ROW_THREADS} invocations per row of a [R, C] input, which reduce across the row in workgroup
 * memory).
 */

/** The tfjs webgpu backend's program contract (`WebGPUProgram`), the parts our programs use. */
export interface Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms: string;
  workgroupSize: [number, number, number];
  size: boolean;
  getUserCode(): string;
}

/** A program's own uniforms, in the order its `uniforms` declaration names them. */
export type Uniforms = { type: 'float32' | 'int32'; data: number[] }[];

/** One `i32` uniform. */
export const int = (v: number) => ({ type: 'int32' as const, data: [v] });
/** One `f32` uniform. */
export const float = (v: number) => ({ type: 'float32' as const, data: [v] });

interface WebGpuBackend {
  runWebGPUProgram(
    program: Program,
    inputs: tf.TensorInfo[],
    dtype: 'float32',
    uniforms: Uniforms,
  ): tf.TensorInfo;
}

/** Invocations per workgroup of every program here (a power of two: row programs reduce by halving). */
export const ROW_THREADS = 64;

/**
 * Workgroups along x for `count` workgroups. Past the per-dimension limit (65535) `runWebGPUProgram` reshapes the
 * dispatch into two or three dimensions itself, so programs take their workgroup's flat number from
 * {@link WORKGROUP_INDEX}, and an index from `main`'s argument, never from x alone.
 */
const dispatchOf = (count: number): [number, number, number] => [Math.max(1, count), 1, 1];

/** The flat number of this invocation's workgroup, whatever shape the dispatch was given (WGSL, i32). */
const WORKGROUP_INDEX =
  'i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x)';

/**
 * An elementwise program: `body` runs once per index of `shape` (0 ≤ index < uniforms.size); `preamble` holds WGSL
 * declarations (helper functions) it uses.
 *
 * The backend caches compiled programs by `key` and the ranks and dtypes of inputs and output only, so
 * anything else a program depends on (sizes, offsets) must come in as uniforms, never be written into the code.
 */
export function flatProgram(
  shape: number[],
  key: string,
  inputs: string[],
  uniforms: string,
  body: string,
  preamble = '',
): Program {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    outputShape: shape,
    shaderKey: key,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: dispatchOf(Math.ceil(size / ROW_THREADS)),
    variableNames: inputs,
    uniforms,
    workgroupSize: [ROW_THREADS, 1, 1],
    size: true,
    getUserCode: () => `${preamble}
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}

/**
 * A row-wise program: one workgroup per row, `rows` workgroups in all, writing an output of `shape`. `code`
 * defines `fn row_main(row : i32, lane : i32, valid : bool)`; lane is 0..ROW_THREADS-1, and `valid` is false for
 * the padding workgroups of a reshaped dispatch (they must still reach every barrier, so the function runs for
 * them with row clamped to the last row). Declares `rowSum(lane, value)` and `rowMax(lane, value)`, the sum and the
 * largest of `value` over the workgroup's lanes (every lane gets it; barriers inside, so call them from uniform
 * control flow only).
 */
export function rowProgram(
  shape: number[],
  rows: number,
  key: string,
  inputs: string[],
  uniforms: string,
  code: string,
): Program {
  return {
    outputShape: shape,
    shaderKey: key,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: dispatchOf(rows),
    variableNames: inputs,
    uniforms: `rows : i32, ${uniforms}`,
    workgroupSize: [ROW_THREADS, 1, 1],
    size: false,
    getUserCode: () => `
      var<workgroup> partial : array<f32, ${ROW_THREADS}>;

      fn rowSum(lane : i32, value : f32) -> f32 {
        partial[lane] = value;
        workgroupBarrier();
        for (var stride = ${ROW_THREADS / 2}; stride > 0; stride = stride / 2) {
          if (lane < stride) {
            partial[lane] = partial[lane] + partial[lane + stride];
          }
          workgroupBarrier();
        }
        let total = partial[0];
        workgroupBarrier();
        return total;
      }

      fn rowMax(lane : i32, value : f32) -> f32 {
        partial[lane] = value;
        workgroupBarrier();
        for (var stride = ${ROW_THREADS / 2}; stride > 0; stride = stride / 2) {
          if (lane < stride) {
            partial[lane] = max(partial[lane], partial[lane + stride]);
          }
          workgroupBarrier();
        }
        let largest = partial[0];
        workgroupBarrier();
        return largest;
      }

      ${code}

      fn main(index : i32) {
        let row = ${WORKGROUP_INDEX};
        row_main(min(row, uniforms.rows - 1), i32(localId.x), row < uniforms.rows);
      }`,
  };
}

/**
 * WGSL statements running `what` for each column c of the row this lane owns (c = lane, lane + ROW_THREADS, …),
 * with `i` the element's flat index; `base` (the row's first index) and `uniforms.cols` must be in scope.
 */
export const acrossRow = (what: string) =>
  `for (var c = lane; c < uniforms.cols; c = c + ${ROW_THREADS}) { let i = base + c; ${what} }`;

const backendOf = () => tf.backend() as unknown as WebGpuBackend;

/** Runs a program on the given webgpu backend (a kernel's `backend` argument): the output, not yet a tensor. */
export function runProgramOn(
  backend: unknown,
  program: Program,
  inputs: tf.TensorInfo[],
  uniforms: Uniforms,
): tf.TensorInfo {
  return (backend as WebGpuBackend).runWebGPUProgram(program, inputs, 'float32', uniforms);
}

/** Runs a program on the active (webgpu) backend and wraps its output as a tracked tensor. */
export function runProgram<T extends tf.Tensor = tf.Tensor>(
  program: Program,
  inputs: tf.TensorInfo[],
  uniforms: Uniforms,
): T {
  const out = backendOf().runWebGPUProgram(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(out) as T;
}

/** Rows and columns of x viewed as [R, C], C its last axis. */
export function rowsAndCols(shape: number[]): [number, number] {
  const cols = shape[shape.length - 1];
  return [shape.reduce((p, q) => p * q, 1) / cols, cols];
}
