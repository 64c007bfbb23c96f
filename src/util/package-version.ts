import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** This package's version, from its package.json. */
export function packageVersion(): string {
  try {
    // src/util/ and dist/util/ are both two levels below the package root
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

let revision: string | null | undefined;

/**
 * The git commit this package runs from, 12 hex digits, with "+modified" when tracked files differ from it: two
 * builds of one version can give other figures, and the version alone would not tell them apart. Null outside a
 * checkout of sparsebench itself (an npm install, or a copy inside another repository) or without git. Asked of git
 * once per process.
 */
export function sourceRevision(): string | null {
  if (revision !== undefined) return revision;
  revision = null;
  const root = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
  try {
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== root.replace(/\/$/, '')) return revision;
    const head = git('rev-parse', '--short=12', 'HEAD');
    const modified = git('status', '--porcelain', '--untracked-files=no') !== '';
    revision = modified ? `${head}+modified` : head;
  } catch {
    // no git, or not a repository: the version is all there is
  }
  return revision;
}
