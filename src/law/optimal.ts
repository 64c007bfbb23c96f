import { LawInputError } from './errors.js';
import type { LawFit, SparseLawParams } from './types.js';
import { levelCount } from './validate.js';

/*
 * Optimal sparsity under the sparse law (Frantar et al. 2023, https://arxiv.org/abs/2309.08520, §2.2).
 *
 * Sparse training is costed as dense training of the full model, C = 6·N/(1−S)·D. At fixed non-zero N
 * and compute C, D = C(1−S)/(6N); with x = 1 − S the loss is
 *   L(x) = a_S x^b_S N^−b_N + (6 N a_D / (C x))^b_D + const,
 * and dL/dx = 0 gives x^(b_S+b_D) = b_D a_D^b_D N^b_N / (a_S b_S) · (C/6N)^(−b_D), the closed form below;
 * L is convex in log x there, so it is the minimum, clipped at S = 0.
 *
 * "Compute-optimal data of the dense model" for size N: the D at which N is the Chinchilla-optimal size
 * for C = 6ND under the dense law (S = 0): minimising (a_S + c_S) N^−b_N + (6 N a_D / C)^b_D over N gives
 *   D_opt(N) = a_D · (b_D N^b_N / (b_N (a_S + c_S)))^(1/b_D).
 * Data multiples are of the dense-equivalent data C/(6N) (the data a dense N-parameter model trains on
 * for the same compute). Sparsity starts to pay (S_opt > 0) when C/(6N) exceeds
 *   D_pay(N) = a_D · (b_D N^b_N / (a_S b_S))^(1/b_D),
 * and D_pay/D_opt = (b_N (a_S + c_S) / (a_S b_S))^(1/b_D) does not depend on N. With Table 1 this is
 * 1.27 (ViT) and 2.98 (T5), and S_opt at 10× and 100× is 0.66/0.90 (ViT) and 0.23/0.54 (T5), the
 * paper's headline numbers.
 */

const KEYS = ['a_S', 'b_S', 'c_S', 'b_N', 'a_D', 'b_D', 'c'] as const;
/** The additive offsets: 0 is a value of the law (no such term), not a missing coefficient. */
const OFFSETS = new Set<string>(['c_S', 'c']);

/**
 * The sparse-law coefficients of a fit or record, checked: all present, finite, and > 0 except the offsets c_S
 * and c, which may be 0 (a fit's coefficient underflows to exactly 0 at its lower bound; no figure divides by it).
 */
export function sparseParams(source: LawFit | Record<string, number>): SparseLawParams {
  const fit = source as Partial<LawFit>;
  if (typeof fit.form === 'string' && fit.form !== 'sparse') {
    throw new LawInputError(`optimal sparsity needs a 'sparse' form fit; got form '${fit.form}'`);
  }
  const params = (fit.params ?? source) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const key of KEYS) {
    const v = params[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v === 0 && !OFFSETS.has(key))) {
      const bound = OFFSETS.has(key) ? '≥ 0' : '> 0';
      throw new LawInputError(
        `sparse-law coefficient ${key} must be a finite number ${bound}; got ${String(v)}`,
      );
    }
    out[key] = v;
  }
  return out as unknown as SparseLawParams;
}

function requirePositive(value: number, name: string): void {
  if (!(value > 0) || !Number.isFinite(value))
    throw new LawInputError(`${name} must be a finite number > 0; got ${value}`);
}

/** Loss predicted by the sparse law at (S, N, D), paper units. */
export function sparseLoss(
  p: SparseLawParams,
  sparsity: number,
  nonzeroParams: number,
  tokens: number,
): number {
  return (
    (p.a_S * (1 - sparsity) ** p.b_S + p.c_S) * nonzeroParams ** -p.b_N + (p.a_D / tokens) ** p.b_D + p.c
  );
}

/** Loss-minimising sparsity S_opt(N, C) at fixed non-zero N and compute C = 6·N/(1−S)·D (closed form). */
export function optimalSparsity(params: SparseLawParams, nonzeroParams: number, compute: number): number {
  requirePositive(nonzeroParams, 'N');
  requirePositive(compute, 'compute C');
  const p = params;
  const logX =
    (Math.log(p.b_D) +
      p.b_D * Math.log(p.a_D) +
      p.b_N * Math.log(nonzeroParams) -
      Math.log(p.a_S * p.b_S) -
      p.b_D * Math.log(compute / (6 * nonzeroParams))) /
    (p.b_S + p.b_D);
  return Math.max(0, -Math.expm1(logX));
}

