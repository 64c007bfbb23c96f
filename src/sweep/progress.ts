import cliProgress from 'cli-progress';
import type { TrialPlan } from '../config/plan.js';
import { dataUnitOf, unitLabels } from '../report/units.js';
import type { TrainProgress } from '../train/trainer.js';
import { count, fmt, fmtDuration } from '../util/format.js';

/** Where a sweep reports progress. */
export interface SweepReporter {
  start(total: number, alreadyDone: number): void;
  /**
   * `fromStep` > 0 when the trial resumes from a checkpoint; `note` says why a checkpoint it has was not used
   * (damaged, or written for another layout), when that is so.
   */
  trialStart(plan: TrialPlan, index: number, fromStep: number, note?: string): void;
  /** Several trials may be in flight at once (one per worker); `plan` says which one this is. */
  trialProgress(p: TrainProgress, plan: TrialPlan): void;
  trialEnd(plan: TrialPlan, outcome: 'finished' | 'failed' | 'interrupted' | 'skipped', detail: string): void;
  stop(): void;
}

/** A trial as its progress lines name it: id, pruner (which tells the trials of a sweep over pruners apart), S, N, D, seed. */
function describe(plan: TrialPlan): string {
  const s = plan.spec;
  return `${plan.id.slice(0, 8)} ${s.pruner.name} S=${s.sparsity} N=${fmt(plan.nonzero_params)} D=${fmt(plan.train_tokens)} seed=${s.seed}`;
}

/**
 * Bars on stderr: trials done of the sweep, and one per trial in flight with its tokens, loss, tokens/s and
 * ETA (cli-progress). For terminals only.
 */
export class BarReporter implements SweepReporter {
  private readonly multi = new cliProgress.MultiBar(
    { clearOnComplete: false, hideCursor: true, stream: process.stderr, fps: 5, autopadding: true },
    cliProgress.Presets.shades_classic,
  );
  private overall: cliProgress.SingleBar | null = null;
  /** Bars of the trials in flight, by trial id. */
  private readonly current = new Map<string, cliProgress.SingleBar>();

  start(total: number, alreadyDone: number): void {
    this.overall = this.multi.create(
      total,
      alreadyDone,
      {},
      { format: 'sweep  [{bar}] {value}/{total} trials' },
    );
  }
  trialStart(plan: TrialPlan, _index: number, fromStep: number, note?: string): void {
    if (note) this.multi.log(`${describe(plan)}: warning: ${note}\n`);
    if (fromStep > 0) this.multi.log(`${describe(plan)}: resuming from step ${fromStep}\n`);
    this.drop(plan.id);
    const bar = this.multi.create(
      plan.train_tokens,
      0,
      {
        trial: describe(plan),
        loss: '-',
        tps: '-',
        rate: unitLabels(dataUnitOf(plan.spec.model.family)).rate,
        left: '-',
      },
      { format: 'trial  [{bar}] {percentage}% {trial} | loss {loss} | {tps} {rate} | ETA {left}' },
    );
    this.current.set(plan.id, bar);
  }
  private drop(id: string): void {
    const bar = this.current.get(id);
    if (!bar) return;
    bar.stop();
    this.multi.remove(bar);
    this.current.delete(id);
  }
  trialProgress(p: TrainProgress, plan: TrialPlan): void {
    const eta =
      p.tokensPerSecond > 0 ? (p.steps * (p.tokens / p.step) - p.tokens) / p.tokensPerSecond : Number.NaN;
    this.current.get(plan.id)?.update(p.tokens, {
      loss: p.loss.toFixed(3),
      tps: fmt(p.tokensPerSecond),
      left: fmtDuration(eta),
    });
  }
  trialEnd(plan: TrialPlan, outcome: string, detail: string): void {
    this.drop(plan.id);
    if (outcome !== 'skipped' && outcome !== 'interrupted') this.overall?.increment(); // interrupted: resumes later
    if (outcome === 'failed') this.multi.log(`failed ${plan.id}: ${detail}\n`);
  }
  stop(): void {
    this.multi.stop();
  }
}

/** One line per trial on stderr: for logs, CI and pipes, where bars would be noise. */
export class LineReporter implements SweepReporter {
  private total = 0;
  private done = 0;
  private started = 0;
  /** Trials that failed in this run. */
  private failed = 0;
  /** The start number of each trial in flight: its end line carries the same [k/n] as its start line. */
  private readonly number = new Map<string, number>();
  start(total: number, alreadyDone: number): void {
    this.total = total;
    this.done = alreadyDone;
    this.started = alreadyDone;
    process.stderr.write(`sweep: ${count(total, 'trial')}, ${alreadyDone} already finished\n`);
  }
  trialStart(plan: TrialPlan, _index: number, fromStep: number, note?: string): void {
    const resumed = fromStep > 0 ? `, resuming from step ${fromStep}` : '';
    if (note) process.stderr.write(`warning: ${describe(plan)}: ${note}\n`);
    // numbered by start order: with several workers, trials start and end out of step
    this.started++;
    this.number.set(plan.id, this.started);
    process.stderr.write(
      `[${this.started}/${this.total}] training ${describe(plan)} (${plan.spec.steps} steps${resumed})\n`,
    );
  }
  trialProgress(): void {}
  trialEnd(plan: TrialPlan, outcome: string, detail: string): void {
    if (outcome === 'skipped') return;
    // an interrupted trial is not done: it resumes on the next run; a failed one is counted apart
    if (outcome === 'finished') this.done++;
    if (outcome === 'failed') this.failed++;
    const k = this.number.get(plan.id) ?? this.done + this.failed;
    this.number.delete(plan.id);
    const failed = this.failed > 0 ? `, ${this.failed} failed` : '';
    process.stderr.write(
      `[${k}/${this.total}] ${outcome} ${plan.id.slice(0, 8)}: ${detail} (${this.done} of ${this.total} finished${failed})\n`,
    );
  }
  stop(): void {}
}

/** Prints nothing (library use, tests). */
export class SilentReporter implements SweepReporter {
  start(): void {}
  trialStart(): void {}
  trialProgress(): void {}
  trialEnd(): void {}
  stop(): void {}
}
