import { Command, Help, Option } from 'commander';
import { BACKEND_NAMES } from '../engine/backend-names.js';
import { UsageError } from '../errors.js';
import { DEFAULT_DB } from '../store/default-db.js';
import { SORT_KEYS } from '../store/trial-order.js';
import { TRIAL_STATUSES } from '../store/types.js';
import { packageVersion } from '../util/package-version.js';
import { checkExecutorFlags } from './executor-flags.js';

// Each command's module is imported when that command runs, not before: together they pull in tfjs, vega and
// the rest, ~0.45 s of module loading that `--help` need not pay at all and a sweep pays only in part (it skips
// the report, vega and cluster modules).
const clusterCommands = () => import('./commands/cluster.js');
const runsCommands = () => import('./commands/runs.js');

const collect = (value: string, previous: string[]) => [...previous, value];

const dbOption = () => new Option('--db <path>', 'SQLite database').default(DEFAULT_DB, DEFAULT_DB);

const commanderHelp = new Help();

/**
 * An option's line in --help, with "(required)" after an option the command cannot run without: commander
 * lists those like the optional ones.
 */
function optionDescription(option: Option): string {
  const text = commanderHelp.optionDescription(option);
  return option.mandatory ? `${text} (required)` : text;
}

/** Subcommands of `runs`, which users type on their own (`sparsebench export`): the error names them. */
const RUNS_SUBCOMMANDS = ['list', 'show', 'fits', 'export', 'rm'];

/** Commander's unknown-command error, with `runs <name>` suggested for a `runs` subcommand typed alone. */
function runsHint(message: string): string {
  const m = /^error: unknown command '([^']+)'\n?(\(Did you mean [^)]*\)\n?)?/.exec(message);
  if (!m || !RUNS_SUBCOMMANDS.includes(m[1])) return message;
  return `error: unknown command '${m[1]}'\n(Did you mean runs ${m[1]}?)\n${message.slice(m[0].length)}`;
}

