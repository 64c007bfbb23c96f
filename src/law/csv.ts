import { LawInputError } from './errors.js';
import type { LawPoint } from './types.js';
import { fieldProblem } from './validate.js';

/** CSV column → LawPoint field. Column names are matched case-insensitively after trimming. */
const COLUMNS = {
  sparsity: 'sparsity',
  nonzero_params: 'nonzeroParams',
  tokens: 'tokens',
  loss: 'loss',
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED = Object.keys(COLUMNS) as Column[];
const VALID: Record<Column, string> = {
  sparsity: 'a number in [0, 1)',
  nonzero_params: 'a number > 0',
  tokens: 'a number > 0',
  loss: 'a number > 0',
};
/** Plain decimal or scientific notation; rejects hex, 'Infinity', 'NaN' and empty strings. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface Field {
  text: string;
  /** 1-based character column where the field starts. */
  col: number;
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside quotes). */
function splitLine(line: string, where: (col: number) => string): Field[] {
  const fields: Field[] = [];
  let i = 0;
  for (;;) {
    const col = i + 1;
    let text = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new LawInputError(`${where(col)}: unterminated quoted field`);
        if (line[i] === '"' && line[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else text += line[i++];
      }
      if (i < line.length && line[i] !== ',') {
        throw new LawInputError(`${where(i + 1)}: expected ',' after a quoted field`);
      }
    } else {
      const end = line.indexOf(',', i);
      text = line.slice(i, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
    }
    fields.push({ text: text.trim(), col });
    if (i >= line.length) return fields;
    i++; // skip the comma
  }
}

/**
 * Parses measured runs from CSV text. The header must name the columns sparsity, nonzero_params,
 * tokens and loss (any order, case-insensitive); an `id` column, if present, labels the points; other
 * columns are ignored. Blank lines are skipped. Every error names `fileName`, the line and column, and
 * what is valid.
 *
 * @throws LawInputError for unreadable or invalid CSV.
 */
export function parsePointsCsv(text: string, fileName: string): LawPoint[] {
  return readPointsCsv(text, fileName).points;
}

/**
 * {@link parsePointsCsv}, with the settings the rows pool: a dotted column (a sweep's other axis as
 * `runs list --csv` writes it, such as `pruner.name`) whose rows hold two or more values, in words
 * ("pruner.name (gmp, rigl)"), or null. A row whose `status` column is not `finished` is refused (a trial that did
 * not finish has no measured values).
 */
export function readPointsCsv(text: string, fileName: string): { points: LawPoint[]; pooled: string | null } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const at = (line: number) => (col: number) => `${fileName}:${line}:${col}`;
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex === -1) {
    throw new LawInputError(`${fileName}: empty file; expected a header with columns ${REQUIRED.join(', ')}`);
  }
  const header = splitLine(lines[headerIndex], at(headerIndex + 1));
  const index = new Map<string, number>();
  header.forEach((f, j) => {
    const name = f.text.toLowerCase();
    if ((name in COLUMNS || name === 'id') && index.has(name)) {
      throw new LawInputError(`${at(headerIndex + 1)(f.col)}: column '${name}' appears twice`);
    }
    index.set(name, j);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new LawInputError(
      `${at(headerIndex + 1)(1)}: missing column(s) ${missing.join(', ')}; the header needs ` +
        `${REQUIRED.join(', ')} (any order; 'id' optional; other columns ignored)`,
    );
  }

  const points: LawPoint[] = [];
  const statusIndex = index.get('status');
  const settings = header.flatMap((f, j) =>
    f.text.includes('.') ? [{ name: f.text, j, seen: new Set<string>() }] : [],
  );
  for (let li = headerIndex + 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const where = at(li + 1);
    const fields = splitLine(line, where);
    if (fields.length !== header.length) {
      throw new LawInputError(`${where(1)}: ${fields.length} field(s), but the header has ${header.length}`);
    }
    const status = statusIndex === undefined ? 'finished' : fields[statusIndex].text;
    if (status !== 'finished')
      throw new LawInputError(
        `${where(fields[statusIndex!].col)}: status '${status}': only a finished trial has a measured S, N, D and loss; write the file with "sparsebench runs list --csv --status finished", or leave out such rows`,
      );
    // a dense trial has no pruner setting (an empty field): it is the baseline every setting shares
    for (const c of settings) if (fields[c.j].text !== '') c.seen.add(fields[c.j].text);
    const point: Record<string, number | string> = {};
    for (const column of REQUIRED) {
      const field = fields[index.get(column)!];
      const value = NUMBER.test(field.text) ? Number(field.text) : Number.NaN;
      const key = COLUMNS[column];
      const problem = Number.isNaN(value) ? 'is not a number' : fieldProblem(key, value);
      if (problem !== null) {
        throw new LawInputError(
          `${where(field.col)}: column '${column}' ${problem} (got '${field.text}'; valid: ${VALID[column]})`,
        );
      }
      point[key] = value;
    }
    const idIndex = index.get('id');
    if (idIndex !== undefined && fields[idIndex].text !== '') point['id'] = fields[idIndex].text;
    points.push(point as unknown as LawPoint);
  }
  if (points.length === 0) throw new LawInputError(`${fileName}: no data rows after the header`);
  const pooled = settings.filter((c) => c.seen.size > 1).map((c) => `${c.name} (${[...c.seen].join(', ')})`);
  return { points, pooled: pooled.length > 0 ? pooled.join(' and ') : null };
}
