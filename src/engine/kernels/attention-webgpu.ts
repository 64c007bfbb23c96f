import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type AttentionAttrs, type AttentionLayout, biasMode, columns } from './attention-native.js';
import {
  flatProgram,
  float,
  int,
  type Program,
  ROW_THREADS,
  rowProgram,
  runProgramOn,
} from './webgpu-program.js';

/**
 * Multi-head attention (Vaswani et al. 2017, arXiv:1706.03762) as WGSL programs, registered for the webgpu backend
 * under the same kernel names as the native one (kernels/attention-native.ts), so `fusedAttention`
 * (engine/fused-attention.ts) runs unchanged on either. Heads are read in place from q, k and v in any of the
 * three layouts; nothing is transposed. Forward: the probabilities (one workgroup per query row) and the output;
 * backward: the score gradient dS = P ⊙ (dP − rowsum(P ⊙ dP)) (one workgroup per row), then one program per
 * distinct input writing dq, dk and dv where q, k and v sit in it, and the bias's gradient where there is a bias.
 * For the lm that is 2 programs forward and 3 backward per layer, where the composed ops record ~28.
 */

/** The buffers q, k and v are read from, per layout, and the distinct inputs in kernel-output order. */
const SOURCES: Record<AttentionLayout, { q: string; k: string; v: string; names: string[] }> = {
  qkv: { q: 'qkv', k: 'qkv', v: 'qkv', names: ['qkv'] },
  'q+kv': { q: 'q', k: 'kv', v: 'kv', names: ['q', 'kv'] },
  separate: { q: 'q', k: 'k', v: 'v', names: ['q', 'k', 'v'] },
};

/** Kernel inputs as `fusedAttention` passes them: k and v repeat q (qkv) or each other (q+kv). */
interface Inputs {
  q: TensorInfo;
  k: TensorInfo;
  v: TensorInfo;
  bias?: TensorInfo;
}

const distinctOf = (a: AttentionAttrs, x: Inputs): TensorInfo[] =>
  a.layout === 'qkv' ? [x.q] : a.layout === 'q+kv' ? [x.q, x.k] : [x.q, x.k, x.v];

const UNIFORMS =
  'batch : i32, heads : i32, tq : i32, tk : i32, hd : i32, ldq : i32, ldk : i32, ldv : i32, qcol : i32, kcol : i32, vcol : i32, scale : f32,';

/** Values for {@link UNIFORMS}, after a row program's own `rows` where it has one. */
function uniformsOf(a: AttentionAttrs, x: Inputs, rows?: number) {
  const at = columns(a);
  const ints = [
    a.batch,
    a.heads,
    a.tq,
    a.tk,
    a.hd,
    x.q.shape[1],
    x.k.shape[1],
    x.v.shape[1],
    at.q,
    at.k,
    at.v,
  ];
  return [...(rows === undefined ? [] : [int(rows)]), ...ints.map((v) => int(v)), float(a.scale)];
}

type Part = 'q' | 'k' | 'v';

/**
 * The buffers a program reading the given parts binds, in the layout's order: Dawn drops a binding its shader never
 * reads from the pipeline's layout, so a program must bind exactly what it reads.
 */
function sourcesFor(layout: AttentionLayout, parts: Part[]): string[] {
  const s = SOURCES[layout];
  return s.names.filter((n) => parts.some((p) => s[p] === n));
}

/** The distinct inputs behind those buffer names. */
function tensorsFor(layout: AttentionLayout, parts: Part[], x: Inputs): TensorInfo[] {
  const byName: Record<string, TensorInfo> = { qkv: x.q, q: x.q, kv: x.k, k: x.k, v: x.v };
  return sourcesFor(layout, parts).map((n) => byName[n]);
}

/**
 * WGSL helpers: the element of each of `parts` (q, k or v) at (row of its input, column within the part), the
 * index of (b, h, i, j) in [B, H, Tq, Tk], and the bias there (0 without one).
 */
