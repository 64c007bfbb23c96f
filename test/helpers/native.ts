import { nativeAddon, nativeStatus } from '../../src/engine/native.js';

/** The addon, or null when it is not built (or SPARSEBENCH_NATIVE=0). */
export const addon = nativeAddon();

/** CI sets SPARSEBENCH_REQUIRE_NATIVE=1: there a missing addon is a failure, not a skip. */
export const nativeRequired = process.env.SPARSEBENCH_REQUIRE_NATIVE === '1';

/** Whether native-specific tests should be skipped, and the reason shown in their suite name. */
export const skipNative = !addon && !nativeRequired;
export const skipReason = skipNative ? ` (skipped: ${nativeStatus().reason})` : '';
