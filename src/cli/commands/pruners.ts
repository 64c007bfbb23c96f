import { type PieceEntry, prunerCatalog } from '../../sparsity/catalog.js';
import type { OptionInfo } from '../../sparsity/option-schema.js';

export interface PrunersOptions {
  json?: boolean;
}

const value = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function optionLines(options: readonly OptionInfo[]): string[] {
  if (options.length === 0) return ['      (no options)'];
  const width = Math.max(...options.map((o) => o.name.length));
  return options.map((o) => {
    const dflt =
      o.default !== undefined ? `default ${value(o.default)}` : o.required ? 'required' : 'optional';
    return `      ${o.name.padEnd(width)}  ${o.type}, ${dflt}${o.description ? `: ${o.description}` : ''}`;
  });
}

function section(
  title: string,
  entries: readonly PieceEntry[],
  extra: (e: PieceEntry) => string[] = () => [],
) {
  const out = [title];
  for (const e of entries) out.push(`  ${e.name}: ${e.summary}`, ...extra(e), ...optionLines(e.options));
  return out;
}

/** `sparsebench pruners`: every algorithm, pattern, distribution and schedule with options and defaults. */
export async function prunersCommand(opts: PrunersOptions): Promise<number> {
  const c = prunerCatalog();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
    return 0;
  }
  const any = (xs: string[] | null) => (xs ? xs.join(', ') : 'any');
  const lines = [
    ...section('Algorithms (pruner.name; options under pruner.options)', c.algorithms, (e) => {
      const a = c.algorithms.find((x) => x.name === e.name)!;
      const { name, ...sched } = a.default_schedule;
      const schedText = Object.keys(sched).length ? `${name} ${value(sched)}` : name;
      return [
        `      paper ${a.paper}`,
        `      default schedule ${schedText}; patterns: ${any(a.patterns)}; schedules: ${any(a.schedules)}; masks: ${a.mask_application}${a.needs_gradients ? '; uses gradients' : ''}${a.replaces_optimizer_step ? "; an update replaces that step's optimizer update" : ''}`,
      ];
    }),
    '',
    ...section('Patterns (pruner.pattern: a name, or {name, ...options})', c.patterns),
    '',
    ...section('Distributions (pruner.distribution)', c.distributions),
    '',
    ...section('Schedules (pruner.schedule; overrides merge into the default schedule)', c.schedules, (e) => {
      const p = c.schedules.find((x) => x.name === e.name)!.patterns;
      return p ? [`      patterns: ${p.join(', ')}`] : [];
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
