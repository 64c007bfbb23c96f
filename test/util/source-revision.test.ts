import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sourceRevision } from '../../src/util/package-version.js';

/** What git says of this checkout, or null when the tests run outside one. */
function gitHead(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

describe('the source revision recorded beside the version', () => {
  it("is this checkout's commit, marked when tracked files differ from it", () => {
    const head = gitHead();
    const rev = sourceRevision();
    if (head === null) expect(rev).toBeNull();
    else expect(rev).toMatch(new RegExp(`^${head}(\\+modified)?$`));
    expect(sourceRevision()).toBe(rev); // asked once
  });
});
