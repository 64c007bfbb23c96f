import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_VERSION, trialId } from '../../src/config/trial-spec.js';
import { readPlanFile, taskIndex, writePlanFile } from '../../src/sweep/plan-file.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

describe('plan files', () => {
  it('round-trips a plan and refuses one whose ids no longer match their specs', () => {
    const plan = planOf(tinySyntheticConfig());
    const path = join(tempDir(), 'plan.json');
    writePlanFile(path, plan);
    expect(readPlanFile(path).trials).toEqual(plan.trials);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.plan.trials[1].spec.seed = 7;
    writeFileSync(path, JSON.stringify(doc));
    expect(() => readPlanFile(path)).toThrow(/trial 1 has id .* but its spec hashes to/);
    // a plan written before seeds were limited to 32 bits: its id matches, its seed would alias another's
    doc.plan.trials[1].spec.seed = -1;
    doc.plan.trials[1].id = trialId(doc.plan.trials[1].spec);
    writeFileSync(path, JSON.stringify(doc));
    expect(() => readPlanFile(path)).toThrow(
      /trial 1 has seed -1: seeds are whole numbers from 0 to 4294967295; regenerate the plan/,
    );
    // a plan an earlier sparsebench wrote: its ids match its specs, but this code would train them differently
    doc.plan.trials[1].spec.seed = 7;
    doc.plan.trials[1].spec.spec_version = SPEC_VERSION - 1;
    doc.plan.trials[1].id = trialId(doc.plan.trials[1].spec);
    writeFileSync(path, JSON.stringify(doc));
    expect(() => readPlanFile(path)).toThrow(
      /trial 1 was planned by an earlier sparsebench, whose trial of that id trains differently .*; regenerate the plan/,
    );
    doc.plan.trials[1].spec.spec_version = SPEC_VERSION + 1;
    doc.plan.trials[1].id = trialId(doc.plan.trials[1].spec);
    writeFileSync(path, JSON.stringify(doc));
    expect(() => readPlanFile(path)).toThrow(
      /trial 1 was planned by a newer sparsebench, .*; regenerate the plan/,
    );
    writeFileSync(path, '{"format":"other"}');
    expect(() => readPlanFile(path)).toThrow(/is not a sparsebench plan/);
    writeFileSync(path, 'name: tiny\n');
    expect(() => readPlanFile(path)).toThrow(
      /is not a sparsebench plan \(it is not JSON\); write one with "sparsebench plan <config>/,
    );
    // a sweep config given where a plan goes: said so, with the command that freezes it
    const config = path.replace(/\.json$/, '.yaml');
    writeFileSync(config, 'name: tiny\n');
    expect(() => readPlanFile(config)).toThrow(
      `${config} is a sweep config, not a plan: freeze it into one first with "sparsebench plan ${config} --out plan.json"`,
    );
  });

  it('takes the index from --index, else Slurm, else Kubernetes, and checks its range', () => {
    expect(taskIndex('1', { SLURM_ARRAY_TASK_ID: '0' }, 3)).toBe(1);
    expect(taskIndex(undefined, { SLURM_ARRAY_TASK_ID: '2', JOB_COMPLETION_INDEX: '0' }, 3)).toBe(2);
    expect(taskIndex(undefined, { JOB_COMPLETION_INDEX: '0' }, 3)).toBe(0);
    expect(() => taskIndex(undefined, {}, 3)).toThrow(/no trial index/);
    expect(() => taskIndex('3', {}, 3)).toThrow(/--index 3: expected a trial index from 0 to 2/);
    expect(() => taskIndex(undefined, { SLURM_ARRAY_TASK_ID: 'x' }, 3)).toThrow(/SLURM_ARRAY_TASK_ID x/);
    // a plan of no trials (a hand-made one) has no index to check against: said plainly, not "0 to -1"
    expect(() => taskIndex('0', {}, 0)).toThrow(/^the plan holds no trials, so there is none to train$/);
  });

  it('refuses a blank index, which Number() would read as trial 0, and anything but digits', () => {
    expect(() => taskIndex('', {}, 3)).toThrow(/^--index is empty: expected a trial index from 0 to 2$/);
    expect(() => taskIndex(' ', {}, 3)).toThrow(/^--index is empty/);
    expect(() => taskIndex(undefined, { SLURM_ARRAY_TASK_ID: '' }, 3)).toThrow(
      /^SLURM_ARRAY_TASK_ID is set but empty: expected a trial index from 0 to 2$/,
    );
    expect(() => taskIndex(undefined, { JOB_COMPLETION_INDEX: '' }, 3)).toThrow(
      /^JOB_COMPLETION_INDEX is set but empty/,
    );
    for (const text of ['0x1', '1e0', '1.0', ' 1', '+1'])
      expect(() => taskIndex(text, {}, 3)).toThrow(`--index ${text}: expected a trial index from 0 to 2`);
  });
});
