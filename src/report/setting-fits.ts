import { summariseOptimalSparsity } from '../law/optimal-summary.js';
import type { OptimalSparsitySummary } from '../law/types.js';
import { withInterval } from '../util/format.js';
import { fitScope } from './fit-scope.js';
import { listed, pct, plural, sig, times } from './format.js';
import type { Block, StoredFit } from './types.js';

/** Data multiple of the comparison's S_opt column: the paper's headline overtraining. */
const COMPARED_MULTIPLE = 10;

/** A setting's fit, as its row names it: "pruner.name=rigl", or "all finished trials". */
export function selectionOf(fit: Pick<StoredFit, 'where'>): string {
  return fit.where.length > 0 ? fit.where.join(', ') : 'all finished trials';
}

/** Why a fit's figures are not compared: unusable, not converged, or no optimum implied; null when they are. */
export function withheld(fit: StoredFit): string | null {
  if (fit.problem) return `cannot be used: ${fit.problem}`;
  if (!fit.converged) return 'did not converge';
  if (fit.optimumProblem) return `implies no optimal sparsity: ${fit.optimumProblem}`;
  return null;
}

/**
 * The figures compared across settings: the stored fit's optimal-sparsity summary (with its bootstrap spread),
 * or, for a fit stored without one, the same figures from its coefficients (without spread).
 */
function figuresOf(fit: StoredFit): OptimalSparsitySummary | null {
  if (withheld(fit) !== null || !fit.params) return null;
  const stored = fit.fit.optimal;
  return stored && stored.dense_equivalent.length > 0 ? stored : summariseOptimalSparsity(fit.params);
}

/**
 * The table that sets the newest sparse-law fit of each trial selection side by side (one per `fit-law --where`
 * setting, and the whole sweep's), with what each implies at equal non-zero parameters (the dense-equivalent
 * size, Frantar et al. 2023, §2.2, https://arxiv.org/abs/2309.08520) and at 10× the compute-optimal data; then,
 * for each fit whose figures are left out or that is out of date, why. `stale` gives the out-of-date sentence
 * of a fit, or null; `trainedUpTo` the highest sparsity a fit was made from (a figure beyond it is marked).
 */
export function settingFitsBlocks(
  fits: readonly StoredFit[],
  drawnId: number | null,
  stale: (fit: StoredFit) => string | null,
  trainedUpTo: (fit: StoredFit) => number,
): Block[] {
  const levels = [
    ...new Set(fits.flatMap((f) => figuresOf(f)?.dense_equivalent.map((d) => d.sparsity) ?? [])),
  ].sort((a, b) => a - b);
  const rows = fits.map((fit) => {
    const figures = figuresOf(fit);
    const equivalent = (s: number) => {
      const d = figures?.dense_equivalent.find((e) => e.sparsity === s);
      if (!d) return '-';
      const beyond = s > trainedUpTo(fit) + 1e-9 ? ' (beyond its trials)' : '';
      return `${withInterval(d.factor, d.interval, times)}${beyond}`;
    };
    const at = figures?.at_data_multiples.find((a) => a.data_multiple === COMPARED_MULTIPLE);
    return [
      `#${fit.id}${fit.id === drawnId ? ' (drawn above)' : ''}`,
      selectionOf(fit),
      String(fit.fit.n_points),
      fit.converged ? 'yes' : 'NO',
      sig(fit.fit.rmse_log, 3),
      ...levels.map(equivalent),
      at ? withInterval(at.sparsity, at.interval, (v) => pct(v, 2)) : '-',
      stale(fit) ? 'no' : 'yes',
    ];
  });
  const notes = fits.flatMap((fit) => {
    const why = withheld(fit);
    const old = stale(fit);
    return [
      ...(why ? [`#${fit.id} (${selectionOf(fit)}): no figures, it ${why}.`] : []),
      ...(old ? [old] : []),
    ];
  });
  const table: Block = {
    kind: 'table',
    caption:
      "The newest sparse-law fit of each selection of this sweep's trials (`fit-law --where KEY=VALUE`), side by side. " +
      "Dense-equivalent size: the factor by which a dense model must be larger to match a sparse one of equal non-zero parameters (independent of D under the law's form); " +
      `S_opt: the loss-optimal sparsity at the compute of training a dense model of the same non-zero size on ${COMPARED_MULTIPLE}× its compute-optimal data (a sparse model trains on 1 − S of that data). ` +
      'In brackets, 95% bootstrap intervals (none for a fit made without bootstrap). `report --fit ID` draws any of them, with its own warnings.',
    columns: [
      { header: 'fit' },
      { header: 'trials' },
      { header: 'points', align: 'right' },
      { header: 'converged' },
      { header: 'RMSE (log)', align: 'right' },
      ...levels.map((s) => ({ header: `dense-equivalent at ${pct(s)}`, align: 'right' as const })),
      { header: `S_opt at ${COMPARED_MULTIPLE}×`, align: 'right' },
      { header: 'up to date' },
    ],
    rows,
  };
  return notes.length > 0 ? [table, { kind: 'list', items: notes }] : [table];
}

