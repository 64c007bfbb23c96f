import { describe, expect, it } from 'vitest';
import { coefficientTable, convergenceLine } from '../../src/law/describe.js';
import type { LawFit } from '../../src/law/types.js';

const lawFit = (over: Partial<LawFit>): LawFit =>
  ({
    form: 'sparse',
    params: { a_S: 1, b_S: 1, c_S: 1, b_N: 0.3, a_D: 1e4, b_D: 0.3, c: 1 },
    intervals: {},
    startSpread: {},
    converged: true,
    gradNorm: 1.1e-8,
    gradTolerance: 1e-5,
    newtonStep: 1,
    startsConverged: 25,
    startsTotal: 25,
    startsAtBest: 24,
    ...over,
  }) as LawFit;

describe('fit-law output', () => {
  it('names the convergence test a fit passed, and both measures', () => {
    expect(convergenceLine(lawFit({}))).toBe(
      'converged on the scaled gradient 1.1e-8 (tol 0.00001); Newton step 1 (tol 0.0001, not met and not needed: the gradient test passed); 25/25 starts converged, 24 at the best loss',
    );
    // rounding stopped the line search above the gradient tolerance, at a Newton step within its own
    expect(convergenceLine(lawFit({ gradNorm: 0.031, newtonStep: 5.2e-14 }))).toMatch(
      /^converged on the Newton step 5\.2e-14 \(tol 0\.0001\); scaled gradient 0\.031 \(tol 0\.00001\);/,
    );
    expect(convergenceLine(lawFit({ newtonStep: 2.7e-8 }))).toContain(
      '; Newton step 2.7e-8 (tol 0.0001); 25/25',
    );
    expect(convergenceLine(lawFit({ converged: false, gradNorm: 1.7e-3, newtonStep: null }))).toMatch(
      /^NOT CONVERGED: scaled gradient 0\.0017 \(tol 0\.00001\); 25\/25/,
    );
  });

  it("gives a_D in the sweep's data unit, and says so when it is not known", () => {
    const aD = (unit?: string) =>
      coefficientTable(lawFit({}), unit)
        .split('\n')
        .find((l) => l.startsWith('a_D'))!;
    expect(aD('images')).toMatch(/ images /);
    expect(aD('tokens')).toMatch(/ tokens /);
    expect(aD()).toMatch(/ units of D /);
  });
});
