import { readFileSync } from 'node:fs';
import type { SweepPlan } from '../config/load.js';
import { specStanding, trialId } from '../config/trial-spec.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../store/safetensors.js';
import { isSeed, MAX_SEED } from '../util/rng.js';

/** The `format` field that marks a plan file. */
const PLAN_FORMAT = 'sparsebench-plan';

/** Whether the file at `path` holds a plan's JSON (its `format` field says so): what `plan --out` may write over. */
export function isPlanFile(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as Partial<PlanFile> | null)?.format === PLAN_FORMAT;
  } catch {
    return false;
  }
}

/** A frozen sweep plan on disk: what `plan` writes and `run-trial` reads. */
export interface PlanFile {
  format: typeof PLAN_FORMAT;
  version: 1;
  created_at: string;
  plan: SweepPlan;
}

/** A plan as the JSON text of a plan file. */
export function planFileText(plan: SweepPlan): string {
  const doc: PlanFile = {
    format: PLAN_FORMAT,
    version: 1,
    created_at: new Date().toISOString(),
    plan,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Writes a plan as JSON, atomically; file-system errors are thrown as they come. */
export function writePlanFile(path: string, plan: SweepPlan): void {
  writeFileAtomic(path, Buffer.from(planFileText(plan)));
}

/**
 * Reads a plan file. Checks its format, that every trial's id still matches its spec, so a hand-edited or damaged
 * plan cannot record results under the wrong id, and that every spec has this sparsebench's version and revisions
 * ({@link specStanding}): a plan written by another would be trained by this one's code under the other's id.
 */
export function readPlanFile(path: string): SweepPlan {
  let doc: PlanFile;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as PlanFile;
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new UsageError(
        /\.ya?ml$/i.test(path)
          ? `${path} is a sweep config, not a plan: freeze it into one first with "sparsebench plan ${path} --out plan.json"`
          : `${path} is not a sparsebench plan (it is not JSON); write one with "sparsebench plan <config> --out ${path}"`,
      );
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new UsageError(`cannot read plan ${path}: ${why}`);
  }
  if (doc?.format !== PLAN_FORMAT || doc.version !== 1 || !Array.isArray(doc.plan?.trials)) {
    throw new UsageError(
      `${path} is not a sparsebench plan (write one with "sparsebench plan <config> --out ${path}")`,
    );
  }
  for (const [i, t] of doc.plan.trials.entries()) {
    if (trialId(t.spec) !== t.id) {
      throw new UsageError(
        `${path}: trial ${i} has id ${t.id}, but its spec hashes to ${trialId(t.spec)}; regenerate the plan`,
      );
    }
    const standing = specStanding(t.spec);
    if (standing !== 'current')
      throw new UsageError(
        `${path}: trial ${i} was planned by ${standing === 'later' ? 'a newer' : 'an earlier'} sparsebench, whose trial of that id trains differently from this one's (trial spec version and revisions: see the README's "Trial identity"); regenerate the plan with this sparsebench`,
      );
    // configs refuse such seeds now; a plan written before that could still hold one
    if (!isSeed(t.spec.seed))
      throw new UsageError(
        `${path}: trial ${i} has seed ${t.spec.seed}: seeds are whole numbers from 0 to ${MAX_SEED}; regenerate the plan`,
      );
  }
  return doc.plan;
}

/**
 * The array index a cluster gives this task: `--index`, else SLURM_ARRAY_TASK_ID (Slurm job arrays), else
 * JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs). Digits only, checked against the plan's size; a blank value
 * (an empty --index, a variable set to nothing) is refused, not read as 0.
 */
export function taskIndex(flag: string | undefined, env: NodeJS.ProcessEnv, trials: number): number {
  const [source, text] =
    flag !== undefined
      ? ['--index', flag]
      : env.SLURM_ARRAY_TASK_ID !== undefined
        ? ['SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID]
        : env.JOB_COMPLETION_INDEX !== undefined
          ? ['JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX]
          : [null, null];
  if (source === null || text === null) {
    throw new UsageError(
      'no trial index: pass --index I, or run as a Slurm array task or a Kubernetes Indexed Job',
    );
  }
  if (trials === 0) throw new UsageError('the plan holds no trials, so there is none to train');
  const expected = `expected a trial index from 0 to ${trials - 1}`;
  // Number('') is 0: a blank value would train trial 0 in every task that got one
  if (text.trim() === '')
    throw new UsageError(`${source} is ${source === '--index' ? 'empty' : 'set but empty'}: ${expected}`);
  const i = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(i) || i >= trials) throw new UsageError(`${source} ${text}: ${expected}`);
  return i;
}
