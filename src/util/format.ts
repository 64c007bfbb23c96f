/** Compact human number: 12345 → "12.3k", 2e6 → "2M", 0.5 → "0.5", 999_950 → "1M" (never "1000k"). */
export function fmt(n: number): string {
  // rounded to three digits before the suffix is chosen, so a value that rounds up moves to the next one
  const r = Number(n.toPrecision(3));
  const a = Math.abs(r);
  if (a >= 1e15) return n.toExponential(2).replace('e+', 'e'); // past T, a suffix stops helping
  if (a >= 1e12) return `${+(r / 1e12).toPrecision(3)}T`;
  if (a >= 1e9) return `${+(r / 1e9).toPrecision(3)}B`;
  if (a >= 1e6) return `${+(r / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(r / 1e3).toPrecision(3)}k`;
  return `${r}`;
}

/** FLOPs in engineering notation: 1.2e15 → "1.20e15". */
export function fmtFlops(n: number): string {
  return n.toExponential(2).replace('e+', 'e');
}

/** Seconds as "1h02m", "3m05s" or "4.2s". */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(r).padStart(2, '0')}s`;
}

/**
 * Parses a human number: 50k, 2M, 1.5B, 1e6, 250_000. Suffixes are decimal (k = 1e3, M = 1e6,
 * B or G = 1e9, T = 1e12). Returns null when the text is not one.
 */
export function parseHumanNumber(text: string): number | null {
  const m = /^\s*([+-]?(?:\d[\d_]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([kKmMgGbBtT])?\s*$/.exec(text);
  if (!m || m[1] === '' || m[1] === '+' || m[1] === '-') return null;
  const base = Number(m[1].replaceAll('_', ''));
  if (!Number.isFinite(base)) return null;
  const suffix = (m[2] ?? '').toLowerCase();
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9, b: 1e9, t: 1e12 }[suffix] ?? 1;
  // round away binary noise: 1.1k → 1100, not 1100.0000000000002
  return Number((base * scale).toPrecision(15));
}

/**
 * A number given to a command-line flag, read as configs write them (2.5, 1e3, 10k: {@link parseHumanNumber}), else
 * NaN, for the flag's own check to refuse: Number() would also take '' and ' ' (as 0) and '0x10' (as 16). `plain`:
 * no k/M/G suffix, for a flag counting time, where 10m would read as ten million.
 */
export function flagNumber(text: string, opts: { plain?: boolean } = {}): number {
  if (opts.plain && /[a-z]\s*$/i.test(text)) return Number.NaN;
  return parseHumanNumber(text) ?? Number.NaN;
}

/** A config value as text: numbers and strings as they are, a mapping or list as compact JSON (not "[object Object]"). */
export function fmtValue(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** A count with its noun: "1 trial", "8 trials". */
export function count(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}

/** `digits` significant figures; scientific notation outside [1e-3, 1e6); 'inf' for infinite, '-' for missing values. */
export function sig(v: number | null | undefined, digits = 3): string {
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1).replace('e+', 'e');
  return Number(v.toPrecision(digits)).toString();
}

/** A figure with its interval in brackets, each shown by `show`: "2.4× [2.2×, 2.6×]"; the figure alone without one. */
export function withInterval(
  v: number,
  r: [number, number] | undefined,
  show: (x: number) => string,
): string {
  return `${show(v)}${r ? ` [${show(r[0])}, ${show(r[1])}]` : ''}`;
}

/** Items in words: "a", "a and b", "a, b and c". */
export function listed(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
