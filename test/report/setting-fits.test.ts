import { describe, expect, it } from 'vitest';
import { denseEquivalentFactor } from '../../src/law/optimal.js';
import type { LawFit, OptimalSparsitySummary } from '../../src/law/types.js';
import {
  selectionOf,
  settingFitsBlocks,
  settingFitsFinding,
  settingFitsFindings,
  settingGroups,
} from '../../src/report/setting-fits.js';
import type { Block, StoredFit } from '../../src/report/types.js';
import { LAW } from './fixtures.js';

/** A stored fit of one selection whose summary gives `factors` at 50% and 75% (with intervals when given). */
function settingFit(
  id: number,
  where: string[],
  factors: [number, number],
  intervals?: [[number, number], [number, number]],
  extra: Partial<StoredFit> = {},
): StoredFit {
  const optimal: OptimalSparsitySummary = {
    data_multiple_where_sparsity_pays: 3,
    at_data_multiples: [{ data_multiple: 10, sparsity: 0.4, interval: [0.2, 0.6] }],
    dense_equivalent: [
      { sparsity: 0.5, factor: factors[0], ...(intervals ? { interval: intervals[0] } : {}) },
      { sparsity: 0.75, factor: factors[1], ...(intervals ? { interval: intervals[1] } : {}) },
    ],
  };
  return {
    id,
    createdAt: '2026-01-02T00:00:00.000Z',
    converged: true,
    inputs: [],
    where,
    excluded: [],
    fit: { params: { ...LAW }, n_points: 27, rmse_log: 0.0123, optimal } as unknown as LawFit,
    params: { ...LAW },
    problem: null,
    optimumProblem: null,
    queries: [],
    ...extra,
  };
}

/** gmp's and rigl's fits (#1, #2) whose intervals at 75% do not overlap: settings told apart. */
function apartFits(): [StoredFit, StoredFit] {
  return [
    settingFit(
      1,
      ['pruner.name=gmp'],
      [1.5, 2.4],
      [
        [1.4, 1.6],
        [2.2, 2.6],
      ],
    ),
    settingFit(
      2,
      ['pruner.name=rigl'],
      [1.4, 1.8],
      [
        [1.3, 1.5],
        [1.6, 2.0],
      ],
    ),
  ];
}

/** Fits made from trials up to 75% sparsity. */
const POINTS = () => 0.75;

const table = (blocks: Block[]) => blocks[0] as Extract<Block, { kind: 'table' }>;

