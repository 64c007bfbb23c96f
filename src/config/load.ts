import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { resolveDataSpec, vocabSizeOf } from '../data/spec.js';
import type { BackendName } from '../engine/backends.js';
import { ConfigError, PathError, PathErrors } from '../errors.js';
import { families } from '../models/registry.js';
import { SizingError } from '../models/sizing.js';
import { resolvePrunerSpec } from '../sparsity/spec.js';
import { describeZodIssue, getAt, keyName } from '../util/issues.js';
import {
  cartesian,
  type ExtraAxis,
  inlineAxis,
  repeatedValues,
  setAt,
  sweptTwice,
  takeDottedAxes,
} from './axes.js';
import { coreCombos } from './core-combos.js';
import { checkDataFeeds } from './held-out-check.js';
import { planTrial, type TrialPlan } from './plan.js';
import { configSchema, type SweepConfig } from './schema.js';
import { objectKeysAt } from './schema-walk.js';
import { currentRevisions, SPEC_VERSION, type TrialSpec } from './trial-spec.js';
import { type ConfigPath, YamlSource } from './yaml-source.js';

/** A validated sweep: its config and every trial, planned. Nothing has been written anywhere. */
export interface SweepPlan {
  name: string;
  /** Absolute path of the config file. */
  file: string;
  /** The config with defaults filled (extra axes at their first value). */
  config: SweepConfig;
  /** Every axis with its values: the core four, then extra ones by dotted key. */
  axes: { key: string; values: unknown[] }[];
  trials: TrialPlan[];
}

/** Settings that override the file (command-line flags). */
export interface SweepOverrides {
  backend?: BackendName;
  /**
   * The database the command writes to (`--db`): a from-dense pruner that names a dense `trial` without a `db`
   * option finds its weights beside this one, not beside the default database.
   */
  db?: string;
}

/**
 * Resolves a from-dense pruner's file options in place (on the config and on each variant of its axes, which
 * may set the pruner): `weights` and `db` written in the config are relative to its folder, as data paths are;
 * options that name a trial and no database get the command's (`--db`, relative to where it runs).
 */
function pretrainedPaths(cfg: Record<string, unknown>, configDir: string, db: string | undefined): void {
  const pruner = cfg.pruner as { name?: unknown; options?: unknown } | undefined;
  if (pruner === null || typeof pruner !== 'object' || pruner.name !== 'from-dense') return;
  const o = pruner.options as Record<string, unknown> | undefined;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return;
  for (const key of ['weights', 'db'])
    if (typeof o[key] === 'string' && o[key] !== '') o[key] = resolve(configDir, o[key] as string);
  if (db !== undefined && o.trial !== undefined && o.db === undefined) o.db = resolve(db);
}

const MAX_REPORTED = 20;

/**
 * Reads, validates and expands a sweep config. Every problem — YAML syntax, unknown keys, wrong types, values
 * out of range, a budget below one batch, an N no shape reaches — is a {@link ConfigError} naming
 * file:line:column, the key, the bad value and what is valid. Pure apart from reading the config (and a
 * user text file it names).
 */
export function loadSweep(file: string, overrides: SweepOverrides = {}): SweepPlan {
  const abs = resolve(file);
  const src = YamlSource.read(abs);
  const raw = src.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      `${src.locate([])}: the config must be a mapping of keys (name, model, data, train, pruner, backend, sweep)`,
    );
  }
  const base = raw as Record<string, unknown>;
  if (overrides.backend) base.backend = overrides.backend;
  const dotted = takeDottedAxes(base, src);
  const { axes: inline, errors: inlineErrors } = takeInlineAxes(base, src);
  const axes = [...dotted.axes, ...inline];
  for (const axis of axes) setAt(base, axis.path, axis.values[0]);
  pretrainedPaths(base, dirname(abs), overrides.db);

  const errors = new ErrorList(src, axes);
  for (const m of [...dotted.errors, ...inlineErrors]) errors.addLine(m);
  for (const m of sweptTwice(dotted.axes, inline)) errors.addLine(m);
  for (const axis of axes)
    for (const m of repeatedValues(axis, dotted.axes.includes(axis) ? `sweep.${axis.key}` : axis.key))
      errors.addLine(m);
  const parsed = configSchema.safeParse(base);
  if (!parsed.success) errors.addZod(parsed.error, base, []);
  errors.throwIfAny();
  // a list of one value varies nothing: it is the setting every trial has (in base), not an axis to select or
  // label trials by (the ids are the same either way: they come from the specs)
  const varied = axes.filter((a) => a.values.length > 1);
  const trials = expand(base, varied, errors, dirname(abs), overrides.db);
  errors.throwIfAny();
  const config = (parsed as { data: SweepConfig }).data;
  return {
    name: config.name,
    file: abs,
    config,
    axes: [
      { key: 'sparsity', values: config.sweep.sparsity },
      { key: 'nonzero_params', values: config.sweep.nonzero_params },
      { key: 'tokens', values: config.sweep.tokens },
      { key: 'seed', values: config.sweep.seed },
      ...varied.map((a) => ({ key: a.key, values: a.values })),
    ],
    trials,
  };
}

