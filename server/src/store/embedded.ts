/**
 * Embedded storage adapter (docs/architecture.md): plain files under one data directory, for a hall with one laptop and no
 * services. Layout (also in docs/data-directory.md):
 *
 *   <dataDir>/
 *     journal/<sessionId>.jsonl     append-only, one canonical-JSON record per line, hash-chained (chain.ts).
 *                                   Every append is ONE write of all its lines followed by fdatasync; only then
 *                                   does it resolve. One open fd per session; appends serialized per session.
 *     snapshots/<sessionId>.json    latest persisted machine snapshot; replaced atomically (tmp, fsync, rename,
 *                                   fsync dir). A cache: if unreadable it is ignored and the journal replayed.
 *     genesis/<sessionId>.json      the seq-0 snapshot (the session's frozen council and agenda), written once when
 *                                   the session freezes and never replaced: what the journal is replayed onto when
 *                                   the latest snapshot cannot be trusted.
 *     catalog/{councils,sessions,accounts,documents}.json
 *                                   whole-collection JSON arrays, replaced atomically, writes serialized per
 *                                   collection; loaded once at open and served from memory.
 *     documents/<documentId>        document bytes (meta lives in catalog/documents.json).
 *     ballots/<pollKey>.json        sealed secret-ballot box (mode 0600); replaced atomically, and the replaced
 *                                   version is zero-filled in place; destroy = zero-fill, fsync, unlink.
 *     recovered/<sessionId>.<ms>.tail
 *                                   bytes cut off a journal's torn tail at recovery, kept for the operator.
 *     <dir>/<name>~<hex>.tmp         temp files of interrupted atomic writes; swept at open (ballot ones zero-filled).
 *
 * Torn tails: on first access to a journal, an incomplete, unparsable or unverifiable LAST line is the remnant of
 * an append that never resolved (the fdatasync did not finish), so it is cut off. A bad line with good lines after
 * it cannot be such a remnant: it is reported (read/lastSeq/append throw JournalCorruptError, verify reports
 * firstBadSeq) and the file is left untouched for the operator.
 *
 * Reads only see bytes whose append has resolved (`committed`), so a record that has not fully reached the disk is
 * never returned, even while a write is in flight.
 */
import { ProcessLoginLinks } from './login-links.ts';
import { mkdir, open, readFile, readdir, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Council } from '@hall/core';
import { GENESIS_HASH, JournalCorruptError, assertJournalInputs, encodeBatch } from './chain.ts';
import { scanBuffer } from './journal-lines.ts';
import { journalScanPool } from './scan-pool.ts';
import { atomicWrite, fsyncDir, isErrno, readRange, scrubFile, sweepTemps, writeAll, TMP_MARK } from './fsutil.ts';
import { KeyedQueue } from './queue.ts';
import {
  type Account,
  type BallotBoxStore,
  type Catalog,
  type DocumentMeta,
  type Journal,
  type JournalInput,
  type JournalRecord,
  type PersistedSessionSnapshot,
  type Fence,
  type SealedBox,
  type SessionRecord,
  type Store,
  type MinutesDraftRecord,
  StoreConflictError,
} from './types.ts';
import { POLL_KEY, SAFE_ID, assertMinutesDraft, assertMinutesVersion, assertCatalogId, assertDocument, assertExpectedSeq, assertFence, assertPollKey, assertSafeId, assertSealedBox, assertSnapshot, sealedBoxText } from './validate.ts';

export interface EmbeddedStoreOptions {
  /**
   * How many events the runtime should let pass between snapshots. The store cannot build snapshots (it does not
   * know the machine); it validates the figure and exposes it as `snapshotEvery` for the runtime. Default 200.
   */
  snapshotEvery?: number;
  /** Operational warnings (torn tails cut, unreadable snapshots). Messages carry ids, seqs and sizes only. */
  log?: (message: string) => void;
  /** Journals of at least this many bytes are verified on a second thread (scan-pool.ts). Default 64 KiB. */
  offThreadScanBytes?: number;
  /**
   * Journals kept open at most (a descriptor each); beyond it the least recently used one is closed and reopened
   * (rescanned) on its next use. Sittings in progress are used every command; the others are records being read.
   * Default 256.
   */
  maxOpenJournals?: number;
}

