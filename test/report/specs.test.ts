import { describe, expect, it } from 'vitest';
import { optimalSparsity } from '../../src/law/optimal.js';
import { PLOTS, plotContext, renderPlots } from '../../src/report/plots.js';
import { finalPoints, logSpace, pickLevels } from '../../src/report/points.js';
import { prefixIds, renderSvg, textWidth } from '../../src/report/render.js';
import { curvesSpec, logWindowMeans, lossCeiling } from '../../src/report/specs/curves.js';
import {
  CONTOUR_LEVELS,
  computeForOptimalSparsity,
  contourLabelAt,
  mapRanges,
  trialBox,
} from '../../src/report/specs/optimal-map.js';
import { multipleAxis } from '../../src/report/specs/optimal-multiple.js';
import { isMissing } from '../../src/report/specs/spec.js';
import { logLabels, logTicks, sparsityLabel, sparsityScales } from '../../src/report/specs/style.js';
import { FIT_GRID, fitOf, grid, LAW, reportData } from './fixtures.js';

const data = (() => {
  const trials = grid(FIT_GRID);
  return reportData(trials, fitOf(trials));
})();

describe('plot specs', () => {
  it('every plot compiles and renders to a non-empty SVG without a single Vega warning', async () => {
    const { plots, warnings } = await renderPlots(data);
    expect(warnings).toEqual([]);
    expect([...plots.keys()]).toEqual(PLOTS.map((p) => p.id));
    for (const p of plots.values()) {
      if (!('plot' in p)) throw new Error(`${p.id} missing: ${p.missing}`);
      expect(p.plot.svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
      expect(p.plot.svg.length).toBeGreaterThan(5000);
      // every SVG id is prefixed with its plot id, so several can live in one HTML page
      for (const [, id] of p.plot.svg.matchAll(/\bid="([^"]+)"/g))
        expect(id.startsWith(`${p.plot.id}-`)).toBe(true);
      expect(p.plot.caption.length).toBeGreaterThan(40);
    }
  });

  it('label axes with quantities and units, and log scales as such', async () => {
    const { plots } = await renderPlots(data);
    const svg = (id: string) => {
      const p = plots.get(id)!;
      return 'plot' in p ? p.plot.svg : '';
    };
    expect(svg('loss-vs-n')).toContain('N, non-zero parameters excl. embeddings (log scale)');
    expect(svg('loss-vs-n')).toContain('final val. loss (nats/token, log)');
    expect(svg('loss-vs-d')).toContain('D, training tokens (log scale)');
    expect(svg('curves')).toContain('loss (nats/token)');
    expect(svg('optimal-map')).toContain('C, compute (FLOPs, log scale)');
    expect(svg('optimal-map')).toContain('S_opt = 50%');
    expect(svg('optimal-multiple')).toContain('paper T5/C4');
  });

  it("do not call an image model's compute FLOPs (its D counts images)", async () => {
    const { plots } = await renderPlots({ ...data, unit: 'images' });
    const p = plots.get('optimal-map')!;
    expect('plot' in p && p.plot.svg).toContain('C, compute (6·N/(1−S)·images, not FLOPs, log scale)');
  });

  it("do not call a t5 model's compute FLOPs (its decoder sees only the targets), and an lm's they do", async () => {
    const t5 = (await renderPlots({ ...data, family: 't5' })).plots.get('optimal-map')!;
    expect('plot' in t5 && t5.plot.svg).toContain('C, compute (6·N/(1−S)·D, overstates FLOPs, log scale)');
    expect('plot' in t5 && t5.plot.caption).toContain('the decoder sees only the shorter targets');
    const lm = (await renderPlots({ ...data, family: 'lm' })).plots.get('optimal-map')!;
    expect('plot' in lm && lm.plot.svg).toContain('C, compute (FLOPs, log scale)');
  });

  it("label a t5 model's loss per target token (its D counts input tokens), and an lm's per token", async () => {
    const t5 = (await renderPlots({ ...data, family: 't5' })).plots;
    for (const id of ['loss-vs-n', 'loss-vs-d', 'curves', 'residuals']) {
      const p = t5.get(id)!;
      expect('plot' in p && p.plot.svg, id).toContain('nats/target token');
    }
    const lm = (await renderPlots({ ...data, family: 'lm' })).plots.get('curves')!;
    expect('plot' in lm && lm.plot.svg).toContain('loss (nats/token)');
  });

  it('give every facet panel its own x axis, none under an empty cell, and the y axes against their panels', async () => {
    const { plots } = await renderPlots(data);
    for (const [id, panels] of [
      ['loss-vs-n', 3], // three D levels in two columns: the fourth cell is empty
      ['loss-vs-d', 2],
      ['curves', 2],
    ] as const) {
      const spec = PLOTS.find((p) => p.id === id)!.build(plotContext(data));
      expect(spec, id).toMatchObject({ resolve: { axis: { x: 'independent' } } });
      const p = plots.get(id)!;
      const svg = 'plot' in p ? p.plot.svg : '';
      expect(svg.match(/aria-label="X-axis titled/g), id).toHaveLength(panels);
      // a group laid out left of the grid means a text was measured wider than drawn: the y axis stands apart
      const shifts = [...svg.matchAll(/group mark container"><g transform="translate\((-?[\d.]+),/g)].map(
        (m) => Number(m[1]),
      );
      expect(Math.min(...shifts), id).toBeGreaterThanOrEqual(-2);
    }
  });

  it("measure text as Helvetica/Arial draws it, not at Vega's 0.8 em a character", () => {
    const title = 'N, non-zero parameters excl. embeddings (log scale)';
    expect(textWidth(title, 13)).toBeGreaterThan(300);
    expect(textWidth(title, 13)).toBeLessThan(0.8 * 13 * title.length * 0.75);
    expect(textWidth('iiii', 12)).toBeLessThan(textWidth('MMMM', 12));
    expect(textWidth('50%', 12, true)).toBeGreaterThan(textWidth('50%', 12));
  });

  it("write the optimal map's and multiple's log ticks as 1e17 / 1e-8, never 1e+17 or 0.00001", async () => {
    const { plots } = await renderPlots(data);
    for (const id of ['optimal-map', 'optimal-multiple']) {
      const p = plots.get(id)!;
      const svg = 'plot' in p ? p.plot.svg : '';
      expect(svg, id).not.toMatch(/>\d(\.\d+)?e\+\d+</);
      expect(svg, id).not.toMatch(/>0\.0000\d*</);
    }
    const map = plots.get('optimal-map')!;
    expect('plot' in map && map.plot.svg).toMatch(/>1e1[0-9]</);
  });

  it("box the trials' N and C on the optimal map: inside it the map interpolates, outside it extrapolates", async () => {
    // two trials: N 1k and 10k, C 1e9 and 1e12; the box widens each side by a tenth of a decade
    const box = trialBox([
      { N: 1000, C: 1e12 },
      { N: 10_000, C: 1e9 },
    ]);
    expect(box.n0).toBeCloseTo(1000 / 10 ** 0.1, 6);
    expect(box.n1).toBeCloseTo(10_000 * 10 ** 0.1, 6);
    expect(box.c0 / 1e9).toBeCloseTo(10 ** -0.1, 9);
    expect(box.c1 / 1e12).toBeCloseTo(10 ** 0.1, 9);
    const { plots } = await renderPlots(data);
    const map = plots.get('optimal-map')!;
    expect('plot' in map && map.plot.svg).toContain('stroke-dasharray="5,3"');
    expect('plot' in map && map.plot.caption).toContain('inside the dashed red box of the N and C they span');
  });

  it('set each contour label on its own line, rotated along it, away from the markers', () => {
    // a line rising at 45 degrees across a 200-pixel square, a marker near its lower half
    const line = Array.from({ length: 21 }, (_, i) => ({ x: i * 10, y: 200 - i * 10 }));
    const at = contourLabelAt(line, [{ x: 60, y: 140 }], { width: 200, height: 200 })!;
    expect(at.angle).toBeCloseTo(-45);
    expect(line[at.index].x).toBeGreaterThan(100);
    // the label's ends stay in the frame
    expect(line[at.index].x + 42 * Math.SQRT1_2).toBeLessThanOrEqual(200);
    const spec = PLOTS.find((p) => p.id === 'optimal-map')!.build(plotContext(data)) as {
      layer: { data: { values: Record<string, unknown>[] }; mark: { type: string } }[];
    };
    const labels = spec.layer.filter((l) => l.mark.type === 'text').at(-1)!.data.values;
    expect(labels.map((l) => l.text)).toEqual(CONTOUR_LEVELS.map((s) => `S_opt = ${Math.round(s * 100)}%`));
    for (const l of labels) expect(typeof l.angle).toBe('number');
  });

  it('draw the residual panels at one height, titles aligned from the frame, markers clear of it', () => {
    const spec = PLOTS.find((p) => p.id === 'residuals')!.build(plotContext(data)) as {
      hconcat: {
        height: number;
        title: unknown;
        layer: {
          encoding?: Record<string, { scale?: { domain?: number[] } }>;
          data: { values: Record<string, number>[] };
        }[];
      }[];
    };
    const [scatter, residual] = spec.hconcat;
    expect(scatter.height).toBe(residual.height);
    for (const panel of spec.hconcat) expect(panel.title).toMatchObject({ frame: 'group' });
    const points = residual.layer[1];
    const [lo, hi] = points.encoding!.y.scale!.domain!;
    const values = points.data.values.map((r) => r.residual);
    expect(lo).toBeLessThan(Math.min(...values) - 0.05 * (hi - lo));
    expect(hi).toBeGreaterThan(Math.max(...values) + 0.05 * (hi - lo));
  });

  it('are deterministic: the same data renders to the same bytes', async () => {
    const a = await renderPlots(data);
    const b = await renderPlots(data);
    for (const [id, p] of a.plots) expect(b.plots.get(id)).toEqual(p);
  });

  it('draw a row of curve panels per pruner setting, the dense trials in each, and say so', async () => {
    const trials = grid(FIT_GRID).map((t, i) => ({
      ...t,
      axes: { 'pruner.name': t.sparsity === 0 ? 'gmp' : i % 2 === 0 ? 'gmp' : 'rigl' },
    }));
    const ctx = plotContext(reportData(trials, null));
    const curves = PLOTS.find((p) => p.id === 'curves')!;
    expect(curves.caption(ctx)).toContain(
      'A row of panels per pruner setting (pruner.name = gmp; pruner.name = rigl); the dense trials, which every setting shares, are drawn in each row.',
    );
    expect(curves.alt(ctx)).toMatch(/^Line chart per pruner setting and N level/);
    const spec = curvesSpec(ctx.data, ctx.scales);
    if (isMissing(spec)) throw new Error(spec.missing);
    const s = spec as unknown as {
      facet: { sort: string[] };
      columns: number;
      data: { values: { trial: string; panel: string; group: string }[] };
    };
    // a row per setting, a column per N
    expect(s.facet.sort).toEqual([
      'pruner.name = gmp, N = 8k',
      'pruner.name = gmp, N = 24k',
      'pruner.name = rigl, N = 8k',
      'pruner.name = rigl, N = 24k',
    ]);
    expect(s.columns).toBe(2);
    const panelsOf = (id: string) => [
      ...new Set(s.data.values.filter((r) => r.trial.startsWith(id)).map((r) => r.panel)),
    ];
    const dense = trials.find((t) => t.sparsity === 0 && t.nonzeroTarget === 8000)!;
    expect(panelsOf(dense.id)).toEqual(['pruner.name = gmp, N = 8k', 'pruner.name = rigl, N = 8k']);
    const rigl = trials.find((t) => t.axes['pruner.name'] === 'rigl' && t.sparsity > 0)!;
    expect(panelsOf(rigl.id)).toEqual([
      `pruner.name = rigl, N = ${rigl.nonzeroTarget === 8000 ? '8k' : '24k'}`,
    ]);
    const { plots, warnings } = await renderPlots(reportData(trials, null));
    expect(warnings).toEqual([]);
    expect('plot' in plots.get('curves')!).toBe(true);
    // one setting: panels by N only, as before
    const plain = plotContext(reportData(grid(FIT_GRID), null));
    expect(curves.caption(plain)).not.toContain('pruner setting');
    const one = curvesSpec(plain.data, plain.scales) as unknown as { facet: { sort: string[] } };
    expect(one.facet.sort).toEqual(['N = 8k', 'N = 24k']);
  });

  it('shape markers by pruner setting when a fit pools several, and say the line is one law for all', async () => {
    const trials = grid(FIT_GRID).map((t, i) => ({
      ...t,
      axes: { 'pruner.name': t.sparsity === 0 ? 'gmp' : i % 2 === 0 ? 'gmp' : 'rigl' },
    }));
    const ctx = plotContext(reportData(trials, fitOf(trials)));
    const def = PLOTS.find((p) => p.id === 'loss-vs-n')!;
    expect(def.caption(ctx)).toContain(
      'colour by sparsity, shape by pruner setting (pruner.name = gmp; pruner.name = rigl; the dense trials, which every setting shares, are circles)',
    );
    expect(def.caption(ctx)).toContain('The fit pools these settings');
    expect(def.alt(ctx)).toContain('marker shape by pruner setting');
    const spec = def.build(ctx);
    if (isMissing(spec)) throw new Error(spec.missing);
    const layers = (spec as unknown as { spec: { layer: { encoding: Record<string, { field: string }> }[] } })
      .spec.layer;
    const markers = layers[layers.length - 1].encoding;
    expect(markers.shape.field).toBe('setting');
    expect(markers.color.field).toBe('group');
    const rows = (spec as unknown as { data: { values: { kind: string; setting?: string }[] } }).data.values;
    expect(new Set(rows.filter((r) => r.kind === 'measured').map((r) => r.setting))).toEqual(
      new Set(['dense (every setting)', 'pruner.name = gmp', 'pruner.name = rigl']),
    );
    const { plots, warnings } = await renderPlots(reportData(trials, fitOf(trials)));
    expect(warnings).toEqual([]);
    const svg = plots.get('loss-vs-n')!;
    expect('plot' in svg && svg.plot.svg).toContain('pruner setting');
    // one setting: shape by sparsity, as before
    const plain = plotContext(data);
    expect(def.caption(plain)).toContain('one shape per sparsity level');
    expect(def.caption(plain)).not.toContain('pools');
  });

  it('describe the law in their alt text only when a fit draws it', () => {
    const withFit = plotContext(data);
    const without = plotContext(reportData(grid(FIT_GRID), null));
    for (const id of ['loss-vs-n', 'loss-vs-d']) {
      const def = PLOTS.find((p) => p.id === id)!;
      expect(def.alt(withFit)).toContain('fitted law');
      expect(def.alt(without)).not.toContain('law');
    }
  });

  it('give a reason instead of a spec when there is nothing to draw', () => {
    const ctx = plotContext(
      reportData(
        grid(undefined, () => 'pending'),
        null,
      ),
    );
    for (const def of PLOTS) {
      const spec = def.build(ctx);
      expect(isMissing(spec), def.id).toBe(true);
      if (isMissing(spec)) expect(spec.missing).toMatch(/\.$/);
    }
  });
});

describe('styles per sparsity level', () => {
  it('differ in shape and dash as well as colour, in ascending order of sparsity', () => {
    const s = sparsityScales([0.75, 0, 0.5, 0.5]);
    expect(s.domain).toEqual(['dense', '50% sparse', '75% sparse']);
    expect(new Set(s.shape).size).toBe(3);
    expect(new Set(s.dash.map(String)).size).toBe(3);
    expect(new Set(s.colour).size).toBe(3);
    expect(sparsityLabel(0.875)).toBe('87.5% sparse');
  });
});

describe('optimal-sparsity map', () => {
  it('draws each contour where S_opt equals its level (the closed form, inverted)', () => {
    for (const s of CONTOUR_LEVELS)
      for (const N of [1e3, 3e4, 1e6])
        expect(optimalSparsity(LAW, N, computeForOptimalSparsity(LAW, N, s))).toBeCloseTo(s, 9);
  });

  it('spans the trials and reaches the top contour', () => {
    const points = finalPoints(grid());
    const r = mapRanges(LAW, points);
    expect(r.nLo).toBeLessThan(8000);
    expect(r.nHi).toBeGreaterThan(24000);
    expect(computeForOptimalSparsity(LAW, r.nHi, 0.9)).toBeLessThanOrEqual(r.cHi);
    expect(r.cHi / r.cLo).toBeLessThanOrEqual(1e14 * (1 + 1e-9));
  });
});

describe('helpers', () => {
  it('tick log axes at round values only, none left for Vega to thin out', () => {
    // a sweep at N 6k-24k drawn with a 1.3x margin: 10k and 20k labelled, not 9k then 20k
    expect(logTicks(6000 / 1.3, 24000 * 1.3)).toEqual([5000, 10000, 20000]);
    expect(logTicks(128, 200_000)).toEqual([200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000]);
    // too narrow for 1, 2, 5: every digit
    expect(logTicks(3000, 4500)).toEqual([3000, 4000]);
    // digits thinned where they would crowd, the rounder kept: 10k, not "9k10k"
    expect(logTicks(2500, 9000)).toEqual([3000, 4000, 5000, 6000, 8000]);
    expect(logTicks(4600, 15600)).toEqual([5000, 6000, 8000, 10000]);
    // many decades: powers of ten, every other one past ten ticks
    expect(logTicks(1e3, 1e16)).toEqual([1e4, 1e6, 1e8, 1e10, 1e12, 1e14, 1e16]);
    // narrower than one digit step: the two ends
    expect(logTicks(6100, 6900)).toEqual([6100, 6900]);
    expect(logTicks(24000, 24064)).toEqual([24000, 24064]);
  });

  it('label a log axis in one form: SI prefixes for counts, decimals, else 1e17 / 1e-8 throughout', () => {
    expect(logLabels([5000, 10000, 2e6])).toEqual({ format: '~s' });
    expect(logLabels([0.5, 1, 100])).toEqual({ format: '~g' });
    const e = logLabels([1e-8, 1e-4, 1, 100]);
    expect(e).toEqual({ labelExpr: expect.stringContaining("'.0e'") });
    expect(logLabels([1e4, 1e17])).toEqual(e);
  });

  it('pick evenly spread panels including both ends', () => {
    expect(pickLevels([1, 2, 3], 4)).toEqual([1, 2, 3]);
    expect(pickLevels([1, 2, 3, 4, 5, 6, 7], 4)).toEqual([1, 3, 5, 7]);
    const l = logSpace(10, 1000, 3);
    expect(l[0]).toBeCloseTo(10);
    expect(l[1]).toBeCloseTo(100);
    expect(l[2]).toBeCloseTo(1000);
  });

  it('prefix SVG ids and the references to them', () => {
    const svg =
      '<svg><defs><clipPath id="clip1"/></defs><g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>';
    expect(prefixIds(svg, 'p-')).toBe(
      '<svg><defs><clipPath id="p-clip1"/></defs><g clip-path="url(#p-clip1)"><use href="#p-clip1"/></g></svg>',
    );
  });

  it('collect Vega-Lite warnings instead of printing them', async () => {
    const r = await renderSvg(
      {
        data: { values: [{ x: 1, y: 1 }] },
        mark: 'point',
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { type: 'log', zero: true } },
          y: { field: 'y', type: 'quantitative' },
        },
      },
      't-',
    );
    expect(r.warnings.join('\n')).toMatch(/zero/);
    expect(r.svg).toMatch(/^<svg/);
  });
});

describe('training curves', () => {
  it('cut a spike above the highest starting loss at the top of the axis, and say so', () => {
    expect(lossCeiling(data)).toBeNull();
    const [id] = Object.keys(data.curves);
    const pts = data.curves[id];
    const first = pts.find((p) => p.name === 'train_loss')!.value;
    const start = Math.max(
      ...Object.values(data.curves).map((c) => c.find((p) => p.name === 'train_loss')!.value),
    );
    // one step of one trial jumps to 3x its starting loss
    const spiked = pts.map((p, i) => (i === 20 && p.name === 'train_loss' ? { ...p, value: 3 * first } : p));
    const withSpike = { ...data, curves: { ...data.curves, [id]: spiked } };
    expect(lossCeiling(withSpike)).toBeCloseTo(start * 1.05, 12);
    const spec = curvesSpec(withSpike, sparsityScales([0, 0.5, 0.75])) as unknown as {
      spec: { layer: { encoding: { y: { scale: { domain: number[] } } } }[] };
    };
    expect(spec.spec.layer[0].encoding.y.scale.domain[1]).toBeCloseTo(start * 1.05, 12);
    const curvesPlot = PLOTS.find((p) => p.id === 'curves')!;
    expect(curvesPlot.caption(plotContext(withSpike))).toContain(
      'Losses that spiked above the highest starting loss are cut at the top of the axis.',
    );
    expect(curvesPlot.caption(plotContext(data))).not.toContain('spiked');
  });

  it('average training loss over windows of equal log width, each drawn at its geometric mean', () => {
    const pts = [1, 2, 4, 8].map((tokens, i) => ({ tokens, value: 10 - i }));
    // two windows: log 8 / 2 wide, so {1, 2} and {4, 8}
    const out = logWindowMeans(pts, 2);
    expect(out.map((p) => p.value)).toEqual([9.5, 7.5]);
    expect(out[0].tokens).toBeCloseTo(Math.SQRT2, 12);
    expect(out[1].tokens).toBeCloseTo(Math.sqrt(32), 12);
    // no more points than windows: as logged
    expect(logWindowMeans(pts, 4)).toEqual(pts);
    // 1000 steps into 100 windows: the first steps keep their own points, the last are averaged
    const long = Array.from({ length: 1000 }, (_, i) => ({
      tokens: 64 * (i + 1),
      value: 5 / Math.sqrt(i + 1),
    }));
    const many = logWindowMeans(long, 100);
    expect(many.length).toBeLessThanOrEqual(100);
    expect(many.slice(0, 3)).toEqual(long.slice(0, 3));
    for (let i = 1; i < many.length; i++) expect(many[i].tokens).toBeGreaterThan(many[i - 1].tokens);
  });

  it('span the data seen, not the next whole decade', () => {
    const spec = curvesSpec(data, sparsityScales([0, 0.5, 0.75])) as { encoding?: unknown; spec?: unknown };
    const text = JSON.stringify(spec);
    const seen = Object.values(data.curves)
      .flat()
      .filter((p) => p.tokens > 0)
      .map((p) => p.tokens);
    expect(text).toContain(`"domain":[${Math.min(...seen)},${Math.max(...seen)}]`);
  });

  const scales = sparsityScales([0, 0.5]);
  const trials = grid({ sparsity: [0, 0.5], N: [8000], D: [200_000] }, () => 'failed');

  it('draws nothing, and says why, when failed trials logged one training loss each', () => {
    const data = reportData(trials, null);
    for (const t of trials) data.curves[t.id] = [{ name: 'train_loss', step: 1, tokens: 128, value: 2.77 }];
    const spec = curvesSpec(data, scales);
    expect(isMissing(spec) && spec.missing).toMatch(/no trial has logged more than one training loss/);
  });

  it('leaves out a layer with no data (no validation yet): Vega would warn of an infinite extent', () => {
    const data = reportData(trials, null);
    for (const t of trials) data.curves[t.id] = data.curves[t.id].filter((p) => p.name === 'train_loss');
    const spec = curvesSpec(data, scales) as { spec: { layer: { mark: { type: string } }[] } };
    expect(spec.spec.layer.map((l) => l.mark.type)).toEqual(['line']);
  });
});

describe('the optimal-multiple axis', () => {
  it('widens to hold the trials within 1e-3× to 1e5×, and counts those beyond, drawn at its edges', () => {
    const points = finalPoints(grid(FIT_GRID));
    const within = multipleAxis(LAW, points);
    expect(within.lo).toBeGreaterThanOrEqual(1e-3);
    expect(within.hi).toBeLessThanOrEqual(1e5);
    expect(within.hi).toBeGreaterThanOrEqual(1000);
    expect(within.below + within.above).toBe(0);
    // trials a billion times past compute-optimal (a law whose D_opt is tiny): drawn at 1e5×, and counted
    const far = points.map((p) => ({ ...p, D: p.D * 1e12 }));
    const axis = multipleAxis(LAW, far);
    expect(axis.hi).toBe(1e5);
    expect(axis.above).toBeGreaterThan(0);
  });
});
