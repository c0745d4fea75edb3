/**
 * Cluster fencing in the Redis store and the lease manager (issue "cluster correctness", item 1): in a store opened
 * for several nodes, no write of a session — journal append, snapshot, sealed ballot box — lands without the
 * session's current lease token; leases are taken with a fresh epoch after asking Redis, and released by
 * compare-and-delete only. Runs against the Redis at REDIS_URL (default 127.0.0.1:6379) on a random prefix; an
 * unreachable Redis fails this file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openRedisStore, redisKeys, type RedisStore } from '../../src/store/redis.ts';
import { StoreFencedError, type JournalInput } from '../../src/store/types.ts';
import { LeaseManager } from '../../src/runtime/cluster.ts';
import { REDIS_URL, redisPrefixForTest, useRedis } from '../support/redis.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const shared = useRedis();
const admin = () => shared.redis();
const stores: RedisStore[] = [];
const leases: LeaseManager[] = [];

afterEach(async () => {
  for (const l of leases.splice(0)) await l.close();
  for (const s of stores.splice(0)) await s.close();
});

async function fencedStore(): Promise<{ store: RedisStore; prefix: string; fenced: string[] }> {
  const prefix = redisPrefixForTest('hall-fence');
  const fenced: string[] = [];
  const store = await openRedisStore(REDIS_URL, { prefix, log: () => undefined, requireFence: true, onFenced: (id) => fenced.push(id) });
  stores.push(store);
  return { store, prefix, fenced };
}

const record = (k: number): JournalInput => ({ at: 1_780_000_000_000 + k, commandId: `c-${k}-xxxxxx`, event: { type: 'attendance.set', k } });

describe('[FENCE] a fenced store writes nothing without the current lease', () => {
  it('[FENCE-1] without a token: append, snapshot and ballot box are refused before reaching Redis', async () => {
    const { store, prefix, fenced } = await fencedStore();
    const keys = redisKeys(prefix);
    await expect(store.journal.append('s1', [record(1)], 0)).rejects.toBeInstanceOf(StoreFencedError);
    await expect(store.journal.saveSnapshot('s1', { machineVersion: 1, seq: 0, snapshot: {} })).rejects.toBeInstanceOf(StoreFencedError);
    await expect(store.ballots.save('s1.p1', { wrappedKey: 'w', sealed: [] })).rejects.toBeInstanceOf(StoreFencedError);
    await expect(store.ballots.destroy('s1.p1')).rejects.toBeInstanceOf(StoreFencedError);
    expect(await admin().exists(keys.journal('s1'), keys.snapshot('s1'), keys.genesis('s1'), keys.ballot('s1.p1'))).toBe(0);
    expect(fenced.length).toBeGreaterThanOrEqual(3);
  });

  it('[FENCE-2] with a token that is not the lease: refused and nothing written; with the lease: written; after a takeover: refused again', async () => {
    const { store, prefix } = await fencedStore();
    const keys = redisKeys(prefix);
    const lease = keys.lease('s1');
    // No lease at all.
    await expect(store.journal.append('s1', [record(1)], 0, 'node-a:1')).rejects.toBeInstanceOf(StoreFencedError);
    await admin().set(lease, 'node-a:1', 'PX', 60_000);
    expect(await store.journal.append('s1', [record(1)], 0, 'node-a:1')).toBe(1);
    await store.journal.saveSnapshot('s1', { machineVersion: 1, seq: 0, snapshot: { v: 0 } }, 'node-a:1');
    await store.ballots.save('s1.p1', { wrappedKey: 'w', sealed: ['a'] }, { sessionId: 's1', token: 'node-a:1' });
    // Node b takes the session over (epoch 2): node a's old token writes nothing any more.
    await admin().set(lease, 'node-b:2', 'PX', 60_000);
    await expect(store.journal.append('s1', [record(2)], 1, 'node-a:1')).rejects.toBeInstanceOf(StoreFencedError);
    await expect(store.journal.saveSnapshot('s1', { machineVersion: 1, seq: 1, snapshot: { v: 'stale' } }, 'node-a:1')).rejects.toBeInstanceOf(StoreFencedError);
    await expect(store.ballots.save('s1.p1', { wrappedKey: 'w', sealed: ['a', 'b'] }, { sessionId: 's1', token: 'node-a:1' })).rejects.toBeInstanceOf(StoreFencedError);
    await expect(store.ballots.destroy('s1.p1', { sessionId: 's1', token: 'node-a:1' })).rejects.toBeInstanceOf(StoreFencedError);
    expect(await admin().xlen(keys.journal('s1'))).toBe(1);
    expect(JSON.parse((await admin().get(keys.snapshot('s1')))!).snapshot).toEqual({ v: 0 });
    expect(JSON.parse((await admin().get(keys.ballot('s1.p1')))!).sealed).toEqual(['a']);
    // The new owner writes.
    expect(await store.journal.append('s1', [record(2)], 1, 'node-b:2')).toBe(2);
    // A box belongs to its own session's lease only.
    await expect(store.ballots.save('s2.p1', { wrappedKey: 'w', sealed: [] }, { sessionId: 's1', token: 'node-b:2' })).rejects.toThrow(/does not belong/);
  });

  it('[FENCE-3] a seq-0 snapshot is also kept as the genesis, which later snapshots never replace', async () => {
    const { store, prefix } = await fencedStore();
    await admin().set(redisKeys(prefix).lease('s1'), 'node-a:1', 'PX', 60_000);
    await store.journal.saveSnapshot('s1', { machineVersion: 1, seq: 0, snapshot: { frozen: true } }, 'node-a:1');
    await store.journal.saveSnapshot('s1', { machineVersion: 1, seq: 7, snapshot: { later: true }, hash: 'a'.repeat(64) }, 'node-a:1');
    expect((await store.journal.loadSnapshot('s1'))?.seq).toBe(7);
    expect(await store.journal.loadGenesis('s1')).toEqual({ machineVersion: 1, seq: 0, snapshot: { frozen: true } });
  });
});

describe('[LEASE] leases: a fresh epoch after asking Redis, compare-and-delete release', () => {
  async function manager(nodeId: string, onLost: (id: string, token: string) => void = () => undefined) {
    const { store, prefix } = await fencedStore();
    const l = new LeaseManager(store.client, prefix, nodeId, 2000, onLost, quiet);
    leases.push(l);
    return { l, store, prefix };
  }

  it('[LEASE-1] every acquisition takes a new epoch; a held lease is not taken again; release deletes only its own token', async () => {
    const { l, prefix } = await manager('node-a');
    const key = redisKeys(prefix).lease('s1');
    const first = await l.acquire('s1');
    expect(first).toEqual({ ok: true, token: 'node-a:1' });
    expect(await l.acquire('s1')).toEqual({ ok: false, holder: 'node-a:1' });
    await l.release('s1', 'node-a:1');
    expect(await admin().get(key)).toBeNull();
    const second = await l.acquire('s1');
    expect(second).toEqual({ ok: true, token: 'node-a:2' });
    // Releasing the old token (a dropped room of epoch 1) leaves the new lease alone: no DEL of someone else's lease.
    await l.release('s1', 'node-a:1');
    expect(await admin().get(key)).toBe('node-a:2');
  });

  it('[LEASE-2] acquire asks Redis: a lease taken over behind this node’s back is reported, and renewal notices the loss', async () => {
    const lost: string[] = [];
    const { l, prefix } = await manager('node-a', (id, token) => lost.push(`${id}/${token}`));
    const key = redisKeys(prefix).lease('s1');
    const got = await l.acquire('s1');
    expect(got.ok).toBe(true);
    await admin().set(key, 'node-b:9', 'PX', 60_000);
    expect(await l.acquire('s1')).toEqual({ ok: false, holder: 'node-b:9' });
    await expect.poll(() => lost, { timeout: 10_000 }).toEqual(['s1/node-a:1']);
    expect(l.holds('s1', 'node-a:1')).toBe(false);
  });
});
