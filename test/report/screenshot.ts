/**
 * Saves a PNG of a report page, as the README's screenshot is made:
 *   npx tsx test/report/screenshot.ts runs/quickstart/report.html docs/report.png [height]
 * With a height, only the top that many pixels of the 1200-pixel-wide page; without, the full page.
 */
import { openInChromium } from './browser.js';

const [html, png, height] = process.argv.slice(2);
if (!html || !png) {
  process.stderr.write('usage: tsx test/report/screenshot.ts <report.html> <out.png> [height]\n');
  process.exit(2);
}
const open = await openInChromium(html);
try {
  if (open.problems.length > 0) throw new Error(open.problems.join('\n'));
  await open.page.screenshot(
    height
      ? { path: png, fullPage: true, clip: { x: 0, y: 0, width: 1200, height: Number(height) } }
      : { path: png, fullPage: true },
  );
  process.stdout.write(`${png}\n`);
} finally {
  await open.close();
}
