import { describe, expect, it } from 'vitest';
import type { ParamInfo } from '../../src/models/types.js';
import { Pruner } from '../../src/sparsity/pruner.js';
import { resolvePrunerSpec } from '../../src/sparsity/spec.js';
import { applyMasks, finalizeMasks, refineGradients } from '../../src/train/mask-application.js';
import { ParamSet } from '../../src/train/params.js';
import { onBackend } from '../helpers/tf.js';

const info: ParamInfo = { name: 'w', shape: [4, 1], role: 'mlp', prunable: true, decay: true };
const layers = [{ name: 'w', shape: [4, 1] as [number, number] }];

function setup(pruner: Parameters<typeof resolvePrunerSpec>[0]) {
  const spec = resolvePrunerSpec(pruner, 0.5);
  const p = new Pruner(spec, layers, 100, 0.5);
  const params = new ParamSet([info], new Map([['w', Float32Array.from([0.1, 0.9, -0.2, 0.5])]]));
  params.setMask('w', Uint8Array.from([0, 1, 0, 1]));
  return { p, params };
}

describe('mask application', () => {
  it('hard (default): zeroes masked master weights and copies them to the device', async () => {
    await onBackend('cpu', () => {
      const { p, params } = setup({ name: 'gmp', options: {} });
      applyMasks(params, p, 0);
      expect([...params.host.get('w')!]).toEqual([0, 0.9, 0, 0.5].map(Math.fround));
      expect([...params.vars.get('w')!.dataSync()]).toEqual([0, 0.9, 0, 0.5].map(Math.fround));
      params.dispose();
    });
  });

  it('soft (mask decay): dense master weights, forward on w ⊙ (m + β(1 − m)); hard at the end', async () => {
    await onBackend('cpu', () => {
      // linear β from 1 at step 0 to 0 at step 80: β(20) = 0.75
      const { p, params } = setup({
        name: 'mask-decay',
        options: { end: 0.8 },
        pattern: { name: 'nm', m: 4 },
      });
      applyMasks(params, p, 20);
      expect([...params.host.get('w')!]).toEqual([0.1, 0.9, -0.2, 0.5].map(Math.fround));
      const v = params.vars.get('w')!.dataSync();
      for (const [i, x] of [0.075, 0.9, -0.15, 0.5].entries()) expect(v[i]).toBeCloseTo(x, 6);
      applyMasks(params, p, 80); // β = 0: plain STE
      expect([...params.vars.get('w')!.dataSync()]).toEqual([0, 0.9, 0, 0.5].map(Math.fround));
      finalizeMasks(params, p);
      expect([...params.host.get('w')!]).toEqual([0, 0.9, 0, 0.5].map(Math.fround));
      params.dispose();
    });
  });

  it("SR-STE adds λ·(1 − m) ⊙ w to the pruned weights' gradient only", async () => {
    await onBackend('cpu', () => {
      const { p, params } = setup({ name: 'sr-ste', options: { lambda: 0.5 }, pattern: 'nm' });
      const g = Float32Array.from([1, 1, 1, 1]);
      refineGradients(params, p, new Map([['w', g]]));
      for (const [i, x] of [1.05, 1, 0.9, 1].entries()) expect(g[i]).toBeCloseTo(x, 6);
      const plain = setup({ name: 'ste', options: {} });
      const h = Float32Array.from([1, 1, 1, 1]);
      refineGradients(plain.params, plain.p, new Map([['w', h]]));
      expect([...h]).toEqual([1, 1, 1, 1]);
      params.dispose();
      plain.params.dispose();
    });
  });
});
