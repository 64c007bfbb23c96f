import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { type Document, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError, UsageError } from '../errors.js';
import type { ConfigPath } from '../util/issues.js';

export type { ConfigPath };

/** A parsed YAML config that can say where any path came from. */
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Reads and parses a YAML file; syntax errors become ConfigErrors with line:column. */
  static read(file: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      throw new UsageError(`cannot read config ${file}: ${why}`);
    }
    return YamlSource.parse(text, file);
  }

  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    // logLevel error: a collection used as a key is refused below as an unknown key, not warned of on stderr by the parser
    const doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      logLevel: 'error',
    });
    const src = new YamlSource(file, doc, lines);
    if (doc.errors.length > 0) {
      // the parser recurses once per level: a document nested thousands deep overflows its stack
      const what = (m: string) =>
        /Maximum call stack/.test(m)
          ? 'nested too deeply to read (thousands of levels; a sweep config is a few deep)'
          : m.split('\n')[0];
      const msgs = doc.errors.map((e) => `${src.at(e.pos[0])}: YAML syntax: ${what(e.message)}`);
      throw new ConfigError(msgs.join('\n'), msgs);
    }
    return src;
  }

  /** The document as plain JS; unresolved aliases and alias bombs become config errors. */
  toJS(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new ConfigError(`${this.shortFile()}: YAML: ${(e as Error).message}`);
    }
  }

  /** "file:line:col" of a character offset. */
  at(offset: number): string {
    const { line, col } = this.lines.linePos(offset);
    return `${this.shortFile()}:${line}:${col}`;
  }

  /** "file:line:col" of the value at `path`, or of its nearest ancestor present in the file. */
  locate(path: ConfigPath): string {
    let node: unknown = this.doc.contents;
    let best: number | undefined = rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key),
        );
        if (!pair) break;
        best = rangeStart(pair.value) ?? rangeStart(pair.key) ?? best;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) break;
        best = rangeStart(item) ?? best;
        node = item;
      } else break;
    }
    return best === undefined ? this.shortFile() : this.at(best);
  }

  /** "file:line:col" of the key `key` inside the mapping at `parent` (for unknown keys). */
  locateKey(parent: ConfigPath, key: string): string {
    const map = parent.length === 0 ? this.doc.contents : this.doc.getIn(parent as (string | number)[], true);
    if (isMap(map)) {
      const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      const start = pair ? rangeStart(pair.key) : undefined;
      if (start !== undefined) return this.at(start);
    }
    return this.locate(parent);
  }

  private shortFile(): string {
    const rel = relative(process.cwd(), this.file);
    return rel.startsWith('..') ? this.file : rel;
  }
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}
