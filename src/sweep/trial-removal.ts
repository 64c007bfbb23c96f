import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { shownStatus } from '../store/owner.js';
import type { Store } from '../store/store.js';
import type { TrialRecord, TrialStatus } from '../store/types.js';
import { weightsPath } from '../store/weights.js';
import { checkpointPath } from './checkpoints.js';

/** The files of a trial beside its database that exist, by kind: its checkpoint and its final weights. */
export function trialFiles(
  dbPath: string,
  trialId: string,
): { kind: 'checkpoint' | 'weights'; path: string }[] {
  return [
    { kind: 'checkpoint' as const, path: checkpointPath(dbPath, trialId) },
    { kind: 'weights' as const, path: weightsPath(dbPath, trialId) },
  ].filter((f) => existsSync(f.path));
}

/**
 * Why these trials cannot be removed now, or null: one is being trained (its owner alive, its heartbeat fresh), or
 * one's final weights are where an unfinished `from-dense` trial not removed with it starts from (it could then
 * never train). `all`: every trial of the database.
 */
export function removalBlocker(
  trials: readonly TrialRecord[],
  all: readonly TrialRecord[],
  dbPath: string,
): string | null {
  const live = trials.find((t) => shownStatus(t) === 'running');
  if (live)
    return `trial ${live.id} is being trained now (by ${live.owner}); stop its sweep first (Ctrl-C checkpoints it), then remove it`;
  const removed = new Set(trials.map((t) => t.id));
  const starts = new Map(trials.map((t) => [weightsPath(dbPath, t.id), t.id]));
  for (const t of all) {
    if (removed.has(t.id) || t.status === 'finished' || t.spec.pruner?.name !== 'from-dense') continue;
    const weights = (t.spec.pruner.options as { weights?: unknown } | undefined)?.weights;
    const source = typeof weights === 'string' ? starts.get(resolve(weights)) : undefined;
    if (source)
      return `trial ${source}'s weights are where the unfinished from-dense trial ${t.id} (${t.status}) starts from; remove it too, or train it first`;
  }
  return null;
}

/**
 * The finished `from-dense` trials, not removed with them, that started from the final weights of one of these
 * trials: they keep their results, but a config that names the removed trial (`pruner.options.trial`) can no longer
 * be planned, so their sweep cannot run again as it is. `all`: every trial of the database.
 */
export function finishedDependants(
  trials: readonly TrialRecord[],
  all: readonly TrialRecord[],
  dbPath: string,
): TrialRecord[] {
  const removed = new Set(trials.map((t) => t.id));
  const starts = new Set(trials.map((t) => weightsPath(dbPath, t.id)));
  return all.filter((t) => {
    if (removed.has(t.id) || t.status !== 'finished' || t.spec.pruner?.name !== 'from-dense') return false;
    const weights = (t.spec.pruner.options as { weights?: unknown } | undefined)?.weights;
    return typeof weights === 'string' && starts.has(resolve(weights));
  });
}

/**
 * Removes trials from a database with everything of theirs: rows, logged metrics, places in sweeps, checkpoints and
 * final weights, and the stored fits made from them. Checked again under the database's write lock
 * ({@link removalBlocker}, and each trial's status against `listed`, the status it was chosen at), so no sweep can
 * claim one meanwhile and none that changed since it was listed goes; a check that fails there removes nothing
 * (UsageError). Returns the ids of the fits removed.
 */
export function removeTrials(
  store: Store,
  ids: readonly string[],
  listed: ReadonlyMap<string, TrialStatus> = new Map(),
): { fits: number[] } {
  return store.removeTrials(ids, (current) => {
    const changed = current.find((t) => listed.has(t.id) && listed.get(t.id) !== t.status);
    if (changed)
      throw new UsageError(
        `trial ${changed.id} is ${changed.status} now, not ${listed.get(changed.id)} as listed (a sweep wrote it meanwhile); nothing was removed: run the command again`,
      );
    const blocker = removalBlocker(current, store.listTrials(null), store.path);
    if (blocker) throw new UsageError(blocker);
    for (const t of current) for (const f of trialFiles(store.path, t.id)) rmSync(f.path, { force: true });
  });
}
