/**
 * SIGINT, SIGTERM and SIGHUP as a request to stop: the first one is noted (training checkpoints the trial in flight
 * and marks it interrupted), a second one exits at once. A cluster's time limit sends SIGTERM; a terminal closed
 * (or an SSH connection dropped) under a sweep sends SIGHUP.
 */
export interface StopSignals {
  /** The signal received, or null. */
  readonly received: () => NodeJS.Signals | null;
  /** The exit status for the signal received (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP), or null. */
  readonly exitCode: () => number | null;
  /** Removes the handlers. */
  readonly release: () => void;
}

const CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const SIGNALS = Object.keys(CODES) as NodeJS.Signals[];
const codeOf = (s: NodeJS.Signals) => CODES[s] ?? 143;

/** Installs the handlers; `what` names what stops, for the message printed on the first signal. */
export function listenForStop(what: string): StopSignals {
  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) process.exit(codeOf(s)); // second signal: stop now
    signal = s;
    process.stderr.write(`\n${s}: stopping after marking ${what} interrupted (again to stop now)\n`);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return {
    received: () => signal,
    exitCode: () => (signal ? codeOf(signal) : null),
    release: () => {
      for (const s of SIGNALS) process.off(s, onSignal);
    },
  };
}