/** Top-level settings that name or describe the sweep: no trial depends on them, so a list there is an error. */
const NOT_AXES = ['name', 'description'];

/**
 * Finds lists written where the schema wants one value, repeatedly (one list may hide another). A list holding a
 * list is refused: its values would be lists, which no setting takes, and its inner list would be found again as
 * a second axis of the same setting.
 */
function takeInlineAxes(
  base: Record<string, unknown>,
  src: YamlSource,
): { axes: ExtraAxis[]; errors: string[] } {
  const axes: ExtraAxis[] = [];
  const errors: string[] = [];
  for (let round = 0; round < 50; round++) {
    const r = configSchema.safeParse(base);
    if (r.success) break;
    const found = r.error.issues.filter(
      (i) =>
        (i.code === 'invalid_type' || i.code === 'invalid_union') &&
        i.path[0] !== 'sweep' &&
        !NOT_AXES.includes(String(i.path[0])) &&
        Array.isArray(getAt(base, i.path as ConfigPath)) &&
        (getAt(base, i.path as ConfigPath) as unknown[]).length > 0,
    );
    if (found.length === 0) break;
    for (const issue of found) {
      const path = issue.path as ConfigPath;
      const axis = inlineAxis(path, base, src);
      const nested = axis.values.findIndex(Array.isArray);
      if (nested >= 0) {
        errors.push(
          `${axis.locate(nested)}: ${axis.key}[${nested}]: a list inside the list of ${axis.key}; a list written in place sweeps single values (write ${axis.key}: [a, b])`,
        );
        // its first single value stands in, so the rest of the config is still checked
        setAt(base, path, axis.values.flat(Number.POSITIVE_INFINITY)[0]);
        continue;
      }
      axes.push(axis);
      setAt(base, path, axis.values[0]);
    }
  }
  return { axes, errors };
}

/**
 * Expands the grid: every combination of extra-axis values × the core axes (those `sweep.zip` names advancing
 * together), each resolved into a trial.
 */
function expand(
  base: Record<string, unknown>,
  axes: ExtraAxis[],
  errors: ErrorList,
  configDir: string,
  db: string | undefined,
): TrialPlan[] {
  const plans = new Map<string, TrialPlan>();
  const combos = cartesian(axes.map((a) => a.values.map((_, i) => i)));
  for (const combo of combos) {
    const variant = structuredClone(base);
    for (const [ai, vi] of combo.entries()) setAt(variant, axes[ai].path, axes[ai].values[vi]);
    pretrainedPaths(variant, configDir, db);
    errors.enter(0);
    const parsed = configSchema.safeParse(variant);
    if (!parsed.success) {
      errors.addZod(parsed.error, variant, []);
      continue;
    }
    const cfg = parsed.data;
    const extra = Object.fromEntries(combo.map((vi, ai) => [axes[ai].key, axes[ai].values[vi]]));
    errors.enter(1);
    const data = errors.guard(() => {
      checkFamilySource(cfg); // before the data are read: an image set read as text would fail unexplained
      return resolveDataSpec(cfg.data, configDir);
    }, variant);
    if (!data) continue;
    errors.enter(2);
    if (!errors.guard(() => checkSeqLen(cfg, variant), variant)) continue;
    errors.enter(3);
    const window = families[cfg.model.family].textWindow?.(cfg.train.seq_len, cfg.model) ?? null;
    if (!errors.guard(() => checkDataFeeds(data, window), variant)) continue;
    errors.enter(4);
    const s = cfg.sweep;
    for (const { sparsity, ni, di } of coreCombos(s)) {
      const [nonzero, tokens] = [s.nonzero_params[ni], s.tokens[di]];
      for (const seed of s.seed) {
        const spec = errors.guard(
          () => buildSpec(cfg, data, { sparsity, nonzero, tokens, seed }, { ni, di }),
          variant,
        );
        if (!spec) continue;
        // planning checks what needs the model's layers (dense-layer patterns, pretrained weights)
        const plan = errors.guard(
          () => planTrial(spec, { sparsity, nonzero_params: nonzero, tokens, seed, ...extra }),
          variant,
        );
        if (plan && !plans.has(plan.id)) plans.set(plan.id, plan);
      }
    }
  }
  return [...plans.values()];
}

