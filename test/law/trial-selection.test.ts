import { describe, expect, it } from 'vitest';
import { planWarnings } from '../../src/config/plan-warnings.js';
import {
  eachValues,
  parseAxisCondition,
  pooledSettingsWarning,
  SelectionError,
  selectTrials,
} from '../../src/law/trial-selection.js';
import type { TrialRecord } from '../../src/store/types.js';
import { planOf, tinySyntheticConfig } from '../helpers/config.js';
import { trial } from '../report/fixtures.js';

/** A finished trial at sparsity s with the given extra-axis values. */
const at = (s: number, axes: Record<string, unknown>): TrialRecord => ({
  ...trial(s, 8000, 1e5),
  axes: { sparsity: s, nonzero_params: 8000, tokens: 1e5, seed: 0, ...axes },
});

const AXES = [
  { key: 'sparsity', values: [0, 0.5] },
  { key: 'nonzero_params', values: [8000] },
  { key: 'pruner.name', values: ['gmp', 'static'] },
  { key: 'train.optimizer.lr', values: [0.001, 0.003] },
];

describe('selecting trials by their other axes (fit-law --where)', () => {
  const dense = at(0, { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.001 });
  const gmp = at(0.5, { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.001 });
  const stat = at(0.5, { 'pruner.name': 'static', 'train.optimizer.lr': 0.001 });
  const fast = at(0.5, { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.003 });
  const denseFast = at(0, { 'pruner.name': 'gmp', 'train.optimizer.lr': 0.003 });
  const all = [dense, gmp, stat, fast, denseFast];

  it('keeps the dense trials under a pruner condition (every pruner setting shares them)', () => {
    expect(selectTrials(all, AXES, [{ key: 'pruner.name', value: 'static' }])).toEqual([
      dense,
      stat,
      denseFast,
    ]);
  });

  it('filters dense trials too under any other condition, and compares numbers as written', () => {
    expect(selectTrials(all, AXES, [{ key: 'train.optimizer.lr', value: '0.003' }])).toEqual([
      fast,
      denseFast,
    ]);
    expect(
      selectTrials(all, AXES, [
        { key: 'train.optimizer.lr', value: '0.001' },
        { key: 'pruner.name', value: 'gmp' },
      ]),
    ).toEqual([dense, gmp]);
  });

  it('reads numbers in the config syntax: 3e-3 and 0.003 are one learning rate', () => {
    const byText = (value: string) => selectTrials(all, AXES, [{ key: 'train.optimizer.lr', value }]);
    expect(byText('3e-3')).toEqual([fast, denseFast]);
    expect(byText('0.0030')).toEqual([fast, denseFast]);
    const same = [
      { key: 'train.optimizer.lr', value: '1e-3' },
      { key: 'train.optimizer.lr', value: '0.001' },
    ];
    expect(selectTrials(all, AXES, same)).toEqual([dense, gmp, stat]);
  });

  it('names the valid keys and values when a condition cannot select anything', () => {
    expect(() => selectTrials(all, AXES, [{ key: 'sparsity', value: '0.5' }])).toThrow(
      "--where sparsity=0.5: sparsity is one of the law's own variables (S, N, D), which a fit spans, not a setting to select; valid: pruner.name, train.optimizer.lr (`runs list --where sparsity=...` lists the trials at one value)",
    );
    expect(() => selectTrials(all, AXES, [{ key: 'model.x', value: '1' }])).toThrow(
      /model\.x is not an axis of this sweep beyond S, N and D \(seed is one when it has several values\); valid: pruner\.name, train\.optimizer\.lr/,
    );
    expect(() => selectTrials(all, AXES, [{ key: 'pruner.name', value: 'rigl' }])).toThrow(
      "--where pruner.name=rigl: the sweep's pruner.name values are gmp, static",
    );
    expect(() => parseAxisCondition('pruner.name')).toThrow(SelectionError);
    expect(() => parseAxisCondition('=gmp')).toThrow(/expected KEY=VALUE/);
    expect(parseAxisCondition(' pruner.name = gmp ')).toEqual({ key: 'pruner.name', value: 'gmp' });
    // an axis of one value (as a sweep recorded it before such lists stopped being axes) selects every trial
    const oneValue = [...AXES, { key: 'pruner.schedule.interval', values: [10] }];
    expect(() => selectTrials(all, oneValue, [{ key: 'pruner.schedule.interval', value: '10' }])).toThrow(
      '--where pruner.schedule.interval=10: every trial of the sweep has it (pruner.schedule.interval takes that one value), so it selects them all and names no setting; leave it out',
    );
  });

  it('selects by a setting inside a list of whole pruners, each with its own schedule', () => {
    const config = tinySyntheticConfig().replace(
      'pruner: {name: gmp, schedule: {interval: 2}}',
      'pruner: [{name: gmp, schedule: {interval: 2}}, {name: static}]',
    );
    const plan = planOf(config);
    expect(plan.axes.map((a) => a.key)).toContain('pruner');
    // no shared-schedule warning: each pruner carries its own
    expect(planWarnings(plan).join('\n')).not.toMatch(/pruner\.schedule applies to every pruner\.name/);
    const trials = plan.trials.map((t) => ({
      ...trial(t.spec.sparsity, 3000, 4096),
      id: t.id,
      axes: t.axes,
    }));
    const gmp = selectTrials(trials, plan.axes, [{ key: 'pruner.name', value: 'gmp' }]);
    // the dense trial, which both share, and gmp's sparse one
    expect(gmp.map((t) => t.sparsity)).toEqual([0, 0.5]);
    expect(plan.trials.find((t) => t.id === gmp[1].id)?.spec.pruner.name).toBe('gmp');
    expect(() => selectTrials(trials, plan.axes, [{ key: 'pruner.name', value: 'rigl' }])).toThrow(
      "--where pruner.name=rigl: the sweep's pruner.name values are gmp, static",
    );
    expect(() => selectTrials(trials, plan.axes, [{ key: 'pruner.kind', value: 'x' }])).toThrow(
      "--where pruner.kind=x: none of the sweep's settings gives pruner.kind a value; valid: pruner, pruner.name, pruner.schedule",
    );
    expect(() => selectTrials(trials, plan.axes, [{ key: 'model.x', value: '1' }])).toThrow(
      /valid: pruner, pruner\.name, pruner\.schedule$/,
    );
    // fit-law --each: the names, or the whole pruners as JSON
    expect(eachValues(plan.axes, 'pruner.name')).toEqual(['gmp', 'static']);
    expect(eachValues(plan.axes, 'pruner').map((v) => JSON.parse(v).name)).toEqual(['gmp', 'static']);
    expect(() => eachValues(plan.axes, 'pruner.schedule.interval')).toThrow(
      "--each pruner.schedule.interval: only some of the sweep's settings give it a value (2), so there is no second one to fit",
    );
    // a fit pooling them names the way to pick one
    expect(pooledSettingsWarning(trials, plan.axes)).toMatch(
      /fit one setting at a time, e\.g\. --where pruner\.name=gmp$/,
    );
    // the whole pruners named in words (their names tell them apart), not as JSON
    expect(pooledSettingsWarning(trials, plan.axes)).toMatch(
      /^the points pool several settings of pruner \(gmp, static\) /,
    );
  });

  it('selects one seed of a sweep that trains several, its dense trials with it', () => {
    const axes = [...AXES.filter((a) => a.key !== 'train.optimizer.lr'), { key: 'seed', values: [0, 1] }];
    const seeded = (s: number, seed: number) => ({
      ...at(s, { 'pruner.name': 'gmp' }),
      seed,
      axes: { sparsity: s, nonzero_params: 8000, tokens: 1e5, seed, 'pruner.name': 'gmp' },
    });
    const trials = [seeded(0, 0), seeded(0.5, 0), seeded(0, 1), seeded(0.5, 1)];
    expect(
      selectTrials(trials, axes, [{ key: 'seed', value: '1' }]).map((t) => [t.sparsity, t.seed]),
    ).toEqual([
      [0, 1],
      [0.5, 1],
    ]);
    // one seed: nothing to select by
    expect(() => selectTrials(trials, AXES, [{ key: 'seed', value: '0' }])).toThrow(
      /seed is not an axis of this sweep/,
    );
    expect(eachValues(axes, 'seed')).toEqual(['0', '1']);
    expect(() => eachValues(AXES, 'seed')).toThrow(/^--each seed: seed is not an axis of this sweep/);
  });

  it('plans a list of one value as a setting, not an axis: the same trials, no axis to label or select by', () => {
    const base = tinySyntheticConfig();
    const one = planOf(base.replace('sweep:\n', 'sweep:\n  pruner.schedule.interval: [3]\n'));
    const plain = planOf(
      base.replace(
        'pruner: {name: gmp, schedule: {interval: 2}}',
        'pruner: {name: gmp, schedule: {interval: 3}}',
      ),
    );
    expect(one.trials.map((t) => t.id)).toEqual(plain.trials.map((t) => t.id));
    expect(one.axes.map((a) => a.key)).toEqual(['sparsity', 'nonzero_params', 'tokens', 'seed']);
    expect(one.trials.every((t) => !('pruner.schedule.interval' in t.axes))).toBe(true);
  });

  it('refuses two values of one key, which no trial has, and takes a repeated condition once', () => {
    expect(() =>
      selectTrials(all, AXES, [
        { key: 'pruner.name', value: 'gmp' },
        { key: 'train.optimizer.lr', value: '0.001' },
        { key: 'pruner.name', value: 'static' },
      ]),
    ).toThrow(
      '--where pruner.name=gmp and --where pruner.name=static: a trial has one pruner.name, so no trial has both',
    );
    const twice = [
      { key: 'pruner.name', value: 'static' },
      { key: 'pruner.name', value: 'static' },
    ];
    expect(selectTrials(all, AXES, twice)).toEqual([dense, stat, denseFast]);
  });

  it('warns when the points pool settings of an axis, and not when one setting is left', () => {
    expect(pooledSettingsWarning(all, AXES)).toBe(
      'the points pool several settings of pruner.name (gmp, static) and train.optimizer.lr (0.001, 0.003) into one law, ' +
        'as if they trained alike; fit one setting at a time, e.g. --where pruner.name=gmp',
    );
    // the dense trials carry a pruner name but do not make a pruner setting of their own
    expect(pooledSettingsWarning([dense, stat], AXES)).toBeNull();
    expect(pooledSettingsWarning([dense, gmp, denseFast, fast], AXES)).toMatch(
      /train\.optimizer\.lr \(0\.001, 0\.003\)/,
    );
    expect(pooledSettingsWarning([gmp, stat], AXES.slice(0, 2))).toBeNull();
  });
});

