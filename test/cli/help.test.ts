import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

/** A command's --help, its lines joined (commander wraps the descriptions to the terminal's width). */
function help(args: string[]): string {
  const r = cli([...args, '--help']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.replace(/\s+/g, ' ');
}

describe('--help', () => {
  it('sweep --dry-run says what it writes with --executor', () => {
    expect(help(['sweep'])).toMatch(
      /--dry-run validate and print the expanded plan \(shapes, parameter counts, steps, FLOPs\); write nothing \(with --executor: write the plan and scripts, do not submit\)/,
    );
  });

  it('marks the options a command cannot run without as required, and no others', () => {
    expect(help(['runs', 'export'])).toMatch(/--out <file> safetensors file to write \(required\)/);
    expect(help(['plan'])).toMatch(/--out <file> plan file to write \(required\)/);
    expect(help(['merge'])).toMatch(/--into <db> database to merge into \(created if missing\) \(required\)/);
    expect(help(['runs', 'export'])).not.toMatch(/--db <path> [^-]*\(required\)/);
    expect(help(['report'])).not.toMatch(/required/);
  });

  it('help of a subcommand by `help`, as by --help, and defaults shown once, unquoted', () => {
    const r = cli(['help', 'runs', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(cli(['runs', 'list', '--help']).stdout);
    expect(r.stdout).toMatch(/^Usage: sparsebench runs list /);
    const sweep = help(['sweep']);
    expect(sweep).toContain('(default: auto: one per core, as memory allows)');
    expect(sweep).toContain('(default: runs/sparsebench.db)');
    expect(sweep).not.toContain('(default: "');
  });
});