function helpers(layout: AttentionLayout, parts: Part[], mode: 0 | 1 | 2 | 3 = 0): string {
  const s = SOURCES[layout];
  const bias = [
    '0.0',
    'bias[i * uniforms.tk + j]',
    'bias[(h * uniforms.tq + i) * uniforms.tk + j]',
    'bias[((b * uniforms.heads + h) * uniforms.tq + i) * uniforms.tk + j]',
  ][mode];
  const ld = { q: 'ldq', k: 'ldk', v: 'ldv' };
  const read = parts.map(
    (p) =>
      `fn read${p.toUpperCase()}(row : i32, c : i32) -> f32 { return ${s[p]}[row * uniforms.${ld[p]} + uniforms.${p}col + c]; }`,
  );
  return `
      ${read.join('\n      ')}
      fn scoreIndex(b : i32, h : i32, i : i32, j : i32) -> i32 {
        return ((b * uniforms.heads + h) * uniforms.tq + i) * uniforms.tk + j;
      }
      fn biasAt(b : i32, h : i32, i : i32, j : i32) -> f32 { return ${bias}; }`;
}

/** A row program over the B·H·Tq query rows of [B, H, Tq, Tk]; `body` sees b, h, i, lane and valid. */
function queryRowProgram(
  a: AttentionAttrs,
  key: string,
  parts: Part[],
  others: string[],
  mode: 0 | 1 | 2 | 3,
  body: string,
): Program {
  const rows = a.batch * a.heads * a.tq;
  const inputs = [...sourcesFor(a.layout, parts), ...others];
  return rowProgram(
    [a.batch, a.heads, a.tq, a.tk],
    rows,
    key,
    inputs,
    UNIFORMS,
    `
      ${helpers(a.layout, parts, mode)}
      fn row_main(row : i32, lane : i32, valid : bool) {
        let b = row / (uniforms.heads * uniforms.tq);
        let h = (row / uniforms.tq) % uniforms.heads;
        let i = row % uniforms.tq;
        ${body}
      }`,
  );
}

const eachKey = (what: string) => `for (var j = lane; j < uniforms.tk; j = j + ${ROW_THREADS}) { ${what} }`;

/** probs = softmax(scale · q kᵀ + bias) per head: [B, H, Tq, Tk]. Scores go to the output first, then in place. */
function probsProgram(a: AttentionAttrs, mode: 0 | 1 | 2 | 3): Program {
  return queryRowProgram(
    a,
    `sparsebench_attention_probs_${a.layout}_${mode}`,
    ['q', 'k'],
    mode ? ['bias'] : [],
    mode,
    `
        var m = -3.402823e38;
        ${eachKey(`
          var s = 0.0;
          for (var d = 0; d < uniforms.hd; d = d + 1) {
            s = s + readQ(b * uniforms.tq + i, h * uniforms.hd + d) * readK(b * uniforms.tk + j, h * uniforms.hd + d);
          }
          s = s * uniforms.scale + biasAt(b, h, i, j);
          if (valid) { result[scoreIndex(b, h, i, j)] = s; }
          m = max(m, s);`)}
        let largest = rowMax(lane, m);
        var total = 0.0;
        ${eachKey(`
          let e = exp(result[scoreIndex(b, h, i, j)] - largest);
          if (valid) { result[scoreIndex(b, h, i, j)] = e; }
          total = total + e;`)}
        let inv = 1.0 / rowSum(lane, total);
        if (valid) {
          ${eachKey('result[scoreIndex(b, h, i, j)] = result[scoreIndex(b, h, i, j)] * inv;')}
        }`,
  );
}

/** o = P v per head, written [B*Tq, D] with head h in columns h·hd… (one invocation per element). */
function outputProgram(a: AttentionAttrs): Program {
  const d = a.heads * a.hd;
  return flatProgram(
    [a.batch * a.tq, d],
    `sparsebench_attention_output_${a.layout}`,
    [...sourcesFor(a.layout, ['v']), 'probs'],
    UNIFORMS,
    `
          let row = index / (uniforms.heads * uniforms.hd);
          let col = index % (uniforms.heads * uniforms.hd);
          let b = row / uniforms.tq;
          let h = col / uniforms.hd;
          let first = scoreIndex(b, h, row % uniforms.tq, 0);
          var acc = 0.0;
          for (var j = 0; j < uniforms.tk; j = j + 1) {
            acc = acc + probs[first + j] * readV(b * uniforms.tk + j, col);
          }
          setOutputAtIndex(index, acc);`,
    helpers(a.layout, ['v']),
  );
}