/** Every command, declared in one place. Each action parses its options and calls one command function. */
export function buildProgram(): Command {
  const program = new Command('sparsebench')
    .description(
      'Sparse-training scaling studies: sweep sparsity, size and data; log to SQLite; fit the sparse scaling law.',
    )
    .version(packageVersion())
    .exitOverride()
    .configureHelp({ optionDescription })
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `sparsebench: ${runsHint(s)}` : s),
    })
    .hook('preAction', (_program, action) => refuseEmptyValues(action));

  program
    .command('sweep')
    .description('train every trial of a sweep config that is not finished yet, logging to SQLite')
    .argument('<config>', 'sweep config (YAML)')
    .addOption(dbOption())
    .option(
      '--dry-run',
      'validate and print the expanded plan (shapes, parameter counts, steps, FLOPs); write nothing (with --executor: write the plan and scripts, do not submit)',
    )
    .option('--json', 'print the plan (with --dry-run) or the results as JSON on stdout')
    .addOption(new Option('--backend <name>', 'override the config backend').choices(BACKEND_NAMES))
    .option('--retry-failed', 'train trials that failed in an earlier run again')
    .addOption(
      new Option('--checkpoint-minutes <m>', 'checkpoint a running trial every m minutes (0: never)').default(
        '10',
        '10',
      ),
    )
    .addOption(
      new Option('--checkpoint-steps <k>', 'also checkpoint every k steps (0: never)').default('0', '0'),
    )
    .addOption(
      new Option(
        '--workers <k>',
        'train k trials at once in k worker processes; this one writes for all',
      ).default('auto', 'auto: one per core, as memory allows'),
    )
    .addOption(
      new Option(
        '--executor <name>',
        'run on a cluster: write (and for slurm submit) the jobs; the checkpoint flags and --retry-failed go on to every task',
      ).choices(['slurm', 'k8s']),
    )
    .option(
      '--out <dir>',
      'with --executor: folder for plan, scripts, shards, logs (default beside the database)',
    )
    .option('--partition <p>', 'slurm: partition')
    .option('--time <t>', 'slurm: wall-clock limit per trial, e.g. 2:00:00')
    .option('--gpus <n>', 'slurm/k8s: GPUs per trial')
    .option('--max-parallel <k>', 'slurm/k8s: trials running at once')
    .option('--cpus-per-task <n>', 'slurm/k8s: CPUs per trial (default 1)')
    .option('--image <ref>', 'k8s: container image with sparsebench installed (default sparsebench:latest)')
    .option('--pvc <name>', 'k8s: PersistentVolumeClaim mounted at /data (default sparsebench-data)')
    .action(async (config: string, opts, cmd: Command) => {
      checkExecutorFlags(opts, (key) => cmd.getOptionValueSource(key) === 'cli');
      process.exitCode = opts.executor
        ? await (await clusterCommands()).clusterSweepCommand(config, opts)
        : await (await import('./commands/sweep.js')).sweepCommand(config, opts);
    });

  program
    .command('plan')
    .description('expand a sweep config into its trials, frozen with their ids, as JSON')
    .argument('<config>', 'sweep config (YAML)')
    .requiredOption('--out <file>', 'plan file to write')
    .addOption(new Option('--backend <name>', 'override the config backend').choices(BACKEND_NAMES))
    .action(async (config: string, opts) => {
      process.exitCode = await (await clusterCommands()).planCommand(config, opts);
    });

  program
    .command('run-trial')
    .description('train exactly one trial of a plan into its own database (a cluster array task)')
    .argument('<plan>', 'plan file from "sparsebench plan"')
    .option('--index <i>', 'trial index (default: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)')
    .addOption(dbOption())
    .option('--skip-from <db>', 'do nothing if the trial is already finished in this database')
    .option(
      '--take-over',
      'take the trial over when the shard says another process is training it (for a scheduler that runs one task per index at a time: that process was an earlier attempt, killed)',
    )
    .option(
      '--retry-failed',
      'train the trial again if it failed in an earlier run (from its checkpoint if one was kept)',
    )
    .option(
      '--checkpoint-minutes <m>',
      'checkpoint the trial every M minutes (default 10; also on SIGINT/SIGTERM)',
    )
    .option('--checkpoint-steps <k>', 'also checkpoint every K steps (default 0: off)')
    .action(async (plan: string, opts) => {
      process.exitCode = await (await clusterCommands()).runTrialCommand(plan, opts);
    });

  program
    .command('merge')
    .description('merge shard databases into one, keyed by trial id (finished records win); idempotent')
    .argument('<shards...>', 'shard databases')
    .requiredOption('--into <db>', 'database to merge into (created if missing)')
    .option('--json', 'JSON report on stdout')
    .action(async (shards: string[], opts) => {
      process.exitCode = await (await clusterCommands()).mergeCommand(shards, opts);
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
    .option(
      '--delta <x>',
      'Huber threshold, in units of the residual (default 1e-3 on log loss, 0.01 on raw loss as the authors fit ViT)',
    )
    .option(
      '--starts <k>',
      'random optimiser starts (default 25; the sparse form adds as many scaled to the data)',
    )
    .option('--seed <n>', 'seed for starts and bootstrap (default 0)')
    .option('--bootstrap <k>', 'bootstrap replicates for 95% intervals; 0 disables (default 200)')
    .option(
      '--holdout <f>',
      'points held out for the extrapolation check, largest N first and whole model sizes: a fraction below 1, or a whole count (1 = one point, rounded up to its model size; 0 = none; default 0.2)',
    )
    .option(
      '--optimal <N=..,C=..>',
      'optimal sparsity for non-zero params N and compute C = 6·N/(1-S)·D (FLOPs where D counts tokens; for image models D counts images, so C is 6·N/(1-S)·images) (repeatable)',
      collect,
      [],
    )
    .option(
      '--where <key=value>',
      "only the trials at this value of one of the sweep's other axes, e.g. pruner.name=gmp (dense trials, which every pruner shares, stay) (repeatable)",
      collect,
      [],
    )
    .option(
      '--each <key>',
      "one fit per value of one of the sweep's other axes, e.g. pruner.name or seed (when it has several), each as its --where would make it, and a table of them",
    )
    .option(
      '--exclude <id>',
      'leave this trial (id or a unique prefix) out of the fit, as an outlier, keeping it in the database; stored with the fit (repeatable)',
      collect,
      [],
    )
    .option(
      '--no-store',
      'print the fit without storing it (a stored fit becomes the one report draws and Laws by setting shows)',
    )
    .option('--json', 'one JSON document on stdout')
    .action(async (opts, cmd: Command) => {
      process.exitCode = await (await import('./commands/fit-law.js')).fitLawCommand({
        ...opts,
        dbGiven: cmd.getOptionValueSource('db') === 'cli',
      });
    });

  program
    .command('models')
    .description('list model families and their options, or the shape sizing gives for N and S')
    .argument('[family]', 'lm, t5 or vit')
    .option('--nonzero <N>', 'target non-zero prunable parameters, e.g. 200k')
    .option('--sparsity <S>', 'sparsity in [0, 1) (default 0)')
    .option('--seq-len <T>', 'input length of text families (default 64)')
    .option('--data <source>', 'data source the shape is for (vit: mnist, cifar10, synthetic-images)')
    .option(
      '--set <key=value>',
      "one of the family's model: options, as in a config's model: block, e.g. ff_ratio=2 (repeatable)",
      collect,
      [],
    )
    .option('--json', 'JSON on stdout')
    .action(async (family: string | undefined, opts) => {
      process.exitCode = await (await import('./commands/models.js')).modelsCommand(family, opts);
    });

  const runsCommand = program
    .command('runs')
    .description('inspect trials in the database, export or remove them');
  runsCommand
    .command('list')
    .description('list trials of a sweep (default: the latest) with status and results')
    .addOption(dbOption())
    .option('--sweep <name>', 'sweep to list (default: the most recently run)')
    .option('--all', 'list every trial in the database')
    .addOption(new Option('--status <status>', 'only trials with this status').choices(TRIAL_STATUSES))
    .option('--json', 'JSON on stdout')
    .option(
      '--csv',
      'CSV on stdout, a row per trial; its finished rows are input for fit-law --points as they stand',
    )
    .option(
      '--curves',
      "CSV on stdout of every logged point of the trials listed (train and validation loss, lr, sparsity, ...): a row per trial, metric and step, for plots of one's own",
    )
    .option(
      '--where <key=value>',
      "only the trials at this value of one of the sweep's other axes (as fit-law --where selects them) or of sparsity, nonzero_params or tokens as planned; repeatable: one key twice lists either value, different keys both",
      collect,
      [],
    )
    .addOption(
      new Option(
        '--sort <key>',
        "order of the trials by a column of the table, lowest first (accuracy, of a classifier: highest first), unfinished last (S as planned; N and D as measured once finished; default: the plan's order)",
      ).choices(SORT_KEYS),
    )
    .action(async (opts) => {
      process.exitCode = await (await runsCommands()).runsListCommand(opts);
    });
  runsCommand
    .command('sweeps')
    .description(
      'list the sweeps in the database, newest run first: trials by status, stored fits, last run, config file',
    )
    .addOption(dbOption())
    .option('--json', 'JSON on stdout')
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/sweeps.js')).runsSweepsCommand(opts);
    });
  runsCommand
    .command('show')
    .description('show one trial: spec, results and its loss curve')
    .argument('<id>', 'trial id or a unique prefix of it (at least 4 hex digits)')
    .addOption(dbOption())
    .option('--json', 'JSON on stdout, with every logged metric')
    .action(async (id: string, opts) => {
      process.exitCode = await (await runsCommands()).runsShowCommand(id, opts);
    });
  runsCommand
    .command('fits')
    .description('list the stored law fits of a sweep: form, the trials each chose (--where), fit quality')
    .addOption(dbOption())
    .option('--sweep <name>', 'sweep whose fits to list (default: the most recently run)')
    .option('--all', 'list every fit in the database')
    .option('--json', 'JSON on stdout')
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/fits.js')).runsFitsCommand(opts);
    });
  runsCommand
    .command('export')
    .description("write a finished trial's weights (masked values exact zeros) and masks as safetensors")
    .argument('<id>', 'trial id or a unique prefix of it (at least 4 hex digits)')
    .requiredOption('--out <file>', 'safetensors file to write')
    .addOption(dbOption())
    .action(async (id: string, opts) => {
      process.exitCode = await (await import('./commands/export.js')).exportCommand(id, opts);
    });

  runsCommand
    .command('rm')
    .description(
      'remove trials with their metrics, checkpoints, weights and the fits made from them (says what it would remove; --yes removes)',
    )
    .argument(
      '[ids...]',
      'trial ids or unique prefixes (at least 4 hex digits); or choose with --sweep and --status/--where',
    )
    .addOption(dbOption())
    .option('--sweep <name>', 'the sweep whose trials --status and --where choose')
    .addOption(new Option('--status <status>', 'the trials with this status').choices(TRIAL_STATUSES))
    .option(
      '--where <key=value>',
      "the trials at this value of one of the sweep's other axes, or of sparsity, nonzero_params or tokens as planned (repeatable: one key twice takes either value, different keys both; under a pruner key, the dense trials all settings share are kept)",
      collect,
      [],
    )
    .option('--yes', 'remove them (without it, nothing is removed)')
    .action(async (ids: string[], opts) => {
      process.exitCode = await (await import('./commands/runs-rm.js')).runsRmCommand(ids, opts);
    });

  program
    .command('pruners')
    .description(
      'list pruning algorithms, patterns, distributions and schedules with their options and defaults',
    )
    .option('--json', 'JSON on stdout')
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/pruners.js')).prunersCommand(opts);
    });

  program
    .command('report')
    .description(
      'write the study report of a sweep from the database: report.html (self-contained) and report.md with SVG plots',
    )
    .addOption(dbOption())
    .option('--sweep <name>', 'sweep to report on (default: the sweep of --fit, else the most recently run)')
    .option('--out <dir>', 'output directory (default: <folder of the database>/<sweep>, e.g. runs/<sweep>)')
    .option('--format <list>', 'comma-separated formats: html, md', 'html,md')
    .option(
      '--fit <id>',
      "stored fit to report, sparse-law or dense-law (default: the sweep's newest sparse-law fit whose trials are all still in it, else its newest; fit-law and runs fits print ids)",
    )
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/report.js')).reportCommand(opts);
    });

  program
    .command('doctor')
    .description(
      'check each backend (wasm, cpu, webgpu, tensorflow): whether it loads and why not, what auto picks, matmul speed',
    )
    .addOption(
      new Option(
        '--seconds <n>',
        'time for the matmul probes in total, shared by the backends that load',
      ).default('10', '10'),
    )
    .option('--json', 'JSON on stdout')
    .action(async (opts) => {
      process.exitCode = await (await import('./commands/doctor.js')).doctorCommand(opts);
    });

  for (const cmd of program.commands) namesOptionsOnError(cmd, `sparsebench ${cmd.name()}`);
  return program;
}

