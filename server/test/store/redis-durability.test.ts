/**
 * Durability and availability of the Redis adapter against a Redis of our own: `redis-server` started on a free
 * port with `appendonly yes`, `appendfsync always` and no RDB, killed with SIGKILL, restarted on the same directory.
 * Nothing acknowledged may be lost; while Redis is away calls fail fast and ping is false; the same store object
 * serves again once Redis is back. The temporary server is always killed, even when a test fails.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRedisStore, redisKeys, type RedisStore } from '../../src/store/redis.ts';
import { StoreDataLostError, isStoreOutage, type JournalInput, type JournalRecord } from '../../src/store/types.ts';
import { LeaseManager } from '../../src/runtime/cluster.ts';
import { openStore, REDIS_STORES_FILE } from '../../src/store/open.ts';
import { RedisProcess } from '../support/redis-process.ts';

const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

const ev = (n: number, size = 0): JournalInput => ({
  at: 1_760_000_000_000 + n,
  commandId: `cmd-${n}`,
  event: { type: 'note.added', n, text: `ghi chú ${n} ${'x'.repeat(size)}` },
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('redis store: durability against a killed redis-server', () => {
  let redis: RedisProcess | null = null;
  let store: RedisStore | null = null;

  afterEach(async () => {
    try {
      await store?.close();
    } finally {
      store = null;
      await redis?.destroy();
      redis = null;
    }
  });

  it('[RDUR-1] SIGKILL loses nothing acknowledged; while down calls fail fast and ping is false; the same store serves after restart', { timeout: 60_000 }, async () => {
    redis = await RedisProcess.create();
    await redis.start();
    const logs: string[] = [];
    store = await openRedisStore(redis.url, { prefix: 'hall:', log: (m) => logs.push(m) });
    expect(logs.join('\n')).not.toMatch(/appendonly=/);

    // Awaited appends, single and batched, with expectedSeq as the runtime does.
    let seq = 0;
    for (let n = 1; n <= 100; n++) seq = await store.journal.append('s1', [ev(n)], seq);
    for (let b = 0; b < 10; b++) seq = await store.journal.append('s1', Array.from({ length: 5 }, (_, i) => ev(1000 + b * 5 + i, 200)), seq);
    expect(seq).toBe(150);
    await store.journal.saveSnapshot('s1', { machineVersion: 1, seq: 150, snapshot: { n: 150 } });
    await store.catalog.putCouncil({ id: 'c1', name: 'HĐND xã', level: 'commune', term: '2026-2031', delegates: [], officials: [], profile: {} } as never);
    const s1 = await store.journal.read('s1');

    // A writer that keeps appending to s2 while Redis is killed under it: every append it saw acknowledged must survive.
    const acked: number[] = [];
    let writerError: unknown = null;
    const writer = (async () => {
      let last = 0;
      for (let n = 1; ; n++) {
        try {
          last = await store!.journal.append('s2', [ev(n, 50)], last);
          acked.push(last);
        } catch (err) {
          writerError = err;
          return;
        }
      }
    })();
    await until('the s2 writer to get going', async () => acked.length >= 200);
    await redis.kill('SIGKILL');
    await writer;
    expect(writerError).toBeInstanceOf(Error);
    const ackedBeforeKill = [...acked];
    expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(200);

    // Redis is away: fail fast, never hang, never queue.
    for (const call of [() => store!.journal.append('s1', [ev(999)], 150), () => store!.journal.lastSeq('s1'), () => store!.journal.read('s1'), () => store!.ballots.save('s1.p1', { wrappedKey: 'w', sealed: [] })]) {
      const started = Date.now();
      await expect(call()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3000);
    }
    const pingStarted = Date.now();
    expect(await store.ping()).toBe(false);
    expect(Date.now() - pingStarted).toBeLessThan(3000);

    // Back on the same directory: the AOF is replayed, the store object reconnects by itself.
    await redis.start();
    await until('the store to reconnect', () => store!.ping());
    expect(await store.journal.read('s1')).toEqual(s1);
    expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 150 });
    expect(await store.journal.loadSnapshot('s1')).toEqual({ machineVersion: 1, seq: 150, snapshot: { n: 150 } });
    expect((await store.catalog.getCouncil('c1'))?.name).toBe('HĐND xã');

    const s2 = await store.journal.read('s2');
    const lastAcked = ackedBeforeKill.at(-1)!;
    // Every acknowledged record is there; at most the one in flight at the kill (never acknowledged) may follow.
    expect(s2.length).toBeGreaterThanOrEqual(lastAcked);
    expect(s2.length).toBeLessThanOrEqual(lastAcked + 1);
    expect(s2.slice(0, lastAcked).map((r: JournalRecord) => (r.event as { n: number }).n)).toEqual(Array.from({ length: lastAcked }, (_, i) => i + 1));
    expect((await store.journal.verify('s2')).ok).toBe(true);

    // Appends work again on the same object and continue the chain.
    expect(await store.journal.append('s1', [ev(151)], 150)).toBe(151);
    expect((await store.journal.read('s1', 151))[0]!.prevHash).toBe(s1.at(-1)!.hash);
    const s2last = await store.journal.lastSeq('s2');
    expect(await store.journal.append('s2', [ev(9999)], s2last)).toBe(s2last + 1);
    expect(logs.some((m) => m.includes('unreachable'))).toBe(true);
    expect(logs.some((m) => m.includes('reachable again'))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/ghi chú|note\.added/);
  });

  it('[RDUR-4] a Redis that comes back WITHOUT its data (no persistence, flushed): the store refuses every call for good — nothing is written into the empty Redis, no lease is taken, ping is false', { timeout: 60_000 }, async () => {
    redis = await RedisProcess.create();
    await redis.start();
    const logs: string[] = [];
    store = await openRedisStore(redis.url, { prefix: 'hall:', log: (m) => logs.push(m) });
    let seq = 0;
    for (let n = 1; n <= 20; n++) seq = await store.journal.append('s1', [ev(n)], seq);
    const leases = new LeaseManager(store.client, 'hall:', 'node-a', 2000, () => undefined, quietLog, () => store!.assertIntact());
    try {
      await redis.kill('SIGKILL');
      // Back empty, as a redis-server without AOF or RDB comes back: emptied before its TCP port opens to the store.
      await redis.start(async () => {
        const admin = redis!.connect();
        await admin.flushall();
        admin.disconnect();
      });
      await until('the store to notice', async () => logs.some((m) => m.includes('no longer holds the data')));

      const refused = await store.journal.append('s1', [ev(21)], 0).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(StoreDataLostError);
      expect(isStoreOutage(refused)).toBe(true);
      await expect(store.journal.lastSeq('s1')).rejects.toBeInstanceOf(StoreDataLostError);
      await expect(store.catalog.getCouncil('c1')).rejects.toBeInstanceOf(StoreDataLostError);
      await expect(leases.acquire('s1')).rejects.toBeInstanceOf(StoreDataLostError);
      expect(await store.ping()).toBe(false);
      // For good: still refused after another look, and the empty Redis got nothing from this store.
      await new Promise((r) => setTimeout(r, 300));
      await expect(store.journal.append('s1', [ev(1)], 0)).rejects.toBeInstanceOf(StoreDataLostError);
      const admin = redis.connect();
      try {
        expect(await admin.keys('*')).toEqual([]);
      } finally {
        admin.disconnect();
      }
    } finally {
      await leases.close();
    }
  });

  it('[RDUR-5] a Hall started on a Redis that lost its data while Hall was down refuses to start, unless HALL_REDIS_NEW_STORE says the loss is accepted', { timeout: 60_000 }, async () => {
    redis = await RedisProcess.create();
    await redis.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'hall-rdur5-'));
    const settings = { dataDir, redisUrl: redis.url, redisPrefix: 'hall:', snapshotEvery: 100 };
    try {
      // A read-only open (pnpm verify) of a store nobody named yet names nothing and remembers nothing.
      const verifier = await openStore(settings, { readOnly: true });
      await verifier.close();
      const peek = redis.connect();
      try {
        expect(await peek.keys('*')).toEqual([]);
      } finally {
        peek.disconnect();
      }
      await expect(readFile(join(dataDir, REDIS_STORES_FILE), 'utf8')).rejects.toThrow(/ENOENT/);

      const first = await openStore(settings);
      await first.journal.append('s1', [ev(1)], 0);
      await first.close();
      // A Redis restart that keeps its data (AOF): the same store, Hall starts.
      await redis.kill('SIGKILL');
      await redis.start();
      const again = await openStore(settings);
      expect(await again.journal.lastSeq('s1')).toBe(1);
      await again.close();

      // The Redis comes back empty while Hall is down.
      await redis.kill('SIGKILL');
      await redis.start(async () => {
        const admin = redis!.connect();
        await admin.flushall();
        admin.disconnect();
      });
      await expect(openStore(settings)).rejects.toThrow(/is not the store this data directory .* knew.*HALL_REDIS_NEW_STORE=1/s);
      await expect(openStore(settings)).rejects.toThrow(/is not the store this data directory/);
      const accepted = await openStore({ ...settings, redisNewStore: true });
      expect(await accepted.journal.lastSeq('s1')).toBe(0);
      await accepted.close();
      // Accepted once: the new store is the one this data directory knows from now on.
      const after = await openStore(settings);
      await after.close();
      // Another prefix on the same Redis is another store, remembered beside the first.
      const other = await openStore({ ...settings, redisPrefix: 'hall2:' });
      await other.close();
      expect(Object.keys(JSON.parse(await readFile(join(dataDir, REDIS_STORES_FILE), 'utf8')))).toHaveLength(2);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('[RDUR-6] after a reconnection, a failed read of the store name (a busy Redis, the connection still up) is tried again: the store serves again by itself', { timeout: 60_000 }, async () => {
    redis = await RedisProcess.create();
    await redis.start();
    const logs: string[] = [];
    store = await openRedisStore(redis.url, { prefix: 'hall:', log: (m) => logs.push(m) });
    expect(await store.journal.append('s1', [ev(1)], 0)).toBe(1);
    const client = store.client as unknown as { get(key: string): Promise<string | null> };
    const get = client.get.bind(client);
    let failures = 0;
    client.get = async (key: string) => {
      if (key === redisKeys('hall:').storeId && failures < 2) {
        failures++;
        throw new Error('Command timed out');
      }
      return get(key);
    };
    // The connection drops and comes back; the first two reads of the name after it fail.
    store.client.disconnect(true);
    await until('the name to be read again', async () => failures === 2 && (await store!.ping()), 20_000);
    expect(await store.journal.append('s1', [ev(2)], 1)).toBe(2);
    expect(logs.join('\n')).not.toMatch(/no longer holds/);
  });

  it('[RDUR-2] destroying a ballot box with rewriteAofAfterDestroy leaves none of its versions in the AOF files', { timeout: 60_000 }, async () => {
    redis = await RedisProcess.create();
    await redis.start();
    store = await openRedisStore(redis.url, { log: () => undefined, rewriteAofAfterDestroy: true });
    const aofText = async () => {
      const aofDir = join(redis!.dir, 'appendonlydir');
      const names = await readdir(aofDir);
      return (await Promise.all(names.map((n) => readFile(join(aofDir, n), 'latin1')))).join('\n');
    };
    for (let i = 1; i <= 5; i++) await store.ballots.save('s1.p1', { wrappedKey: 'WRAPPED-KEY-MARK', sealed: Array.from({ length: i }, (_, k) => `SEALED-MARK-${k}`) });
    await store.ballots.save('s1.p2', { wrappedKey: 'OTHER-POLL', sealed: ['OTHER-SEALED'] });
    await store.journal.append('s1', [ev(1)]);
    expect(await aofText()).toContain('SEALED-MARK-4');

    const client = new (await import('ioredis')).Redis(redis.url);
    try {
      const rewrites = async () => Number(/aof_rewrites:(\d+)/.exec(await client.info('persistence'))?.[1] ?? 0);
      const before = await rewrites();
      await store.ballots.destroy('s1.p1');
      await until('the AOF rewrite to finish', async () => {
        const info = await client.info('persistence');
        return (await rewrites()) > before && /aof_rewrite_in_progress:0/.test(info);
      });
    } finally {
      await client.quit();
    }
    const text = await aofText();
    expect(text).not.toContain('SEALED-MARK');
    expect(text).not.toContain('WRAPPED-KEY-MARK');
    // Everything else is still there.
    expect(text).toContain('OTHER-SEALED');
    expect((await store.journal.read('s1')).length).toBe(1);
  });

  it('[RDUR-3] by default, a rewrite already running at destroy (its snapshot predates the destroy) is followed by another one', { timeout: 60_000 }, async () => {
    redis = await RedisProcess.create();
    await redis.start();
    store = await openRedisStore(redis.url, { log: () => undefined });
    for (let i = 1; i <= 3; i++) await store.ballots.save('s1.p1', { wrappedKey: 'WRAPPED-KEY-MARK', sealed: Array.from({ length: i }, (_, k) => `SEALED-MARK-${k}`) });
    const client = new (await import('ioredis')).Redis(redis.url);
    try {
      // A slow rewrite (0.3 s per key, a test-only knob) whose snapshot still holds the box.
      await client.config('SET', 'rdb-key-save-delay', '300000');
      await client.bgrewriteaof();
      await client.config('SET', 'rdb-key-save-delay', '0');
      expect(await client.info('persistence')).toMatch(/aof_rewrite_in_progress:1/);
      // aof_rewrites counts rewrites started, the running one included.
      const rewrites = async () => Number(/aof_rewrites:(\d+)/.exec(await client.info('persistence'))?.[1] ?? 0);
      const before = await rewrites();
      await store.ballots.destroy('s1.p1');
      await until('a second AOF rewrite to finish', async () => (await rewrites()) > before && /aof_rewrite_in_progress:0/.test(await client.info('persistence')), 20_000);
    } finally {
      await client.quit();
    }
    const aofDir = join(redis!.dir, 'appendonlydir');
    const text = (await Promise.all((await readdir(aofDir)).map((n) => readFile(join(aofDir, n), 'latin1')))).join('\n');
    expect(text).not.toContain('SEALED-MARK');
  });
});
