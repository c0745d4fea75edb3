/**
 * The unlinkability scan of [CPOLL-4] over the real stores (docs/committee-ballots.md): every file under the embedded
 * store's data directory, and every key of a Redis store with every type's contents (strings, hashes, lists, sets,
 * sorted sets, streams with their entry ids), plus the box opened with the server's ballot secret and the logs. No
 * byte of any ballot may be there, the box must hold no name or time and not keep the cast order, and Redis stream ids
 * must be record numbers, not write times. Each store's test also plants a linkable record and sees the scan name it.
 * Redis: REDIS_URL (default redis://127.0.0.1:6379), a random key prefix deleted afterwards; never skipped.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ballotReceipt } from '@hall/core/ballot-crypto';
import { embeddedPaths, openEmbeddedStore } from '../../src/store/embedded.ts';
import { openRedisStore, redisKeys } from '../../src/store/redis.ts';
import { pollKey } from '../../src/runtime/session-room.ts';
import { tempDir } from '../store/helpers.ts';
import { REDIS_URL, keysUnder, redisPrefixForTest, useRedis } from '../support/redis.ts';
import { CHAIR, SESSION, castAndScan, castSealedAndScan, cmd, hall, rooms } from './committee-hall.ts';
import { ballotBytesIn, streamIdProblems, type Source } from './unlinkability.ts';

const closeRooms = () => Promise.all(rooms.splice(0).map((r) => r.close()));
afterEach(closeRooms);

/** Every file under `dir`, by its path: the whole data directory as a copy of the disk would show it. */
async function filesUnder(dir: string): Promise<Source[]> {
  const out: Source[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ name: path.slice(dir.length + 1), bytes: await readFile(path) });
  }
  return out;
}

