import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Launch flags for a sandboxed CI machine: no setuid sandbox, no GPU, and nothing that would reach the
 * network on its own (QUIC, component and sync updates, first-run pings).
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser check cannot run, or null when it can; SPARSEBENCH_SKIP_BROWSER=1 turns it off. */
export function browserUnavailable(path = CHROMIUM_PATH): string | null {
  if (existsSync(path)) return null;
  return (
    `Chromium is not installed at ${path}, so the report cannot be checked in a browser. ` +
    'Install it (Debian: apt-get install -y chromium; .ci/run does this) or set SPARSEBENCH_SKIP_BROWSER=1 to skip the check.'
  );
}

/** A report page open in headless Chromium, with every problem it caused. */
export interface OpenPage {
  page: Page;
  /** Console errors, page errors, failed requests, and requests for anything but the file itself. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens a local HTML file by file:// URL in a fresh Chromium profile and records what goes wrong. */
export async function openInChromium(
  htmlPath: string,
  viewport = { width: 1200, height: 900 },
): Promise<OpenPage> {
  const profile = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    const url = pathToFileURL(htmlPath).href;
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`unexpected request: ${r.url()}`);
    });
    await page.goto(url, { waitUntil: 'load' });
    const ctx = context;
    return {
      page,
      problems,
      close: async () => {
        await ctx.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

/** What the browser drew for one plot. */
export interface DrawnPlot {
  id: string;
  /** Rendered size of the SVG on the page, in CSS pixels. */
  width: number;
  height: number;
  /** Drawn marks (paths, lines, text, shapes) inside it. */
  marks: number;
  /** The SVG's accessible name. */
  label: string;
}

/** Every plot figure of a report page, as drawn. */
export function drawnPlots(page: Page): Promise<DrawnPlot[]> {
  return page.$$eval('figure[data-plot]', (figures) =>
    figures.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      // getBBox: the drawn extent (tsconfig has no DOM lib, hence the structural type)
      const bbox = svg
        ? (svg as unknown as { getBBox(): { width: number; height: number } }).getBBox()
        : null;
      return {
        id: f.getAttribute('data-plot') ?? '',
        width: box && bbox && bbox.width > 0 ? box.width : 0,
        height: box && bbox && bbox.height > 0 ? box.height : 0,
        marks: svg ? svg.querySelectorAll('path, line, text, circle, rect').length : 0,
        label: svg?.getAttribute('aria-label') ?? '',
      };
    }),
  );
}
