/** [CAP-4] The bookkeeping behind the connection caps (realtime/connection-limits.ts); over real sockets: connection-caps.test.ts. */
import { describe, expect, it } from 'vitest';
import { ConnectionLimits } from '../../src/realtime/connection-limits.ts';

describe('ConnectionLimits', () => {
  it('[CAP-4] counts per token and per address, releases once, and keeps a drained allowance across reconnects', () => {
    let now = 0;
    const limits = new ConnectionLimits({ socketsPerToken: 2, socketsPerIp: 3, commandRate: 1, now: () => now });
    const a = limits.admit('10.0.0.1', 't1');
    const b = limits.admit('10.0.0.1', 't1');
    expect('refused' in a || 'refused' in b).toBe(false);
    expect(limits.admit('10.0.0.1', 't1')).toEqual({ refused: 'token' });
    expect('refused' in limits.admit('10.0.0.1', null)).toBe(false);
    expect(limits.admit('10.0.0.1', 't2')).toEqual({ refused: 'ip' });
    if ('refused' in a || 'refused' in b) return;
    expect(a.bucket).toBe(b.bucket);
    a.release();
    a.release();
    expect(limits.counts('10.0.0.1', 't1')).toEqual({ ip: 2, token: 1 });
    // Drain the allowance (burst 2), drop every socket, reconnect: still drained.
    expect(b.bucket.take()).toBe(true);
    expect(b.bucket.take()).toBe(true);
    expect(b.bucket.take()).toBe(false);
    b.release();
    const again = limits.admit('10.0.0.1', 't1');
    if ('refused' in again) throw new Error('refused');
    expect(again.bucket.take()).toBe(false);
    now += 1000;
    expect(again.bucket.take()).toBe(true);
  });
});
