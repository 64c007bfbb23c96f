import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * mkdir -p, one level at a time from the nearest existing ancestor. (Node's recursive mkdir spins forever
 * on some pseudo filesystems, e.g. a path under /proc.) Safe when several processes create the same
 * directories at once. Throws when an ancestor is a file; errors from mkdir (permissions, a read-only
 * filesystem) are thrown as they come, with their code. Returns the directories it made, outermost first.
 */
export function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  let cur = resolve(dir);
  while (!existsSync(cur)) {
    missing.unshift(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  if (!statSync(cur).isDirectory()) throw new Error(`${cur} is not a directory`);
  const made: string[] = [];
  for (const d of missing) {
    try {
      mkdirSync(d);
      made.push(d);
    } catch (e) {
      // another process (a second sweep, a sibling shard) made it between the check and here: fine
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
    }
  }
  return made;
}

/** Takes away directories {@link makeDirs} made, innermost first, as far as they are still empty. */
export function removeEmptyDirs(made: readonly string[]): void {
  for (const d of [...made].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (or gone): the folders around it stay too
    }
  }
}