/** Journals at least this big are verified on the verification thread; smaller ones cost less than the round trip. */
const OFF_THREAD_SCAN_BYTES = 64 * 1024;

export interface EmbeddedStore extends Store {
  readonly kind: 'embedded';
  readonly dataDir: string;
  readonly snapshotEvery: number;
}

interface SessionFile {
  fh: FileHandle;
  lastSeq: number;
  lastHash: string;
  /** Bytes covered by resolved appends; reads never look past it. */
  committed: number;
  corrupt?: JournalCorruptError;
  /** A failed fdatasync leaves the page cache's fate unknown (Linux may drop the dirty pages): stop, and let a reopen rescan. */
  broken?: Error;
  /** Reads using `fh` right now: a release closes it once the last one ends. */
  readers: number;
  /** Left the open sessions (`journal.release`): the next use opens the file again. */
  released?: boolean;
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

/** Names in `dir` of the form `<id><suffix>`, ids sorted. */
async function idsIn(dir: string, suffix: string, pattern: RegExp): Promise<string[]> {
  const ids: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith(suffix) || name.includes(TMP_MARK)) continue;
    const id = name.slice(0, name.length - suffix.length);
    if (pattern.test(id) && id !== '.' && id !== '..') ids.push(id);
  }
  return ids.sort();
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

interface Collections {
  councils: Map<string, Council>;
  sessions: Map<string, SessionRecord>;
  accounts: Map<string, Account>;
  documents: Map<string, DocumentMeta>;
  /** Keyed `<sessionId>|<minutes key>`; the stored item carries that id beside the draft. */
  minutesDrafts: Map<string, MinutesDraftRecord & { id: string }>;
}
type CollectionName = keyof Collections;

