/**
 * SIGINT and SIGTERM as a request to stop: the first one is noted (training checkpoints the trial in flight
 * and marks it interrupted), a second one exits at once. A cluster's time limit sends SIGTERM.
 */
export interface StopSignals {
  /** The signal received, or null. */
  readonly received: () => NodeJS.Signals | null;
  /** The exit status for the signal received (130 for SIGINT, 143 for SIGTERM), or null. */
  readonly exitCode: () => number | null;
  /** Removes the handlers. */
  readonly release: () => void;
}

const codeOf = (s: NodeJS.Signals) => (s === 'SIGINT' ? 130 : 143);

/** Installs the handlers; `what` names what stops, for the message printed on the first signal. */
export function listenForStop(what: string): StopSignals {
  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) process.exit(codeOf(s)); // second signal: stop now
    signal = s;
    process.stderr.write(`\n${s}: stopping after marking ${what} interrupted (again to stop now)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    received: () => signal,
    exitCode: () => (signal ? codeOf(signal) : null),
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
