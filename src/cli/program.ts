import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BACKEND_NAMES } from '../engine/backends.js';
import { DEFAULT_DB } from '../store/store.js';
import { TRIAL_STATUSES } from '../store/types.js';
import { runsListCommand, runsShowCommand } from './commands/runs.js';
import { sweepCommand } from './commands/sweep.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const dbOption = () => new Option('--db <path>', 'SQLite database').default(DEFAULT_DB);

/** Every command, declared in one place. Each action parses its options and calls one command function. */
export function buildProgram(): Command {
  const program = new Command('sparsebench')
    .description('Sparse-training scaling studies: sweep sparsity, size and data; log to SQLite; fit the sparse scaling law.')
    .version(version())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `sparsebench: ${s}` : s) });

  program
    .command('sweep')
    .description('train every trial of a sweep config that is not finished yet, logging to SQLite')
    .argument('<config>', 'sweep config (YAML)')
    .addOption(dbOption())
    .option('--dry-run', 'validate and print the expanded plan (shapes, parameter counts, steps, FLOPs); write nothing')
    .option('--json', 'print the plan (with --dry-run) or the results as JSON on stdout')
    .addOption(new Option('--backend <name>', 'override the config backend').choices(BACKEND_NAMES))
    .option('--retry-failed', 'train trials that failed in an earlier run again')
    .action(async (config: string, opts) => {
      process.exitCode = await sweepCommand(config, opts);
    });

  const runs = program.command('runs').description('inspect trials in the database');
  runs
    .command('list')
    .description('list trials of a sweep (default: the latest) with status and results')
    .addOption(dbOption())
    .option('--sweep <name>', 'sweep to list (default: the most recently run)')
    .option('--all', 'list every trial in the database')
    .addOption(new Option('--status <status>', 'only trials with this status').choices(TRIAL_STATUSES))
    .option('--json', 'JSON on stdout')
    .action(async (opts) => {
      process.exitCode = await runsListCommand(opts);
    });
  runs
    .command('show')
    .description('show one trial: spec, results and its loss curve')
    .argument('<id>', 'trial id or a unique prefix of it (at least 4 hex digits)')
    .addOption(dbOption())
    .option('--json', 'JSON on stdout, with every logged metric')
    .action(async (id: string, opts) => {
      process.exitCode = await runsShowCommand(id, opts);
    });

  return program;
}
