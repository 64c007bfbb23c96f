import { UsageError } from '../errors.js';
/**
 * Thrown for input the law fitter cannot use: too few points, a single sparsity level for the sparse
 * form, non-positive or non-finite values, unreadable CSV. The message says what was wrong and what is
 * valid; the CLI maps it to a usage error (exit code 2).
 */
export class LawInputError extends UsageError {
  override readonly name = 'LawInputError';
}