/** The model family trains on the config's kind of data (lm and t5 on text, vit on images). */
function checkFamilySource(cfg: SweepConfig): void {
  const family = families[cfg.model.family];
  if (!family.dataSources.includes(cfg.data.source)) {
    throw new PathError(
      ['data', 'source'],
      `the ${cfg.model.family} family cannot train on "${cfg.data.source}" data; valid: ${family.dataSources.join(', ')}`,
    );
  }
}

function buildSpec(
  cfg: SweepConfig,
  data: TrialSpec['data'],
  v: { sparsity: number; nonzero: number; tokens: number; seed: number },
  at: { ni: number; di: number },
): TrialSpec {
  const t = cfg.train;
  const family = families[cfg.model.family];
  if (family.maxDataVocab !== undefined && vocabSizeOf(data) > family.maxDataVocab) {
    throw new PathError(
      ['data', 'vocab_size'],
      `the ${cfg.model.family} family reads tokens 0-${family.maxDataVocab - 1} (${family.maxDataVocab} and up are its pad, end and sentinel ids): give at most ${family.maxDataVocab}, got ${vocabSizeOf(data)}`,
    );
  }
  let model: TrialSpec['model'];
  try {
    model = family.size(v.nonzero, v.sparsity, cfg.model, { data, seqLen: t.seq_len }) as TrialSpec['model'];
  } catch (e) {
    if (e instanceof SizingError) throw new PathError(['sweep', 'nonzero_params', at.ni], e.message);
    throw e;
  }
  const perStep = family.unitsPerBatch(t);
  const steps = Math.floor(v.tokens / perStep);
  if (steps < 1) {
    const what =
      family.unit === 'images'
        ? `batch_size ${t.batch_size} = ${perStep} images`
        : `batch_size ${t.batch_size} × seq_len ${t.seq_len} = ${perStep} tokens`;
    throw new PathError(
      ['sweep', 'tokens', at.di],
      `${v.tokens} ${family.unit} is less than one batch: ${what}; give at least ${perStep}`,
    );
  }
  if (!Number.isSafeInteger(steps))
    throw new PathError(
      ['sweep', 'tokens', at.di],
      `${v.tokens} ${family.unit} is ${steps} steps of ${perStep}, more than a trial can count; give a budget below ${(Number.MAX_SAFE_INTEGER * perStep).toExponential(2)}`,
    );
  const pruner = resolvePrunerSpec(cfg.pruner, v.sparsity);
  return {
    spec_version: SPEC_VERSION,
    revisions: currentRevisions(model.family, pruner.name),
    model,
    data,
    sparsity: v.sparsity,
    nonzero_params: v.nonzero,
    tokens: v.tokens,
    steps,
    batch_size: t.batch_size,
    seq_len: t.seq_len,
    optimizer: t.optimizer,
    lr_schedule: t.lr_schedule,
    grad_clip: t.grad_clip,
    z_loss: t.z_loss > 0 ? t.z_loss : undefined,
    eval: { interval: t.eval_interval, tokens: t.eval_tokens },
    pruner,
    seed: v.seed,
    backend: cfg.backend,
  };
}

