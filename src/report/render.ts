import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { ChartSpec } from './specs/spec.js';

/** An SVG and the warnings Vega and Vega-Lite raised while making it (kept off stdout). */
export interface SvgResult {
  svg: string;
  warnings: string[];
}

/**
 * A Vega logger that collects warnings and errors instead of printing them: stdout is for results, and
 * the caller decides what to show. (Vega's default logger writes to the console.)
 */
function collectingLogger(into: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const push = (prefix: string, args: unknown[]) => into.push(`${prefix}${args.map(String).join(' ')}`);
  const logger: vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args) {
      if (level >= vega.Error) push('error: ', args);
      return logger;
    },
    warn(...args) {
      if (level >= vega.Warn) push('', args);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/**
 * Renders a Vega-Lite spec to a standalone SVG string in Node (no browser, no canvas): compile to Vega,
 * run the dataflow headless (`renderer: 'none'`), serialise the scene. `idPrefix` is prepended to every
 * SVG id (clip paths, gradients) so several SVGs can be inlined into one HTML page without clashes.
 */
export async function renderSvg(spec: ChartSpec, idPrefix: string): Promise<SvgResult> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec, { logger }).spec;
  vega.resetSVGDefIds(); // deterministic ids: the same report twice is the same bytes
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return { svg: prefixIds(svg, idPrefix), warnings };
  } finally {
    view.finalize();
  }
}

/** Prefixes every `id="..."` and every reference to one (`url(#...)`, `href="#..."`). */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}