/** Whether fits' selections differ in their seed alone (`fit-law --each seed`): the same other conditions. */
function differOnlyBySeed(fits: readonly StoredFit[]): boolean {
  const isSeed = (c: string) => c.startsWith('seed=');
  const rest = (f: StoredFit) => JSON.stringify(f.where.filter((c) => !isSeed(c)).sort());
  return (
    fits.every((f) => f.where.some(isSeed)) &&
    new Set(fits.map((f) => f.where.find(isSeed))).size === fits.length &&
    new Set(fits.map(rest)).size === 1
  );
}

/** A dense-equivalent size of one compared fit, at the compared sparsity. */
export interface ComparedFigure {
  fit: StoredFit;
  d: OptimalSparsitySummary['dense_equivalent'][number];
}

/** What {@link compareSettings} finds: the fits' dense-equivalent sizes at one sparsity, and whether they differ. */
export interface SettingComparison {
  /** The sparsity compared. */
  level: number;
  /** Whether it lies beyond the sparsities every compared fit was made from (an extrapolation of each law). */
  beyondTrials: boolean;
  /** Each compared fit's figure, largest dense-equivalent size first. */
  sorted: ComparedFigure[];
  /** Whether the fits differ in their seed alone (`fit-law --each seed`). */
  seeds: boolean;
  /**
   * Whether the 95% intervals of the largest and the smallest do not overlap; null when some fit has no
   * interval (made without bootstrap).
   */
  apart: boolean | null;
  /**
   * The same check at the other summarised levels the compared fits were made from, lowest first, where it has
   * intervals to compare: a difference can show at 75% and not at 87.5%, where the intervals are wider.
   */
  otherLevels: { level: number; apart: boolean; high: StoredFit; low: StoredFit }[];
  /** Fits whose figures stand but that are out of date, left out. */
  outOfDate: number;
}

/**
 * Whether the fits of different settings tell them apart: at the highest sparsity every compared fit was made
 * from (`trainedUpTo`; among the summarised levels; the lowest of them, marked beyond the trials, when none), each
 * setting's dense-equivalent size with its interval, and whether the intervals of the highest and the lowest
 * overlap. Only fits of a `--where` selection whose figures stand (converged, an optimum implied) and that are up
 * to date (`stale` gives null) count; null with fewer than two.
 */
