import { randomBytes } from 'node:crypto';
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
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
