/**
 * Typed arrays built element by element. A plain loop: `Float32Array.from(xs, f)` goes through V8's generic
 * iterator path and is ~10x slower on the layer-sized arrays the pruners handle every update.
 */
export function f32(n: number, f: (i: number) => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

/** A Uint8Array (masks) built element by element; see {@link f32}. */
export function u8(n: number, f: (i: number) => number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

/** An Int32Array built element by element; see {@link f32}. */
export function i32(n: number, f: (i: number) => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}
