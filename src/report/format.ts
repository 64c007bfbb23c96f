import { fmt, sig } from '../util/format.js';

export { sig };

/** A factor to three significant figures: 2.16 → "2.16×". */
export function times(v: number): string {
  return `${sig(v, 3)}×`;
}

/** A fraction as a percentage: 0.5 → "50%", 0.875 → "87.5%", 0.1234 → "12.3%". */
export function pct(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return `${Number((v * 100).toPrecision(digits))}%`;
}

/** A compact count (12.3k, 2M) or '-'. */
export function count(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : fmt(v);
}

/** A bootstrap or start-spread interval, "[lo, hi]", or '-'. */
export function interval(r: [number, number] | undefined, digits = 3): string {
  return r ? `[${sig(r[0], digits)}, ${sig(r[1], digits)}]` : '-';
}

/** "1 trial", "3 trials". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The first line of a text (an error's message, without its stack), at most `max` characters: cut at the last space before the limit (mid-word only
 * when there is none) and ended with "…" when anything was left out.
 */
export function firstLine(text: string, max: number): string {
  const line = text.split('\n')[0].trimEnd();
  if (line.length <= max) return line;
  // a space at index max - 1 still leaves room for the ellipsis after the word before it
  const space = line.slice(0, max).lastIndexOf(' ');
  return `${(space > max / 2 ? line.slice(0, space) : line.slice(0, max - 1)).trimEnd()}…`;
}

export { listed } from '../util/format.js';
