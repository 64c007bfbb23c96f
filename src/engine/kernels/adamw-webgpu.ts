import * as tf from '@tensorflow/tfjs-core';

/**
 * AdamW (Loshchilov & Hutter 2019, arXiv:1711.05101) as two WebGPU compute programs per parameter, run through
 * the tfjs webgpu backend: one writes both moments, packed as [m | v] ([2n]), the other the new weights from
 * them (decoupled decay, bias corrections, and the mask when one is given). The same arithmetic as
 * `adamwUpdate` in src/train/adamw.ts, in float32 instead of double; the gradient's clipping scale is read from
 * a one-element tensor, so the global norm never leaves the GPU.
 */

/** The tfjs webgpu backend's program contract (`WebGPUProgram`), the parts these programs use. */
interface Program {
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
type Uniforms = { type: 'float32' | 'int32'; data: number[] }[];

interface WebGpuBackend {
  runWebGPUProgram(
    program: Program,
    inputs: tf.TensorInfo[],
    dtype: 'float32',
    uniforms: Uniforms,
  ): tf.TensorInfo;
}

/**
 * The backend's dispatch helper (`webgpu_util.computeDispatch`): workgroups for a flat layout. Past 65535 along x
 * `runWebGPUProgram` reshapes the dispatch itself, and the flat index accounts for it.
 */
type ComputeDispatch = (
  layout: { x: number[] },
  shape: number[],
  workgroup: [number, number, number],
) => [number, number, number];

let computeDispatch: ComputeDispatch | null = null;

/** Loads the backend's dispatch helper; call once after the webgpu backend is selected. */
export async function loadAdamWWebGpu(): Promise<void> {
  const mod = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as {
    webgpu_util: { computeDispatch: ComputeDispatch };
  };
  computeDispatch = mod.webgpu_util.computeDispatch;
}

/** An elementwise program over every index of `shape` (a flat layout: inputs are read by that index). */
function flatProgram(
  shape: number[],
  key: string,
  inputs: string[],
  uniforms: string,
  body: string,
): Program {
  if (!computeDispatch) throw new Error('adamw-webgpu: loadAdamWWebGpu() was not called');
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const dispatchLayout = { x: shape.map((_, i) => i) };
  return {
    outputShape: shape,
    shaderKey: key,
    dispatchLayout,
    dispatch: computeDispatch(dispatchLayout, shape, workgroupSize),
    variableNames: inputs,
    uniforms,
    workgroupSize,
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}

/** Step factors of one update (see `stepFactors` in src/train/adamw.ts). */
export interface AdamWFactors {
  beta1: number;
  beta2: number;
  /** 1 / (1 − β₁ᵗ) */
  c1: number;
  /** 1 / (1 − β₂ᵗ) */
  c2: number;
  lr: number;
  eps: number;
  /** 1 − lr·λ where the parameter decays, else 1. */
  shrink: number;
}

const backendOf = () => tf.backend() as unknown as WebGpuBackend;
const asTensor = <T extends tf.Tensor = tf.Tensor>(info: tf.TensorInfo) =>
  tf.engine().makeTensorFromTensorInfo(info) as T;

/**
 * New packed moments [m' | v'] ([2n]) from the old ones ([2n]), the gradient (n values) and the clipping
 * scale ([1]): m' = β₁m + (1 − β₁)·g·s, v' = β₂v + (1 − β₂)·(g·s)².
 */
export function momentsWebGpu(
  moments: tf.Tensor1D,
  grad: tf.Tensor,
  scale: tf.Tensor1D,
  f: AdamWFactors,
): tf.Tensor1D {
  const n = grad.size;
  // moments and grad are read flat: their shapes only set the getters' names
  const program = flatProgram(
    [2 * n],
    'sparsebench_adamw_moments',
    ['moments', 'grad', 'scale'],
    'n : i32, beta1 : f32, beta2 : f32,',
    `
          let i = index % uniforms.n;
          let g = grad[i] * scale[0];
          if (index < uniforms.n) {
            setOutputAtIndex(index, uniforms.beta1 * moments[index] + (1.0 - uniforms.beta1) * g);
          } else {
            setOutputAtIndex(index, uniforms.beta2 * moments[index] + (1.0 - uniforms.beta2) * g * g);
          }`,
  );
  const out = backendOf().runWebGPUProgram(program, [moments, grad, scale], 'float32', [
    { type: 'int32', data: [n] },
    { type: 'float32', data: [f.beta1] },
    { type: 'float32', data: [f.beta2] },
  ]);
  return asTensor<tf.Tensor1D>(out);
}

/**
 * New weights from the old (n values) and the new packed moments ([2n]):
 * w' = (w·shrink − lr·m'c₁ / (√(v'c₂) + ε)) ⊙ mask, the mask (n values of 0 or 1) only when given; masked
 * entries are +0 (a product would leave −0 where the update was negative).
 */
export function weightsWebGpu(
  w: tf.Tensor,
  moments: tf.Tensor1D,
  mask: tf.Tensor | null,
  f: AdamWFactors,
): tf.Tensor {
  const n = w.size;
  const inputs = mask ? ['w', 'moments', 'mask'] : ['w', 'moments'];
  const program = flatProgram(
    w.shape,
    mask ? 'sparsebench_adamw_weights_masked' : 'sparsebench_adamw_weights',
    inputs,
    'n : i32, c1 : f32, c2 : f32, lr : f32, eps : f32, shrink : f32,',
    `
          let m = moments[index];
          let v = moments[index + uniforms.n];
          let updated = w[index] * uniforms.shrink - (uniforms.lr * (m * uniforms.c1)) / (sqrt(v * uniforms.c2) + uniforms.eps);
          ${mask ? 'setOutputAtIndex(index, select(0.0, updated, mask[index] != 0.0));' : 'setOutputAtIndex(index, updated);'}`,
  );
  const out = backendOf().runWebGPUProgram(program, mask ? [w, moments, mask] : [w, moments], 'float32', [
    { type: 'int32', data: [n] },
    { type: 'float32', data: [f.c1] },
    { type: 'float32', data: [f.c2] },
    { type: 'float32', data: [f.lr] },
    { type: 'float32', data: [f.eps] },
    { type: 'float32', data: [f.shrink] },
  ]);
  return asTensor(out);
}