export function compareSettings(
  fits: readonly StoredFit[],
  trainedUpTo: (fit: StoredFit) => number,
  stale: (fit: StoredFit) => string | null = () => null,
): SettingComparison | null {
  const standing = fits.filter((f) => fitScope(f) !== null && figuresOf(f) !== null);
  const compared = standing.filter((f) => stale(f) === null);
  if (compared.length < 2) return null;
  const trained = Math.min(...compared.map(trainedUpTo));
  const shared = figuresOf(compared[0])!.dense_equivalent.map((d) => d.sparsity);
  const inReach = shared.filter((s) => s <= trained + 1e-9);
  const level = inReach.length > 0 ? Math.max(...inReach) : Math.min(...shared);
  const at = compared.flatMap((fit) => {
    const d = figuresOf(fit)!.dense_equivalent.find((e) => e.sparsity === level);
    return d ? [{ fit, d }] : [];
  });
  if (at.length < 2) return null;
  const sorted = [...at].sort((a, b) => b.d.factor - a.d.factor);
  return {
    level,
    beyondTrials: inReach.length === 0,
    sorted,
    seeds: differOnlyBySeed(at.map(({ fit }) => fit)),
    apart: extremesApart(sorted),
    otherLevels: inReach
      .filter((s) => s !== level)
      .sort((x, y) => x - y)
      .flatMap((s) => {
        const there = compared.map((fit) => ({
          fit,
          d: figuresOf(fit)!.dense_equivalent.find((e) => e.sparsity === s),
        }));
        if (there.some((x) => !x.d)) return [];
        const ranked = [...there].sort((a, b) => b.d!.factor - a.d!.factor);
        const apart = extremesApart(ranked.map((x) => ({ d: x.d! })));
        return apart === null
          ? []
          : [{ level: s, apart, high: ranked[0].fit, low: ranked[ranked.length - 1].fit }];
      }),
    outOfDate: standing.length - compared.length,
  };
}

/**
 * Whether the 95% intervals of the first and the last of these figures (largest first) do not overlap; null when
 * either has none.
 */
function extremesApart(sorted: readonly { d: { interval?: [number, number] } }[]): boolean | null {
  const [top, bottom] = [sorted[0].d.interval, sorted[sorted.length - 1].d.interval];
  return top && bottom ? top[0] > bottom[1] : null;
}

/** How {@link SettingComparison} names the two fits whose intervals it checks. */
export function comparedPair(c: Pick<SettingComparison, 'sorted'>): string {
  return c.sorted.length > 2
    ? 'the highest and the lowest (the extremes of several, so a weaker test than 95%)'
    : 'the two';
}

/**
 * {@link compareSettings} in words. Non-overlapping 95% intervals are a conservative sign of a difference;
 * overlapping ones show none, not that the settings are alike; with three or more settings the two compared are
 * the extremes, picked after the fact, which the sentence says. Fits that differ by their seed alone are read as
 * the law's seed-to-seed spread: intervals that do not overlap then say the bootstrap understates it. Null with
 * fewer than two fits compared.
 */
export function settingFitsFinding(
  fits: readonly StoredFit[],
  trainedUpTo: (fit: StoredFit) => number,
  stale: (fit: StoredFit) => string | null = () => null,
): string | null {
  const c = compareSettings(fits, trainedUpTo, stale);
  if (!c) return null;
  const { sorted, seeds, apart } = c;
  const each = sorted.map(
    ({ fit, d }) => `${withInterval(d.factor, d.interval, times)} under ${selectionOf(fit)} (fit #${fit.id})`,
  );
  const listed = `${each.slice(0, -1).join(', ')} and ${each[each.length - 1]}`;
  const [top, bottom] = [sorted[0], sorted[sorted.length - 1]];
  const pair = comparedPair(c);
  const verdict =
    apart === null
      ? 'without bootstrap intervals for every fit, whether they differ beyond noise cannot be judged (fit-law --bootstrap)'
      : seeds
        ? apart
          ? `the 95% intervals of ${pair} do not overlap: the law moves from seed to seed by more than one fit's bootstrap interval allows, so read each fit's intervals as too narrow`
          : `the 95% intervals of ${pair} overlap, so this check does not show the law moving from seed to seed beyond its fits' bootstrap intervals (which does not show the seeds' laws alike)`
        : apart
          ? `the 95% intervals of ${pair} do not overlap: at this sparsity the fit of ${selectionOf(top.fit)} gives a larger dense-equivalent size than that of ${selectionOf(bottom.fit)}`
          : `the 95% intervals of ${pair} overlap, so this check finds no difference at this sparsity (which does not show the settings alike: a whole law's intervals are wider than a paired comparison of the trials, which may still tell them apart)`;
  const beyond = c.beyondTrials
    ? ' (beyond the sparsities the sweep trained at: an extrapolation of each law)'
    : '';
  // the caveat on the extremes said once
  const elsewhere = otherLevelsNote(c, sorted.length > 2 ? 'the highest and the lowest' : 'the two');
  const left = c.outOfDate;
  const outOfDate =
    left > 0
      ? ` ${plural(left, 'fit')} out of date ${left === 1 ? 'is' : 'are'} left out (see the table).`
      : '';
  const what = seeds
    ? `Seed to seed (${plural(sorted.length, 'fit')}, one per seed`
    : `Laws by setting (${plural(sorted.length, 'fit')}`;
  return (
    `${what}, see "Laws by setting"): at ${pct(c.level)} sparsity${beyond}, the dense-equivalent size (how much larger a dense model ` +
    `must be to match a sparse one of equal non-zero parameters) is ${listed}; ${verdict}.${elsewhere}${outOfDate}`
  );
}

