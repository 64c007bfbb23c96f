/**
 * The sweep of small trials the worker benchmarks run (the quickstart's model and data; 4 sparsities x 2 sizes at
 * 300k tokens = 8 trials of a few seconds each): `sweep-workers.ts` times it with 1 and 2 workers,
 * `jit-compile.ts` counts what V8 compiles while one process trains it.
 */
export const WORKERS_BENCH_CONFIG = `name: workers-bench
model: {family: lm, aspect_ratio: 32, head_dim: 16}
data: {source: brown}
train: {batch_size: 16, seq_len: 64, eval_interval: 50, eval_tokens: 8192}
pruner: {name: gmp, schedule: {start: 0.25, end: 0.75, interval: 20}}
backend: wasm
sweep:
  sparsity: [0, 0.5, 0.75, 0.9]
  nonzero_params: [6k, 12k]
  tokens: [300k]
`;
