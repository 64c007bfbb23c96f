import { describe, expect, it } from 'vitest';
import { publishedCoefficients } from '../../src/law/published.js';
import { summariseErrors } from '../../src/law/stats.js';
import { dataFindings, fitQualityFinding, lawFindings, scaleFinding } from '../../src/report/findings.js';
import { finalPoints } from '../../src/report/points.js';
import { fitOf, grid, trial } from './fixtures.js';

describe('law findings, from known coefficients', () => {
  it("reproduce the paper's T5/C4 headline figures from its own coefficients", () => {
    const [headline, pays, multiples, dense] = lawFindings(publishedCoefficients.t5, [0, 0.5, 0.75, 0.875]);
    // SCIENCE.md §2: pays past 2.98×; S_opt 0.23 at 10×, 0.54 at 100×; 1.59× at 50%, 2.16× at 75%
    expect(pays).toContain('past 2.98× the compute-optimal data');
    expect(pays).toContain("(the paper's coefficients give 2.98× for T5/C4, 1.27× for ViT/JFT)");
    expect(multiples).toMatch(/at 4×, 10× and 100× the compute-optimal data: 6\.2%, 23% and 54%/);
    expect(dense).toMatch(
      /^From the fitted law, the dense-equivalent size at equal non-zero parameters is 1\.59× at 50%, 2\.16× at 75% and 2\.63× at 87\.5%/,
    );
    expect(headline).toBe(
      'From the fitted law, at 4× the compute-optimal data, the loss-optimal sparsity is 6.2%; at any data size, a model with 50% sparsity ' +
        "matches a dense model 1.59× larger trained on the same data (the paper's T5/C4 coefficients give 6.2% and 1.59×).",
    );
  });

  it("use the ViT coefficients' own figures (1.27× where sparsity pays; 66% at 10×, 90% at 100×)", () => {
    const [, pays, multiples] = lawFindings(publishedCoefficients.vit, [0.5]);
    expect(pays).toContain('past 1.27×');
    expect(multiples).toMatch(/: \d+%, 66% and 90% \(the paper's/);
  });

  it("compare an image model with the paper's ViT/JFT figures, not T5/C4", () => {
    const [headline, , multiples, dense] = lawFindings(publishedCoefficients.vit, [0.5], 'images');
    // the ViT coefficients compared with themselves: the same figures on both sides
    expect(headline).toMatch(
      /sparsity is (\d+%); .* (\d\.\d+×) larger .* \(the paper's ViT\/JFT coefficients give \1 and \2\)\.$/,
    );
    expect(multiples).toMatch(
      /: (\d+%), 66% and 90% \(the paper's ViT\/JFT coefficients give \1, 66% and 90%\)/,
    );
    expect(dense).toContain("(the paper's ViT/JFT coefficients give ");
    for (const line of [headline, multiples, dense]) expect(line).not.toContain('T5/C4');
    expect(scaleFinding(finalPoints([trial(0, 8000, 1e5)]), 'images')).toMatch(
      /^Scale: these models have at most 8k non-zero parameters, 83× fewer than the paper's smallest JFT-4B ViT \(664k\);/,
    );
    // at 100k, within 10× of the paper's smallest ViT (664k): no caveat, though it is 13× below its smallest T5
    expect(scaleFinding(finalPoints([trial(0, 1e5, 1e5)]), 'images')).toBeNull();
    expect(scaleFinding(finalPoints([trial(0, 1e5, 1e5)]))).not.toBeNull();
  });

  it('say how many bootstrap replicates an interval leaves out for implying no optimum', () => {
    const spread = {
      at_data_multiples: [
        { data_multiple: 4, sparsity: 0.1, interval: [0.02, 0.5] as [number, number], replicatesWithout: 51 },
      ],
      dense_equivalent: [{ sparsity: 0.5, factor: 1.6, interval: [1.2, 3] as [number, number] }],
      pays: { interval: [0.5, 4] as [number, number], replicatesWithout: 1 },
    };
    const [weak, headline, pays] = lawFindings(
      publishedCoefficients.t5,
      [0.5],
      'tokens',
      spread as unknown as Parameters<typeof lawFindings>[3],
    );
    // an interval that wide is said first, before the figures are read as results
    expect(weak).toBe(
      'The optimal-sparsity figures are weakly determined by these points: S_opt at 4× is 0.1 in this fit but 0.02 to 0.5 over the 95% bootstrap; read each figure with its range, not as measurements.',
    );
    expect(headline).toMatch(/\(95% bootstrap: 2% to 50%; 51 replicates implying no optimum left out\)/);
    expect(headline).toMatch(/\(95% bootstrap: 1\.2× to 3×\) larger/);
    expect(pays).toContain('; 1 replicate implying no optimum left out)');
  });

  it('say the replicates left out once, after the figures, when every interval counts the same ones', () => {
    const same = { replicatesFlat: 15, replicatesWithout: 38 };
    const spread = {
      at_data_multiples: [
        { data_multiple: 4, sparsity: 0.1, interval: [0.02, 0.5] as [number, number], ...same },
      ],
      dense_equivalent: [{ sparsity: 0.5, factor: 1.6, interval: [1.2, 3] as [number, number], ...same }],
      pays: { interval: [0.5, 4] as [number, number], ...same },
    };
    const said = lawFindings(
      publishedCoefficients.t5,
      [0.5],
      'tokens',
      spread as unknown as Parameters<typeof lawFindings>[3],
    );
    expect(said[0]).toMatch(/^The optimal-sparsity figures are weakly determined/);
    expect(said[1]).toMatch(/\(95% bootstrap: 2% to 50%\); /);
    expect(said.join('\n')).not.toMatch(/replicates? (flat|implying).*\n/);
    expect(said.at(-1)).toBe(
      'Every 95% bootstrap interval above is of the same replicates: 15 replicates flat in S, where sparsity never pays, counted at that limit, and 38 replicates implying no optimum left out: the intervals describe the replicates that imply an optimum, so they understate the uncertainty.',
    );
  });

  it("give a figure's range over the fit's tied starts where they disagree, beside the bootstrap interval", () => {
    const spread = {
      at_data_multiples: [
        {
          data_multiple: 4,
          sparsity: 0.15,
          interval: [0.1, 0.6] as [number, number],
          starts: [0.15, 0.57] as [number, number],
        },
      ],
      dense_equivalent: [{ sparsity: 0.5, factor: 1.6, starts: [1.6, 1.6001] as [number, number] }],
      pays: { starts: [0.0064, 0.9] as [number, number] },
    };
    const [, headline, pays] = lawFindings(
      publishedCoefficients.t5,
      [0.5],
      'tokens',
      spread as unknown as Parameters<typeof lawFindings>[3],
    );
    expect(headline).toMatch(/\(95% bootstrap: 10% to 60%; starts tied at the best loss: 15% to 57%\)/);
    // starts that agree as shown add nothing
    expect(headline).toMatch(/1\.[0-9]+× larger/);
    expect(headline).not.toMatch(/1\.6× to/);
    expect(pays).toContain('(starts tied at the best loss: 0.0064× to 0.9×)');
  });

  it("fall back to the paper's sparsity levels when the sweep has only dense trials", () => {
    const dense = lawFindings(publishedCoefficients.t5, [0]).at(-1);
    expect(dense).toContain('at 50%, 2.16× at 75% and 2.63× at 87.5%');
  });
});

describe('data findings, from measurements alone', () => {
  it('compare each sparse trial with the dense one at the same N and D', () => {
    // a: sparse better in both cells; b: worse in one
    const t = [
      trial(0, 8000, 1e5),
      trial(0, 8000, 3e5),
      trial(0.5, 8000, 1e5, 'finished', -0.1),
      trial(0.5, 8000, 3e5, 'finished', -0.2),
      trial(0.75, 8000, 1e5, 'finished', 0.5),
    ];
    t[0].finalValLoss = 3;
    t[1].finalValLoss = 2.5;
    t[2].finalValLoss = 2.7; // −10%
    t[3].finalValLoss = 2.0; // −20%
    t[4].finalValLoss = 3.3; // +10%
    const f = dataFindings(finalPoints(t));
    expect(f[0]).toBe(
      "Measured: at equal non-zero parameters and data (so 2× the dense models' training compute), 50% sparse models reached a lower final loss than dense in 2 of 2 comparisons (mean −15%).",
    );
    expect(f[1]).toContain(
      '75% sparse models reached a lower final loss than dense in 0 of 1 comparison (mean +10%)',
    );
    // one seed: said once, after the comparisons
    expect(f[2]).toMatch(
      /^Measured on one seed: how much of each difference is seed-to-seed noise is not measured/,
    );
    expect(f[3]).toBe('Lowest final validation loss: 2 nats/token (50% sparse, N = 8k, D = 300k tokens).');
    expect(dataFindings(finalPoints(t), 'tokens', 't5')[3]).toBe(
      'Lowest final validation loss: 2 nats/target token (50% sparse, N = 8k, D = 300k tokens).',
    );
    expect(f).toHaveLength(4);
    // a classifier's accuracy: its highest, named apart from the lowest loss when another trial has it
    const scored = t.map((x, i) => ({ ...x, finalValAccuracy: [0.5, 0.6, 0.7, 0.8, 0.9][i] }));
    expect(dataFindings(finalPoints(scored), 'images', 'vit').at(-1)).toBe(
      'Highest final validation accuracy: 90% (75% sparse, N = 8k, D = 100k images).',
    );
    // a classifier's wider embeddings come with its head, both outside N
    const wide = scored.map((x) => ({ ...x, embeddingParams: x.sparsity > 0 ? 40000 : 10000 }));
    expect(dataFindings(finalPoints(wide), 'images', 'vit')[0]).toContain(
      "the dense models' embedding and classifier-head parameters, which N leaves out.",
    );
    scored[3].finalValAccuracy = 0.95;
    expect(dataFindings(finalPoints(scored), 'images', 'vit').at(-1)).toBe(
      'Highest final validation accuracy: 95% (the same trial).',
    );
    // two seeds: not said (the seed spread finding measures the noise)
    const seeded = [...t, ...t.map((x) => ({ ...x, id: `${x.id}s1`, seed: 1 }))];
    expect(dataFindings(finalPoints(seeded)).join('\n')).not.toContain('Measured on one seed');
    expect(scaleFinding(finalPoints(t))).toMatch(
      /^Scale: these models have at most 8k non-zero parameters, 170× fewer than the paper's smallest T5 \(1\.33M\)/,
    );
    expect(scaleFinding(finalPoints([trial(0, 2e6, 1e9)]))).toBeNull();
  });

  it("name the sparse trials' wider embeddings beside the comparison", () => {
    const dense = { ...trial(0, 8000, 1e5), finalValLoss: 3 };
    const sparse = { ...trial(0.5, 8000, 1e5), finalValLoss: 2.7, embeddingParams: 2000 };
    expect(dataFindings(finalPoints([dense, sparse]))[0]).toBe(
      "Measured: at equal non-zero parameters and data (so 2× the dense models' training compute), 50% sparse models reached a lower final loss than dense in 1 of 1 comparison (mean −10%), with 2× the dense models' embedding parameters, which N leaves out.",
    );
    // an untied lm or t5 head is its own matrix, outside N, named with the embeddings
    const untied = finalPoints([dense, sparse]).map((p) => ({ ...p, head: 300 }));
    expect(dataFindings(untied)[0]).toMatch(
      /with 2× the dense models' embedding and output-head parameters, which N leaves out\.$/,
    );
  });

  it("give each level's training compute at equal N and D as 1/(1 − S) of dense: 4× at 75%, 8× at 87.5%", () => {
    const t = [trial(0, 8000, 1e5), trial(0.75, 8000, 1e5), trial(0.875, 8000, 1e5)];
    t[0].finalValLoss = 3;
    t[1].finalValLoss = 2.7; // −10%
    t[2].finalValLoss = 3.3; // +10%
    const f = dataFindings(finalPoints(t));
    // 1/(1 − 0.75) = 4 and 1/(1 − 0.875) = 8, where 1/S would give 1.33 and 1.14 (both 2 at S = 0.5)
    expect(f[0]).toBe(
      "Measured: at equal non-zero parameters and data (so 4× the dense models' training compute), 75% sparse models reached a lower final loss than dense in 1 of 1 comparison (mean −10%).",
    );
    expect(f[1]).toBe(
      "Measured: at equal non-zero parameters and data (so 8× the dense models' training compute), 87.5% sparse models reached a lower final loss than dense in 0 of 1 comparison (mean +10%).",
    );
  });

  it('compare with the mean of the dense seeds at the same N and D, not the first', () => {
    const d0 = { ...trial(0, 8000, 1e5), seed: 0, finalValLoss: 3.0 };
    const d1 = { ...trial(0, 8000, 1e5), seed: 1, finalValLoss: 3.2 };
    const sparse = { ...trial(0.5, 8000, 1e5), seed: 0, finalValLoss: 2.79 };
    // 2.79 / mean(3.0, 3.2) − 1 = 2.79 / 3.1 − 1 = −10% (against seed 0 alone: 2.79 / 3 − 1 = −7%)
    expect(dataFindings(finalPoints([d0, d1, sparse]))[0]).toBe(
      "Measured: at equal non-zero parameters and data (so 2× the dense models' training compute), 50% sparse models reached a lower final loss than dense in 1 of 1 comparison (mean −10%).",
    );
  });

  it('give the median and range beside the mean from three comparisons on, where one can carry the mean', () => {
    const dense = [1e5, 2e5, 3e5].map((D) => ({ ...trial(0, 8000, D), finalValLoss: 3 }));
    // −10%, −5%, +10%: mean −1.67%, median −5%
    const sparse = [2.7, 2.85, 3.3].map((loss, i) => ({
      ...trial(0.5, 8000, [1e5, 2e5, 3e5][i]),
      finalValLoss: loss,
    }));
    expect(dataFindings(finalPoints([...dense, ...sparse]))[0]).toBe(
      "Measured: at equal non-zero parameters and data (so 2× the dense models' training compute), 50% sparse models reached a lower final loss than dense in 2 of 3 comparisons (mean −1.7%, median −5%, from −10% to +10%).",
    );
    // two comparisons: the mean alone
    expect(dataFindings(finalPoints([...dense, ...sparse.slice(0, 2)]))[0]).toMatch(
      /in 2 of 2 comparisons \(mean −7\.5%\)\.$/,
    );
  });

  it('say so when no dense trial finished', () => {
    const f = dataFindings(finalPoints([trial(0, 8000, 1e5, 'failed'), trial(0.5, 8000, 1e5)]));
    expect(f[0]).toMatch(/^No dense \(S = 0\) trial has finished/);
  });

  it('are empty with nothing finished', () => {
    expect(dataFindings(finalPoints([trial(0, 8000, 1e5, 'running')]))).toEqual([]);
  });
});

describe('fit quality', () => {
  it('states the RMS error and the largest miss of a fit to 1%-noisy data', () => {
    const text = fitQualityFinding(fitOf(grid()));
    expect(text).toMatch(
      /^The law \(fit #7\) reproduces the 12 fitted trials with an RMS error of [0-9.]+ in log loss \(about [0-9.]+% of the loss\); the largest miss is [0-9.]+% of the measured loss\.$/,
    );
  });

  it('gives the largest miss relative to the measured loss, as the held-out check does', () => {
    const fit = fitOf(grid());
    const residuals = [
      { predicted: 2.2, measured: 2 },
      { predicted: 1.9, measured: 2 },
    ];
    const text = fitQualityFinding({ ...fit, fit: { ...fit.fit, residuals } });
    // |2.2 / 2 − 1| = 10% (not |2 / 2.2 − 1| = 9.09%), as summariseErrors gives it
    expect(text).toMatch(/the largest miss is 10% of the measured loss\.$/);
    expect(summariseErrors(residuals).max_abs_rel_error).toBeCloseTo(0.1, 12);
  });
});

describe('data findings with several pruner settings', () => {
  it('compare each pruner setting with the shared dense baseline separately, not pooled', () => {
    const dense = { ...trial(0, 8000, 1e5), axes: { 'pruner.name': 'rigl' }, finalValLoss: 3 };
    const rigl = { ...trial(0.5, 8000, 1e5), axes: { 'pruner.name': 'rigl' }, finalValLoss: 2.7 };
    const set = { ...trial(0.5, 8000, 1e5), axes: { 'pruner.name': 'set' }, finalValLoss: 3.3 };
    const f = dataFindings(finalPoints([dense, rigl, set]));
    // one finding for the level, each setting counted against the dense trial on its own
    expect(f).toContain(
      "Measured: at equal non-zero parameters and data (so 2× the dense models' training compute), 50% sparse models reached a lower final loss than dense in 1 of 1 comparison (mean −10%) for pruner.name = rigl and 0 of 1 comparison (mean +10%) for pruner.name = set.",
    );
    // one setting alone keeps its name beside the level
    expect(dataFindings(finalPoints([dense, rigl]))).toContain(
      "Measured: at equal non-zero parameters and data (so 2× the dense models' training compute), 50% sparse models (pruner.name = rigl) reached a lower final loss than dense in 1 of 1 comparison (mean −10%).",
    );
  });

  it('compare at the same non-pruner settings: a learning-rate axis is a different cell', () => {
    const d1 = { ...trial(0, 8000, 1e5), axes: { 'train.optimizer.lr': 0.001 }, finalValLoss: 3 };
    const d2 = { ...trial(0, 8000, 1e5), axes: { 'train.optimizer.lr': 0.01 }, finalValLoss: 2 };
    const s1 = { ...trial(0.5, 8000, 1e5), axes: { 'train.optimizer.lr': 0.001 }, finalValLoss: 2.7 };
    const f = dataFindings(finalPoints([d1, d2, s1]));
    expect(f[0]).toMatch(/in 1 of 1 comparison \(mean −10%\)/); // against d1 only, not the mean of both
  });
});
