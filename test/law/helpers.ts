import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chinchillaForm } from '../../src/law/forms/chinchilla.js';
import { sparseForm } from '../../src/law/forms/sparse.js';
import type { ChinchillaParams, LawPoint, SparseLawParams } from '../../src/law/types.js';
import { Rng } from '../../src/util/rng.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const referenceDir = path.resolve(repoRoot, '../shared/reference-data');
export const hasReferenceData = existsSync(path.join(referenceDir, 'vit-data.json'));

/** ViT/JFT-4B runs per reference-data/README.md: N = 12·12·768²·scale·(1−S), D = images seen. */
export function loadVit(): LawPoint[] {
  const d = JSON.parse(readFileSync(path.join(referenceDir, 'vit-data.json'), 'utf8'));
  return Object.keys(d.scale).map((k) => ({
    sparsity: d.sparsity[k],
    nonzeroParams: 12 * 12 * 768 ** 2 * d.scale[k] * (1 - d.sparsity[k]),
    tokens: d.total_examples[k],
    loss: d['val-loss'][k],
    id: `vit-${k}`,
  }));
}

/** T5/C4 runs per reference-data/README.md: N = 24·12·768²·scale·(1−S), D = steps·65,536. */
export function loadT5(): LawPoint[] {
  const [header, ...rows] = readFileSync(path.join(referenceDir, 't5-data.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const cols = header.split(',');
  const col = (name: string) => cols.indexOf(name);
  return rows.map((line) => {
    const f = line.split(',');
    const s = Number(f[col('sparsity')]);
    return {
      sparsity: s,
      nonzeroParams: 24 * 12 * 768 ** 2 * Number(f[col('scale')]) * (1 - s),
      tokens: Number(f[col('steps')]) * 65536,
      loss: Number(f[col('val-loss')]),
      id: `t5-${f[0]}`,
    };
  });
}

/** A standard normal draw (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
}

/** Grid of (S, N, D) like a small sweep: N and D log-spaced, loss = law · exp(σ·noise). */
export function syntheticSparse(
  params: SparseLawParams,
  options: { seed: number; sigma: number; sparsities?: number[]; nLevels?: number; dLevels?: number },
): LawPoint[] {
  const rng = Rng.seeded(options.seed);
  const sparsities = options.sparsities ?? [0, 0.5, 0.75, 0.875];
  const nLevels = options.nLevels ?? 5;
  const dLevels = options.dLevels ?? 4;
  const points: LawPoint[] = [];
  for (const sparsity of sparsities) {
    for (let i = 0; i < nLevels; i++) {
      for (let j = 0; j < dLevels; j++) {
        const input = {
          sparsity,
          nonzeroParams: 1e4 * 10 ** ((2.5 * i) / (nLevels - 1)),
          tokens: 5e5 * 10 ** ((2 * j) / (dLevels - 1)),
        };
        const loss = sparseForm.predict({ ...params }, input) * Math.exp(options.sigma * gaussian(rng));
        points.push({ ...input, loss, id: `s${sparsity}-n${i}-d${j}` });
      }
    }
  }
  return points;
}

/** Dense (S = 0) grid from the Chinchilla law with multiplicative noise. */
export function syntheticDense(
  params: ChinchillaParams,
  options: { seed: number; sigma: number },
): LawPoint[] {
  const rng = Rng.seeded(options.seed);
  const points: LawPoint[] = [];
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 5; j++) {
      const input = { sparsity: 0, nonzeroParams: 1e4 * 10 ** (i / 2), tokens: 5e5 * 10 ** (j / 2) };
      const loss = chinchillaForm.predict({ ...params }, input) * Math.exp(options.sigma * gaussian(rng));
      points.push({ ...input, loss });
    }
  }
  return points;
}

/** Relative difference |a/b − 1|. */
export function relErr(a: number, b: number): number {
  return Math.abs(a / b - 1);
}