export async function openEmbeddedStore(dataDir: string, opts: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
  const snapshotEvery = opts.snapshotEvery ?? 200;
  if (!Number.isInteger(snapshotEvery) || snapshotEvery < 1) throw new TypeError('snapshotEvery must be a positive integer');
  const log = opts.log ?? ((message: string) => console.warn(`[store] ${message}`));

  const root = resolve(dataDir);
  const dirs = {
    journal: join(root, 'journal'),
    snapshots: join(root, 'snapshots'),
    genesis: join(root, 'genesis'),
    catalog: join(root, 'catalog'),
    documents: join(root, 'documents'),
    minutes: join(root, 'minutes'),
    ballots: join(root, 'ballots'),
    recovered: join(root, 'recovered'),
  };
  await mkdir(root, { recursive: true });
  // One process per data directory: a second one would sweep the first one's temp files and interleave appends.
  const releaseLock = await lockDataDir(root);
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await fsyncDir(root);
  for (const dir of [dirs.snapshots, dirs.genesis, dirs.catalog, dirs.documents, dirs.minutes]) await sweepTemps(dir, false);
  await sweepTemps(dirs.ballots, true);

  let closed = false;
  const live = () => {
    if (closed) throw new Error('store is closed');
  };

  // ---------------------------------------------------------------- journal
  const sessions = new Map<string, Promise<SessionFile>>();
  const scanOptions = { minBytes: opts.offThreadScanBytes ?? OFF_THREAD_SCAN_BYTES, log };
  const scanJournal = (bytes: Buffer) => journalScanPool.scan(bytes, scanOptions);
  const appendQueue = new KeyedQueue();
  const fileQueue = new KeyedQueue();

  const journalPath = (id: string) => join(dirs.journal, `${id}.jsonl`);
  const maxOpenJournals = Math.max(1, opts.maxOpenJournals ?? 256);
  /** Sessions whose release is queued (for the cap on open journals), so the next opening does not queue it again. */
  const releasing = new Set<string>();
  /**
   * The last seq of each journal closed by a release, until it is opened again: this process is its only writer (the
   * directory's lock), so the figure stays true, and the records' "has it changed?" needs no rescan of a closed file.
   */
  const releasedLastSeq = new Map<string, number>();

  /** Opens a journal and recovers its torn tail; `records` is what the opening scan verified (the file as kept). */
  async function openSession(id: string): Promise<{ file: SessionFile; records: JournalRecord[] }> {
    const path = journalPath(id);
    const existed = await exists(path);
    const fh = await open(path, 'a+');
    try {
      if (!existed) await fsyncDir(dirs.journal);
      const buf = await readRange(fh, 0, (await fh.stat()).size);
      const scan = await scanJournal(buf);
      const s: SessionFile = { fh, lastSeq: scan.count, lastHash: scan.lastHash, committed: buf.length, readers: 0 };
      const p = scan.problem;
      if (p && (p.lineEnd === null || p.lineEnd === buf.length)) {
        const tail = buf.subarray(scan.goodEnd);
        const kept = join(dirs.recovered, `${id}.${Date.now()}.tail`);
        try {
          await writeFile(kept, tail, { flag: 'wx' });
        } catch (err) {
          log(`journal ${id}: could not keep the cut tail in ${kept}: ${(err as Error).message}`);
        }
        await fh.truncate(scan.goodEnd);
        await fh.datasync();
        s.committed = scan.goodEnd;
        log(`journal ${id}: cut ${tail.length} bytes of an unfinished append at seq ${p.seq} (${p.reason}); ${s.lastSeq} records kept`);
      } else if (p) {
        s.corrupt = new JournalCorruptError(id, p.seq, p.reason);
        log(s.corrupt.message);
      }
      return { file: s, records: scan.records };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** The session's journal, opened (and recovered) once; null when it does not exist and `create` is false. */
  async function session(id: string, create: boolean): Promise<SessionFile | null> {
    return (await sessionOpening(id, create))?.file ?? null;
  }

  /**
   * Like `session`, plus the records the opening scan verified when this very call opened the journal (null when it
   * was open already). A restore's first read is such a call: it takes them instead of verifying the same bytes twice.
   */
  async function sessionOpening(id: string, create: boolean): Promise<{ file: SessionFile; opened: JournalRecord[] | null } | null> {
    assertSafeId('session id', id);
    let p = sessions.get(id);
    if (!p && !create) {
      const present = await exists(journalPath(id));
      p = sessions.get(id);
      if (!p && !present) return null;
    }
    if (p) {
      // The map's order is the order of last use: the cap closes its first entries.
      sessions.delete(id);
      sessions.set(id, p);
      return { file: await p, opened: null };
    }
    const opening = openSession(id);
    const file = opening.then((o) => o.file);
    sessions.set(id, file);
    releasedLastSeq.delete(id);
    file.catch(() => {
      if (sessions.get(id) === file) sessions.delete(id);
    });
    keepOpenJournalsCapped();
    const { file: s, records } = await opening;
    return { file: s, opened: records };
  }

  /**
   * Runs `use` on the session's open journal (null when it has none), which a release does not close under it: a file
   * released before `use` could begin is opened again.
   */
  async function reading<T>(id: string, use: (s: SessionFile, opened: JournalRecord[] | null) => Promise<T>): Promise<T | null> {
    for (;;) {
      const got = await sessionOpening(id, false);
      if (!got) return null;
      const s = got.file;
      if (s.released) continue;
      s.readers++;
      try {
        return await use(s, got.opened);
      } finally {
        s.readers--;
        if (s.released && s.readers === 0) await s.fh.close().catch(() => undefined);
      }
    }
  }

  /**
   * Closes the session's journal file once no append or read uses it; the next use opens it again. A journal found
   * corrupt, or whose last write failed, keeps saying so until the store is reopened: a fresh open would trust what the
   * page cache shows of an append whose fdatasync failed.
   */
  function releaseSession(id: string): Promise<void> {
    // Behind the session's appends, so none is writing through the handle; a read still using it closes it when done.
    return appendQueue.run(id, async () => {
      const opening = sessions.get(id);
      const s = await opening?.catch(() => null);
      if (!s || s.corrupt || s.broken || sessions.get(id) !== opening) return;
      sessions.delete(id);
      releasedLastSeq.set(id, s.lastSeq);
      s.released = true;
      if (s.readers === 0) await s.fh.close();
    });
  }

  function keepOpenJournalsCapped() {
    let over = sessions.size - maxOpenJournals - releasing.size;
    for (const id of sessions.keys()) {
      if (over <= 0) break;
      if (releasing.has(id)) continue;
      over--;
      releasing.add(id);
      void releaseSession(id)
        .catch((err) => log(`journal ${id}: could not close it (${(err as Error).message})`))
        .finally(() => releasing.delete(id));
    }
  }

  async function readCommitted(id: string): Promise<{ s: SessionFile; buf: Buffer } | null> {
    live();
    return reading(id, async (s) => ({ s, buf: await readRange(s.fh, 0, s.committed) }));
  }

  const journal: Journal = {
    append(sessionId: string, inputs: JournalInput[], expectedSeq?: number): Promise<number> {
      try {
        live();
        assertSafeId('session id', sessionId);
        assertExpectedSeq(expectedSeq);
        assertJournalInputs(inputs);
      } catch (err) {
        return Promise.reject(err);
      }
      return appendQueue.run(sessionId, async () => {
        // A journal file comes into being only with its first record: a refused append leaves no empty session behind.
        const existing = await session(sessionId, false);
        if (existing?.corrupt) throw existing.corrupt;
        if (existing?.broken) throw new Error(`journal ${sessionId}: an earlier write failed (${existing.broken.message}); reopen the store`);
        const lastSeq = existing?.lastSeq ?? 0;
        if (expectedSeq !== undefined && expectedSeq !== lastSeq) throw new StoreConflictError(sessionId, expectedSeq, lastSeq);
        if (inputs.length === 0) return lastSeq;
        const batch = encodeBatch(lastSeq, existing?.lastHash ?? GENESIS_HASH, inputs);
        const s = existing ?? ((await session(sessionId, true)) as SessionFile);
        if (s.corrupt) throw s.corrupt;
        if (s.lastSeq !== lastSeq) throw new StoreConflictError(sessionId, lastSeq, s.lastSeq);
        const buf = Buffer.from(`${batch.lines.join('\n')}\n`, 'utf8');
        try {
          await writeAll(s.fh, buf);
        } catch (err) {
          // Take back a partial write now, or the next append would follow garbage and read as middle corruption.
          try {
            await s.fh.truncate(s.committed);
            await s.fh.datasync();
          } catch {
            s.broken = err as Error;
          }
          throw err;
        }
        try {
          await s.fh.datasync();
        } catch (err) {
          s.broken = err as Error;
          throw err;
        }
        s.committed += buf.length;
        s.lastSeq = batch.lastSeq;
        s.lastHash = batch.lastHash;
        return s.lastSeq;
      });
    },

    async read(sessionId: string, fromSeq = 1): Promise<JournalRecord[]> {
      live();
      const records = await reading(sessionId, async (s, opened) => {
        if (s.corrupt) throw s.corrupt;
        // Any later read scans the committed bytes afresh, so tampering while the store is open is still caught.
        if (opened !== null && opened.length === s.lastSeq) return opened;
        const scan = await scanJournal(await readRange(s.fh, 0, s.committed));
        if (scan.problem) throw new JournalCorruptError(sessionId, scan.problem.seq, scan.problem.reason);
        return scan.records;
      });
      if (!records) return [];
      return fromSeq <= 1 ? records : records.filter((r) => r.seq >= fromSeq);
    },

    async lastSeq(sessionId: string): Promise<number> {
      live();
      const released = sessions.has(sessionId) ? undefined : releasedLastSeq.get(sessionId);
      if (released !== undefined) return released;
      const s = await session(sessionId, false);
      if (!s) return 0;
      if (s.corrupt) throw s.corrupt;
      // After a failed fsync the last append's bytes may or may not be on disk: the tail is not known until a restart
      // rescans the file, and saying "nothing landed" could be false.
      if (s.broken) throw new Error(`journal ${sessionId}: an earlier write failed (${s.broken.message}); its tail is unknown until the store is reopened`);
      return s.lastSeq;
    },

    // One process holds the data directory (its lock), so there is one writer: fences have nothing to check here.
    async saveSnapshot(sessionId: string, snapshot: PersistedSessionSnapshot, _fence?: string): Promise<void> {
      live();
      assertSafeId('session id', sessionId);
      assertSnapshot(snapshot);
      const text = JSON.stringify(snapshot);
      if (snapshot.seq === 0) await fileQueue.run(`genesis:${sessionId}`, () => atomicWrite(dirs.genesis, `${sessionId}.json`, text));
      await fileQueue.run(`snapshot:${sessionId}`, () => atomicWrite(dirs.snapshots, `${sessionId}.json`, text));
    },

    loadSnapshot: (sessionId: string) => readSnapshot(dirs.snapshots, sessionId),
    loadGenesis: (sessionId: string) => readSnapshot(dirs.genesis, sessionId),

    async verify(sessionId: string) {
      const got = await readCommitted(sessionId);
      if (!got) return { ok: true, records: 0 };
      const scan = scanBuffer(got.buf);
      const records = countLines(got.buf);
      return scan.problem ? { ok: false, records, firstBadSeq: scan.problem.seq } : { ok: true, records };
    },

    async sessionIds(): Promise<string[]> {
      live();
      return idsIn(dirs.journal, '.jsonl', SAFE_ID);
    },

    async release(sessionId: string): Promise<void> {
      live();
      assertSafeId('session id', sessionId);
      await releaseSession(sessionId);
    },
  };

  // ---------------------------------------------------------------- catalog
  async function loadCollection<T extends { id: string }>(name: CollectionName): Promise<Map<string, T>> {
    const path = join(dirs.catalog, `${name}.json`);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return new Map();
      throw err;
    }
    // An unreadable catalog must stop the server, not start it with an empty council list.
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (err) {
      throw new Error(`catalog ${path} is not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(items) || !items.every((x) => typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'string')) {
      throw new Error(`catalog ${path} is not an array of records with ids`);
    }
    return new Map((items as T[]).map((x) => [x.id, x]));
  }

  const collections: Collections = {
    councils: await loadCollection<Council>('councils'),
    sessions: await loadCollection<SessionRecord>('sessions'),
    accounts: await loadCollection<Account>('accounts'),
    documents: await loadCollection<DocumentMeta>('documents'),
    minutesDrafts: await loadCollection<MinutesDraftRecord & { id: string }>('minutesDrafts'),
  };

  /** Applies `change` to a copy, persists the copy, and only then makes it the served state. */
  async function mutate<K extends CollectionName, R>(
    name: K,
    change: (next: Collections[K]) => R,
    hooks: { before?: () => Promise<void>; after?: (result: R) => Promise<void> } = {},
  ): Promise<R> {
    live();
    return fileQueue.run(`catalog:${name}`, async () => {
      if (hooks.before) await hooks.before();
      const next = new Map(collections[name] as Map<string, { id: string }>) as Collections[K];
      const result = change(next);
      const items = [...(next as Map<string, { id: string }>).values()].sort(byId);
      await atomicWrite(dirs.catalog, `${name}.json`, `${JSON.stringify(items, null, 2)}\n`);
      collections[name] = next;
      if (hooks.after) await hooks.after(result);
      return result;
    });
  }

  function served<T>(value: T | undefined): T | null {
    return value === undefined ? null : structuredClone(value);
  }

  /** Copies in so a caller's later mutation cannot change the cache without a write. */
  function stored<T extends { id: string }>(what: string, value: T): T {
    assertCatalogId(what, value?.id);
    return JSON.parse(JSON.stringify(value)) as T;
  }

  const draftId = (sessionId: string, key: string) => `${sessionId}|${key}`;
  const servedDraft = (d: (MinutesDraftRecord & { id: string }) | undefined): MinutesDraftRecord | null => {
    if (!d) return null;
    const { id: _id, ...draft } = structuredClone(d);
    return draft;
  };
  const catalog: Catalog = {
    listCouncils: async () => (live(), [...collections.councils.values()].sort(byId).map((c) => structuredClone(c))),
    getCouncil: async (id) => (live(), served(collections.councils.get(id))),
    putCouncil: async (council) => {
      const c = stored('council', council);
      await mutate('councils', (m) => void m.set(c.id, c));
    },
    deleteCouncil: (id) => mutate('councils', (m) => m.delete(id)),
    listSessions: async (councilId) =>
      (live(),
      [...collections.sessions.values()]
        .filter((s) => councilId === undefined || s.councilId === councilId)
        .sort(byId)
        .map((s) => structuredClone(s))),
    getSession: async (id) => (live(), served(collections.sessions.get(id))),
    putSession: async (record) => {
      const s = stored('session', record);
      await mutate('sessions', (m) => void m.set(s.id, s));
    },
    deleteSession: (id) => mutate('sessions', (m) => m.delete(id)),
    listAccounts: async () => (live(), [...collections.accounts.values()].sort(byId).map((a) => structuredClone(a))),
    getAccount: async (id) => (live(), served(collections.accounts.get(id))),
    putAccount: async (account) => {
      const a = stored('account', account);
      await mutate('accounts', (m) => void m.set(a.id, a));
    },
    deleteAccount: (id) => mutate('accounts', (m) => m.delete(id)),

    // Bytes are written before the meta that points at them and removed after it, so a crash leaves at worst an
    // orphan file, never a meta without bytes.
    async putDocument(meta: DocumentMeta, bytes: Buffer) {
      live();
      assertDocument(meta, bytes);
      const m = stored('document', meta);
      await mutate('documents', (next) => void next.set(m.id, m), { before: () => atomicWrite(dirs.documents, m.id, bytes) });
    },
    async getDocument(id: string) {
      live();
      const meta = collections.documents.get(id);
      if (!meta) return null;
      const bytes = await readFile(join(dirs.documents, meta.id));
      if (bytes.length !== meta.size) throw new Error(`document ${id}: ${bytes.length} bytes on disk, catalog says ${meta.size}`);
      return { meta: structuredClone(meta), bytes };
    },
    listDocuments: async (sessionId) =>
      (live(),
      [...collections.documents.values()]
        .filter((d) => sessionId === undefined || d.sessionId === sessionId)
        .sort(byId)
        .map((d) => structuredClone(d))),
    deleteDocument: (id) =>
      mutate('documents', (m) => m.delete(id), {
        after: async (removed) => {
          if (!removed) return;
          await unlink(join(dirs.documents, id)).catch((err: unknown) => {
            if (!isErrno(err, 'ENOENT')) throw err;
          });
        },
      }),
    getMinutesDraft: async (sessionId: string, key: string) => (live(), servedDraft(collections.minutesDrafts.get(draftId(sessionId, key)))),
    async putMinutesDraft(draft: MinutesDraftRecord) {
      live();
      assertMinutesDraft(draft);
      const item = { ...stored('minutes draft', { id: draftId(draft.sessionId, draft.key), ...draft }) };
      await mutate('minutesDrafts', (m) => void m.set(item.id, item));
    },
    listMinutesDrafts: async (sessionId: string) =>
      (live(), [...collections.minutesDrafts.values()].filter((d) => d.sessionId === sessionId).sort(byId).map((d) => servedDraft(d)!)),
    // Written once under its own hash: a second write of the same version is a no-op, never a replacement.
    async putMinutesVersion(sessionId: string, sha256: string, body: string) {
      live();
      assertMinutesVersion(sessionId, sha256, body);
      const name = `${sessionId}.${sha256}.json`;
      await fileQueue.run(`minutes:${name}`, async () => {
        const existing = await readFile(join(dirs.minutes, name), 'utf8').catch((err: unknown) => {
          if (isErrno(err, 'ENOENT')) return null;
          throw err;
        });
        if (existing === null) await atomicWrite(dirs.minutes, name, body);
      });
    },
    async getMinutesVersion(sessionId: string, sha256: string) {
      live();
      assertSafeId('session id', sessionId);
      if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
      return readFile(join(dirs.minutes, `${sessionId}.${sha256}.json`), 'utf8').catch((err: unknown) => {
        if (isErrno(err, 'ENOENT')) return null;
        throw err;
      });
    },
  };

  async function readSnapshot(dir: string, sessionId: string): Promise<PersistedSessionSnapshot | null> {
    live();
    assertSafeId('session id', sessionId);
    let text: string;
    try {
      text = await readFile(join(dir, `${sessionId}.json`), 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as PersistedSessionSnapshot;
      assertSnapshot(parsed);
      return parsed;
    } catch (err) {
      log(`snapshot ${sessionId} is unreadable (${(err as Error).message}); the journal will be replayed from the start`);
      return null;
    }
  }

  // ---------------------------------------------------------------- ballot boxes
  const ballotFile = (pollKey: string) => `${pollKey}.json`;

  const ballots: BallotBoxStore = {
    async save(pollKey: string, box: SealedBox, fence?: Fence) {
      live();
      assertPollKey(pollKey);
      assertSealedBox(box);
      assertFence(fence);
      const text = sealedBoxText(box);
      await fileQueue.run(`ballot:${pollKey}`, () =>
        atomicWrite(dirs.ballots, ballotFile(pollKey), text, { mode: 0o600, scrubPrevious: true }),
      );
    },
    async load(pollKey: string) {
      live();
      assertPollKey(pollKey);
      let text: string;
      try {
        text = await readFile(join(dirs.ballots, ballotFile(pollKey)), 'utf8');
      } catch (err) {
        if (isErrno(err, 'ENOENT')) return null;
        throw err;
      }
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
      await fileQueue.run(`ballot:${pollKey}`, async () => {
        if (await scrubFile(join(dirs.ballots, ballotFile(pollKey)))) await fsyncDir(dirs.ballots);
      });
    },
    async keys() {
      live();
      return idsIn(dirs.ballots, '.json', POLL_KEY);
    },
  };

  return {
    kind: 'embedded',
    dataDir: root,
    snapshotEvery,
    journal,
    catalog,
    ballots,
    links: new ProcessLoginLinks(),
    async ping() {
      if (closed) return false;
      try {
        await stat(dirs.journal);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Let queued writes finish: each was promised durable to someone.
      await appendQueue.drain();
      await fileQueue.drain();
      const opened = await Promise.allSettled(sessions.values());
      sessions.clear();
      for (const r of opened) if (r.status === 'fulfilled') await r.value.fh.close();
      await releaseLock();
    },
  };
}

/** Exposed for tests that damage files on purpose. */
export const embeddedPaths = {
  journal: (dataDir: string, sessionId: string) => join(resolve(dataDir), 'journal', `${sessionId}.jsonl`),
  snapshot: (dataDir: string, sessionId: string) => join(resolve(dataDir), 'snapshots', `${sessionId}.json`),
  ballots: (dataDir: string, pollKey: string) => join(resolve(dataDir), 'ballots', `${pollKey}.json`),
  recovered: (dataDir: string) => join(resolve(dataDir), 'recovered'),
};

export class DataDirLockedError extends Error {
  readonly code = 'DATA_DIR_LOCKED';
}

/**
 * Takes `<dataDir>/LOCK` holding our pid. A lock whose pid is not running (the holder was killed) is stale and taken
 * over; a live holder is refused with a clear error. Same-process reopen (tests) is allowed.
 */
async function lockDataDir(root: string): Promise<() => Promise<void>> {
  const path = join(root, 'LOCK');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.sync();
      await fh.close();
      return async () => {
        const holder = await readFile(path, 'utf8').catch(() => '');
        if (holder.trim() === String(process.pid)) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (pid === process.pid) return async () => undefined;
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new DataDirLockedError(`data directory ${root} is in use by process ${pid}; stop it first (one Hall process per DATA_DIR)`);
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new DataDirLockedError(`could not lock data directory ${root}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}
