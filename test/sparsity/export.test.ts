import { copyFileSync, readFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export.js';
import { prunersCommand } from '../../src/cli/commands/pruners.js';
import { UsageError } from '../../src/errors.js';
import { readSafetensors } from '../../src/store/safetensors.js';
import { Store } from '../../src/store/store.js';
import { storedWeightsPath } from '../../src/store/weights.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { planOf, tempDir, tinySyntheticConfig } from '../helpers/config.js';

let out = '';
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('runs export', () => {
  it("writes a finished trial's weights (masked values exact zeros), masks and spec as safetensors", async () => {
    const dir = tempDir();
    const db = join(dir, 'study.db');
    const plan = planOf(
      tinySyntheticConfig().replace(
        'pruner: {name: gmp, schedule: {interval: 2}}',
        'pruner: {name: ste, pattern: nm}',
      ),
    );
    const store = Store.open(db, { create: true });
    try {
      await runSweep(plan, store);
    } finally {
      store.close();
    }
    const sparse = plan.trials.find((t) => t.spec.sparsity === 0.5)!;
    const file = join(dir, 'export', 'model.safetensors');
    expect(await exportCommand(sparse.id.slice(0, 6), { db, out: file })).toBe(0);
    expect(out).toMatch(new RegExp(`exported trial ${sparse.id} \\(ste, sparsity 0.5\\)`));
    const { tensors, metadata } = readSafetensors(file);
    expect(JSON.parse(metadata.spec)).toEqual(sparse.spec);
    expect(metadata.trial_id).toBe(sparse.id);
    expect(Number(metadata.nonzero_params)).toBe(sparse.nonzero_params);
    const masks = [...tensors.keys()].filter((k) => k.endsWith('.mask'));
    expect(masks.length).toBeGreaterThan(0);
    for (const m of masks) {
      const mask = tensors.get(m)!.data;
      const w = tensors.get(m.slice(0, -'.mask'.length))!.data as Float32Array;
      let zeros = 0;
      mask.forEach((v, i) => {
        if (!v) {
          expect(Object.is(w[i], 0)).toBe(true);
          zeros++;
        }
      });
      expect(zeros).toBe(mask.length / 2);
    }
    await expect(exportCommand('ffff', { db, out: file })).rejects.toThrow(UsageError);
    // an earlier export is written over; a file of another kind (the sweep's config) is not
    expect(await exportCommand(sparse.id, { db, out: file })).toBe(0);
    expect(out).toContain(`to ${file} (replacing the safetensors file there):`);
    const config = join(dir, 'sweep.yaml');
    writeFileSync(config, 'name: s\n');
    await expect(exportCommand(sparse.id, { db, out: config })).rejects.toThrow(
      `--out ${config}: exists and is not a safetensors file; writing there would replace it, give another path or remove it first`,
    );
    expect(readFileSync(config, 'utf8')).toBe('name: s\n');
    const stored = storedWeightsPath(db, sparse.id);
    // the file under its name is another trial's (copied or written over it): refused, not exported as this one
    const dense = plan.trials.find((t) => t.spec.sparsity === 0)!;
    copyFileSync(stored, `${stored}.kept`);
    copyFileSync(storedWeightsPath(db, dense.id), stored);
    await expect(exportCommand(sparse.id, { db, out: join(dir, 'swapped.safetensors') })).rejects.toThrow(
      `holds the weights of trial ${dense.id}: written over?`,
    );
    renameSync(`${stored}.kept`, stored);
    // nor is a file written into the database's own folders
    await expect(exportCommand(dense.id, { db, out: stored })).rejects.toThrow(
      `--out ${stored}: is in study.db.weights, where database study.db keeps its trials' weights`,
    );
    // also through a link to that folder
    symlinkSync(dirname(stored), join(dir, 'link'));
    await expect(exportCommand(dense.id, { db, out: join(dir, 'link', 'x.safetensors') })).rejects.toThrow(
      'where database study.db keeps its trials',
    );
    expect(readSafetensors(stored).metadata.trial_id).toBe(sparse.id);
    // a damaged weights file is named (it was a bare safetensors error, exit 1)
    truncateSync(stored, 300);
    await expect(exportCommand(sparse.id, { db, out: join(dir, 'again.safetensors') })).rejects.toThrow(
      new RegExp(`^the weights file of trial ${sparse.id}, .*${sparse.id}\\.safetensors, cannot be read \\(`),
    );
  });
});

describe('pruners', () => {
  it('lists every algorithm, pattern, distribution and schedule with options and defaults (--json)', async () => {
    expect(await prunersCommand({ json: true })).toBe(0);
    const c = JSON.parse(out);
    expect(c.algorithms.map((a: { name: string }) => a.name)).toEqual([
      'dense',
      'static',
      'magnitude',
      'gmp',
      'global-magnitude',
      'saliency',
      'set',
      'rigl',
      'ste',
      'sr-ste',
      'srigl',
      'mask-decay',
      'structure-decay',
      'from-dense',
    ]);
    expect(c.patterns.map((p: { name: string }) => p.name)).toEqual([
      'unstructured',
      'nm',
      'constant-fan-in',
    ]);
    expect(c.distributions.map((p: { name: string }) => p.name)).toEqual(['uniform', 'erk']);
    const periodic = c.schedules.find((s: { name: string }) => s.name === 'periodic');
    expect(periodic.options.find((o: { name: string }) => o.name === 'drop_fraction').default).toBe(0.3);
    // a count that may be written for humans (1k) is still listed as a number
    expect(periodic.options.find((o: { name: string }) => o.name === 'interval')).toMatchObject({
      type: 'number',
      default: 100,
    });
    const srigl = c.algorithms.find((a: { name: string }) => a.name === 'srigl');
    expect(srigl).toMatchObject({
      patterns: ['constant-fan-in'],
      mask_application: 'hard',
      needs_gradients: true,
      replaces_optimizer_step: true,
    });
    expect(c.algorithms.find((a: { name: string }) => a.name === 'gmp').replaces_optimizer_step).toBe(false);
    expect(srigl.paper).toMatch(/arxiv\.org\/abs\/2305\.02299/);
    out = '';
    expect(await prunersCommand({})).toBe(0);
    expect(out).toMatch(/^Algorithms/);
    expect(out).toMatch(/ablation_threshold {2}number, default 0\.3: γ_sal/);
    expect(out).toMatch(/ interval {2}number, default 100: steps between mask updates \(paper/);
  });
});
