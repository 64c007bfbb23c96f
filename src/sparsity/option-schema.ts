import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, unknown>;
  element?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** One option of a piece, as `sparsebench pruners` shows it. */
export interface OptionInfo {
  name: string;
  type: string;
  /** Default value; absent when the option has none. */
  default?: unknown;
  required: boolean;
  description: string;
}

/** The object schema inside wrappers (pipes, refinements, transforms). */
function objectOf(schema: z.ZodType): Def | null {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const d = defOf(s);
    if (d.type === 'object') return d;
    if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.innerType) s = d.innerType;
    else return null;
  }
  return null;
}

/** Keys an options schema accepts (for "valid keys" messages). */
export function optionKeys(schema: z.ZodType): string[] {
  return Object.keys(objectOf(schema)?.shape ?? {});
}

function typeName(s: z.ZodType): string {
  const d = defOf(s);
  if (d.type === 'enum' && d.entries) return Object.keys(d.entries).join(' | ');
  if (d.type === 'array' && d.element) return `${typeName(d.element)}[]`;
  if (d.innerType) return typeName(d.innerType);
  // a pipe is named by what it takes; a preprocess (a transform into a schema) by that schema
  if (d.type === 'pipe' && d.in) return typeName(defOf(d.in).type === 'transform' && d.out ? d.out : d.in);
  return d.type;
}

/** Every option of a piece with its type, default and description. */
export function describeOptions(schema: z.ZodType): OptionInfo[] {
  return Object.entries(objectOf(schema)?.shape ?? {}).map(([name, field]) => {
    let s = field;
    let def: unknown;
    let hasDefault = false;
    let optional = false;
    for (let i = 0; i < 10; i++) {
      const d = defOf(s);
      if (d.type === 'default') {
        hasDefault = true;
        def = d.defaultValue;
      }
      if (d.type === 'optional') optional = true;
      if (!d.innerType) break;
      s = d.innerType;
    }
    const info: OptionInfo = {
      name,
      type: typeName(field),
      required: !hasDefault && !optional,
      description: (field as { description?: string }).description ?? '',
    };
    if (hasDefault) info.default = def;
    return info;
  });
}
