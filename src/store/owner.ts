import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Identity of this process as a trial owner: host:pid:nonce. */
export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Whether the process that owns a lease is certainly gone: it ran on this host and its pid no longer
 * exists. Owners on other hosts are judged by heartbeat age alone.
 */
export function ownerIsDead(owner: string | null): boolean {
  if (!owner) return true;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return false; // ourselves: only the heartbeat age can expire it
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // killed but not yet reaped by its parent (a zombie still answers signal 0): dead all the same
  return isZombie(pid);
}

/** Whether `pid` is a zombie, from /proc (Linux); false where /proc cannot tell. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "pid (comm) state ...": comm may hold spaces and parentheses, so the state follows the last ")"
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false;
  }
}

/**
 * A running trial whose heartbeat is older than this is taken over by the next claim (its owner presumed dead):
 * ten minutes, far longer than any gap between two heartbeats of a live trainer.
 */
export const DEFAULT_LEASE_MS = 10 * 60 * 1000;

/**
 * A trial's status as a reader should see it: a running trial whose owner process is gone (killed on this host)
 * or silent past the lease (another host) says so, since the database still reads "running" until the next
 * sweep takes it over and resumes it. Other statuses as stored.
 */
export function shownStatus(
  t: { status: string; owner?: string | null; heartbeatAt?: number | null },
  now = Date.now(),
): string {
  if (t.status !== 'running' || t.owner === undefined) return t.status;
  if (ownerIsDead(t.owner)) return 'running (owner gone)';
  if (t.heartbeatAt != null && now - t.heartbeatAt > DEFAULT_LEASE_MS) return 'running (no heartbeat)';
  return t.status;
}