/**
 * `train.seq_len` as the family reads it: at least its minimum, and not written at all for a family that
 * ignores it (it would only change the trial ids of identical training).
 */
function checkSeqLen(cfg: SweepConfig, variant: Record<string, unknown>): true {
  const family = cfg.model.family;
  const rule = families[family].seqLen;
  const written = (variant.train as Record<string, unknown> | undefined)?.seq_len !== undefined;
  if (!rule && written)
    throw new PathError(
      ['train', 'seq_len'],
      `the ${family} family does not read seq_len (an image is one sequence of its patches; model.patch_size sets its length); remove it`,
    );
  if (rule && cfg.train.seq_len < rule.min)
    throw new PathError(
      ['train', 'seq_len'],
      `the ${family} family needs seq_len at least ${rule.min} (${rule.why}), got ${cfg.train.seq_len}`,
    );
  return true;
}

/** A single value written where a list is allowed is checked as item [0]: name the key as written. */
function asWritten(path: ConfigPath, variant: unknown): ConfigPath {
  const last = path[path.length - 1];
  return typeof last === 'number' && !Array.isArray(getAt(variant, path.slice(0, -1)))
    ? path.slice(0, -1)
    : path;
}

/** Axis settings a message came from: the first three, and how many more. */
function listSome(labels: readonly string[]): string {
  const shown = labels.slice(0, 3).join('; ');
  return labels.length > 3 ? `${shown}; and ${labels.length - 3} more` : shown;
}

/** The pruner's settings that each algorithm reads on its own terms, so one given to a `pruner.name` list may fit some. */
const PRUNER_PIECES: readonly string[] = ['schedule', 'options', 'pattern', 'distribution'];

/** Collects located messages; throws them together as one ConfigError. */
class ErrorList {
  private readonly messages: string[] = [];
  /**
   * For each message of a combination's checks not located at an axis value: the check it came from and the
   * combinations of the sweep's extra axes that raised it, so a message only some of them raise (a schedule
   * key another pruner of the axis does not take) can say which.
   */
  private readonly raisedBy = new Map<
    string,
    { stage: number; variants: Set<string>; path: ConfigPath; pruners: Set<string> }
  >();
  /** Each combination's first check with an error: it reaches none after it. */
  private readonly stoppedAt = new Map<string, number>();
  /** The check combinations are now in (see {@link enter}), or null outside them (the base config's parse). */
  private stage: number | null = null;
  constructor(
    private readonly src: YamlSource,
    private readonly axes: readonly ExtraAxis[],
  ) {}

  /** Checks of each combination from here on are the `stage`-th (in the order each combination meets them). */
  enter(stage: number): void {
    this.stage = stage;
  }

  /** A combination's axis settings, "pruner.name=\"magnitude\", seed=1"; empty without axes. */
  private variantLabel(values: readonly unknown[]): string {
    return this.axes.map((a, i) => `${a.key}=${JSON.stringify(values[i])}`).join(', ');
  }

  private push(line: string, variant: unknown, atAxis: boolean, path: ConfigPath): void {
    if (!this.messages.includes(line)) this.messages.push(line);
    if (this.stage === null || this.axes.length === 0 || variant === undefined) return;
    const label = this.variantLabel(this.axes.map((a) => getAt(variant, a.path)));
    this.stoppedAt.set(label, Math.min(this.stoppedAt.get(label) ?? this.stage, this.stage));
    if (atAxis) return;
    const raised = this.raisedBy.get(line) ?? {
      stage: this.stage,
      variants: new Set<string>(),
      path,
      pruners: new Set<string>(),
    };
    raised.variants.add(label);
    raised.pruners.add(String(getAt(variant, ['pruner', 'name'])));
    this.raisedBy.set(line, raised);
  }

  /** The combinations that reached check `stage`: none of their earlier checks failed. */
  private reached(stage: number): string[] {
    return cartesian(this.axes.map((a) => a.values))
      .map((values) => this.variantLabel(values))
      .filter((label) => (this.stoppedAt.get(label) ?? Number.POSITIVE_INFINITY) >= stage);
  }

