/**
 * The storage contract against a real Redis at REDIS_URL (default redis://127.0.0.1:6379), plus what only the Redis
 * adapter has to show: racing writers on one journal, damage behind the store's back, the key layout.
 * Every store opens on a random key prefix and its keys are deleted afterwards (SCAN + UNLINK), so runs can share a
 * Redis. An unreachable Redis FAILS this file, loudly: it is never skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeStoreContract } from '../../src/store/contract.ts';
import { JournalCorruptError, canonicalJson } from '../../src/store/chain.ts';
import { openRedisStore, redisKeys, type RedisStore } from '../../src/store/redis.ts';
import { StoreConflictError, type JournalInput } from '../../src/store/types.ts';
import { AuthService, LOGIN_LINK_TTL_MS } from '../../src/auth/service.ts';
import { REDIS_URL, dropRedisPrefix, keysUnder as keysOf, newRedisPrefix, redisPrefixForTest, useRedis } from '../support/redis.ts';

const unreachable = (err: unknown) =>
  new Error(
    `The Redis store tests need a Redis 7 at REDIS_URL=${REDIS_URL} and could not reach it (${(err as Error).message}). ` +
      'Start one (redis-server) or point REDIS_URL at one; these tests are never skipped.',
  );

const shared = useRedis();
const admin = () => shared.redis();
const keysUnder = (prefix: string) => keysOf(admin(), prefix);

async function open(prefix: string): Promise<RedisStore> {
  try {
    return await openRedisStore(REDIS_URL, { prefix, log: () => undefined, connectTimeoutMs: 3000 });
  } catch (err) {
    throw unreachable(err);
  }
}

/** Rewrites the journal stream with record `seq`'s event changed (older ids cannot be re-added in place). */
async function tamperRedis(prefix: string, sessionId: string, seq: number): Promise<void> {
  const key = redisKeys(prefix).journal(sessionId);
  const entries = await admin().xrange(key, '-', '+');
  const multi = admin().multi().del(key);
  for (const [id, fields] of entries) {
    let line = fields[1] as string;
    if (id === `${seq}-1`) {
      const record = JSON.parse(line) as { event: Record<string, unknown> };
      record.event = { ...record.event, tampered: true };
      line = JSON.stringify(record);
    }
    multi.xadd(key, id, 'r', line);
  }
  await multi.exec();
}

describeStoreContract(
  'redis',
  async () => {
    const prefix = newRedisPrefix();
    let current = await open(prefix);
    return {
      store: current,
      async reopen() {
        await current.close();
        current = await open(prefix);
        return current;
      },
      async cleanup() {
        await current.close();
        await dropRedisPrefix(prefix, admin());
      },
      tamper: (sessionId, seq) => tamperRedis(prefix, sessionId, seq),
    };
  },
  { timeoutMs: 30_000 },
);

const ev = (n: number): JournalInput => ({ at: 1_760_000_000_000 + n, commandId: `cmd-${n}`, event: { type: 'note.added', n, text: `bí mật ${n}` } });

