import { readFileSync } from 'node:fs';
import { BYTE_VOCAB, bytesToTokens, splitDocuments, type TokenCorpus } from './types.js';

/** Where a text file's chunks end once they hold `chunk_bytes`: the next line end, or the next blank line. */
export type CutAt = 'line' | 'blank-line';

/**
 * Any text file as byte tokens. The file is cut into chunks of `chunkBytes` (a chunk ends at the next newline after
 * that many bytes, so lines stay whole; with `blank-line`, at the next blank line, so documents separated by blank
 * lines stay whole) and chunks are split like documents.
 */
export function loadTextFile(
  path: string,
  validationFraction: number,
  chunkBytes: number,
  cutAt: CutAt = 'line',
): TokenCorpus {
  const bytes = readFileSync(path);
  const chunks = textChunks(bytes, chunkBytes, cutAt);
  const { train, validation } = splitDocuments(chunks, validationFraction);
  const cat = (parts: Uint8Array[]) => bytesToTokens(Buffer.concat(parts));
  return {
    vocabSize: BYTE_VOCAB,
    train: cat(train),
    validation: cat(validation),
    entropyFloor: null,
    description: `${path}: ${bytes.length} bytes in ${chunks.length} chunks (${validation.length} validation)${cutAt === 'blank-line' ? ' cut at blank lines' : ''}, byte tokens`,
  };
}

/**
 * A text file's bytes cut into chunks of `chunkBytes`, each ended at the next newline after that many bytes (a line
 * longer than another chunk is cut where the chunk is full), or with `blank-line` just after the next blank line
 * (a line of spaces, tabs or carriage returns alone counts), however far: a document never spans two chunks.
 */
export function textChunks(bytes: Uint8Array, chunkBytes: number, cutAt: CutAt = 'line'): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + chunkBytes);
    // from the newline two bytes back: a blank line ending right at the chunk's size ends the chunk there
    if (cutAt === 'blank-line') end = blankLineEnd(bytes, Math.max(start, end - 2));
    else {
      const nl = bytes.indexOf(0x0a, end);
      end = nl === -1 || nl - end > chunkBytes ? end : nl + 1;
    }
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks;
}

/** The index just past the first blank line whose leading newline is at or after `from`; the end when none is. */
function blankLineEnd(bytes: Uint8Array, from: number): number {
  for (let nl = bytes.indexOf(0x0a, from); nl !== -1; nl = bytes.indexOf(0x0a, nl + 1)) {
    let j = nl + 1;
    while (j < bytes.length && (bytes[j] === 0x20 || bytes[j] === 0x09 || bytes[j] === 0x0d)) j++;
    if (j >= bytes.length) return bytes.length;
    if (bytes[j] === 0x0a) return j + 1;
  }
  return bytes.length;
}
