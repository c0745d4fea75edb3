/**
 * Redis storage adapter (docs/architecture.md), for halls that run several nodes or want the journal off the node's disk.
 * It passes the same contract suite as the embedded adapter (`contract.ts`) and stores the same bytes: a journal
 * record is the canonical JSON line of `chain.ts`, so a journal verifies the same way in both. Layout (every key
 * starts with the configurable prefix, default `hall:`; also in docs/data-directory.md):
 *
 *   j:<sessionId>          STREAM  the journal: entry id `<seq>-1`, one field `r` = the record's canonical JSON.
 *                                  Explicit ids make Redis itself refuse a duplicate or out-of-order seq.
 *   jm:<sessionId>         HASH    {lastSeq, lastHash}: the journal's tail, written by the same script as the entries.
 *   snap:<sessionId>       STRING  latest persisted machine snapshot (JSON); a cache of the journal.
 *   snap0:<sessionId>      STRING  the seq-0 snapshot (frozen council and agenda), written once: what the journal is
 *                                  replayed onto when the latest snapshot cannot be trusted.
 *   c:councils | c:sessions | c:accounts | c:docmeta
 *                          HASH    field = id, value = the record's JSON.
 *   doc:<documentId>       STRING  document bytes (binary).
 *   ballot:<pollKey>       STRING  sealed secret-ballot box (JSON), rewritten whole; destroy = UNLINK.
 *
 * Appends: the hash chain is computed here (chain.ts); one Lua script then checks, atomically, that the journal's
 * stored tail is the one the batch was built on (seq AND hash, so two writers racing cannot fork the chain) and
 * that the stream agrees with its tail, and only then XADDs every record and updates the tail. A refused script
 * has written nothing. Appends of one session are serialized in this process; a foreign writer (another node)
 * is caught by the script and the batch is re-chained on the real tail, or refused with StoreConflictError when
 * the caller gave `expectedSeq`.
 *
 * Availability: the client never queues a command while Redis is unreachable (`enableOfflineQueue: false`,
 * `maxRetriesPerRequest: 1`, `commandTimeout`), so a call fails fast and the runtime answers UNAVAILABLE without
 * changing anything; it keeps reconnecting in the background and the same store object serves again when Redis
 * returns. Commands whose connection dropped are never re-sent automatically: their outcome is unknown, which the
 * runtime settles by asking `lastSeq`.
 *
 * Durability: an append resolves when Redis has acknowledged it. That is durable on the Redis host only with
 * `appendonly yes` + `appendfsync always` (checked and warned about at open); `waitReplicas` adds a WAIT.
 *
 * Secret ballots (docs/architecture.md): a box is rewritten whole (SET), so every version of it lands in the AOF; after a
 * destroy the store asks for BGREWRITEAOF (`rewriteAofAfterDestroy`, on by default) so that no version survives in
 * the append-only file. What lies beyond Redis's reach (RDB files, replicas, freed disk blocks) is in the docs.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Council } from '@hall/core';
import { GENESIS_HASH, JournalCorruptError, assertJournalInputs, checkRecord, encodeBatch } from './chain.ts';
import { KeyedQueue } from './queue.ts';
import {
  type Account,
  type BallotBoxStore,
  type Catalog,
  type DocumentMeta,
  type Journal,
  type JournalInput,
  type JournalRecord,
  type LoginLink,
  type LoginLinkStore,
  type PersistedSessionSnapshot,
  type Fence,
  type SealedBox,
  type SessionRecord,
  type Store,
  type MinutesDraftRecord,
  StoreConflictError,
  StoreDataLostError,
  StoreFencedError,
  StoreUnavailableError,
} from './types.ts';
import { POLL_KEY, SAFE_ID, assertMinutesDraft, assertMinutesVersion, assertCatalogId, assertDocument, assertExpectedSeq, assertFence, assertPollKey, assertSafeId, assertSealedBox, assertSnapshot, sealedBoxText } from './validate.ts';

export interface RedisStoreOptions {
  /** Prepended to every key (default `hall:`). Tests isolate themselves with a random one. */
  prefix?: string;
  /** Operational messages (outages, warnings). They carry ids, seqs and addresses only, never content. */
  log?: (message: string) => void;
  /** How long `openRedisStore` waits for Redis to be ready before it gives up (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Per-command timeout (default 2000 ms). */
  commandTimeoutMs?: number;
  /**
   * After each append, `WAIT n 1000`: the append rejects unless n replicas acknowledged it within a second (the
   * records are then on the primary all the same; `lastSeq` shows them). Default 0: no WAIT.
   */
  waitReplicas?: number;
  /**
   * After destroying a ballot box, ask Redis to rewrite its AOF (BGREWRITEAOF) so the box's old versions leave the
   * append-only file (docs/architecture.md: nothing may let anyone diff two versions of a box once the poll is announced).
   * Skipped when AOF is off; retried while another rewrite is running (its snapshot may predate the destroy).
   * Default true: a rewrite per announced secret poll is cheap, and leaving the versions behind breaks §4.
   */
  rewriteAofAfterDestroy?: boolean;
  /**
   * Multi-node: every write of a session (journal append, snapshot, sealed ballot box) must carry the writer's lease
   * token, which the writing script compares with the session's lease key (`lease:<sessionId>`) in the same atomic
   * step. A write without a token is refused here (StoreFencedError) before anything reaches Redis, so a node that
   * holds no lease — never acquired, lost, or released — can never write. Off for a store used without leases.
   */
  requireFence?: boolean;
  /** Called with the session id whenever a write was refused for its fence (metrics, logs; never content). */
  onFenced?: (sessionId: string) => void;
  /** A tool that only reads (pnpm verify): the store is not named when Redis holds no name. */
  readOnly?: boolean;
}

