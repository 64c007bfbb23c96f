/**
 * A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html) as plain JSON. Specs are
 * built as data and checked by compiling them (the tests fail on any Vega-Lite warning); Vega-Lite's own
 * TopLevelSpec type is too deep a union to build from reusable pieces without casts at every step.
 */
export type ChartSpec = Record<string, unknown>;

/** A plot that cannot be drawn, and why, in words for the reader. */
export interface Missing {
  missing: string;
}

/** What a spec builder returns: a spec, or the reason there is none. */
export type SpecOrMissing = ChartSpec | Missing;

/** Type guard for {@link Missing}. */
export function isMissing(x: SpecOrMissing): x is Missing {
  return typeof (x as Missing).missing === 'string';
}