/** Options that say themselves what an empty value of theirs means. */
const OWN_EMPTY_MESSAGE = new Set(['index']);

/**
 * Refuses an empty or blank value (`--out ""`, a config argument of " ") before a command runs: no flag or
 * argument takes one, and read as a path it would be the working directory (or, for an optional one, be ignored
 * as not given).
 */
function refuseEmptyValues(cmd: Command): void {
  for (const option of cmd.options) {
    const name = option.attributeName();
    if (OWN_EMPTY_MESSAGE.has(name)) continue;
    const value: unknown = cmd.getOptionValue(name);
    const blank = (v: unknown) => typeof v === 'string' && v.trim() === '';
    if (blank(value) || (Array.isArray(value) && value.some(blank)))
      throw new UsageError(
        `${option.long ?? option.flags} is empty: expected ${option.flags.replace(/^\S+\s*/, '') || 'a value'} (see --help)`,
      );
  }
  const args = cmd.registeredArguments;
  cmd.args.forEach((value, i) => {
    if (value.trim() === '')
      throw new UsageError(
        `the ${args[Math.min(i, args.length - 1)]?.name() ?? 'argument'} argument is empty: give a value (see --help)`,
      );
  });
}

/**
 * Makes an unknown option of `cmd` (and of its subcommands) name the options it has, when Commander has no
 * close match to suggest: "unknown option '--bogus'" alone leaves the reader to go and find them.
 */
function namesOptionsOnError(cmd: Command, path: string): void {
  const valid = cmd.options.map((o) => o.long ?? o.short).filter((o): o is string => o !== undefined);
  cmd.configureOutput({
    writeErr: (s) => {
      let text = s.startsWith('error:') ? `sparsebench: ${runsHint(s)}` : s;
      if (/^error: unknown option '[^']+'\n?$/m.test(s.split('\n')[0]) && !s.includes('Did you mean'))
        text = text.replace(
          /\n?$/,
          `\n(${path} takes ${valid.length > 0 ? valid.join(', ') : 'no options'}, and --help)\n`,
        );
      process.stderr.write(text);
    },
  });
  for (const sub of cmd.commands) namesOptionsOnError(sub, `${path} ${sub.name()}`);
}