describe('selecting by a piece of whole pruners (pattern, distribution)', () => {
  const uniform = { name: 'gmp', schedule: { interval: 10 } };
  const erk = { name: 'gmp', distribution: 'erk', schedule: { interval: 10 } };
  const erkOpts = { name: 'gmp', distribution: { name: 'erk', scale: 2 }, schedule: { interval: 10 } };
  const nm = { name: 'gmp', pattern: { name: 'nm', m: 4 }, schedule: { interval: 10 } };
  // options of the default distribution, without its name: uniform still
  const embedded = { name: 'gmp', distribution: { embeddings: true }, schedule: { interval: 20 } };
  const axes = [
    { key: 'sparsity', values: [0, 0.5] },
    { key: 'pruner', values: [uniform, erk, erkOpts, nm, embedded] },
  ];
  const dense = at(0, { pruner: uniform });
  const [u, e, eo, n, em] = [uniform, erk, erkOpts, nm, embedded].map((p) => at(0.5, { pruner: p }));
  const all = [dense, u, e, eo, n, em];
  const where = (key: string, value: string) => selectTrials(all, axes, [{ key, value }]);

  it('reads a piece left out as its default, and a piece written by name or as a mapping alike', () => {
    // before: "every trial of the sweep has pruner.distribution = erk", though two of four are uniform
    expect(where('pruner.distribution', 'erk')).toEqual([dense, e, eo]);
    expect(where('pruner.distribution', 'uniform')).toEqual([dense, u, n, em]);
    expect(where('pruner.distribution.embeddings', 'true')).toEqual([dense, em]);
    // a schedule's options, without a name, select as written (its default depends on the algorithm)
    expect(where('pruner.schedule.interval', '20')).toEqual([dense, em]);
    expect(where('pruner.schedule', '{"interval":20}')).toEqual([dense, em]);
    expect(where('pruner.distribution.name', 'erk')).toEqual([dense, e, eo]);
    expect(where('pruner.distribution.scale', '2')).toEqual([dense, eo]);
    expect(where('pruner.pattern', 'nm')).toEqual([dense, n]);
    expect(where('pruner.pattern', 'unstructured')).toEqual([dense, u, e, eo, em]);
    expect(eachValues(axes, 'pruner.distribution')).toEqual(['uniform', 'erk']);
    expect(eachValues(axes, 'pruner.pattern')).toEqual(['unstructured', 'nm']);
    expect(() => eachValues(axes, 'pruner.distribution.scale')).toThrow(
      "--each pruner.distribution.scale: only some of the sweep's settings give it a value (2), so there is no second one to fit",
    );
    expect(() => where('pruner.distribution', 'snip')).toThrow(
      "--where pruner.distribution=snip: the sweep's pruner.distribution values are uniform, erk",
    );
  });
});
