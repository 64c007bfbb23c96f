import { readFileSync } from 'node:fs';
import { BYTE_VOCAB, bytesToTokens, splitDocuments, type TokenCorpus } from './types.js';

/**
 * Any text file as byte tokens. The file is cut into chunks of `chunkBytes` (a chunk ends at the next
 * newline after that many bytes, so lines stay whole) and chunks are split like documents.
 */
export function loadTextFile(path: string, validationFraction: number, chunkBytes: number): TokenCorpus {
  const bytes = readFileSync(path);
  const chunks = textChunks(bytes, chunkBytes);
  const { train, validation } = splitDocuments(chunks, validationFraction);
  const cat = (parts: Uint8Array[]) => bytesToTokens(Buffer.concat(parts));
  return {
    vocabSize: BYTE_VOCAB,
    train: cat(train),
    validation: cat(validation),
    entropyFloor: null,
    description: `${path}: ${bytes.length} bytes in ${chunks.length} chunks (${validation.length} validation), byte tokens`,
  };
}

/** A text file's bytes cut into chunks of `chunkBytes`, each ended at the next newline after that many bytes. */
export function textChunks(bytes: Uint8Array, chunkBytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + chunkBytes);
    const nl = bytes.indexOf(0x0a, end);
    end = nl === -1 || nl - end > chunkBytes ? end : nl + 1;
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks;
}