  /** Where a path was written: inside an extra axis, at that axis's value; else in the file. */
  private axisAt(path: ConfigPath, variant: unknown): string | null {
    for (const axis of this.axes) {
      if (axis.path.every((k, i) => path[i] === k)) {
        const idx = axis.values.indexOf(getAt(variant, axis.path));
        return axis.locate(Math.max(0, idx));
      }
    }
    // a key only an axis brought in (a typo in `sweep: {train.optimiser.lr: [...]}`): the axis is where it is written
    for (const axis of this.axes) {
      if (path.length < axis.path.length && path.every((k, i) => axis.path[i] === k)) return axis.locate(0);
    }
    return null;
  }

  addLine(line: string): void {
    if (!this.messages.includes(line)) this.messages.push(line);
  }

  add(rawPath: ConfigPath, message: string, variant: unknown): void {
    const path = variant === undefined ? rawPath : asWritten(rawPath, variant);
    const atAxis = this.axisAt(path, variant);
    this.push(
      `${atAxis ?? this.src.locate(path)}: ${keyName(path)}: ${message}`,
      variant,
      atAxis !== null,
      path,
    );
  }

  addZod(error: z.ZodError, variant: Record<string, unknown>, prefix: ConfigPath): void {
    for (const issue of error.issues) {
      const path = asWritten([...prefix, ...(issue.path as ConfigPath)], variant);
      const value = getAt(variant, path);
      const keys = issue.code === 'unrecognized_keys' ? objectKeysAt(configSchema, variant, path) : [];
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          const atAxis = this.axisAt([...path, k], variant);
          const at = atAxis ?? this.src.locateKey(path, k);
          const line = `${at}: ${keyName([...path, k])}: ${describeZodIssue({ ...issue, keys: [k] }, value, keys)}`;
          this.push(line, variant, atAxis !== null, [...path, k]);
        }
      } else {
        this.add(path, describeZodIssue(issue, value, keys), variant);
      }
    }
  }

  /** Runs `f`; a PathError becomes a located message and the result is undefined. */
  guard<T>(f: () => T, variant: unknown): T | undefined {
    try {
      return f();
    } catch (e) {
      if (e instanceof PathError) {
        this.add(e.path, e.message, variant);
        return undefined;
      }
      if (e instanceof PathErrors) {
        for (const one of e.errors) this.add(one.path, one.message, variant);
        return undefined;
      }
      throw e;
    }
  }

  /**
   * For a pruner setting (schedule, options, pattern, distribution) that some algorithms of a `pruner.name` axis
   * refuse, the remedy: list whole pruners, each with its own settings, as `pruner: [{name: gmp, schedule: {...}},
   * {name: static}]` (the refusing ones without it); empty for any other message.
   */
  private wholePrunersHint(from: { path: ConfigPath; pruners: Set<string> }): string {
    const piece = from.path[1];
    const names = this.axes.find((a) => a.key === 'pruner.name')?.values;
    if (from.path[0] !== 'pruner' || !PRUNER_PIECES.includes(String(piece)) || !names) return '';
    const each = names.map((n) =>
      from.pruners.has(String(n)) ? `{name: ${n}}` : `{name: ${n}, ${piece}: {...}}`,
    );
    return `; to give each algorithm its own ${piece}, list whole pruners instead of pruner.name values: pruner: [${each.join(', ')}]`;
  }

  throwIfAny(): void {
    if (this.messages.length === 0) return;
    // a message that only some of the combinations reaching its check raise says which
    for (const [i, m] of this.messages.entries()) {
      const from = this.raisedBy.get(m);
      if (from && from.variants.size < this.reached(from.stage).length)
        this.messages[i] = `${m} (with ${listSome([...from.variants])})${this.wholePrunersHint(from)}`;
    }
    // in file order: "file:line:col: ..." sorted by line, then column
    const pos = (m: string) => (/:(\d+):(\d+): /.exec(m) ?? [0, 1e9, 0]).slice(1).map(Number);
    this.messages.sort((a, b) => {
      const [la, ca] = pos(a);
      const [lb, cb] = pos(b);
      return la - lb || ca - cb;
    });
    const shown = this.messages.slice(0, MAX_REPORTED);
    const more = this.messages.length - shown.length;
    const text = shown.join('\n') + (more > 0 ? `\n... and ${more} more` : '');
    throw new ConfigError(text, this.messages);
  }
}
