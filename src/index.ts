// Library API: re-exports only. The CLI (src/cli) is a thin shell over these.
export { loadSweep, type SweepOverrides, type SweepPlan } from './config/load.js';
export { planTrial, type TrialPlan } from './config/plan.js';
export { configSchema, type SweepConfig } from './config/schema.js';
export { canonicalJson, type TrialSpec, trialId } from './config/trial-spec.js';
export { loadCorpus } from './data/spec.js';
export { type AutoChoice, type AutoInputs, chooseAuto } from './engine/auto.js';
export { type BackendInfo, type BackendName, nativeKernelsActive, selectBackend } from './engine/backends.js';
export { type BackendReport, type DoctorReport, runDoctor } from './engine/doctor.js';
export { type NativeIsa, type NativeStatus, nativeStatus } from './engine/native.js';
export { ConfigError, UsageError } from './errors.js';
export {
  defaultFitOptions,
  fitLaw,
  type LawFit,
  type LawPoint,
  optimalSparsity,
  parsePointsCsv,
  publishedCoefficients,
} from './law/index.js';
export { pointsFromTrials } from './law/sweep-points.js';
export { families } from './models/registry.js';
export { sizeLm } from './models/sizing.js';
export { buildReport, type ReportOptions, type ReportResult } from './report/index.js';
export { Pruner, type PrunerState } from './sparsity/pruner.js';
export { algorithms, distributions, patterns, schedules } from './sparsity/registry.js';
export { type MergeReport, mergeDatabases } from './store/merge.js';
export { DEFAULT_DB, Store } from './store/store.js';
export type { MetricPoint, TrialRecord, TrialResult, TrialStatus } from './store/types.js';
export { readSafetensors, weightsPath, writeSafetensors } from './store/weights.js';
export { readPlanFile, writePlanFile } from './sweep/plan-file.js';
export { runSweep, type SweepSummary } from './sweep/run-sweep.js';
export { trainTrial } from './train/trainer.js';
