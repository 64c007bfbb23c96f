import type { z } from 'zod';
/** A path into a config: keys and list indices. */
export type ConfigPath = readonly (string | number)[];

/** Dotted key with list indices: ['sweep', 'sparsity', 1] → "sweep.sparsity[1]". */
export function keyName(path: ConfigPath): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? k : `.${k}`;
  return out || '(top level)';
}

/** Reads the value at `path` of a plain object (undefined if absent). */
export function getAt(root: unknown, path: ConfigPath): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** Short rendering of a bad value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `a list (${JSON.stringify(v).slice(0, 40)})`;
  if (v !== null && typeof v === 'object') return 'a mapping';
  return String(v);
}

/** Keys within edit distance 2, best first: for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  // two edits, or a third of the word for long ones ("sparsities" → "sparsity")
  let bestD = Math.max(2, Math.round(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** A zod issue in words: what was wrong with the value and what would be valid. */
export function describeZodIssue(
  issue: z.core.$ZodIssue,
  value: unknown,
  validKeys: readonly string[],
): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const k = issue.keys[0];
      if (k === '<<')
        return 'YAML merge keys ("<<: *anchor") are not read; write the keys out here (an alias as a whole value, "key: *anchor", works)';
      const guess = closest(k, validKeys);
      const valid = validKeys.length > 0 ? `valid keys: ${validKeys.join(', ')}` : 'it takes no keys';
      return `unknown key "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}; ${valid}`;
    }
    case 'invalid_type':
      if (value === undefined) {
        return issue.expected === 'array'
          ? 'required (one value or a list)'
          : `required (expected ${issue.expected})`;
      }
      return issue.message.startsWith('Invalid input')
        ? `expected ${issue.expected}, got ${show(value)}`
        : `${issue.message}, got ${show(value)}`;
    case 'too_small':
    case 'too_big': {
      if (!issue.message.startsWith('Too')) {
        return issue.origin === 'array' ? issue.message : `${show(value)}: ${issue.message}`;
      }
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      return issue.origin === 'array'
        ? `needs ${op} ${bound} items`
        : `${show(value)} is out of range: must be ${op} ${bound}`;
    }
    case 'invalid_value':
      return `${show(value)} is not valid; valid: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      const u = issue as { note?: string; options?: unknown[] };
      if (u.note === 'No matching discriminator' && u.options) {
        const valid = u.options.filter((v) => v !== undefined).map((v) => JSON.stringify(v));
        return `${show(value)} is not valid; valid: ${valid.join(', ')}`;
      }
      return `${show(value)}: ${issue.message}`;
    }
    default:
      // a check across keys may name one the config left to its default: there is no value of its own to show;
      // a message that quotes the value (a file's path) need not be preceded by it
      return value === undefined ||
        (typeof value === 'string' && value.length >= 4 && issue.message.includes(value))
        ? issue.message
        : `${show(value)}: ${issue.message}`;
  }
}
