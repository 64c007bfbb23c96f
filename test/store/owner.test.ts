import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_MS, ownerIsDead, shownStatus } from '../../src/store/owner.js';

describe('the status a trial is shown with', () => {
  const now = 1_800_000_000_000;
  it('says when a running trial has lost its owner, or its heartbeat, and leaves the rest as stored', () => {
    // a pid that cannot exist on this host: its owner is gone (kill -9)
    expect(
      shownStatus({ status: 'running', owner: `${hostname()}:2147483646:abc`, heartbeatAt: now }, now),
    ).toBe('running (owner gone)');
    // this process, alive: only the heartbeat can say it stalled
    const me = `${hostname()}:${process.pid}:abc`;
    expect(shownStatus({ status: 'running', owner: me, heartbeatAt: now - 1000 }, now)).toBe('running');
    expect(shownStatus({ status: 'running', owner: me, heartbeatAt: now - DEFAULT_LEASE_MS - 1 }, now)).toBe(
      'running (no heartbeat)',
    );
    // another host: judged by the heartbeat alone
    expect(shownStatus({ status: 'running', owner: 'elsewhere:1:x', heartbeatAt: now }, now)).toBe('running');
    expect(shownStatus({ status: 'finished', owner: null, heartbeatAt: null }, now)).toBe('finished');
    expect(shownStatus({ status: 'running' }, now)).toBe('running'); // a record built without them
  });
});

const owner = (pid: number) => `${hostname()}:${pid}:abcdef`;

describe('ownerIsDead', () => {
  it('tells a live process from a gone one, and trusts only heartbeats for other hosts', () => {
    expect(ownerIsDead(null)).toBe(true);
    expect(ownerIsDead(owner(process.pid))).toBe(false);
    expect(ownerIsDead(owner(2 ** 22 + 1))).toBe(true); // above Linux's largest pid
    expect(ownerIsDead(`another-host-${hostname()}:1:abcdef`)).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'counts a killed process that its parent has not reaped yet (a zombie) as dead',
    async () => {
      // the shell starts a child that exits at once, then becomes `sleep`, which never reaps it: a zombie
      const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 5'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        const pid = await new Promise<number>((done) =>
          parent.stdout.once('data', (b) => done(Number(String(b)))),
        );
        await new Promise((r) => setTimeout(r, 300));
        expect(ownerIsDead(owner(pid))).toBe(true);
        expect(ownerIsDead(owner(parent.pid!))).toBe(false);
      } finally {
        parent.kill('SIGKILL');
      }
    },
  );
});