export interface RedisStore extends Store {
  readonly kind: 'redis';
  readonly prefix: string;
  /**
   * Throws unless the store may be used: StoreUnavailableError from a reconnection until Redis is known to still hold
   * its data, StoreDataLostError for good once it was found without it. The cluster's leases, which use `client`
   * directly, ask it before taking a lease.
   */
  assertIntact(): void;
  /** The store's name (`<prefix>store-id`; '' when a read-only open found none) and where it is (address and prefix). */
  readonly name: { id: string; where: string };
  /**
   * The store's connection, shared with the cluster's leases and messages so that all of them fail and recover
   * together (fail-fast: no offline queue, one retry, a command timeout).
   */
  readonly client: Redis;
}

/** Records per XRANGE page when reading a journal. */
const PAGE = 1000;
/** Appends re-chained on a moved tail before giving up (only a second writer on the same journal moves it). */
const MAX_ATTEMPTS = 20;

/** The key layout; exported for tests and tools that inspect or damage a store on purpose. */
export function redisKeys(prefix = 'hall:') {
  return {
    journal: (sessionId: string) => `${prefix}j:${sessionId}`,
    journalMeta: (sessionId: string) => `${prefix}jm:${sessionId}`,
    snapshot: (sessionId: string) => `${prefix}snap:${sessionId}`,
    collection: (name: 'councils' | 'sessions' | 'accounts' | 'docmeta' | 'minutesDrafts') => `${prefix}c:${name}`,
    /** Approved minutes texts of a session, field = SHA-256 of the text (written once, HSETNX). */
    minutesVersions: (sessionId: string) => `${prefix}minutes:${sessionId}`,
    document: (id: string) => `${prefix}doc:${id}`,
    ballot: (pollKey: string) => `${prefix}ballot:${pollKey}`,
    /** A pending one-time login link, by the SHA-256 of its token; expires with the link. */
    loginLink: (key: string) => `${prefix}link:${key}`,
    /** Stream entry id of a record. */
    entryId: (seq: number) => `${seq}-1`,
    /** Which node owns a live session (runtime/cluster.ts writes it; the append script checks it). */
    lease: (sessionId: string) => `${prefix}lease:${sessionId}`,
    genesis: (sessionId: string) => `${prefix}snap0:${sessionId}`,
    epoch: (sessionId: string) => `${prefix}epoch:${sessionId}`,
    /** A random id written once into an empty store: the same id after a reconnection means the data is still there. */
    storeId: `${prefix}store-id`,
  };
}

/**
 * KEYS[1] journal stream, KEYS[2] journal tail hash {lastSeq, lastHash}, KEYS[3] the session's lease key.
 * ARGV[1] the writer's fencing token ('' = unfenced, single node), ARGV[2] the seq the batch was chained on, ARGV[3]
 * the hash of its last record, ARGV[4..] the records' canonical JSON in seq order (at least one). Every check comes before the first write, so a refusal writes nothing.
 * Replies: the new last seq, or an error `HALLCONFLICT <lastSeq> <lastHash>` (the tail is not what the batch was
 * built on), `HALLDAMAGED <reason>` (stream and tail disagree), `HALLBADBATCH <reason>` (a caller bug).
 */
const APPEND_LUA = `
local genesis = string.rep('0', 64)
local tail = redis.call('HMGET', KEYS[2], 'lastSeq', 'lastHash')
local lastSeq = tonumber(tail[1]) or 0
local lastHash = tail[2] or genesis
local base = tonumber(ARGV[2])
if base == nil or #ARGV < 4 then
  return redis.error_reply('HALLBADBATCH malformed arguments')
end
-- Fencing: a node that lost its lease (paused, partitioned) must never append after another node took over. An
-- empty token is only ever sent by a store opened without fencing (one node); a fenced store refuses to send one.
if ARGV[1] ~= '' then
  local holder = redis.call('GET', KEYS[3])
  if holder ~= ARGV[1] then
    return redis.error_reply('HALLFENCED ' .. tostring(holder))
  end
end
local ok, first = pcall(cjson.decode, ARGV[4])
if not ok or type(first) ~= 'table' or first.seq ~= base + 1 then
  return redis.error_reply('HALLBADBATCH the first record is not seq ' .. string.format('%d', base + 1))
end
if lastSeq ~= base or first.prevHash ~= lastHash then
  return redis.error_reply(string.format('HALLCONFLICT %d %s', lastSeq, lastHash))
end
local len = redis.call('XLEN', KEYS[1])
if len ~= lastSeq then
  return redis.error_reply(string.format('HALLDAMAGED the stream holds %d entries where the tail says %d', len, lastSeq))
end
if lastSeq > 0 then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if last[1][1] ~= string.format('%d-1', lastSeq) then
    return redis.error_reply('HALLDAMAGED the last stream entry is not the tail')
  end
end
local n = #ARGV - 3
for i = 1, n do
  redis.call('XADD', KEYS[1], string.format('%d-1', base + i), 'r', ARGV[i + 3])
end
redis.call('HSET', KEYS[2], 'lastSeq', string.format('%d', base + n), 'lastHash', ARGV[3])
return base + n
`;

