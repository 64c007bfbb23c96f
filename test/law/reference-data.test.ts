import { describe, expect, it } from 'vitest';
import { scaledGradient } from '../../src/law/convergence.js';
import { fitLaw } from '../../src/law/fit.js';
import { sparseForm } from '../../src/law/forms/sparse.js';
import { makeObjective } from '../../src/law/objective.js';
import { publishedCoefficients } from '../../src/law/published.js';
import { summariseErrors } from '../../src/law/stats.js';
import { hasReferenceData, loadT5, loadVit, referenceDir } from './helpers.js';

/** Rounds to 3 significant figures, as Table 1 prints. */
const sig3 = (x: number) => Number(x.toPrecision(3));

if (!hasReferenceData) {
  console.warn(
    `skipping the reference-data fits: ${referenceDir} is absent (the shared folder is not shipped)`,
  );
}

describe.skipIf(!hasReferenceData)('fits of the paper’s own data (shared/reference-data)', () => {
  it('ViT/JFT-4B: raw-loss Huber, δ = 0.01, reproduces Table 1 to 3 significant figures', () => {
    const fit = fitLaw(loadVit(), 'sparse', {
      loss: 'huber',
      delta: 0.01,
      starts: 25,
      seed: 0,
      bootstrap: 0,
    });
    expect(fit.converged).toBe(true);
    expect(fit.n_points).toBe(112);
    // 25 starts in the authors' box and 25 scaled to the data: every one reaches the best loss
    expect(fit.startsTotal).toBe(50);
    expect(fit.startsAtBest).toBe(50);
    const { vit } = publishedCoefficients;
    for (const [name, value] of Object.entries(vit)) {
      // Table 1 prints c as 4.517 (4 s.f.); compare every coefficient at the printed precision.
      const digits = name === 'c' ? 4 : 3;
      expect(Number(fit.params[name]!.toPrecision(digits)), name).toBe(value);
    }
    // The authors' notebook reports a best loss of 4.929088e-4; ours is at least as low.
    expect(fit.loss).toBeLessThanOrEqual(4.929088e-4);
  });

  it('T5/C4: log-Huber, δ = 1e-3, reaches RMSE on log loss ≤ 0.0105', () => {
    const points = loadT5();
    const fit = fitLaw(points, 'sparse', {
      loss: 'huber-log',
      delta: 1e-3,
      starts: 25,
      seed: 0,
      bootstrap: 0,
    });
    expect(fit.converged).toBe(true);
    expect(fit.n_points).toBe(48);
    expect(fit.rmse_log).toBeLessThanOrEqual(0.0105);
    // The published T5 coefficients are not a converged optimum of this objective (their scaled
    // gradient is ~0.5): the converged fit has a lower loss and a lower log RMSE than they do.
    const data = sparseForm.prepare(points);
    const objective = makeObjective({
      form: sparseForm,
      data,
      measured: Float64Array.from(points, (p) => p.loss),
      loss: 'huber-log',
      delta: 1e-3,
    });
    const published = sparseForm.fromPaper({ ...publishedCoefficients.t5 }, data.scales);
    const gradient = new Float64Array(7);
    const publishedLoss = objective(published, gradient);
    expect(scaledGradient(publishedLoss, gradient, 0)).toBeGreaterThan(0.1);
    expect(fit.loss).toBeLessThan(0.7 * publishedLoss);
    const publishedErrors = summariseErrors(
      points.map((p) => ({
        predicted: sparseForm.predict({ ...publishedCoefficients.t5 }, p),
        measured: p.loss,
      })),
    );
    expect(fit.rmse_log).toBeLessThan(publishedErrors.rmse_log);
    // Coefficients of the converged optimum (recorded for the report; not the paper's).
    expect(sig3(fit.params['b_N']!)).toBe(0.232);
    expect(sig3(fit.params['b_S']!)).toBe(1.34);
    // one optimum: no equal-loss optimum near the published b_D (0.203) or at 0.21
    expect(sig3(fit.params['b_D']!)).toBe(0.385);
  });
});
