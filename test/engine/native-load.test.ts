import { describe, expect, it } from 'vitest';
import { missingFunctions } from '../../src/engine/native.js';
import { addon, skipNative, skipReason } from '../helpers/native.js';

describe('the native addon check at load', () => {
  it('names what an addon built from older sources lacks', () => {
    expect(missingFunctions({})).toContain('topKMask');
    expect(missingFunctions({})).toContain('gemm');
    const older = { ...Object.fromEntries(missingFunctions({}).map((name) => [name, () => undefined])) };
    delete older.topKMask;
    older.adamw = 'not a function' as never;
    expect(missingFunctions(older)).toEqual(['adamw', 'topKMask']);
  });

  it.skipIf(skipNative)(`finds nothing missing in this checkout's build${skipReason}`, () => {
    expect(missingFunctions(addon!)).toEqual([]);
  });
});
