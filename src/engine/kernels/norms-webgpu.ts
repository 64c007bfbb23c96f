import type * as tf from '@tensorflow/tfjs-core';
import {
  acrossRow,
  flatProgram,
  float,
  int,
  ROW_THREADS,
  rowProgram,
  rowsAndCols,
  runProgram,
} from './webgpu-program.js';

/**
 * Layer norm (Ba et al. 2016, arXiv:1607.06450) and RMSNorm (Zhang & Sennrich 2019, arXiv:1910.07467) over the
 * last axis as a few WGSL programs each way, instead of the ~36 (layer norm) tfjs programs its composed form and
 * gradient record on webgpu. Rows are x viewed as [R, C]. The per-row statistics are computed once forward and
 * kept for the backward pass: layer norm's [R, 2] (mean, 1/std; the variance is two-pass, as `tf.moments`), RMSNorm's
 * [R] (1/rms).
 */

/**
 * A program summing `term` down each of C columns over the R rows (`r`, and `i` the element's flat index, are in
 * scope): the gain and bias gradients. One workgroup per column, its lanes taking every 64th row, so the sum runs
 * in parallel over rows as well as columns (a column per invocation would leave a GPU with a few hundred
 * invocations, each looping over every row).
 */
function columnSum(cols: number, key: string, inputs: string[], term: string) {
  return rowProgram(
    [cols],
    cols,
    key,
    inputs,
    'dataRows : i32, cols : i32,',
    `
      fn row_main(column : i32, lane : i32, valid : bool) {
        var acc = 0.0;
        for (var r = lane; r < uniforms.dataRows; r = r + ${ROW_THREADS}) {
          let i = r * uniforms.cols + column;
          acc = acc + ${term};
        }
        let total = rowSum(lane, acc);
        if (valid && lane == 0) {
          setOutputAtIndex(column, total);
        }
      }`,
  );
}

/** Layer norm statistics per row: x [..., C] → [R, 2] holding (mean, 1/√(variance + eps)). */
export function layerNormStatsWebGpu(x: tf.Tensor, eps: number): tf.Tensor2D {
  const [rows, cols] = rowsAndCols(x.shape);
  const program = rowProgram(
    [rows, 2],
    rows,
    'sparsebench_layer_norm_stats',
    ['x'],
    'cols : i32, eps : f32,',
    `
      fn row_main(row : i32, lane : i32, valid : bool) {
        let base = row * uniforms.cols;
        var s = 0.0;
        ${acrossRow('s = s + x[i];')}
        let mean = rowSum(lane, s) / f32(uniforms.cols);
        var q = 0.0;
        ${acrossRow('let d = x[i] - mean; q = q + d * d;')}
        let variance = rowSum(lane, q) / f32(uniforms.cols);
        if (valid && lane == 0) {
          setOutputAtIndex(row * 2, mean);
          setOutputAtIndex(row * 2 + 1, 1.0 / sqrt(variance + uniforms.eps));
        }
      }`,
  );
  return runProgram(program, [x], [int(rows), int(cols), float(eps)]);
}

/** y = (x − mean)·rstd·gain + bias. x: [..., C], stats: [R, 2], gain, bias: [C] → [..., C] */
export function layerNormApplyWebGpu(
  x: tf.Tensor,
  stats: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
): tf.Tensor {
  const [, cols] = rowsAndCols(x.shape);
  const program = flatProgram(
    x.shape,
    'sparsebench_layer_norm_apply',
    ['x', 'stats', 'gain', 'bias'],
    'cols : i32,',
    `
          let r = index / uniforms.cols;
          let c = index - r * uniforms.cols;
          setOutputAtIndex(index, (x[index] - stats[2 * r]) * stats[2 * r + 1] * gain[c] + bias[c]);`,
  );
  return runProgram(program, [x, stats, gain, bias], [int(cols)]);
}

/**
 * The input gradient of layer norm, one workgroup per row: with x̂ = (x − mean)·rstd and g = dy·gain,
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)). dy, x: [..., C], stats: [R, 2], gain: [C] → [..., C]
 */
export function layerNormGradWebGpu(
  dy: tf.Tensor,
  x: tf.Tensor,
  stats: tf.Tensor,
  gain: tf.Tensor,
): tf.Tensor {
  const [rows, cols] = rowsAndCols(x.shape);
  const program = rowProgram(
    x.shape,
    rows,
    'sparsebench_layer_norm_grad',
    ['dy', 'x', 'stats', 'gain'],
    'cols : i32,',
    `
      fn row_main(row : i32, lane : i32, valid : bool) {
        let base = row * uniforms.cols;
        let mean = stats[2 * row];
        let rstd = stats[2 * row + 1];
        var a = 0.0;
        var b = 0.0;
        ${acrossRow('let g = dy[i] * gain[c]; a = a + g; b = b + g * (x[i] - mean) * rstd;')}
        let meanG = rowSum(lane, a) / f32(uniforms.cols);
        let meanGX = rowSum(lane, b) / f32(uniforms.cols);
        if (valid) {
          ${acrossRow('let xh = (x[i] - mean) * rstd; setOutputAtIndex(i, rstd * (dy[i] * gain[c] - meanG - xh * meanGX));')}
        }
      }`,
  );
  return runProgram(program, [dy, x, stats, gain], [int(rows), int(cols)]);
}