/**
 * A session's other writes, fenced like the append: KEYS[1] the lease key, KEYS[2..] the keys to write.
 * ARGV[1] the token ('' = unfenced), ARGV[2] 'set' | 'unlink', ARGV[3] the value for every key (set).
 * Replies 1, or `HALLFENCED <holder>` having written nothing.
 */
const FENCED_WRITE_LUA = `
if ARGV[1] ~= '' then
  local holder = redis.call('GET', KEYS[1])
  if holder ~= ARGV[1] then
    return redis.error_reply('HALLFENCED ' .. tostring(holder))
  end
end
for i = 2, #KEYS do
  if ARGV[2] == 'set' then
    redis.call('SET', KEYS[i], ARGV[3])
  else
    redis.call('UNLINK', KEYS[i])
  end
end
return 1
`;

type HallRedis = Redis & {
  hallAppend(stream: string, meta: string, lease: string, fence: string, base: string, lastHash: string, ...lines: string[]): Promise<number>;
  hallFencedWrite(numKeys: number, ...keysThenArgs: string[]): Promise<number>;
};

interface Tail {
  seq: number;
  hash: string;
}

interface JournalState {
  /** The tail as this process last saw it. Only saves a round trip: the script holds the truth. */
  tail: Tail;
  /**
   * The journal was checked from genesis in this process (or created by it). Later records arrive through the
   * append script, which links each batch to the stored tail; `verify` and reads from seq 1 re-check everything.
   */
  verified: boolean;
  corrupt?: JournalCorruptError;
}

