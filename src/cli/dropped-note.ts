import type { DroppedTrials } from '../store/store.js';
import { count } from '../util/format.js';

/**
 * Says which trials the sweep no longer has and where they went: those of an earlier config under the same
 * name, and those an earlier sparsebench made, whose ids (and results) mean something else.
 */
export function droppedNote(sweep: string, dropped: DroppedTrials): string {
  const { trials, finished, olderVersion, otherBackend } = dropped;
  const kept = 'They stay in the database (`sparsebench runs list --all` lists every trial with its sweeps)';
  const older =
    olderVersion > 0
      ? `${olderVersion} of sweep ${sweep}'s earlier trials ${olderVersion === 1 ? 'was' : 'were'} made by an earlier sparsebench whose trials are not comparable with this one's (an earlier trial spec version or revision of the model's or pruner's training; see the README's "Trial identity"), so ${olderVersion === 1 ? 'its settings are' : 'their settings are'} trained afresh under new ids. `
      : '';
  // the backend is part of a trial's identity: the same settings under another --backend are other trials
  const backend =
    otherBackend > 0
      ? `${otherBackend} of sweep ${sweep}'s earlier trials ${otherBackend === 1 ? 'differs' : 'differ'} from this plan's only in the backend (--backend, or backend: in the config; \`auto\` counts as written, not as what it picks): a trial's backend is part of its identity, so ${otherBackend === 1 ? 'that trial is' : 'those trials are'} trained again under new ids and the sweep's fit and report no longer see the earlier ones; to keep them, run with the backend they were trained on. `
      : '';
  const other = trials - olderVersion - otherBackend;
  const config =
    other > 0
      ? `sweep ${sweep} was run before with another plan (another config, or data files that changed since); ${other} of its trials ${other === 1 ? 'is' : 'are'} not in this one, so its fit and report no longer see them; run the earlier config on the earlier data again to bring them back, or give a new study a new name. `
      : '';
  return `note: ${older}${backend}${config}${kept}: ${count(trials, 'trial')}, ${finished} finished.`;
}
