import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweep } from '../../src/config/load.js';
import {
  currentRevisions,
  PRUNER_REVISIONS,
  SPEC_VERSION,
  specStanding,
} from '../../src/config/trial-spec.js';
import { algorithms } from '../../src/sparsity/registry.js';
import { ROOT } from '../helpers/cli.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';

const spec = (
  family: string,
  revisions?: { model?: number; pruner?: number },
  version = SPEC_VERSION,
  pruner = 'dense',
) => ({
  spec_version: version,
  revisions,
  model: { family },
  pruner: { name: pruner },
});

describe('component revisions in the trial spec', () => {
  it('are written only for a component revised, so the ids of the others stay', () => {
    expect(currentRevisions('lm', 'dense')).toBeUndefined();
    expect(currentRevisions('t5', 'dense')).toEqual({ model: 1 });
    expect(currentRevisions('t5', 'gmp')).toEqual({ model: 1, pruner: 1 });
    const lm = planOf(tinySyntheticConfig());
    const dense = lm.trials.filter((t) => t.spec.sparsity === 0);
    expect(dense.length).toBeGreaterThan(0);
    for (const t of dense) expect(JSON.stringify(t.spec)).not.toMatch(/revisions/);
    const sparse = lm.trials.filter((t) => t.spec.sparsity > 0);
    expect(sparse.map((t) => t.spec.revisions)).toEqual(sparse.map(() => ({ pruner: 1 })));
    const t5 = planOf(
      tinySyntheticConfig('model: {family: t5}').replace('nonzero_params: 3000', 'nonzero_params: 6000'),
    );
    expect(t5.trials.map((t) => t.spec.revisions)).toEqual(
      t5.trials.map((t) => (t.spec.sparsity > 0 ? { model: 1, pruner: 1 } : { model: 1 })),
    );
    // options added later enter a spec only when set away from what the trials had before them
    expect(JSON.stringify(t5.trials[0].spec)).not.toMatch(/tied_embeddings|z_loss/);
  });

  it('revise every sparse algorithm for pruning packed matrices as their parts', () => {
    const names = algorithms.all().map((a) => a.name);
    expect(Object.keys(PRUNER_REVISIONS).sort()).toEqual(names.filter((n) => n !== 'dense').sort());
  });

  it("leave the quickstart's trial ids as the README prints them", () => {
    const plan = loadSweep(join(ROOT, 'configs', 'quickstart.yaml'));
    expect(plan.trials.slice(0, 3).map((t) => t.id)).toEqual([
      'e351d1bb9a781e5e',
      '769a9e40f5637943',
      'edd6d421840169a9',
    ]);
  });

  it('tell a spec of this sparsebench from an earlier or a later one', () => {
    expect(specStanding(spec('lm'))).toBe('current');
    expect(specStanding(spec('t5', { model: 1 }))).toBe('current');
    expect(specStanding(spec('t5'))).toBe('earlier');
    expect(specStanding(spec('t5', { model: 2 }))).toBe('later');
    expect(specStanding(spec('lm', { pruner: 1 }))).toBe('later');
    expect(specStanding(spec('lm', undefined, SPEC_VERSION, 'gmp'))).toBe('earlier');
    expect(specStanding(spec('lm', { pruner: 1 }, SPEC_VERSION, 'gmp'))).toBe('current');
    expect(specStanding(spec('lm', undefined, SPEC_VERSION - 1))).toBe('earlier');
    // a later version outranks an earlier revision: that spec was made by a newer sparsebench
    expect(specStanding(spec('t5', undefined, SPEC_VERSION + 1))).toBe('later');
  });
});