/**
 * The other levels the fits were made from where the check comes out otherwise than at the level the finding
 * (and the overlaid figure's caption) gives ("At 50% and 75%, the 95% intervals of the two do not overlap (pruner.name=gmp above pruner.name=rigl)."),
 * so the finding does not read as the whole of it; '' when it comes out alike at every level.
 */
export function otherLevelsNote(c: SettingComparison, pair: string): string {
  if (c.apart === null) return '';
  const differ = c.otherLevels.filter((l) => l.apart !== c.apart);
  if (differ.length === 0) return '';
  const at = listed(differ.map((l) => pct(l.level)));
  if (c.apart) return ` At ${at}, which the fits were also made from, the 95% intervals of ${pair} overlap.`;
  const order = (l: (typeof differ)[number]) => `${selectionOf(l.high)} above ${selectionOf(l.low)}`;
  const orders = [...new Set(differ.map(order))];
  const which =
    orders.length === 1
      ? ` (${orders[0]})`
      : `: ${listed(differ.map((l) => `${pct(l.level)} (${order(l)})`))}`;
  return ` At ${orders.length === 1 ? at : 'lower sparsities'}, which the fits were also made from, the 95% intervals of ${pair} do not overlap${which}.`;
}

/** The keys a fit's selection is made by ("pruner.name", "seed", "pruner.name,seed"), its values left out. */
function selectionKeys(fit: Pick<StoredFit, 'where'>): string {
  return [...new Set(fit.where.map((c) => c.split('=')[0]))].sort().join(',');
}

/**
 * {@link settingFitsFinding} for each group of fits selected by the same keys: the fits of `fit-law --each
 * pruner.name` are compared with one another and those of `--each seed` with one another, never a pruner's fit
 * (pooling seeds) against a seed's (pooling pruners), which differ in what they select, not in one setting.
 * Groups in the order of their first fit; a group of one fit says nothing.
 */
export function settingFitsFindings(
  fits: readonly StoredFit[],
  trainedUpTo: (fit: StoredFit) => number,
  stale: (fit: StoredFit) => string | null = () => null,
): string[] {
  return settingGroups(fits).flatMap((group) => settingFitsFinding(group, trainedUpTo, stale) ?? []);
}

/**
 * The fits grouped by the keys their selections are made by (those of `fit-law --each pruner.name` in one group,
 * those of `--each seed` in another) and by the values of all their conditions but the last, the one `--each`
 * varies (`--each pruner.name --where seed=1` and `--where seed=2` make two groups, each comparing pruners at one
 * seed); groups in the order of their first fit, fits in their order.
 */
export function settingGroups(fits: readonly StoredFit[]): StoredFit[][] {
  const groups = new Map<string, StoredFit[]>();
  for (const fit of fits) {
    const key = `${selectionKeys(fit)}|${[...fit.where.slice(0, -1)].sort().join('&')}`;
    groups.set(key, [...(groups.get(key) ?? []), fit]);
  }
  return [...groups.values()];
}
