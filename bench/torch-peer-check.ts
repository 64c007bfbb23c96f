/**
 * Checks that the PyTorch peer computes the same function as the tfjs models: for each reference, the
 * tfjs initial weights (seed 0) and one real training batch are handed to torch-peer.py, which computes the
 * loss and the global gradient norm with them; both must match the tfjs cpu backend's values.
 *
 * Run: `npx tsx bench/torch-peer-check.ts [lm|t5|vit ...]` (needs the peer's set-up, see bench/README.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backends.js';
import { families } from '../src/models/registry.js';
import { Rng } from '../src/util/rng.js';
import { chooseReferences, peerReference, referenceSpec } from './references.js';
import { checkWithPeer, torchPython } from './run-torch-peer.js';

const python = torchPython();
if (!python.ok) {
  console.log(`skipped: ${python.why}`);
  process.exit(0);
}
await selectBackend('cpu');
const dir = mkdtempSync(join(tmpdir(), 'torch-peer-check-'));
let failed = false;
try {
  for (const ref of chooseReferences(process.argv.slice(2))) {
    const entry = families[ref.model.family];
    const spec = referenceSpec(ref, 'cpu', 0, 1);
    const init = entry.model.init(ref.model, Rng.seeded(0, 1));
    const batch = entry.source(spec).sample(0, Rng.seeded(0, 2));
    const vars = new Map(
      entry.model
        .params(ref.model)
        .map((p) => [p.name, tf.variable(tf.tensor(init.get(p.name)!, p.shape), true, `check/${p.name}`)]),
    );
    const { value, grads } = tf.variableGrads(
      () => entry.model.loss(ref.model, vars, batch),
      [...vars.values()],
    );
    let sq = 0;
    for (const g of Object.values(grads)) for (const x of g.dataSync()) sq += x * x;
    const expected = { loss: value.dataSync()[0], grad_norm: Math.sqrt(sq) };
    const file = join(dir, `${ref.name}.json`);
    const plain = (x: unknown) => (ArrayBuffer.isView(x) ? Array.from(x as Int32Array) : x);
    writeFileSync(
      file,
      JSON.stringify({
        references: [peerReference(ref)],
        check: {
          name: ref.name,
          params: Object.fromEntries([...init].map(([k, v]) => [k, Array.from(v)])),
          batch: Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, plain(v)])),
        },
      }),
    );
    const got = checkWithPeer(python.path, file);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    const ok =
      got !== null && rel(got.loss, expected.loss) < 1e-5 && rel(got.grad_norm, expected.grad_norm) < 1e-4;
    failed ||= !ok;
    console.log(
      `${ref.name}: tfjs cpu loss ${expected.loss.toFixed(6)} grad norm ${expected.grad_norm.toFixed(6)}; ` +
        (got
          ? `pytorch loss ${got.loss.toFixed(6)} grad norm ${got.grad_norm.toFixed(6)}`
          : 'pytorch failed') +
        ` -> ${ok ? 'match' : 'MISMATCH'}`,
    );
    tf.dispose([value, ...Object.values(grads), ...vars.values()]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
