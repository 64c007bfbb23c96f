/** Threads per large matrix product when `SPARSEBENCH_THREADS` is unset: a sweep already trains one trial per core. */
export const DEFAULT_THREADS = 1;

/** What `SPARSEBENCH_THREADS` reads as: the thread count, and what was wrong with the value when it was not valid. */
export interface ThreadsSetting {
  threads: number;
  /** The one-line warning for an invalid value (then `threads` is the default); absent when the value was valid or unset. */
  warning?: string;
}

/**
 * Reads a value of `SPARSEBENCH_THREADS`: a whole number ≥ 1 (digits only, spaces around allowed) is that many
 * threads; unset or blank is {@link DEFAULT_THREADS}; anything else (2.5, 0, abc, 1e3) is the default with a warning
 * naming the variable, the value and what is valid. Pure: nothing is printed.
 */
export function parseThreads(value: string | undefined): ThreadsSetting {
  if (value === undefined || value.trim() === '') return { threads: DEFAULT_THREADS };
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= 1) return { threads: n };
  return {
    threads: DEFAULT_THREADS,
    warning:
      `warning: SPARSEBENCH_THREADS=${JSON.stringify(value)} is not a whole number of threads ≥ 1 (e.g. 4); ` +
      `using the default, ${DEFAULT_THREADS}`,
  };
}

let warned = false;

/**
 * Threads per large matrix product that `SPARSEBENCH_THREADS` asks for ({@link parseThreads}). An invalid value
 * never throws: it falls back to the default, with its warning written to stderr once per process whoever reads it
 * (the native kernels, the sweep's worker count).
 */
export function requestedThreads(env: NodeJS.ProcessEnv = process.env): number {
  const { threads, warning } = parseThreads(env.SPARSEBENCH_THREADS);
  if (warning && !warned) {
    warned = true;
    process.stderr.write(`${warning}\n`);
  }
  return threads;
}