interface Scan {
  records: JournalRecord[];
  /** Entries in the stream (counted past a problem, as the embedded adapter counts lines). */
  count: number;
  lastHash: string;
  problem?: { seq: number; reason: string };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
/**
 * ioredis refuses a command it never sent while disconnected (no offline queue): that write certainly did not happen,
 * so the caller may say "not recorded" rather than "outcome unknown".
 */
export const neverSent = (err: unknown) => /Stream isn't writeable/.test(errorText(err));
const unsentAsUnavailable = (err: unknown): unknown => (neverSent(err) ? new StoreUnavailableError(`Redis unreachable: ${errorText(err)}`) : err);

function conflictOf(err: unknown): Tail | null {
  const m = /^HALLCONFLICT (\d+) ([0-9a-f]{64})$/.exec(errorText(err));
  return m ? { seq: Number(m[1]), hash: m[2] as string } : null;
}

export async function openRedisStore(url: string, opts: RedisStoreOptions = {}): Promise<RedisStore> {
  const prefix = opts.prefix ?? 'hall:';
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
  const log = opts.log ?? ((message: string) => console.warn(`[store] ${message}`));
  const waitReplicas = opts.waitReplicas ?? 0;
  if (!Number.isInteger(waitReplicas) || waitReplicas < 0) throw new TypeError('waitReplicas must be an integer ≥ 0');
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  const where = redact(url);
  const keys = redisKeys(prefix);

  const client = new Redis(url, {
    lazyConnect: true,
    // Fail fast while Redis is away: nothing is queued, an in-flight command is failed after one reconnect
    // attempt, and nothing is silently re-sent (a re-sent append could land twice under a caller that has
    // already been told it failed).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    connectTimeout: Math.min(connectTimeoutMs, 2000),
    // Reconnect forever with capped backoff, so service resumes within about a second of Redis returning.
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times - 1, 5), 1000),
  }) as HallRedis;
  client.defineCommand('hallAppend', { numberOfKeys: 3, lua: APPEND_LUA });
  // The number of keys varies (a genesis snapshot writes two): ioredis takes it as the first argument.
  client.defineCommand('hallFencedWrite', { lua: FENCED_WRITE_LUA });

  const fenced = (sessionId: string) => {
    opts.onFenced?.(sessionId);
    return new StoreFencedError(sessionId);
  };
  /** The token to send for a write of `sessionId`: '' only when this store is not fenced at all. */
  const tokenFor = (sessionId: string, token: string | undefined): string => {
    if (token !== undefined && (typeof token !== 'string' || token.length === 0)) throw new TypeError('fence token must be a non-empty string');
    if (token === undefined && opts.requireFence) throw fenced(sessionId);
    return token ?? '';
  };
  async function fencedWrite(sessionId: string, token: string | undefined, op: 'set' | 'unlink', keysToWrite: string[], value = ''): Promise<void> {
    const sent = tokenFor(sessionId, token);
    try {
      await client.hallFencedWrite(1 + keysToWrite.length, keys.lease(sessionId), ...keysToWrite, sent, op, value);
    } catch (err) {
      if (/^HALLFENCED/.test(errorText(err))) throw fenced(sessionId);
      throw unsentAsUnavailable(err);
    }
  }

  let opened = false;
  let down = false;
  let lastError = '';
  client.on('error', (err: unknown) => {
    lastError = errorText(err);
    if (opened && !down) {
      down = true;
      log(`Redis at ${where} is unreachable (${lastError}); store calls fail until it returns`);
    }
  });
  client.on('ready', () => {
    if (down) log(`Redis at ${where} is reachable again`);
    down = false;
    if (opened && !intact) void checkIntact();
  });
  // From a dropped connection until Redis is known to still hold its data, nothing may use it: a Redis restarted
  // without persistence answers at once, empty, and a lease or an append taken then would start a sitting over.
  client.on('close', () => {
    if (opened) intact = false;
  });
  let identity = '';
  let intact = true;
  let lostData: StoreDataLostError | null = null;
  let recheck: NodeJS.Timeout | null = null;
  const checkIntact = async () => {
    try {
      const found = (await client.get(keys.storeId)) ?? '';
      // Dropped again meanwhile: the next 'ready' checks again.
      if (lostData || closed || client.status !== 'ready') return;
      if (found === identity) {
        intact = true;
        return;
      }
      lostData = new StoreDataLostError(where);
      log(lostData.message);
    } catch {
      // The connection stayed up but the read failed (a timeout on a busy Redis): no 'ready' will come to ask again.
      if (!closed && !lostData && client.status === 'ready') recheck ??= setTimeout(() => ((recheck = null), void checkIntact()), 500);
    }
  };

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('ready', onReady);
      client.disconnect();
      reject(new Error(`Redis at ${where} is unreachable after ${connectTimeoutMs} ms${lastError ? ` (${lastError})` : ''}`));
    }, connectTimeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
    // Failures arrive as 'error' events while the client retries; 'ready' or the timer settles this promise.
    client.connect().catch(() => undefined);
  });

  try {
    await checkServer(client, where, log);
    // The first process on an empty store names it; every later one (and every reconnection) reads the name back. A
    // read-only open (pnpm verify) writes nothing, so it only reads the name, if there is one.
    if (!opts.readOnly) await client.set(keys.storeId, randomBytes(16).toString('hex'), 'NX');
    identity = (await client.get(keys.storeId)) ?? '';
  } catch (err) {
    client.disconnect();
    throw err;
  }

  opened = true;
  let closed = false;
  const live = () => {
    if (closed) throw new Error('store is closed');
    if (lostData) throw lostData;
    if (!intact) throw new StoreUnavailableError(`Redis at ${where} reconnected; checking that it still holds its data`);
  };
  const timers = new Set<NodeJS.Timeout>();

  // ---------------------------------------------------------------- journal
  const states = new Map<string, JournalState>();
  const checking = new Map<string, Promise<JournalState | null>>();
  const appendQueue = new KeyedQueue();

  async function readTail(sessionId: string): Promise<Tail & { exists: boolean }> {
    const [seq, hash] = await client.hmget(keys.journalMeta(sessionId), 'lastSeq', 'lastHash');
    return { seq: seq == null ? 0 : Number(seq), hash: hash ?? GENESIS_HASH, exists: seq != null };
  }

  /** Checks one stream entry as record `seq` chained on `prevHash` (null: on the prevHash it names itself). */
  function checkEntry(id: string, fields: string[], seq: number, prevHash: string | null): ReturnType<typeof checkRecord> {
    if (id !== keys.entryId(seq)) return { ok: false, reason: `stream entry ${id} where ${keys.entryId(seq)} was expected` };
    if (fields.length !== 2 || fields[0] !== 'r') return { ok: false, reason: 'stream entry has no record field' };
    let raw: unknown;
    try {
      raw = JSON.parse(fields[1] as string);
    } catch {
      return { ok: false, reason: 'not valid JSON' };
    }
    return checkRecord(raw, seq, prevHash ?? String((raw as { prevHash?: unknown } | null)?.prevHash), fields[1] as string);
  }

  /** Pages through the stream from record `fromSeq` (chained on `prevHash`) to its end, checking ids and the chain. */
  async function scanStream(sessionId: string, fromSeq: number, prevHash: string, keep: boolean): Promise<Scan> {
    const key = keys.journal(sessionId);
    const records: JournalRecord[] = [];
    let count = 0;
    let lastHash = prevHash;
    let problem: Scan['problem'];
    // From genesis: '-', so that a stray entry before `1-1` is seen (and reported) rather than skipped.
    let start = fromSeq === 1 ? '-' : keys.entryId(fromSeq);
    for (;;) {
      const page = await client.xrange(key, start, '+', 'COUNT', PAGE);
      for (const [id, fields] of page) {
        const seq = fromSeq + count;
        count++;
        if (problem) continue;
        const check = checkEntry(id, fields, seq, lastHash);
        if (!check.ok) {
          problem = { seq, reason: check.reason };
          continue;
        }
        if (keep) records.push(check.record);
        lastHash = check.record.hash;
      }
      if (page.length < PAGE) break;
      start = `(${(page.at(-1) as [string, string[]])[0]}`;
    }
    return { records, count, lastHash, ...(problem ? { problem } : {}) };
  }

  /** The whole journal from genesis, checked against its tail hash; null when the session has no journal. */
  async function fullScan(sessionId: string, keep: boolean): Promise<{ scan: Scan; tail: Tail } | null> {
    // The tail first: the stream can only have grown since, never shrunk.
    let tail = await readTail(sessionId);
    let scan = await scanStream(sessionId, 1, GENESIS_HASH, keep);
    if (!tail.exists && scan.count === 0) return null;
    if (!tail.exists && !scan.problem) {
      // Records but no tail may be a journal born between the two reads (an append writes both at once), not damage:
      // once its tail is there, read again, tail first.
      const now = await readTail(sessionId);
      if (now.exists) [tail, scan] = [now, await scanStream(sessionId, 1, GENESIS_HASH, keep)];
    }
    if (!scan.problem) {
      if (!tail.exists) scan.problem = { seq: scan.count, reason: 'the journal tail key is missing' };
      else if (scan.count < tail.seq) scan.problem = { seq: scan.count + 1, reason: `record missing (the journal tail says ${tail.seq} records)` };
      else if (scan.count === tail.seq && scan.lastHash !== tail.hash) scan.problem = { seq: tail.seq, reason: 'the journal tail hash does not match the last record' };
    }
    return { scan, tail: scan.problem ? tail : { seq: scan.count, hash: scan.lastHash } };
  }

  /** Updates what this process knows of a journal; `verified` only ever goes from false to true. */
  function remember(sessionId: string, tail: Tail, verified: boolean, corrupt?: JournalCorruptError): JournalState {
    const state: JournalState = states.get(sessionId) ?? { tail, verified };
    state.tail = tail;
    state.verified ||= verified;
    if (corrupt && !state.corrupt) {
      state.corrupt = corrupt;
      log(corrupt.message);
    }
    states.set(sessionId, state);
    return state;
  }

  /** The first touch of a journal in this process checks it whole, as the embedded adapter does at open. */
  async function journalState(sessionId: string): Promise<JournalState | null> {
    const known = states.get(sessionId);
    if (known?.verified || known?.corrupt) return known;
    let p = checking.get(sessionId);
    if (!p) {
      const started = (async () => {
        const full = await fullScan(sessionId, false);
        if (!full) return null;
        const { problem } = full.scan;
        return remember(sessionId, full.tail, !problem, problem ? new JournalCorruptError(sessionId, problem.seq, problem.reason) : undefined);
      })();
      p = started;
      checking.set(sessionId, started);
      void started.then(
        () => checking.delete(sessionId),
        () => checking.delete(sessionId),
      );
    }
    return p;
  }

  async function appendNow(sessionId: string, inputs: JournalInput[], expectedSeq: number | undefined, token: string | undefined): Promise<number> {
    const state = await journalState(sessionId);
    if (state?.corrupt) throw state.corrupt;
    let tail: Tail = state?.tail ?? { seq: 0, hash: GENESIS_HASH };
    // A journal that did not exist at the first touch: what this process writes into it is verified by construction,
    // unless another writer got there first (a conflict below).
    let verified = true;
    if (inputs.length === 0 || (expectedSeq !== undefined && expectedSeq !== tail.seq)) {
      tail = await readTail(sessionId);
      if (expectedSeq !== undefined && expectedSeq !== tail.seq) throw new StoreConflictError(sessionId, expectedSeq, tail.seq);
      if (inputs.length === 0) return tail.seq;
    }
    for (let attempt = 1; ; attempt++) {
      const batch = encodeBatch(tail.seq, tail.hash, inputs);
      try {
        await client.hallAppend(keys.journal(sessionId), keys.journalMeta(sessionId), keys.lease(sessionId), tokenFor(sessionId, token), String(tail.seq), batch.lastHash, ...batch.lines);
      } catch (err) {
        const actual = conflictOf(err);
        if (actual) {
          // Another writer moved the tail (or our view of it was stale after an unknown outcome). Nothing was written.
          verified = false;
          remember(sessionId, actual, false);
          if (expectedSeq !== undefined && actual.seq !== expectedSeq) throw new StoreConflictError(sessionId, expectedSeq, actual.seq);
          if (attempt >= MAX_ATTEMPTS) throw new Error(`journal ${sessionId}: the tail kept moving under ${attempt} attempts to append`);
          tail = actual;
          // Two writers on one journal (no lease yet): a little jitter stops them from colliding round after round.
          if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
          continue;
        }
        if (/^HALLFENCED/.test(errorText(err))) throw fenced(sessionId);
        if (neverSent(err)) throw unsentAsUnavailable(err);
        if (/^HALLDAMAGED/.test(errorText(err))) {
          const full = await fullScan(sessionId, false);
          const problem = full?.scan.problem ?? { seq: tail.seq + 1, reason: errorText(err).slice('HALLDAMAGED '.length) };
          const corrupt = new JournalCorruptError(sessionId, problem.seq, problem.reason);
          remember(sessionId, full?.tail ?? tail, false, corrupt);
          throw corrupt;
        }
        throw err;
      }
      remember(sessionId, { seq: batch.lastSeq, hash: batch.lastHash }, verified && (state?.verified ?? true));
      if (waitReplicas > 0) {
        const acked = await client.wait(waitReplicas, 1000);
        if (acked < waitReplicas) {
          throw new Error(`journal ${sessionId}: seq ${batch.lastSeq} is on the Redis primary but only ${acked} of ${waitReplicas} replicas acknowledged it within 1 s`);
        }
      }
      return batch.lastSeq;
    }
  }

  const journal: Journal = {
    append(sessionId: string, inputs: JournalInput[], expectedSeq?: number, fence?: string): Promise<number> {
      try {
        live();
        assertSafeId('session id', sessionId);
        assertExpectedSeq(expectedSeq);
        assertJournalInputs(inputs);
        // Before queueing: an unfenced append in a fenced store is refused without a round trip.
        tokenFor(sessionId, fence);
      } catch (err) {
        return Promise.reject(err);
      }
      return appendQueue.run(sessionId, () => appendNow(sessionId, inputs, expectedSeq, fence));
    },

    async read(sessionId: string, fromSeq = 1): Promise<JournalRecord[]> {
      live();
      assertSafeId('session id', sessionId);
      if (typeof fromSeq !== 'number' || Number.isNaN(fromSeq)) throw new TypeError('fromSeq must be a number');
      const from = Math.max(1, Math.ceil(fromSeq));
      const known = states.get(sessionId);
      if (from === 1 || !known?.verified) {
        // From genesis: every read of the whole journal re-verifies it, as the embedded adapter does.
        const full = await fullScan(sessionId, true);
        if (!full) return [];
        const { problem } = full.scan;
        if (problem) {
          const corrupt = new JournalCorruptError(sessionId, problem.seq, problem.reason);
          remember(sessionId, full.tail, false, corrupt);
          throw corrupt;
        }
        if (!states.get(sessionId)?.verified) remember(sessionId, full.tail, true);
        return from === 1 ? full.scan.records : full.scan.records.filter((r) => r.seq >= from);
      }
      if (known.corrupt) throw known.corrupt;
      // A journal already checked whole in this process: read the range, anchored on the record just before it.
      const [anchor] = await client.xrange(keys.journal(sessionId), keys.entryId(from - 1), '+', 'COUNT', 1);
      if (!anchor) return [];
      const check = checkEntry(anchor[0], anchor[1], from - 1, null);
      if (!check.ok) throw new JournalCorruptError(sessionId, from - 1, check.reason);
      const rest = await scanStream(sessionId, from, check.record.hash, true);
      if (rest.problem) throw new JournalCorruptError(sessionId, rest.problem.seq, rest.problem.reason);
      return rest.records;
    },

    async lastSeq(sessionId: string): Promise<number> {
      live();
      assertSafeId('session id', sessionId);
      const state = await journalState(sessionId);
      if (!state) return 0;
      if (state.corrupt) throw state.corrupt;
      // Asked afresh: the runtime relies on it to learn whether an append with an unknown outcome landed.
      return (await readTail(sessionId)).seq;
    },

    async saveSnapshot(sessionId: string, snapshot: PersistedSessionSnapshot, fence?: string): Promise<void> {
      live();
      assertSafeId('session id', sessionId);
      assertSnapshot(snapshot);
      const targets = snapshot.seq === 0 ? [keys.snapshot(sessionId), keys.genesis(sessionId)] : [keys.snapshot(sessionId)];
      await fencedWrite(sessionId, fence, 'set', targets, JSON.stringify(snapshot));
    },

    loadSnapshot: (sessionId: string) => readSnapshot(sessionId, keys.snapshot(sessionId)),
    loadGenesis: (sessionId: string) => readSnapshot(sessionId, keys.genesis(sessionId)),
    async verify(sessionId: string) {
      live();
      assertSafeId('session id', sessionId);
      const full = await fullScan(sessionId, false);
      if (!full) return { ok: true, records: 0 };
      const { problem, count } = full.scan;
      return problem ? { ok: false, records: count, firstBadSeq: problem.seq } : { ok: true, records: count };
    },

    async sessionIds(): Promise<string[]> {
      live();
      return idsUnder(`${prefix}jm:`, SAFE_ID);
    },
  };

  async function readSnapshot(sessionId: string, key: string): Promise<PersistedSessionSnapshot | null> {
    live();
    assertSafeId('session id', sessionId);
    const text = await client.get(key);
    if (text === null) return null;
    try {
      const parsed = JSON.parse(text) as PersistedSessionSnapshot;
      assertSnapshot(parsed);
      return parsed;
    } catch (err) {
      log(`snapshot ${sessionId} is unreadable (${(err as Error).message}); the journal will be replayed from the start`);
      return null;
    }
  }

  /** Ids of the keys `<start><id>`, by SCAN (never KEYS), deduplicated and sorted. */
  async function idsUnder(start: string, pattern: RegExp): Promise<string[]> {
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', `${globEscape(start)}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        const id = key.slice(start.length);
        if (pattern.test(id) && id !== '.' && id !== '..') ids.add(id);
      }
    } while (cursor !== '0');
    return [...ids].sort();
  }

  // ---------------------------------------------------------------- catalog
  function collection<T extends { id: string }>(name: 'councils' | 'sessions' | 'accounts', what: string) {
    const key = keys.collection(name);
    return {
      async list(): Promise<T[]> {
        live();
        return (await client.hvals(key)).map((text) => JSON.parse(text) as T).sort(byId);
      },
      async get(id: string): Promise<T | null> {
        live();
        const text = await client.hget(key, id);
        return text === null ? null : (JSON.parse(text) as T);
      },
      async put(value: T): Promise<void> {
        live();
        assertCatalogId(what, value?.id);
        await client.hset(key, value.id, JSON.stringify(value));
      },
      async delete(id: string): Promise<boolean> {
        live();
        return (await client.hdel(key, id)) === 1;
      },
    };
  }
  const councils = collection<Council>('councils', 'council');
  const sessions = collection<SessionRecord>('sessions', 'session');
  const accounts = collection<Account>('accounts', 'account');
  const docmeta = keys.collection('docmeta');
  const minutesDrafts = keys.collection('minutesDrafts');

  const catalog: Catalog = {
    listCouncils: () => councils.list(),
    getCouncil: (id) => councils.get(id),
    putCouncil: (council) => councils.put(council),
    deleteCouncil: (id) => councils.delete(id),
    listSessions: async (councilId) => (await sessions.list()).filter((s) => councilId === undefined || s.councilId === councilId),
    getSession: (id) => sessions.get(id),
    putSession: (session) => sessions.put(session),
    deleteSession: (id) => sessions.delete(id),
    listAccounts: () => accounts.list(),
    getAccount: (id) => accounts.get(id),
    putAccount: (account) => accounts.put(account),
    deleteAccount: (id) => accounts.delete(id),

    // Bytes and meta change together in one MULTI: never a meta without its bytes, nor the reverse.
    async putDocument(meta: DocumentMeta, bytes: Buffer) {
      live();
      assertDocument(meta, bytes);
      await execAll(client.multi().set(keys.document(meta.id), bytes).hset(docmeta, meta.id, JSON.stringify(meta)));
    },
    async getDocument(id: string) {
      live();
      if (typeof id !== 'string' || !SAFE_ID.test(id)) return null;
      const [text, bytes] = (await execAll(client.multi().hget(docmeta, id).getBuffer(keys.document(id)))) as [string | null, Buffer | null];
      if (text === null) return null;
      const meta = JSON.parse(text) as DocumentMeta;
      if (bytes === null || bytes.length !== meta.size) throw new Error(`document ${id}: ${bytes?.length ?? 0} bytes stored, catalog says ${meta.size}`);
      return { meta, bytes };
    },
    async listDocuments(sessionId?: string) {
      live();
      return (await client.hvals(docmeta))
        .map((text) => JSON.parse(text) as DocumentMeta)
        .filter((d) => sessionId === undefined || d.sessionId === sessionId)
        .sort(byId);
    },
    async deleteDocument(id: string) {
      live();
      if (typeof id !== 'string' || !SAFE_ID.test(id)) return false;
      const [removed] = (await execAll(client.multi().hdel(docmeta, id).unlink(keys.document(id)))) as [number, number];
      return removed === 1;
    },
    async getMinutesDraft(sessionId: string, key: string) {
      live();
      const text = await client.hget(minutesDrafts, `${sessionId}|${key}`);
      return text === null ? null : (JSON.parse(text) as MinutesDraftRecord);
    },
    async putMinutesDraft(draft: MinutesDraftRecord) {
      live();
      assertMinutesDraft(draft);
      await client.hset(minutesDrafts, `${draft.sessionId}|${draft.key}`, JSON.stringify(draft));
    },
    async listMinutesDrafts(sessionId: string) {
      live();
      return (await client.hvals(minutesDrafts))
        .map((text) => JSON.parse(text) as MinutesDraftRecord)
        .filter((d) => d.sessionId === sessionId)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    // HSETNX: an approved text is written once under its own hash and never replaced.
    async putMinutesVersion(sessionId: string, sha256: string, body: string) {
      live();
      assertMinutesVersion(sessionId, sha256, body);
      await client.hsetnx(keys.minutesVersions(sessionId), sha256, body);
    },
    async getMinutesVersion(sessionId: string, sha256: string) {
      live();
      if (!SAFE_ID.test(sessionId)) return null;
      return client.hget(keys.minutesVersions(sessionId), sha256);
    },
  };

  // ---------------------------------------------------------------- ballot boxes
  let rewriteWanted = false;

  /** BGREWRITEAOF unless AOF is off; while a rewrite runs (it may predate the destroy), try again later. */
  async function rewriteAof(attempt = 1): Promise<void> {
    if (closed) return;
    try {
      const info = await client.info('persistence');
      if (/^aof_enabled:0\r?$/m.test(info)) return;
      if (/^aof_rewrite_in_progress:1\r?$/m.test(info)) throw new Error('in progress');
      await client.bgrewriteaof();
      rewriteWanted = false;
    } catch (err) {
      if (attempt >= 30) {
        log(`BGREWRITEAOF after destroying a ballot box did not start (${errorText(err)}); run it by hand`);
        return;
      }
      rewriteWanted = true;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void rewriteAof(attempt + 1);
      }, 2000);
      timer.unref();
      timers.add(timer);
    }
  }

  // ------------------------------------------------------------ login links
  // Shared by every node: a QR code issued on one node is redeemed on whichever node the tablet reaches.
  const links: LoginLinkStore = {
    async put(key, link, now) {
      live();
      const ttl = Math.max(1, Math.ceil(link.expiresAt - now));
      await client.set(keys.loginLink(key), JSON.stringify(link), 'PX', ttl);
      return true;
    },
    async take(key) {
      live();
      // GETDEL: one round trip that reads and deletes, so two simultaneous scans cannot both get the link.
      const text = await client.getdel(keys.loginLink(key));
      return text === null ? null : (JSON.parse(text) as LoginLink);
    },
  };

  /** A box belongs to one session: its writes are fenced by that session's lease (the fence names the session). */
  function fencedBallotWrite(pollKey: string, fence: Fence | undefined, op: 'set' | 'unlink', value?: string): Promise<void> {
    if (!fence) {
      if (opts.requireFence) return Promise.reject(fenced(pollKey));
      return op === 'set' ? client.set(keys.ballot(pollKey), value ?? '').then(() => undefined) : client.unlink(keys.ballot(pollKey)).then(() => undefined);
    }
    if (!pollKey.startsWith(`${fence.sessionId}.`)) return Promise.reject(new TypeError(`ballot box ${pollKey} does not belong to session ${fence.sessionId}`));
    return fencedWrite(fence.sessionId, fence.token, op, [keys.ballot(pollKey)], value);
  }

  const ballots: BallotBoxStore = {
    async save(pollKey: string, box: SealedBox, fence?: Fence) {
      live();
      assertPollKey(pollKey);
      assertSealedBox(box);
      assertFence(fence);
      await fencedBallotWrite(pollKey, fence, 'set', sealedBoxText(box));
    },
    async load(pollKey: string) {
      live();
      assertPollKey(pollKey);
      const text = await client.get(keys.ballot(pollKey));
      if (text === null) return null;
      let box: unknown;
      try {
        box = JSON.parse(text);
        assertSealedBox(box);
      } catch {
        throw new Error(`ballot box ${pollKey} is damaged (not a sealed box)`);
      }
      return box as SealedBox;
    },
    async destroy(pollKey: string, fence?: Fence) {
      live();
      assertPollKey(pollKey);
      assertFence(fence);
      await fencedBallotWrite(pollKey, fence, 'unlink');
      if ((opts.rewriteAofAfterDestroy ?? true) && !rewriteWanted) await rewriteAof();
    },
    async keys() {
      live();
      return idsUnder(`${prefix}ballot:`, POLL_KEY);
    },
  };

  return {
    kind: 'redis',
    prefix,
    client,
    journal,
    catalog,
    ballots,
    links,
    assertIntact: live,
    name: { id: identity, where: `${where} (prefix ${prefix})` },
    async ping() {
      if (closed || client.status !== 'ready' || lostData || !intact) return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        const pong = await Promise.race([
          client.ping(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('ping timed out')), 1000);
          }),
        ]);
        return pong === 'PONG';
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (recheck) clearTimeout(recheck);
      // Let queued appends finish: each was promised durable to someone.
      await appendQueue.drain();
      try {
        await client.quit();
      } catch {
        // Redis is away: nothing to say goodbye to.
      }
      client.disconnect();
    },
  };
}