/**
 * dS = P ⊙ (dP − Σⱼ P ⊙ dP) with dP = dy vᵀ per head: [B, H, Tq, Tk], the gradient of the biased scores (before
 * the scale: dq and dk multiply it in).
 */
function scoreGradProgram(a: AttentionAttrs): Program {
  return queryRowProgram(
    a,
    `sparsebench_attention_dscores_${a.layout}`,
    ['v'],
    ['probs', 'dy'],
    0,
    `
        let dyRow = (b * uniforms.tq + i) * uniforms.heads * uniforms.hd + h * uniforms.hd;
        var acc = 0.0;
        ${eachKey(`
          var dp = 0.0;
          for (var d = 0; d < uniforms.hd; d = d + 1) {
            dp = dp + dy[dyRow + d] * readV(b * uniforms.tk + j, h * uniforms.hd + d);
          }
          if (valid) { result[scoreIndex(b, h, i, j)] = dp; }
          acc = acc + probs[scoreIndex(b, h, i, j)] * dp;`)}
        let dot = rowSum(lane, acc);
        if (valid) {
          ${eachKey('let at = scoreIndex(b, h, i, j); result[at] = probs[at] * (result[at] - dot);')}
        }`,
  );
}

/**
 * What the gradient program of distinct input `which` reads: dq needs k and dS, dk needs q and dS, dv needs the
 * probabilities and dy.
 */
function gradInputs(layout: AttentionLayout, which: number): { reads: Part[]; others: string[] } {
  const s = SOURCES[layout];
  const held = (['q', 'k', 'v'] as const).filter((p) => s[p] === s.names[which]);
  const reads: Part[] = [];
  if (held.includes('q')) reads.push('k');
  if (held.includes('k')) reads.push('q');
  const others = [
    ...(held.includes('v') ? ['probs', 'dy'] : []),
    ...(held.includes('q') || held.includes('k') ? ['dscores'] : []),
  ];
  return { reads, others };
}

/**
 * The gradient of one distinct input ([rows, width]): each column inside the q, k or v part held there gets that
 * part's gradient — dq = scale·dS k, dk = scale·dSᵀ q, dv = Pᵀ dy, per head.
 */
function inputGradProgram(a: AttentionAttrs, which: number, shape: number[]): Program {
  const s = SOURCES[a.layout];
  const name = s.names[which];
  const { reads, others } = gradInputs(a.layout, which);
  const parts: string[] = [];
  if (s.q === name)
    parts.push(`if (col >= uniforms.qcol && col < uniforms.qcol + width) {
            let c = col - uniforms.qcol;
            let b = row / uniforms.tq;
            let first = scoreIndex(b, c / uniforms.hd, row % uniforms.tq, 0);
            var acc = 0.0;
            for (var j = 0; j < uniforms.tk; j = j + 1) { acc = acc + dscores[first + j] * readK(b * uniforms.tk + j, c); }
            value = uniforms.scale * acc;
          }`);
  if (s.k === name)
    parts.push(`if (col >= uniforms.kcol && col < uniforms.kcol + width) {
            let c = col - uniforms.kcol;
            let b = row / uniforms.tk;
            let j = row % uniforms.tk;
            var acc = 0.0;
            for (var i = 0; i < uniforms.tq; i = i + 1) {
              acc = acc + dscores[scoreIndex(b, c / uniforms.hd, i, j)] * readQ(b * uniforms.tq + i, c);
            }
            value = uniforms.scale * acc;
          }`);
  if (s.v === name)
    parts.push(`if (col >= uniforms.vcol && col < uniforms.vcol + width) {
            let c = col - uniforms.vcol;
            let b = row / uniforms.tk;
            let j = row % uniforms.tk;
            var acc = 0.0;
            for (var i = 0; i < uniforms.tq; i = i + 1) {
              acc = acc + probs[scoreIndex(b, c / uniforms.hd, i, j)] * dy[(b * uniforms.tq + i) * width + c];
            }
            value = acc;
          }`);
  return flatProgram(
    shape,
    `sparsebench_attention_dinput_${a.layout}_${which}`,
    [...sourcesFor(a.layout, reads), ...others],
    `${UNIFORMS} cols : i32,`,
    `
          let width = uniforms.heads * uniforms.hd;
          let row = index / uniforms.cols;
          let col = index % uniforms.cols;
          var value = 0.0;
          ${parts.join('\n          ')}
          setOutputAtIndex(index, value);`,
    helpers(a.layout, reads),
  );
}

