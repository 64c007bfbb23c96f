import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/config/load.js';
import { currentRevisions, SPEC_VERSION, specStanding } from '../../src/config/trial-spec.js';
import { ROOT } from '../helpers/cli.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

const spec = (family: string, revisions?: { model?: number; pruner?: number }, version = SPEC_VERSION) => ({
  spec_version: version,
  revisions,
  model: { family },
  pruner: { name: 'gmp' },
});

describe('component revisions in the trial spec', () => {
  it('are written only for a component revised, so the ids of the others stay', () => {
    expect(currentRevisions('lm', 'gmp')).toBeUndefined();
    expect(currentRevisions('t5', 'gmp')).toEqual({ model: 1 });
    const lm = planOf(tinySyntheticConfig());
    expect('revisions' in lm.trials[0].spec && lm.trials[0].spec.revisions !== undefined).toBe(false);
    expect(JSON.stringify(lm.trials[0].spec)).not.toMatch(/revisions/);
    const t5 = planOf(
      tinySyntheticConfig('model: {family: t5}').replace('nonzero_params: 3000', 'nonzero_params: 6000'),
    );
    expect(t5.trials.map((t) => t.spec.revisions)).toEqual([{ model: 1 }, { model: 1 }]);
    // options added later enter a spec only when set away from what the trials had before them
    expect(JSON.stringify(t5.trials[0].spec)).not.toMatch(/tied_embeddings|z_loss/);
  });

  it("leave the quickstart's trial ids as the README prints them", () => {
    const plan = loadSweep(join(ROOT, 'configs', 'quickstart.yaml'));
    expect(plan.trials.slice(0, 3).map((t) => t.id)).toEqual([
      '44abcf2e846bd830',
      '8f820399fb1fea1d',
      '3fbd0d6ed048f1ae',
    ]);
  });

  it('tell a spec of this sparsebench from an earlier or a later one', () => {
    expect(specStanding(spec('lm'))).toBe('current');
    expect(specStanding(spec('t5', { model: 1 }))).toBe('current');
    expect(specStanding(spec('t5'))).toBe('earlier');
    expect(specStanding(spec('t5', { model: 2 }))).toBe('later');
    expect(specStanding(spec('lm', { pruner: 1 }))).toBe('later');
    expect(specStanding(spec('lm', undefined, SPEC_VERSION - 1))).toBe('earlier');
    // a later version outranks an earlier revision: that spec was made by a newer sparsebench
    expect(specStanding(spec('t5', undefined, SPEC_VERSION + 1))).toBe('later');
  });
});