describe('redis store: adapter specifics', () => {
  let prefix: string;
  const opened: RedisStore[] = [];
  const openHere = async () => {
    const s = await open(prefix);
    opened.push(s);
    return s;
  };
  const k = () => redisKeys(prefix);

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('[REDIS-1] key layout: a stream with ids <seq>-1 holding canonical lines, a tail hash, hashes per collection', async () => {
    prefix = redisPrefixForTest();
    const store = await openHere();
    await store.journal.append('s1', [ev(1), ev(2)]);
    await store.journal.saveSnapshot('s1', { machineVersion: 1, seq: 2, snapshot: {} });
    await store.catalog.putAccount({ id: 'a1', role: 'admin', displayName: 'A', councilIds: [], secretHash: 'x' });
    await store.ballots.save('s1.p1', { wrappedKey: 'w', sealed: ['x'] });
    expect(await keysUnder(prefix)).toEqual([k().ballot('s1.p1'), k().collection('accounts'), k().journal('s1'), k().journalMeta('s1'), k().snapshot('s1'), k().storeId].sort());
    const entries = await admin().xrange(k().journal('s1'), '-', '+');
    expect(entries.map(([id]) => id)).toEqual(['1-1', '2-1']);
    const records = await store.journal.read('s1');
    // The stored line is the canonical JSON the embedded adapter writes: the journal moves between adapters as is.
    expect(entries[1]![1]).toEqual(['r', canonicalJson(records[1])]);
    expect(await admin().hgetall(k().journalMeta('s1'))).toEqual({ lastSeq: '2', lastHash: records[1]!.hash });
    await store.ballots.destroy('s1.p1');
    expect(await admin().exists(k().ballot('s1.p1'))).toBe(0);
  });

  it('[REDIS-9] a QR login link issued on one node is redeemed on another, once, and expires in Redis with the link', async () => {
    prefix = redisPrefixForTest();
    const a = await openHere();
    const b = await openHere();
    const account = { id: 'bn-d001', role: 'delegate' as const, displayName: 'Đại biểu 1', councilIds: ['bac-ninh'], delegateId: 'bn-d001', secretHash: 'x' };
    await a.catalog.putAccount(account);
    const issuer = new AuthService(a.catalog, { tokenSecret: 'redis-links-test-secret-0123456789', tokenTtlSec: 3600, links: a.links });
    const redeemer = new AuthService(b.catalog, { tokenSecret: 'redis-links-test-secret-0123456789', tokenTtlSec: 3600, links: b.links });
    const token = await issuer.issueLoginLink('bn-d001');
    const [linkKey] = (await keysUnder(prefix)).filter((key) => key.startsWith(`${prefix}link:`));
    expect(linkKey).toBeDefined();
    // The key is the token's hash (a dump of Redis hands out no working link), and it expires with the link.
    expect(linkKey).not.toContain(token);
    const ttl = await admin().pttl(linkKey!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LOGIN_LINK_TTL_MS);
    expect(await redeemer.redeemLoginLink(token)).toMatchObject({ ok: true });
    expect(await issuer.redeemLoginLink(token)).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('[REDIS-2] two stores (two nodes) racing on one journal with the same expectedSeq: one wins, the chain never forks', async () => {
    prefix = redisPrefixForTest();
    const a = await openHere();
    const b = await openHere();
    await a.journal.append('s1', [ev(0)]);
    await b.journal.lastSeq('s1');
    for (let round = 1; round <= 20; round++) {
      const base = round;
      const results = await Promise.allSettled([a.journal.append('s1', [ev(round * 10)], base), b.journal.append('s1', [ev(round * 10 + 1)], base)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StoreConflictError);
    }
    expect(await a.journal.verify('s1')).toEqual({ ok: true, records: 21 });
  });

  it('[REDIS-3] appends without expectedSeq from two stores interleave on the real tail (stale cached tails are re-chained)', async () => {
    prefix = redisPrefixForTest();
    const a = await openHere();
    const b = await openHere();
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).journal.append('s1', [ev(i), ev(i + 100)])));
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => 2 * (i + 1)));
    const fresh = await openHere();
    const records = await fresh.journal.read('s1');
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(await fresh.journal.verify('s1')).toEqual({ ok: true, records: 80 });
  });

  it('[REDIS-10] a journal born between a node reading its tail and its records is not taken for damaged', async () => {
    prefix = redisPrefixForTest();
    const owner = await openHere();
    const reader = await openHere();
    // The reader's first look at the tail finds none; the owner's first append (records and tail at once) lands right
    // after, before the reader pages through the records.
    const hmget = reader.client.hmget.bind(reader.client);
    let born: Promise<number> | null = null;
    reader.client.hmget = (async (...args: Parameters<typeof hmget>) => {
      const tail = await hmget(...args);
      if (!born) {
        born = owner.journal.append('s1', [ev(1), ev(2)]);
        await born;
      }
      return tail;
    }) as typeof reader.client.hmget;
    const seen = await reader.journal.read('s1');
    expect(born).not.toBeNull();
    expect(seen.map((r) => r.seq)).toEqual([1, 2]);
    // Nothing false is remembered: the reader appends on the same chain, and both see it whole.
    expect(await reader.journal.append('s1', [ev(3)], 2)).toBe(3);
    expect(await owner.journal.verify('s1')).toEqual({ ok: true, records: 3 });
    expect(await reader.journal.lastSeq('s1')).toBe(3);
  });

  it('[REDIS-4] damage found on first touch: read, lastSeq and append refuse naming the seq; nothing is written', async () => {
    prefix = redisPrefixForTest();
    const writer = await openHere();
    for (let n = 1; n <= 6; n++) await writer.journal.append('s1', [ev(n)]);
    await tamperRedis(prefix, 's1', 4);
    const before = await admin().xrange(k().journal('s1'), '-', '+');
    const store = await openHere();
    const err = await store.journal.read('s1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect((err as Error).message).toMatch(/seq 4\b/);
    await expect(store.journal.lastSeq('s1')).rejects.toThrow(/seq 4\b/);
    await expect(store.journal.append('s1', [ev(7)])).rejects.toThrow(/seq 4\b/);
    expect(await store.journal.verify('s1')).toEqual({ ok: false, records: 6, firstBadSeq: 4 });
    const third = await openHere();
    await expect(third.journal.append('s1', [ev(7)], 6)).rejects.toBeInstanceOf(JournalCorruptError);
    expect(await admin().xrange(k().journal('s1'), '-', '+')).toEqual(before);
  });

  it('[REDIS-5] a deleted record is caught by verify and by the append script, even in a store that checked the journal before', async () => {
    prefix = redisPrefixForTest();
    const store = await openHere();
    await store.journal.append('s1', [ev(1), ev(2), ev(3)]);
    await admin().xdel(k().journal('s1'), '3-1');
    expect(await store.journal.verify('s1')).toEqual({ ok: false, records: 2, firstBadSeq: 3 });
    await expect(store.journal.append('s1', [ev(4)])).rejects.toThrow(/seq 3\b/);
    await admin().xdel(k().journal('s1'), '1-1');
    expect(await store.journal.verify('s1')).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(await admin().xlen(k().journal('s1'))).toBe(1);
  });

  it('[REDIS-6] read(fromSeq) pages through long journals and checks the link to the record before the range', async () => {
    prefix = redisPrefixForTest();
    const store = await openHere();
    const batch = Array.from({ length: 500 }, (_, i) => ev(i));
    for (let i = 0; i < 5; i++) await store.journal.append('s1', batch);
    const all = await store.journal.read('s1');
    expect(all).toHaveLength(2500);
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(await store.journal.read('s1', 1001)).toEqual(all.slice(1000));
    expect(await store.journal.read('s1', 2500)).toEqual(all.slice(2499));
    expect(await store.journal.read('s1', 2501)).toEqual([]);
    expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 2500 });
    await tamperRedis(prefix, 's1', 1999);
    await expect(store.journal.read('s1', 1500)).rejects.toThrow(/seq 1999\b/);
    // The record just before the range: its own hash no longer matches its content.
    await expect(store.journal.read('s1', 2000)).rejects.toThrow(/seq 1999\b/);
    await expect(store.journal.read('s1', 2001)).resolves.toHaveLength(500);
  });

  it('[REDIS-7] an unreachable Redis makes open fail with a clear error within its timeout', async () => {
    prefix = redisPrefixForTest();
    const started = Date.now();
    await expect(openRedisStore('redis://127.0.0.1:1', { prefix, log: () => undefined, connectTimeoutMs: 500 })).rejects.toThrow(/unreachable/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('[REDIS-8] waitReplicas: with no replica the append is refused after the WAIT, yet the record is on the primary', async () => {
    prefix = redisPrefixForTest();
    const store = await openRedisStore(REDIS_URL, { prefix, log: () => undefined, waitReplicas: 1 });
    opened.push(store);
    await expect(store.journal.append('s1', [ev(1)])).rejects.toThrow(/0 of 1 replicas/);
    expect(await store.journal.lastSeq('s1')).toBe(1);
  });
});
