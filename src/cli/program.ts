import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BACKEND_NAMES } from '../engine/backends.js';
import { DEFAULT_DB } from '../store/store.js';
import { TRIAL_STATUSES } from '../store/types.js';
import { fitLawCommand } from './commands/fit-law.js';
import { runsListCommand, runsShowCommand } from './commands/runs.js';
import { sweepCommand } from './commands/sweep.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const dbOption = () => new Option('--db <path>', 'SQLite database').default(DEFAULT_DB);

/** Every command, declared in one place. Each action parses its options and calls one command function. */
export function buildProgram(): Command {
  const program = new Command('sparsebench')
    .description(
      'Sparse-training scaling studies: sweep sparsity, size and data; log to SQLite; fit the sparse scaling law.',
    )
    .version(version())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `sparsebench: ${s}` : s),
    });

  program
    .command('sweep')
    .description('train every trial of a sweep config that is not finished yet, logging to SQLite')
    .argument('<config>', 'sweep config (YAML)')
    .addOption(dbOption())
    .option(
      '--dry-run',
      'validate and print the expanded plan (shapes, parameter counts, steps, FLOPs); write nothing',
    )
    .option('--json', 'print the plan (with --dry-run) or the results as JSON on stdout')
    .addOption(new Option('--backend <name>', 'override the config backend').choices(BACKEND_NAMES))
    .option('--retry-failed', 'train trials that failed in an earlier run again')
    .option('--checkpoint-minutes <m>', 'checkpoint a running trial every m minutes (0: never)', '10')
    .option('--checkpoint-steps <k>', 'also checkpoint every k steps (0: never)', '0')
    .action(async (config: string, opts) => {
      process.exitCode = await sweepCommand(config, opts);
    });

  program
    .command('fit-law')
    .description(
      'fit the sparse scaling law to the finished trials of a sweep (or to a CSV) and report optimal sparsity',
    )
    .addOption(dbOption())
    .option('--sweep <name>', 'sweep to fit (default: the most recently run)')
    .option(
      '--points <csv>',
      'fit external points instead: CSV with header sparsity,nonzero_params,tokens,loss',
    )
    .addOption(
      new Option(
        '--form <name>',
        'law form: sparse (Frantar et al.) or chinchilla (dense, S = 0 points)',
      ).default('sparse'),
    )
    .addOption(
      new Option('--loss <kind>', 'Huber on log loss or on raw loss (default huber-log)').choices([
        'huber-log',
        'huber',
      ]),
    )
    .option('--delta <x>', 'Huber threshold (default 1e-3, in units of the residual)')
    .option('--starts <k>', 'optimiser starts (default 25)')
    .option('--seed <n>', 'seed for starts and bootstrap (default 0)')
    .option('--bootstrap <k>', 'bootstrap replicates for 95% intervals; 0 disables (default 200)')
    .option(
      '--holdout <f>',
      'fraction (or count) of largest-N points held out for the extrapolation check (default 0.2)',
    )
    .option(
      '--optimal <N=..,C=..>',
      'optimal sparsity for non-zero params N and compute C (repeatable)',
      collect,
      [],
    )
    .option('--json', 'one JSON document on stdout')
    .action(async (opts, cmd: Command) => {
      process.exitCode = await fitLawCommand({ ...opts, dbGiven: cmd.getOptionValueSource('db') === 'cli' });
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
