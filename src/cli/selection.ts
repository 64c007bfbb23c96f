import { UsageError } from '../errors.js';
import { SelectionError } from '../law/trial-selection.js';

/** Runs a `--where` step, a condition that cannot select anything becoming bad input (exit 2) with its message. */
export function selection<T>(step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(e.message);
    throw e;
  }
}
