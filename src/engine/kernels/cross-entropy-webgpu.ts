import type * as tf from '@tensorflow/tfjs-core';
import { acrossRow, int, rowProgram, runProgram } from './webgpu-program.js';

/**
 * Softmax cross-entropy per row as one WGSL program each way (one workgroup per row), instead of the ~16 tfjs
 * programs of the composed log-softmax, one-hot product and their gradients on webgpu. Both recompute the row's
 * log-sum-exp (max first, so exp never overflows); the backward pass reads the logits again rather than a saved
 * softmax.
 */

/** The row's log-sum-exp, as WGSL statements defining `lse` (and `base`). */
const LOG_SUM_EXP = `
        let base = row * uniforms.cols;
        var m = -3.402823e38;
        ${acrossRow('m = max(m, logits[i]);')}
        let largest = rowMax(lane, m);
        var s = 0.0;
        ${acrossRow('s = s + exp(logits[i] - largest);')}
        let lse = largest + log(rowSum(lane, s));`;

/** −log softmax(logits)[target] per row. logits: [R, V] float32, targets: [R] int32 → [R] */
export function crossEntropyRowsWebGpu(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [rows, cols] = logits.shape;
  const program = rowProgram(
    [rows],
    rows,
    'sparsebench_cross_entropy',
    ['logits', 'targets'],
    'cols : i32,',
    `
      fn row_main(row : i32, lane : i32, valid : bool) {${LOG_SUM_EXP}
        if (valid && lane == 0) {
          setOutputAtIndex(row, lse - logits[base + targets[row]]);
        }
      }`,
  );
  return runProgram(program, [logits, targets], [int(rows), int(cols)]);
}

/** d logits = dy·(softmax(logits) − onehot(target)). dy: [R], logits: [R, V], targets: [R] → [R, V] */
export function crossEntropyGradWebGpu(
  dy: tf.Tensor,
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
): tf.Tensor2D {
  const [rows, cols] = logits.shape;
  const program = rowProgram(
    [rows, cols],
    rows,
    'sparsebench_cross_entropy_grad',
    ['dy', 'logits', 'targets'],
    'cols : i32,',
    `
      fn row_main(row : i32, lane : i32, valid : bool) {${LOG_SUM_EXP}
        let label = targets[row];
        if (valid) {
          ${acrossRow('setOutputAtIndex(i, dy[row] * (exp(logits[i] - lse) - select(0.0, 1.0, c == label)));')}
        }
      }`,
  );
  return runProgram(program, [dy, logits, targets], [int(rows), int(cols)]);
}
