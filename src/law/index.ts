/**
 * Scaling-law fitting for sparsebench: the sparse law of Frantar et al. 2023
 * (https://arxiv.org/abs/2309.08520) and the dense Chinchilla law (Hoffmann et al. 2022,
 * https://arxiv.org/abs/2203.15556), robust multi-start fits with convergence checks, bootstrap
 * intervals and a held-out check (Besiroglu et al. 2024, https://arxiv.org/abs/2404.10102), and
 * optimal sparsity. Pure functions; the only input format handled here is CSV text.
 */
export { CONVERGENCE_TOLERANCE, NEWTON_STEP_TOLERANCE } from './convergence.js';
export { parsePointsCsv } from './csv.js';
export { LawInputError } from './errors.js';
export { defaultFitOptions, fitLaw, validateFitOptions } from './fit.js';
export { chinchillaForm } from './forms/chinchilla.js';
export type { FormData, LawForm } from './forms/form.js';
export { getLawForm, lawForms } from './forms/index.js';
export { N_SCALE, sparseForm } from './forms/sparse.js';
export { huber, huberDerivative } from './huber.js';
export {
  dataMultipleWhereSparsityPays,
  dataWhereSparsityPays,
  denseComputeOptimalData,
  denseEquivalentFactor,
  optimalSparsity,
  optimalSparsityAtDataMultiple,
  sparseLoss,
  sparseParams,
} from './optimal.js';
export { summariseOptimalSparsity } from './optimal-summary.js';
export { publishedCoefficients } from './published.js';
export { START_SPREAD_TOLERANCE } from './spread.js';
export type {
  BootstrapReport,
  ChinchillaParams,
  FitOptions,
  HoldoutReport,
  HuberKind,
  LawFit,
  LawInput,
  LawPoint,
  OptimalSparsitySummary,
  Residual,
  SparseLawParams,
} from './types.js';