describe('laws by setting', () => {
  it('sets each fit in a row: its selection, quality, dense-equivalent sizes and S_opt with intervals', () => {
    const fits = [
      settingFit(3, [], [1.3, 1.7]),
      settingFit(
        1,
        ['pruner.name=gmp'],
        [1.5, 2],
        [
          [1.4, 1.6],
          [1.8, 2.2],
        ],
      ),
    ];
    const blocks = settingFitsBlocks(
      fits,
      3,
      () => null,
      () => 0.5,
    );
    expect(blocks).toHaveLength(1);
    const t = table(blocks);
    expect(t.columns.map((c) => c.header)).toEqual([
      'fit',
      'trials',
      'points',
      'converged',
      'RMSE (log)',
      'dense-equivalent at 50%',
      'dense-equivalent at 75%',
      'S_opt at 10×',
      'up to date',
    ]);
    expect(t.rows).toEqual([
      [
        '#3 (drawn above)',
        'all finished trials',
        '27',
        'yes',
        '0.0123',
        '1.3×',
        '1.7× (beyond its trials)',
        '40% [20%, 60%]',
        'yes',
      ],
      [
        '#1',
        'pruner.name=gmp',
        '27',
        'yes',
        '0.0123',
        '1.5× [1.4×, 1.6×]',
        '2× [1.8×, 2.2×] (beyond its trials)',
        '40% [20%, 60%]',
        'yes',
      ],
    ]);
  });

  it('leaves out the figures of a fit that did not converge or implies no optimum, and says why; marks stale fits', () => {
    const fits = [
      settingFit(1, ['pruner.name=gmp'], [1.5, 2], undefined, { converged: false }),
      settingFit(2, ['pruner.name=rigl'], [1.5, 2], undefined, {
        optimumProblem: '2 data sizes D leave b_D free',
      }),
    ];
    const blocks = settingFitsBlocks(
      fits,
      null,
      (f) => (f.id === 2 ? 'The stored fit #2 is out of date: 1 trial finished since.' : null),
      () => 0.75,
    );
    const rows = table(blocks).rows;
    expect(rows.map((r) => r.slice(5))).toEqual([
      ['-', 'yes'],
      ['-', 'no'],
    ]);
    // no figures from either fit, so no dense-equivalent column at all
    expect(table(blocks).columns.map((c) => c.header)).not.toContain('dense-equivalent at 50%');
    expect(blocks[1]).toEqual({
      kind: 'list',
      items: [
        '#1 (pruner.name=gmp): no figures, it did not converge.',
        '#2 (pruner.name=rigl): no figures, it implies no optimal sparsity: 2 data sizes D leave b_D free.',
        'The stored fit #2 is out of date: 1 trial finished since.',
      ],
    });
  });

  it('computes the figures from the coefficients of a fit stored without a summary', () => {
    const old = settingFit(4, ['pruner.name=set'], [1, 1]);
    old.fit = { ...old.fit, optimal: undefined } as unknown as LawFit;
    const row = table(
      settingFitsBlocks(
        [old, settingFit(5, [], [1, 1])],
        null,
        () => null,
        () => 0.75,
      ),
    ).rows[0];
    // the default summary's levels: 50%, 75%, 87.5%
    expect(row[5]).toBe(`${Number(denseEquivalentFactor(LAW, 0.5).toPrecision(3))}×`);
    expect(row[7]).toBe(`${Number(denseEquivalentFactor(LAW, 0.875).toPrecision(3))}× (beyond its trials)`);
  });

  it('finds settings told apart when the intervals of the highest and lowest do not overlap', () => {
    const [gmp, rigl] = apartFits();
    const said = settingFitsFinding([rigl, gmp], POINTS);
    expect(said).toBe(
      'Laws by setting (2 fits, see "Laws by setting"): at 75% sparsity, the dense-equivalent size (how much larger a dense model must be to match a sparse one of equal non-zero parameters) is ' +
        '2.4× [2.2×, 2.6×] under pruner.name=gmp (fit #1) and 1.8× [1.6×, 2×] under pruner.name=rigl (fit #2); ' +
        'the 95% intervals of the two do not overlap: at this sparsity the fit of pruner.name=gmp gives a larger dense-equivalent size than that of pruner.name=rigl. ' +
        'At 50%, which the fits were also made from, the 95% intervals of the two overlap.',
    );
  });

  it('says the settings are not told apart when the intervals overlap, or when a fit has none', () => {
    const a = settingFit(
      1,
      ['pruner.name=gmp'],
      [1.5, 2.1],
      [
        [1.4, 1.6],
        [1.7, 2.4],
      ],
    );
    const b = settingFit(
      2,
      ['pruner.name=rigl'],
      [1.4, 1.9],
      [
        [1.3, 1.5],
        [1.6, 2.2],
      ],
    );
    expect(settingFitsFinding([a, b], POINTS)).toContain(
      "the 95% intervals of the two overlap, so this check finds no difference at this sparsity (which does not show the settings alike: a whole law's intervals are wider than a paired comparison of the trials, which may still tell them apart).",
    );
    // three settings: the extremes are compared, and the sentence says it is a weaker test
    const c = settingFit(
      3,
      ['pruner.name=set'],
      [1.3, 1.5],
      [
        [1.2, 1.4],
        [1.4, 1.6],
      ],
    );
    expect(settingFitsFinding([a, b, c], POINTS)).toContain(
      'the 95% intervals of the highest and the lowest (the extremes of several, so a weaker test than 95%) do not overlap',
    );
    // fits of one seed each: the law's spread from seed to seed
    const seed0 = { ...a, where: ['seed=0'] };
    const seed1 = { ...b, where: ['seed=1'] };
    expect(settingFitsFinding([seed0, seed1], POINTS)).toMatch(
      /^Seed to seed \(2 fits, one per seed, see "Laws by setting"\): at 75% sparsity, .* under seed=0 \(fit #1\) and .* under seed=1 \(fit #2\); the 95% intervals of the two overlap, so this check does not show the law moving from seed to seed beyond its fits' bootstrap intervals \(which does not show the seeds' laws alike\)\.$/,
    );
    const farSeed = { ...c, id: 2, where: ['seed=1'] };
    expect(settingFitsFinding([seed0, farSeed], POINTS)).toContain(
      "do not overlap: the law moves from seed to seed by more than one fit's bootstrap interval allows",
    );
    // seeds of different pruners are settings, not seeds
    expect(settingFitsFinding([{ ...seed0, where: ['pruner.name=gmp', 'seed=0'] }, seed1], POINTS)).toMatch(
      /^Laws by setting/,
    );
    const bare = settingFit(2, ['pruner.name=rigl'], [1.4, 1.9]);
    expect(settingFitsFinding([a, bare], POINTS)).toContain(
      'without bootstrap intervals for every fit, whether they differ beyond noise cannot be judged',
    );
  });

  it('says where the check comes out otherwise at the lower levels the fits were made from', () => {
    // apart at 50%, overlapping at 75%: the finding gives 75% and says 50% differs, naming the order there
    const gmp = settingFit(
      1,
      ['pruner.name=gmp'],
      [1.5, 2.1],
      [
        [1.45, 1.55],
        [1.7, 2.4],
      ],
    );
    const rigl = settingFit(
      2,
      ['pruner.name=rigl'],
      [1.3, 1.9],
      [
        [1.25, 1.35],
        [1.6, 2.2],
      ],
    );
    expect(settingFitsFinding([gmp, rigl], POINTS)).toMatch(
      /the 95% intervals of the two overlap, so this check finds no difference at this sparsity \(which does not show the settings alike: a whole law's intervals are wider than a paired comparison of the trials, which may still tell them apart\)\. At 50%, which the fits were also made from, the 95% intervals of the two do not overlap \(pruner\.name=gmp above pruner\.name=rigl\)\.$/,
    );
    // apart at 75%, overlapping at 50%
    const [a] = apartFits();
    const close = settingFit(
      2,
      ['pruner.name=rigl'],
      [1.4, 1.8],
      [
        [1.35, 1.65],
        [1.6, 2.0],
      ],
    );
    expect(settingFitsFinding([a, close], POINTS)).toMatch(
      /do not overlap: at this sparsity the fit of pruner\.name=gmp gives a larger dense-equivalent size than that of pruner\.name=rigl\. At 50%, which the fits were also made from, the 95% intervals of the two overlap\.$/,
    );
    // alike at both levels: nothing more to say; trained up to 50% only: 75% is not checked
    const apartBoth = settingFit(
      2,
      ['pruner.name=rigl'],
      [1.3, 1.8],
      [
        [1.25, 1.35],
        [1.6, 2.0],
      ],
    );
    expect(settingFitsFinding([a, apartBoth], POINTS)).toMatch(/pruner\.name=rigl\.$/);
    expect(settingFitsFinding([gmp, rigl], () => 0.5)).toMatch(/do not overlap: at this sparsity .*rigl\.$/);
  });

  it('compares fits selected by the same keys only: pruners with pruners, seeds with seeds', () => {
    // fit-law --each pruner.name and --each seed on one sweep: a pruner's fit pools the seeds, a seed's the pruners
    const [gmp, rigl] = apartFits();
    const seed0 = settingFit(
      3,
      ['seed=0'],
      [1.5, 3.5],
      [
        [1.4, 1.6],
        [3.0, 4.0],
      ],
    );
    const seed1 = settingFit(
      4,
      ['seed=1'],
      [1.5, 1.2],
      [
        [1.4, 1.6],
        [1.1, 1.3],
      ],
    );
    const said = settingFitsFindings([gmp, rigl, seed0, seed1], POINTS);
    expect(said).toEqual([
      settingFitsFinding([gmp, rigl], POINTS),
      settingFitsFinding([seed0, seed1], POINTS),
    ]);
    expect(said[0]).toMatch(/^Laws by setting \(2 fits/);
    expect(said[0]).not.toContain('seed=');
    expect(said[1]).toMatch(/^Seed to seed \(2 fits, one per seed/);
    expect(said[1]).not.toContain('pruner.name=');
    // a selection by other keys is a group of its own; one fit alone is compared with nothing
    const gmpSeed0 = settingFit(5, ['pruner.name=gmp', 'seed=0'], [1.5, 2.0]);
    expect(settingFitsFindings([gmpSeed0, seed1], POINTS)).toEqual([]);
    expect(settingFitsFindings([], POINTS)).toEqual([]);
  });

  it('groups --each pruner.name at each value of another --where apart: pruners compared at one seed', () => {
    // fit-law --each pruner.name --where seed=1, then --where seed=2: the --each key comes last in each selection
    const fits = [
      settingFit(1, ['seed=1', 'pruner.name=gmp'], [1.5, 2.4]),
      settingFit(2, ['seed=1', 'pruner.name=rigl'], [1.4, 1.8]),
      settingFit(3, ['seed=2', 'pruner.name=gmp'], [1.5, 2.2]),
      settingFit(4, ['seed=2', 'pruner.name=rigl'], [1.4, 1.9]),
    ];
    expect(settingGroups(fits).map((g) => g.map((f) => f.id))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('compares at the highest summarised level the sweep trained at, and only fits of a selection whose figures stand', () => {
    const a = settingFit(1, ['pruner.name=gmp'], [1.5, 2.1]);
    const b = settingFit(2, ['pruner.name=rigl'], [1.4, 1.9]);
    const to50 = () => 0.5;
    expect(settingFitsFinding([a, b], to50)).toContain('at 50% sparsity');
    // trained below every summarised level: the lowest, said to be an extrapolation
    const to25 = () => 0.25;
    expect(settingFitsFinding([a, b], to25)).toContain(
      'at 50% sparsity (beyond the sparsities the sweep trained at: an extrapolation of each law),',
    );
    // an out-of-date fit is left out, and said to be; with one left there is no comparison
    const c = settingFit(3, ['pruner.name=set'], [1.3, 1.7]);
    const said = settingFitsFinding([a, b, c], POINTS, (f) => (f.id === 3 ? 'out of date' : null));
    expect(said).toContain('under pruner.name=gmp (fit #1) and 1.9× under pruner.name=rigl (fit #2);');
    expect(said).toMatch(/ 1 fit out of date is left out \(see the table\)\.$/);
    expect(settingFitsFinding([a, b], POINTS, (f) => (f.id === 2 ? 'out of date' : null))).toBeNull();
    // the whole sweep's fit and a fit that did not converge do not count: one left, no comparison
    const pooled = settingFit(3, [], [1.3, 1.7]);
    const failed = settingFit(2, ['pruner.name=rigl'], [1.4, 1.9], undefined, { converged: false });
    expect(settingFitsFinding([pooled, a, failed], POINTS)).toBeNull();
    expect(selectionOf(pooled)).toBe('all finished trials');
  });
});
