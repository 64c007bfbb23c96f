import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_MS, shownStatus } from '../../src/store/owner.js';

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
