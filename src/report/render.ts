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

/** Helvetica/Arial advance widths in thousandths of an em (Adobe's core-font metrics) of the characters plots use. */
const WIDTHS: Record<string, number> = {
  ...Object.fromEntries([...'0123456789abdeghnopqu$#_?'].map((c) => [c, 556])),
  ...Object.fromEntries([...'cksvxyzJ'].map((c) => [c, 500])),
  ...Object.fromEntries([...'ft ,./:;![]I'].map((c) => [c, 278])),
  ...Object.fromEntries([...'ijl'].map((c) => [c, 222])),
  ...Object.fromEntries([...'r()-{}'].map((c) => [c, 333])),
  ...Object.fromEntries([...'ABEKPSVXY&'].map((c) => [c, 667])),
  ...Object.fromEntries([...'CDHNRUw'].map((c) => [c, 722])),
  ...Object.fromEntries([...'FTZ'].map((c) => [c, 611])),
  ...Object.fromEntries([...'GOQ'].map((c) => [c, 778])),
  ...Object.fromEntries([...'=+<>−×÷±'].map((c) => [c, 584])),
  ...Object.fromEntries([...'mM'].map((c) => [c, 833])),
  L: 556,
  W: 944,
  '%': 889,
  '@': 1015,
  "'": 191,
  '"': 355,
  '·': 278,
};

/**
 * Width in pixels of `text` set in Helvetica/Arial at `fontSize` (bold about 8% wider), with a 15% margin so that
 * a wider fallback font (DejaVu Sans, where neither is installed) still fits. Vega without a canvas estimates 0.8 em a character, half again too wide for this font:
 * every axis title, header and label it lays out then claims space it does not fill, so a facet's axes stand
 * apart from their panels.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const c of text) em += WIDTHS[c] ?? 556;
  return (em / 1000) * fontSize * (bold ? 1.08 : 1) * 1.15;
}

/** Vega's text measure in place of its estimate: {@link textWidth} of the item's text (its widest line). */
function measure(item: { text?: unknown; fontSize?: number; fontWeight?: unknown }, text?: unknown): number {
  const value = text ?? item.text ?? '';
  const lines = Array.isArray(value) ? value.map(String) : [String(value)];
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return Math.max(0, ...lines.map((l) => textWidth(l, item.fontSize ?? 11, bold)));
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
  // Vega's own hook for a text measure without a canvas (vl-convert sets it too); its typings omit it
  (vega as unknown as { textMetrics: { width: typeof measure } }).textMetrics.width = measure;
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
