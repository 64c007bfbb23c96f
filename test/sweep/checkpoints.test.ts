import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParamInfo } from '../../src/models/types.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/store/safetensors.js';
import {
  checkpointPath,
  loadCheckpoint,
  readCheckpoint,
  resumeCheckpoint,
  saveCheckpoint,
} from '../../src/sweep/checkpoints.js';
import type { TrainState } from '../../src/train/state.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/config.js';

const infos: ParamInfo[] = [
  { name: 'w', shape: [2, 3], role: 'mlp', prunable: true, decay: true },
  { name: 'e', shape: [4, 2], role: 'embedding', prunable: false, decay: false },
];

/** A state with one mask per pruner layer given. */
function stateWith(masks: Uint8Array[]): TrainState {
  const rng = Rng.seeded(0, 1).state();
  return {
    step: 5,
    params: new Map(infos.map((p) => [p.name, new Float32Array(p.shape[0] * p.shape[1]).fill(0.5)])),
    adam: {
      step: 5,
      slots: new Map(
        infos.map((p) => [
          p.name,
          { m: new Float32Array(p.shape[0] * p.shape[1]), v: new Float32Array(p.shape[0] * p.shape[1]) },
        ]),
      ),
    },
    pruner: { masks, algorithm: null, lastUpdate: 4 },
    dataRng: rng,
    pruneRng: rng,
    loss: 1.5,
    valLoss: null,
    wallSeconds: 2,
  };
}

describe('checkpoints', () => {
  it("resume only when the masks match the pruner's layers, one per layer and of its size", () => {
    const path = join(tempDir(), 'c.safetensors');
    // written when the embedding was pruned too: two masks
    saveCheckpoint(path, 'trial', stateWith([new Uint8Array(6).fill(1), new Uint8Array(8).fill(1)]), infos);
    expect(loadCheckpoint(path, 'trial', { infos, maskSizes: [6, 8] })?.step).toBe(5);
    // read where only w is pruned: its mask would be misaligned, so the trial starts over
    expect(loadCheckpoint(path, 'trial', { infos, maskSizes: [6] })).toBeNull();
    // as many masks, of other sizes
    expect(loadCheckpoint(path, 'trial', { infos, maskSizes: [8, 6] })).toBeNull();
    expect(loadCheckpoint(path, 'other', { infos, maskSizes: [6, 8] })).toBeNull();
  });

  it('round-trip the whole state: AdamW counts its own updates (fewer than steps under RigL), masks, rngs', () => {
    const path = join(tempDir(), 'c.safetensors');
    const mask = Uint8Array.from([1, 0, 1, 1, 0, 1]);
    const before = { ...stateWith([mask]), step: 10, adam: { ...stateWith([mask]).adam, step: 8 } };
    before.params.get('w')!.set([1, -2, 3, -4, 5, -6]);
    before.adam.slots.get('w')!.m.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    saveCheckpoint(path, 'trial', before, infos);
    const after = loadCheckpoint(path, 'trial', { infos, maskSizes: [6] })!;
    expect(after.step).toBe(10);
    expect(after.adam.step).toBe(8); // AdamW's bias correction runs on its own count
    expect([...after.params.get('w')!]).toEqual([1, -2, 3, -4, 5, -6]);
    expect([...after.adam.slots.get('w')!.m]).toEqual([...Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6)]);
    expect([...after.pruner.masks[0]]).toEqual([...mask]);
    expect(after.pruner.lastUpdate).toBe(4);
    expect(after.dataRng).toEqual(before.dataRng);
    expect(after.loss).toBe(1.5);
    // a parameter of another size than the model's is refused, not read
    expect(
      readCheckpoint(path, 'trial', { infos: [{ ...infos[0], shape: [3, 3] }, infos[1]], maskSizes: [6] }),
    ).toEqual({
      problem: "its parameter w is missing or not of the model's size",
    });
  });

  it("keep the divergence watch's run start, read as null from a checkpoint written before it was kept", () => {
    const path = join(tempDir(), 'c.safetensors');
    const layout = { infos, maskSizes: [6] };
    saveCheckpoint(path, 'trial', { ...stateWith([new Uint8Array(6).fill(1)]), divergedSince: 3 }, infos);
    expect(loadCheckpoint(path, 'trial', layout)?.divergedSince).toBe(3);
    saveCheckpoint(path, 'trial', stateWith([new Uint8Array(6).fill(1)]), infos);
    expect(loadCheckpoint(path, 'trial', layout)?.divergedSince).toBeNull();
    // an older checkpoint's metadata has no such key
    const { tensors, metadata } = decodeSafetensors(readFileSync(path));
    const meta = JSON.parse(metadata.sparsebench_checkpoint);
    delete meta.diverged_since;
    const again = [...tensors.entries()].map(([name, t]) => ({ ...t, name }));
    writeFileSync(path, encodeSafetensors(again, { sparsebench_checkpoint: JSON.stringify(meta) }));
    expect(loadCheckpoint(path, 'trial', layout)?.divergedSince).toBeNull();
  });

  it('say why a checkpoint is not used, so the restart from step 0 is not silent', () => {
    const dir = tempDir();
    const db = join(dir, 'x.db');
    const path = checkpointPath(db, 'trial');
    mkdirSync(dirname(path), { recursive: true });
    saveCheckpoint(path, 'trial', stateWith([new Uint8Array(6).fill(1)]), infos);
    const layout = { infos, maskSizes: [6] };
    expect(resumeCheckpoint(db, 'trial', layout, true)).toMatchObject({ problem: null, legacy: false });
    expect(readCheckpoint(path, 'trial', { infos, maskSizes: [8] })).toEqual({
      problem: "its masks do not match the pruner's layers (written by an earlier sparsebench?)",
    });
    expect(readCheckpoint(path, 'other', layout)).toEqual({ problem: 'it was written for trial trial' });
    truncateSync(path, Math.floor(statSync(path).size / 2)); // cut short (a full disk, a bad copy)
    const r = resumeCheckpoint(db, 'trial', layout, true);
    expect(r.state).toBeNull();
    expect(r.problem).toMatch(
      /^its checkpoint .*trial\.safetensors cannot be used: it is not a readable checkpoint \(.*\); it trains from step 0$/,
    );
    expect(readCheckpoint(join(dir, 'none.safetensors'), 'trial', layout)).toBeNull();
    // a damaged mask count in its metadata is a problem to report, not an array to allocate
    saveCheckpoint(path, 'trial', stateWith([new Uint8Array(6).fill(1)]), infos);
    const { tensors, metadata } = decodeSafetensors(readFileSync(path));
    const meta = JSON.parse(metadata.sparsebench_checkpoint);
    writeFileSync(
      path,
      encodeSafetensors(
        [...tensors.entries()].map(([name, t]) => ({ ...t, name })),
        {
          ...metadata,
          sparsebench_checkpoint: JSON.stringify({ ...meta, masks: 1e10 }),
        },
      ),
    );
    expect(readCheckpoint(path, 'trial', layout)).toEqual({
      problem: "its masks do not match the pruner's layers (written by an earlier sparsebench?)",
    });
  });
});
