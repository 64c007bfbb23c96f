import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, writeFileAtomic } from '../../src/store/safetensors.js';
import { readSafetensors, weightsPath, writeSafetensors } from '../../src/store/weights.js';
import { tempDir } from '../helpers/config.js';

describe('safetensors', () => {
  it('lays out the header as the format specifies (hand-checked bytes)', () => {
    const buf = encodeSafetensors(
      [{ name: 'w', dtype: 'F32', shape: [2], data: Float32Array.from([1, -2]) }],
      {
        a: 'b',
      },
    );
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    expect(header).toEqual({
      __metadata__: { a: 'b' },
      w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    });
    expect(buf.length).toBe(8 + n + 8);
    expect(buf.readFloatLE(8 + n + 4)).toBe(-2);
  });

  it('round-trips weights, masks and metadata through a file', () => {
    const path = weightsPath(join(tempDir(), 'x.db'), 'abc');
    expect(path).toMatch(/weights\/abc\.safetensors$/);
    const w = Float32Array.from([0.5, 0, 0, -1.5, 2, 0]);
    writeSafetensors(
      path,
      {
        params: [
          { name: 'layer.w', shape: [2, 3], data: w },
          { name: 'norm.g', shape: [3], data: Float32Array.from([1, 1, 1]) },
        ],
        masks: new Map([['layer.w', Uint8Array.from([1, 0, 0, 1, 1, 0])]]),
      },
      { spec: '{"x":1}' },
    );
    const back = readSafetensors(path);
    expect(back.metadata).toEqual({ spec: '{"x":1}' });
    expect([...back.tensors.keys()]).toEqual(['layer.w', 'layer.w.mask', 'norm.g']);
    expect([...back.tensors.get('layer.w')!.data]).toEqual([...w]);
    expect([...back.tensors.get('layer.w.mask')!.data]).toEqual([1, 0, 0, 1, 1, 0]);
    expect(back.tensors.get('layer.w.mask')!.dtype).toBe('U8');
    expect(() => decodeSafetensors(Buffer.from([1, 2]))).toThrow(/too short/);
    // cut short, as a copy stopped early: refused, not read as shorter tensors
    const whole = readFileSync(path);
    expect(() => decodeSafetensors(whole.subarray(0, whole.length - 4))).toThrow(
      /^safetensors: norm\.g runs past the end of the file \(\d+ bytes, \d+ needed\): the file is cut short$/,
    );
    // offsets that do not hold the shape
    const n = Number(whole.readBigUInt64LE(0));
    const header = JSON.parse(whole.subarray(8, 8 + n).toString('utf8'));
    header['norm.g'].shape = [4];
    const text = Buffer.from(JSON.stringify(header).padEnd(n, ' '));
    const bad = Buffer.concat([whole.subarray(0, 8), text, whole.subarray(8 + n)]);
    expect(() => decodeSafetensors(bad)).toThrow(
      /norm\.g's data_offsets \[\d+,\d+\] do not hold its shape \[4\] of F32/,
    );
  });
});

describe('atomic file writes', () => {
  it('write every byte of a buffer larger than one write call, and leave no temporary file', () => {
    const dir = tempDir();
    const path = join(dir, 'big.bin');
    const data = new Uint8Array(64 * 1024 * 1024 + 12345);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i / 4096) & 255;
    data[data.length - 1] = 7;
    writeFileAtomic(path, data);
    const back = readFileSync(path);
    expect(back.length).toBe(data.length);
    expect(back.equals(Buffer.from(data.buffer))).toBe(true);
    expect(readdirSync(dir)).toEqual(['big.bin']);
  });
});
