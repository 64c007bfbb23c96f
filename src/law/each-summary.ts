import { sig, withInterval } from '../util/format.js';
import { type Column, formatTable } from '../util/table.js';
import type { LawFit } from './types.js';

/** One fit of `fit-law --each`: the axis value it selected, its stored id, and whether its figures stand. */
export interface EachFit {
  value: string;
  fitId: number | null;
  fit: LawFit;
  /** A converged sparse fit that implies an optimum: its optimal-sparsity figures stand. */
  usable: boolean;
}

/** The sparsity whose dense-equivalent size `--each`'s summary compares (the paper's middle level). */
const SUMMARY_SPARSITY = 0.75;
/** The data multiple of the summary's S_opt column: the paper's headline overtraining. */
const SUMMARY_MULTIPLE = 10;

/**
 * `--each`'s closing table: a row per fit (its selection, id, points, convergence, RMSE, the dense-equivalent
 * size at 75% and S_opt at 10× with their 95% bootstrap intervals), and the range of those figures across the
 * fits that stand: how far the law moves from one setting (or seed) to the next.
 */
export function eachSummary(key: string, made: readonly EachFit[]): string {
  const figure = (m: EachFit) => {
    const o = m.usable ? m.fit.optimal : undefined;
    return {
      eq: o?.dense_equivalent.find((d) => Math.abs(d.sparsity - SUMMARY_SPARSITY) < 1e-9),
      at: o?.at_data_multiples.find((a) => a.data_multiple === SUMMARY_MULTIPLE),
    };
  };
  const factor = (x: number) => `${sig(x, 3)}x`;
  const share = (x: number) => sig(x, 2);
  const sparse = made.every((m) => m.fit.form === 'sparse');
  const base: Column<EachFit>[] = [
    { header: key, get: (m) => m.value },
    { header: 'fit', get: (m) => (m.fitId === null ? 'not stored' : `#${m.fitId}`) },
    { header: 'points', get: (m) => String(m.fit.n_points), align: 'right' },
    { header: 'converged', get: (m) => (m.fit.converged ? 'yes' : 'NO') },
    { header: 'RMSE (log)', get: (m) => sig(m.fit.rmse_log, 3), align: 'right' },
  ];
  const figures: Column<EachFit>[] = [
    {
      header: `dense-equivalent at ${SUMMARY_SPARSITY * 100}%`,
      get: (m) => {
        const { eq } = figure(m);
        return eq ? withInterval(eq.factor, eq.interval, factor) : '-';
      },
      align: 'right',
    },
    {
      header: `S_opt at ${SUMMARY_MULTIPLE}x`,
      get: (m) => {
        const { at } = figure(m);
        return at ? withInterval(at.sparsity, at.interval, share) : '-';
      },
      align: 'right',
    },
  ];
  const table = formatTable(made, sparse ? [...base, ...figures] : base);
  const standing = made.map(figure).filter((f) => f.eq && f.at);
  const lines = [`one fit per ${key}:`, '', table];
  if (standing.length >= 2) {
    const eqs = standing.map((f) => f.eq!.factor);
    const ats = standing.map((f) => f.at!.sparsity);
    lines.push(
      '',
      `across the ${standing.length} fits that stand: dense-equivalent at ${SUMMARY_SPARSITY * 100}% from ` +
        `${factor(Math.min(...eqs))} to ${factor(Math.max(...eqs))}, S_opt at ${SUMMARY_MULTIPLE}x from ` +
        `${share(Math.min(...ats))} to ${share(Math.max(...ats))}` +
        (key === 'seed' ? ' (how far the law moves from seed to seed)' : ''),
    );
    const apart = intervalsApart(standing, key === 'seed' ? 'seeds' : 'settings');
    if (apart !== null) lines.push(apart);
  }
  // a dense-law fit has no optimal-sparsity figures, and Laws by setting shows sparse-law fits only
  if (!sparse) return lines.join('\n');
  if (made.length - standing.length > 0)
    lines.push(
      `${made.length - standing.length} of the ${made.length} fits give no figures (not converged, or no optimum implied: see each fit above)`,
    );
  if (made.every((m) => m.fitId !== null))
    lines.push('`sparsebench report` sets these fits side by side under "Laws by setting"');
  return lines.join('\n');
}

type Figures = {
  eq?: { factor: number; interval?: [number, number] };
  at?: { sparsity: number; interval?: [number, number] };
};

/**
 * Whether the 95% bootstrap intervals of the highest and the lowest fit of each summary figure overlap, in
 * words, so that a range read off the table ("S_opt at 10x from 0.55 to 0.8") is not taken for a difference the
 * intervals do not show; null when some fit has no interval.
 */
function intervalsApart(standing: readonly Figures[], what: string): string | null {
  const judge = (values: { v: number; r?: [number, number] }[], name: string) => {
    if (values.some((x) => !x.r)) return null;
    const sorted = [...values].sort((a, b) => b.v - a.v);
    const [top, bottom] = [sorted[0], sorted[sorted.length - 1]];
    return { name, apart: top.r![0] > bottom.r![1] };
  };
  const verdicts = [
    judge(
      standing.map((f) => ({ v: f.eq!.factor, r: f.eq!.interval })),
      `dense-equivalent at ${SUMMARY_SPARSITY * 100}%`,
    ),
    judge(
      standing.map((f) => ({ v: f.at!.sparsity, r: f.at!.interval })),
      `S_opt at ${SUMMARY_MULTIPLE}x`,
    ),
  ];
  if (verdicts.some((v) => v === null)) return null;
  const pair = standing.length > 2 ? 'the highest and the lowest fit' : 'the two fits';
  const apart = verdicts.filter((v) => v!.apart).map((v) => v!.name);
  const overlap = verdicts.filter((v) => !v!.apart).map((v) => v!.name);
  return [
    apart.length > 0 ? `the 95% intervals of ${pair} do not overlap for ${apart.join(' and ')}` : '',
    overlap.length > 0
      ? `the 95% intervals of ${pair} overlap for ${overlap.join(' and ')}: on ${overlap.length === 1 ? 'it' : 'them'} these fits do not tell the ${what} apart (nor show them alike)`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}
