import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSweep, type SweepPlan } from '../../src/config/load.js';

/** A fresh temporary directory. */
export function tempDir(prefix = 'sb-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a config file into a temporary directory and returns its path. */
export function writeConfig(text: string, name = 'sweep.yaml', dir = tempDir()): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Plans a config given as text. */
export function planOf(text: string): SweepPlan {
  return loadSweep(writeConfig(text));
}

/** A tiny synthetic-data config: fast, with a known loss floor of ln(branching). */
export function tinySyntheticConfig(extra = ''): string {
  return `name: tiny
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16, eval_interval: 10, eval_tokens: 512}
pruner: {name: gmp, schedule: {interval: 2}}
${extra}
sweep:
  sparsity: [0, 0.5]
  nonzero_params: 3000
  tokens: 4096
`;
}

/** A one-trial dense config on tiny synthetic data (a second of training); `extraSweep` adds lines under sweep:. */
export function oneTrialConfig(name = 'tiny', extraSweep = ''): string {
  return `name: ${name}
data: {source: synthetic, vocab_size: 16, branching: 2, train_tokens: 20000, validation_tokens: 2000}
train: {batch_size: 8, seq_len: 16, eval_interval: 10, eval_tokens: 512}
sweep:
  sparsity: 0
  nonzero_params: 3000
  tokens: 4096
${extraSweep}`;
}