/** D_opt(N): training data at which a dense model of N parameters is compute-optimal (see module doc). */
export function denseComputeOptimalData(params: SparseLawParams, nonzeroParams: number): number {
  requirePositive(nonzeroParams, 'N');
  const p = params;
  return p.a_D * ((p.b_D * nonzeroParams ** p.b_N) / (p.b_N * (p.a_S + p.c_S))) ** (1 / p.b_D);
}

/** D_pay(N): dense-equivalent data C/(6N) beyond which S_opt > 0. */
export function dataWhereSparsityPays(params: SparseLawParams, nonzeroParams: number): number {
  requirePositive(nonzeroParams, 'N');
  const p = params;
  return p.a_D * ((p.b_D * nonzeroParams ** p.b_N) / (p.a_S * p.b_S)) ** (1 / p.b_D);
}

/**
 * Multiple of the dense compute-optimal data at which sparsity starts to pay, D_pay/D_opt =
 * (b_N (a_S + c_S) / (a_S b_S))^(1/b_D): ~1.27 (ViT) and ~2.98 (T5) with Table 1. It does not depend
 * on N; `nonzeroParams`, when given, is only checked.
 */
export function dataMultipleWhereSparsityPays(params: SparseLawParams, nonzeroParams?: number): number {
  if (nonzeroParams !== undefined) requirePositive(nonzeroParams, 'N');
  const p = params;
  return ((p.b_N * (p.a_S + p.c_S)) / (p.a_S * p.b_S)) ** (1 / p.b_D);
}

/** S_opt when training on `multiple` × the dense compute-optimal data (independent of N). */
export function optimalSparsityAtDataMultiple(params: SparseLawParams, multiple: number): number {
  requirePositive(multiple, 'data multiple');
  const ratio = multiple / dataMultipleWhereSparsityPays(params);
  return Math.max(0, 1 - ratio ** (-params.b_D / (params.b_S + params.b_D)));
}

/**
 * Equivalent dense size of a sparse model at equal non-zeros: the factor k such that a dense model
 * with k·N parameters has the same size term, (a_S + c_S)(kN)^−b_N = (a_S(1−S)^b_S + c_S) N^−b_N, i.e.
 * k = ((a_S(1−S)^b_S + c_S) / (a_S + c_S))^(−1/b_N). Independent of N and D. With Table 1 (T5) it is
 * 1.59, 2.16 and 2.63 at S = 50%, 75%, 87.5%. The paper prints 2.64 for 87.5%; the authors' notebook's own
 * b_N (0.24513) gives 2.633 too, so the last digit is not reproduced from the published coefficients.
 */
export function denseEquivalentFactor(params: SparseLawParams, sparsity: number): number {
  if (!(sparsity >= 0 && sparsity < 1))
    throw new LawInputError(`sparsity must be in [0, 1); got ${sparsity}`);
  const p = params;
  return ((p.a_S * (1 - sparsity) ** p.b_S + p.c_S) / (p.a_S + p.c_S)) ** (-1 / p.b_N);
}

/** What each coefficient the optimum needs stands for, when it is missing (at its lower bound 0). */
const OPTIMUM_TERMS: Record<string, string> = {
  a_S: 'loss does not depend on sparsity',
  b_S: 'loss does not depend on sparsity',
  b_N: 'loss does not depend on model size',
  a_D: 'loss does not depend on data',
  b_D: 'loss does not depend on data',
};

/**
 * Coefficients at their lower bound 0 of a fit (`fit.atLowerBound`, or for a fit stored before that was kept,
 * its warnings).
 */
export function lowerBoundsOf(fit: Pick<LawFit, 'warnings'> & { atLowerBound?: string[] }): string[] {
  if (fit.atLowerBound) return fit.atLowerBound;
  return fit.warnings.flatMap((w) => /^(\w+) is at its lower bound 0/.exec(w)?.[1] ?? []);
}

/** Fewest levels of S and of D from which a sparse fit's optimal sparsity is reported. */
export const OPTIMUM_MIN_LEVELS = 3;

/**
 * Why these points cannot determine the optimal sparsity, or null when they can. S_opt trades the sparsity
 * term's fall (a_S, b_S) against the data term (a_D, b_D, measured against the compute-optimal data), so it
 * needs the shape of both: with two sparsity levels only the ratio at those two is measured and b_S is free,
 * and with two data sizes b_D is (a_D, b_D and c fit two values per model exactly; b_D can run to a step, and
 * S_opt then reads 1 − 1/multiple, a limit of the fit, not of the data).
 */