/** The gain's gradient Σ_rows dy·x̂ and the bias's Σ_rows dy. dy, x: [..., C], stats: [R, 2] → [C] each */
export function layerNormParamGradsWebGpu(
  dy: tf.Tensor,
  x: tf.Tensor,
  stats: tf.Tensor,
): [tf.Tensor, tf.Tensor] {
  const [rows, cols] = rowsAndCols(x.shape);
  const sizes = [int(cols), int(rows), int(cols)]; // workgroups (one per column), then the data's rows and columns
  const dgain = columnSum(
    cols,
    'sparsebench_layer_norm_dgain',
    ['dy', 'x', 'stats'],
    'dy[i] * (x[i] - stats[2 * r]) * stats[2 * r + 1]',
  );
  const dbias = columnSum(cols, 'sparsebench_layer_norm_dbias', ['dy'], 'dy[i]');
  return [runProgram(dgain, [dy, x, stats], sizes), runProgram(dbias, [dy], sizes)];
}

/** RMSNorm's 1/rms per row: x [..., C] → [R] holding 1/√(mean(x²) + eps). */
export function rmsNormStatsWebGpu(x: tf.Tensor, eps: number): tf.Tensor1D {
  const [rows, cols] = rowsAndCols(x.shape);
  const program = rowProgram(
    [rows],
    rows,
    'sparsebench_rms_norm_stats',
    ['x'],
    'cols : i32, eps : f32,',
    `
      fn row_main(row : i32, lane : i32, valid : bool) {
        let base = row * uniforms.cols;
        var q = 0.0;
        ${acrossRow('q = q + x[i] * x[i];')}
        let meanSquare = rowSum(lane, q) / f32(uniforms.cols);
        if (valid && lane == 0) {
          setOutputAtIndex(row, 1.0 / sqrt(meanSquare + uniforms.eps));
        }
      }`,
  );
  return runProgram(program, [x], [int(rows), int(cols), float(eps)]);
}

/** y = x·rstd·gain. x: [..., C], rstd: [R], gain: [C] → [..., C] */
export function rmsNormApplyWebGpu(x: tf.Tensor, rstd: tf.Tensor, gain: tf.Tensor): tf.Tensor {
  const [, cols] = rowsAndCols(x.shape);
  const program = flatProgram(
    x.shape,
    'sparsebench_rms_norm_apply',
    ['x', 'rstd', 'gain'],
    'cols : i32,',
    `
          let r = index / uniforms.cols;
          setOutputAtIndex(index, x[index] * rstd[r] * gain[index - r * uniforms.cols]);`,
  );
  return runProgram(program, [x, rstd, gain], [int(cols)]);
}

/**
 * RMSNorm's input gradient, one workgroup per row: with g = dy·gain, dx = rstd·(g − x·rstd²·mean(g·x)).
 * dy, x: [..., C], rstd: [R], gain: [C] → [..., C]
 */
export function rmsNormGradWebGpu(dy: tf.Tensor, x: tf.Tensor, rstd: tf.Tensor, gain: tf.Tensor): tf.Tensor {
  const [rows, cols] = rowsAndCols(x.shape);
  const program = rowProgram(
    x.shape,
    rows,
    'sparsebench_rms_norm_grad',
    ['dy', 'x', 'rstd', 'gain'],
    'cols : i32,',
    `
      fn row_main(row : i32, lane : i32, valid : bool) {
        let base = row * uniforms.cols;
        let s = rstd[row];
        var a = 0.0;
        ${acrossRow('a = a + dy[i] * gain[c] * x[i];')}
        let meanGX = rowSum(lane, a) / f32(uniforms.cols);
        if (valid) {
          ${acrossRow('setOutputAtIndex(i, s * (dy[i] * gain[c] - x[i] * s * s * meanGX));')}
        }
      }`,
  );
  return runProgram(program, [dy, x, rstd, gain], [int(rows), int(cols)]);
}

/** RMSNorm's gain gradient Σ_rows dy·x·rstd. dy, x: [..., C], rstd: [R] → [C] */
export function rmsNormGainGradWebGpu(dy: tf.Tensor, x: tf.Tensor, rstd: tf.Tensor): tf.Tensor {
  const [rows, cols] = rowsAndCols(x.shape);
  const program = columnSum(
    cols,
    'sparsebench_rms_norm_dgain',
    ['dy', 'x', 'rstd'],
    'dy[i] * x[i] * rstd[r]',
  );
  return runProgram(program, [dy, x, rstd], [int(cols), int(rows), int(cols)]);
}