describe('[CSCAN] unlinkability over the real stores', () => {
  it('[CSCAN-1] the embedded store: every file under the data directory and the box opened with the secret tie no ballot to a delegate; a planted record is caught', async () => {
    const dir = await tempDir('hall-cscan-');
    const storeLog: string[] = [];
    const store = await openEmbeddedStore(dir, { log: (m) => void storeLog.push(m) });
    try {
      const h = await hall(20, store);
      const dump = async () => [...(await filesUnder(dir)), { name: 'store log', bytes: Buffer.from(storeLog.join('\n')) }];
      const boxText = (pollId: string) => () => readFile(embeddedPaths.ballots(dir, pollKey(SESSION, pollId)), 'utf8');
      const { findings, cast, sources } = await castAndScan(h, 'f1', dump, boxText('f1'));
      expect(findings).toEqual([]);
      // The scan read the journal, the snapshots and the box, not an empty directory.
      const names = sources.map((x) => x.name).join('\n');
      for (const part of [/journal/, /snapshot/, new RegExp(`ballots/${pollKey(SESSION, 'f1')}`)]) expect(names).toMatch(part);
      // Negative control: a file beside the others that keeps a voter with their receipt.
      await writeFile(join(dir, 'planted.json'), JSON.stringify({ by: cast[4]!.delegateId, receipt: ballotReceipt(cast[4]!.ballot) }));
      expect(ballotBytesIn(await dump(), 'f1', cast)).toEqual(['planted.json holds the receipt of ballot 4']);
      // The server-sealed fallback on the same files (the committee poll makes way for it).
      await h.ok(cmd('poll.cancel', { pollId: 'f1', reason: 'thử' }), CHAIR);
      expect(await castSealedAndScan(h, 'f2', boxText('f2'))).toEqual([]);
    } finally {
      await closeRooms();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  describe('Redis', () => {
    const shared = useRedis();

    /** Every key of the prefix with its whole contents, whatever its type; streams also give their entry ids. */
    async function dumpRedis(prefix: string): Promise<{ sources: Source[]; streams: Map<string, string[]>; types: Map<string, string> }> {
      const sources: Source[] = [];
      const streams = new Map<string, string[]>();
      const types = new Map<string, string>();
      const admin = shared.redis();
      for (const key of await keysUnder(admin, prefix)) {
        const type = await admin.type(key);
        types.set(key, type);
        let parts: Buffer[];
        if (type === 'string') parts = [(await admin.getBuffer(key)) ?? Buffer.alloc(0)];
        else if (type === 'hash') parts = Object.entries(await admin.hgetallBuffer(key)).flatMap(([f, v]) => [Buffer.from(f), v]);
        else if (type === 'list') parts = await admin.lrangeBuffer(key, 0, -1);
        else if (type === 'set') parts = await admin.smembersBuffer(key);
        else if (type === 'zset') parts = await admin.zrangeBuffer(key, 0, -1, 'WITHSCORES');
        else if (type === 'stream') {
          const entries = await admin.xrangeBuffer(key, '-', '+');
          streams.set(key, entries.map(([id]) => id.toString()));
          parts = entries.flatMap(([id, fields]) => [id, ...fields]);
        } else throw new Error(`key ${key} has a type the scan does not read: ${type}`);
        sources.push({ name: `${type} ${key.slice(prefix.length)}`, bytes: Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])) });
      }
      return { sources, streams, types };
    }

    it('[CSCAN-2] Redis: every key of every type and the box opened with the secret tie no ballot to a delegate; stream ids are record numbers, the box one string rewritten whole; planted links are caught', async () => {
      const admin = shared.redis();
      const prefix = redisPrefixForTest();
      const storeLog: string[] = [];
      const store = await openRedisStore(REDIS_URL, { prefix, log: (m) => void storeLog.push(m), connectTimeoutMs: 3000 });
      try {
        const h = await hall(20, store);
        const dump = async () => [...(await dumpRedis(prefix)).sources, { name: 'store log', bytes: Buffer.from(storeLog.join('\n')) }];
        const boxText = (pollId: string) => async () => (await admin.get(redisKeys(prefix).ballot(pollKey(SESSION, pollId))))!;
        const { findings, cast, sources } = await castAndScan(h, 'r1', dump, boxText('r1'));
        expect(findings).toEqual([]);
        const names = sources.map((x) => x.name);
        for (const key of [redisKeys('').journal(SESSION), redisKeys('').snapshot(SESSION), redisKeys('').ballot(pollKey(SESSION, 'r1'))]) expect(names.some((n) => n.endsWith(` ${key}`)), key).toBe(true);

        const { streams, types } = await dumpRedis(prefix);
        // The box is one string, rewritten whole on each cast: no per-ballot entry, id or score exists to order.
        expect(types.get(redisKeys(prefix).ballot(pollKey(SESSION, 'r1')))).toBe('string');
        expect([...streams.keys()]).toEqual([redisKeys(prefix).journal(SESSION)]);
        for (const [key, ids] of streams) expect(streamIdProblems(key, ids)).toEqual([]);
        expect(streams.get(redisKeys(prefix).journal(SESSION))!.length).toBe(await store.journal.lastSeq(SESSION));

        // Negative controls: a hash beside the others keeping a voter with a ciphertext, and a stream written once per
        // ballot with Redis-assigned ids (millisecond times, in cast order).
        await admin.hset(`${prefix}planted`, cast[1]!.delegateId, cast[1]!.ballot.questions[0]!.options[2]!.b);
        expect(ballotBytesIn(await dump(), 'r1', cast)).toEqual([expect.stringMatching(/^hash planted holds the field .* \(hex\) of ballot 1$/)]);
        for (const c of cast.slice(0, 3)) await admin.xadd(`${prefix}planted-box`, '*', 'sealed', c.delegateId.length.toString());
        const planted = (await dumpRedis(prefix)).streams.get(`${prefix}planted-box`)!;
        expect(streamIdProblems('planted-box', planted)).toEqual([expect.stringMatching(/entry 0 has id \d{13}-\d+, not record 1/)]);
        await admin.unlink(`${prefix}planted`, `${prefix}planted-box`);

        // The server-sealed fallback on the same Redis (the committee poll makes way for it).
        await h.ok(cmd('poll.cancel', { pollId: 'r1', reason: 'thử' }), CHAIR);
        expect(await castSealedAndScan(h, 'r2', boxText('r2'))).toEqual([]);
        for (const [key, ids] of (await dumpRedis(prefix)).streams) expect(streamIdProblems(key, ids)).toEqual([]);
      } finally {
        await closeRooms();
        await store.close();
      }
    }, 300_000);
  });
});