/** Runs a MULTI and returns its replies, throwing the first command error (EXEC itself is all-or-nothing). */
async function execAll(multi: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const results = await multi.exec();
  if (!results) throw new Error('Redis transaction was aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** Refuses servers too old for the commands used; warns when acknowledged writes could be lost (restart, eviction). */
async function checkServer(client: Redis, where: string, log: (message: string) => void): Promise<void> {
  const info = await client.info('server');
  const version = /^redis_version:(\d+)\.(\d+)/m.exec(info);
  if (version && (Number(version[1]) < 6 || (Number(version[1]) === 6 && Number(version[2]) < 2))) {
    throw new Error(`Redis at ${where} is ${version[1]}.${version[2]}; Hall needs Redis 6.2 or later (7 recommended)`);
  }
  try {
    const config = (await client.config('GET', 'append*')) as string[];
    const get = (name: string) => config[config.indexOf(name) + 1];
    if (get('appendonly') !== 'yes' || get('appendfsync') !== 'always') {
      log(
        `Redis at ${where} has appendonly=${get('appendonly')} appendfsync=${get('appendfsync')}: acknowledged journal records ` +
          'can be lost if Redis stops (Hall then stops writing rather than start the sittings over); production needs appendonly yes and appendfsync always (docs/data-directory.md)',
      );
    }
    const [, policy] = (await client.config('GET', 'maxmemory-policy')) as string[];
    if (policy !== 'noeviction') {
      log(`Redis at ${where} has maxmemory-policy=${policy}: under memory pressure it may evict journal keys; set noeviction (docs/data-directory.md)`);
    }
  } catch (err) {
    log(`could not read the settings of Redis at ${where} (${errorText(err)}); make sure of appendonly yes, appendfsync always, maxmemory-policy noeviction`);
  }
}