/** The bias's gradient: dS summed over what the bias is shared across (mode 1: batch and heads; 2: batch). */
function biasGradProgram(mode: 1 | 2, shape: number[]): Program {
  return flatProgram(
    shape,
    `sparsebench_attention_dbias_${mode}`,
    ['dscores'],
    'groups : i32,',
    `
          var acc = 0.0;
          for (var g = 0; g < uniforms.groups; g = g + 1) { acc = acc + dscores[g * uniforms.size + index]; }
          setOutputAtIndex(index, acc);`,
  );
}

/** Disposes an intermediate output a kernel does not return. */
const disposeInfo = (backend: unknown, t: TensorInfo) =>
  (backend as { disposeData(id: object): void }).disposeData(t.dataId);

/** The forward kernel: o [B*Tq, D] and probs [B, H, Tq, Tk]. */
export const webgpuAttention = ((args: { inputs: Inputs; backend: unknown; attrs: AttentionAttrs }) => {
  const { inputs: x, backend, attrs: a } = args;
  const mode = biasMode(x.bias, a);
  const probs = runProgramOn(
    backend,
    probsProgram(a, mode),
    [...tensorsFor(a.layout, ['q', 'k'], x), ...(x.bias ? [x.bias] : [])],
    uniformsOf(a, x, a.batch * a.heads * a.tq),
  );
  const o = runProgramOn(
    backend,
    outputProgram(a),
    [...tensorsFor(a.layout, ['v'], x), probs],
    uniformsOf(a, x),
  );
  return [o, probs];
}) as unknown as KernelFunc;

/** The backward kernel: one gradient per distinct input (dqkv; dq, dkv; or dq, dk, dv), then dbias if a bias. */
export const webgpuAttentionGrad = ((args: {
  inputs: Inputs & { dy: TensorInfo; probs: TensorInfo };
  backend: unknown;
  attrs: AttentionAttrs;
}) => {
  const { inputs: x, backend, attrs: a } = args;
  const mode = biasMode(x.bias, a);
  const dscores = runProgramOn(
    backend,
    scoreGradProgram(a),
    [...tensorsFor(a.layout, ['v'], x), x.probs, x.dy],
    uniformsOf(a, x, a.batch * a.heads * a.tq),
  );
  const named: Record<string, TensorInfo> = { probs: x.probs, dy: x.dy, dscores };
  const grads = distinctOf(a, x).map((t, which) => {
    const { reads, others } = gradInputs(a.layout, which);
    const inputs = [...tensorsFor(a.layout, reads, x), ...others.map((n) => named[n])];
    return runProgramOn(backend, inputGradProgram(a, which, t.shape), inputs, [
      ...uniformsOf(a, x),
      { type: 'int32', data: [t.shape[1]] },
    ]);
  });
  if (!x.bias) {
    disposeInfo(backend, dscores);
    return grads;
  }
  if (mode === 3) return [...grads, dscores]; // [B, H, Tq, Tk]: dS itself
  const groups = mode === 1 ? a.batch * a.heads : a.batch;
  const dbias = runProgramOn(backend, biasGradProgram(mode as 1 | 2, x.bias.shape), [dscores], [int(groups)]);
  disposeInfo(backend, dscores);
  return [...grads, dbias];
}) as unknown as KernelFunc;
