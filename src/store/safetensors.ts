import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { makeDirs } from '../util/dirs.js';

/** Tensor element types we write: float32 weights and uint8 masks. */
export type SafeDtype = 'F32' | 'U8';

/** One tensor of a safetensors file. */
export interface SafeTensor {
  name: string;
  dtype: SafeDtype;
  shape: number[];
  data: Float32Array | Uint8Array;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, U8: 1 };

/**
 * Serialises tensors in the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header (dtype, shape, byte offsets per tensor, and string metadata
 * under `__metadata__`) padded with spaces to 8 bytes, then the raw little-endian data.
 */
export function encodeSafetensors(
  tensors: readonly SafeTensor[],
  metadata: Record<string, string> = {},
): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = count * BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    const src = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    src.copy(out, at);
    at += src.length;
  }
  return out;
}

/**
 * Whether the file at `path` starts like a safetensors file, as {@link decodeSafetensors} reads one: an 8-byte
 * little-endian header length that fits in the file, then a JSON object. Reads 9 bytes, not the file.
 */
export function isSafetensorsFile(path: string): boolean {
  const head = Buffer.alloc(9);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, head, 0, head.length, 0) !== head.length) return false;
  } finally {
    closeSync(fd);
  }
  const n = head.readBigUInt64LE(0);
  return n >= 2n && 8n + n <= BigInt(statSync(path).size) && head[8] === 0x7b; // '{'
}

/**
 * The `__metadata__` of the safetensors file at `path`, read from its header alone (not its tensors, which a
 * checkpoint of a large model holds hundreds of MB of); null when the file does not start like one.
 */
export function readSafetensorsMetadata(path: string): Record<string, string> | null {
  if (!isSafetensorsFile(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const size = Buffer.alloc(8);
    readSync(fd, size, 0, 8, 0);
    const header = Buffer.alloc(Number(size.readBigUInt64LE(0)));
    if (readSync(fd, header, 0, header.length, 8) !== header.length) return null;
    const parsed = JSON.parse(header.toString('utf8')) as { __metadata__?: Record<string, string> };
    return parsed.__metadata__ ?? {};
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Parses a safetensors buffer written by {@link encodeSafetensors} (F32 and U8 tensors). */
export function decodeSafetensors(buf: Buffer): {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
} {
  if (buf.length < 8) throw new Error('safetensors: file too short');
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw new Error('safetensors: header runs past the end of the file');
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const base = 8 + n;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = entry as {
      dtype: SafeDtype;
      shape: number[];
      data_offsets: [number, number];
    };
    if (!(dtype in BYTES)) throw new Error(`safetensors: ${name} has unsupported dtype ${dtype}`);
    const [from, to] = Array.isArray(data_offsets) ? data_offsets : [Number.NaN, Number.NaN];
    const size = (Array.isArray(shape) ? shape : [Number.NaN]).reduce((a, b) => a * b, 1) * BYTES[dtype];
    // a file cut short (a copy stopped early) would otherwise give shorter tensors than its header promises
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to >= from) || to - from !== size)
      throw new Error(
        `safetensors: ${name}'s data_offsets ${JSON.stringify(data_offsets)} do not hold its shape ${JSON.stringify(shape)} of ${dtype}`,
      );
    if (base + to > buf.length)
      throw new Error(
        `safetensors: ${name} runs past the end of the file (${buf.length} bytes, ${base + to} needed): the file is cut short`,
      );
    const bytes = buf.subarray(base + from, base + to);
    const copy = new Uint8Array(bytes); // aligned copy
    const data = dtype === 'F32' ? new Float32Array(copy.buffer, 0, copy.length / 4) : copy;
    tensors.set(name, { name, dtype, shape, data });
  }
  return { tensors, metadata };
}

/**
 * Writes a file atomically: a temporary file in the same directory, fsync, then rename over the target.
 * Creates the directory when it is missing.
 */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  makeDirs(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    try {
      // in chunks: one write may take less than asked, and none may take 2 GiB or more
      for (let at = 0; at < data.length; )
        at += writeSync(fd, data, at, Math.min(WRITE_CHUNK, data.length - at));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true }); // nothing half-written is left behind
    throw e;
  }
  syncDirectory(dirname(path));
}

/** Bytes per write call. */
const WRITE_CHUNK = 64 * 1024 * 1024;

/** Flushes a directory's entries (the rename) to disk where the platform allows it (not on Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // a directory cannot be opened or synced here: the rename is as durable as the platform makes it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads a safetensors file. */
export function readSafetensors(path: string) {
  return decodeSafetensors(readFileSync(path));
}
