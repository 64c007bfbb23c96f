/**
 * Trains one reference model (bench/references.ts) on wasm for a fixed number of steps and prints its speed over
 * the steps after the tenth: a plain driver to run under a sampling profiler, without the ceilings and peers of
 * `train-throughput.ts`. For example, with Linux perf and V8's map of its generated code:
 *
 *   perf record -F 1999 -g -D 5000 -o perf.data node --perf-basic-prof --import tsx bench/train-steps.ts lm 0 150
 *   perf report -i perf.data --tid=<the busiest thread> --no-children --sort dso,sym -g none
 *
 * (`perf script -F tid | sort | uniq -c` names the busiest thread: the training thread.)
 *
 * Run: `npx tsx bench/train-steps.ts [lm|t5|vit] [sparsity] [steps]` (defaults lm, 0, 60).
 */
import { selectBackend } from '../src/engine/backends.js';
import { families } from '../src/models/registry.js';
import { trainTrial } from '../src/train/trainer.js';
import { chooseReferences, referenceSpec } from './references.js';

const [name = 'lm', sparsityArg = '0', stepsArg = '60'] = process.argv.slice(2);
const [ref] = chooseReferences([name]);
const sparsity = Number(sparsityArg);
const steps = Number(stepsArg);
const SKIP = 10;
if (!(steps > SKIP)) throw new Error(`steps: expected more than ${SKIP}, got ${stepsArg}`);

await selectBackend('wasm');
const spec = referenceSpec(ref, 'wasm', sparsity, steps);
const units = families[ref.model.family].unitsPerBatch(spec);
let t0 = 0;
await trainTrial(spec, {
  onProgress: (p) => {
    if (p.step === SKIP) t0 = performance.now();
  },
});
const seconds = (performance.now() - t0) / 1000;
const unit = families[ref.model.family].unit;
console.log(
  `${ref.name} at sparsity ${sparsity}: ${(((steps - SKIP) * units) / seconds).toFixed(0)} ${unit}/s over steps ${SKIP}-${steps}`,
);
