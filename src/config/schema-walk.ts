import type { z } from 'zod';
import { getAt } from '../util/issues.js';
import type { ConfigPath } from './yaml-source.js';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  element?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips wrappers (default, optional, pipe, ...) down to the schema that checks the value. */
function unwrap(s: z.ZodType, raw: unknown): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (
      d.innerType &&
      ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(d.type)
    ) {
      s = d.innerType;
    } else if (d.type === 'pipe' && d.in && d.out) {
      s = defOf(d.in).type === 'transform' ? d.out : d.in;
    } else if (d.type === 'union' && d.options) {
      const disc = d.discriminator;
      const match =
        disc && raw && typeof raw === 'object'
          ? d.options.find((o) => {
              const ds = defOf(unwrap(o, undefined)).shape?.[disc];
              return (
                ds &&
                (defOf(ds) as { values?: unknown[] }).values?.includes((raw as Record<string, unknown>)[disc])
              );
            })
          : d.options.find((o) => defOf(unwrap(o, undefined)).type === 'object');
      if (!match) {
        // no discriminator in the raw config: the first option is the default (model.family = lm)
        if (!disc) return s;
        s = d.options[0];
        continue;
      }
      s = match;
    } else return s;
  }
  return s;
}

/**
 * Keys the schema allows for the mapping at `path` of the raw config (for "unknown key" messages).
 * Empty when the path does not lead to an object schema.
 */
export function objectKeysAt(schema: z.ZodType, raw: unknown, path: ConfigPath): string[] {
  let s = unwrap(schema, raw);
  for (let i = 0; i < path.length; i++) {
    const d = defOf(s);
    const key = path[i];
    const next = d.type === 'object' ? d.shape?.[String(key)] : d.type === 'array' ? d.element : undefined;
    if (!next) return [];
    s = unwrap(next, getAt(raw, path.slice(0, i + 1)));
  }
  const d = defOf(s);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}