export function optimumUndetermined(points: readonly { sparsity: number; tokens: number }[]): string | null {
  // measured values: a level's trials can sit a weight or a batch apart, so levels are counted with a tolerance
  // (sparsity by its density 1 − S, which tells 87.5% from 90% as plainly as 0% from 50%)
  const s = levelCount(points.map((p) => 1 - p.sparsity));
  const d = levelCount(points.map((p) => p.tokens));
  const why: string[] = [];
  if (s < OPTIMUM_MIN_LEVELS) why.push(`${s} sparsity levels leave the sparsity term's shape (b_S) free`);
  if (d < OPTIMUM_MIN_LEVELS) why.push(`${d} data sizes D leave the data term's exponent b_D free`);
  return why.length === 0
    ? null
    : `${why.join(', and ')}, and the optimal sparsity depends on ${s < OPTIMUM_MIN_LEVELS && d < OPTIMUM_MIN_LEVELS ? 'both' : 'it'}: the data do not determine it (sweep ${OPTIMUM_MIN_LEVELS} or more of each)`;
}

/** What an exponent that ran off upwards makes of its term. */
const RUN_OFF_TERMS: Record<string, string> = {
  b_S: 'the sparsity term is a step at S = 0 (every swept S > 0 already at its limit c_S)',
  b_N: 'the size term has vanished at every swept N',
  b_D: 'the data term has vanished at every swept D',
};

/** The coefficients whose lower bound makes the law flat in S at equal non-zero parameters. */
const SPARSITY_TERMS = ['a_S', 'b_S'];

/**
 * Whether a fit implies no optimum only because its law is flat in S (a_S or b_S at its lower bound 0, every
 * other term the optimum needs present, no exponent run off): loss does not depend on sparsity at equal non-zero
 * parameters, while a sparse model costs the compute of its dense size, so sparsity never pays. Its figures are
 * then limits with a meaning: S_opt = 0 at any data, sparsity paying beyond ∞× the compute-optimal data, a
 * dense-equivalent size of 1×. A bootstrap counts such replicates at those limits rather than leaving them out:
 * left out, they would move every interval towards sparsity paying.
 */
export function flatInSparsity(atLowerBound: readonly string[], runOff: readonly string[] = []): boolean {
  if (runOff.some((name) => name in RUN_OFF_TERMS)) return false;
  const missing = atLowerBound.filter((name) => name in OPTIMUM_TERMS);
  return missing.length > 0 && missing.every((name) => SPARSITY_TERMS.includes(name));
}

/**
 * Why a sparse fit implies no optimal sparsity, or null when it does: S_opt, where sparsity pays and the
 * dense-equivalent size all trade the sparsity term against the size and data terms, so a fit with a_S, b_S,
 * b_N, a_D or b_D at its lower bound 0 has no such trade-off; the closed forms then return limits of the bound
 * (e.g. b_N → 0: S_opt → 100% at any data, dense-equivalent size → ∞), not findings. Likewise an exponent that
 * ran off upwards (`runOff`): b_S → ∞ puts all of the sparsity term's fall between S = 0 and the smallest swept
 * S, where the sweep has no point, and the closed forms return limits again (S_opt → 0, sparsity paying from
 * ~0× the compute-optimal data).
 */
export function optimumUnsupported(
  atLowerBound: readonly string[],
  runOff: readonly string[] = [],
): string | null {
  const missing = atLowerBound.filter((name) => name in OPTIMUM_TERMS);
  const off = runOff.filter((name) => name in RUN_OFF_TERMS);
  if (missing.length === 0 && off.length === 0) return null;
  const parts: string[] = [];
  if (missing.length > 0) {
    const why = [...new Set(missing.map((n) => OPTIMUM_TERMS[n]))].join(', and ');
    parts.push(
      `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} at the lower bound 0, so in this fit ${why}`,
    );
  }
  if (off.length > 0)
    parts.push(
      `${off.join(' and ')} ran off to ${off.length === 1 ? 'a value' : 'values'} the data do not pin, so in this fit ${off.map((n) => RUN_OFF_TERMS[n]).join(', and ')}`,
    );
  if (flatInSparsity(atLowerBound, runOff))
    return `${parts.join('; ')}: sparsity never pays in it (S_opt 0 at any data, a sparse model worth a dense one of its non-zeros), and it implies no optimal sparsity above 0 (fit more sizes, sparsities or data sizes to test that)`;
  return `${parts.join('; ')}: it implies no optimal sparsity or dense-equivalent size (fit more sizes, sparsities or data sizes)`;
}
