/**
 * In-memory twin of the embedded store for fast unit tests. It keeps the same bytes the embedded adapter writes
 * (canonical journal lines, JSON catalog entries) so that hashing, copying and validation behave identically; only
 * durability is simulated: a store re-created over the same `MemoryBacking` sees what the closed one wrote.
 */
import { ProcessLoginLinks } from './login-links.ts';
import { GENESIS_HASH, JournalCorruptError, assertJournalInputs, encodeBatch, scanLines } from './chain.ts';
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
import type { Council } from '@hall/core';
import { assertMinutesDraft, assertMinutesVersion, assertCatalogId, assertDocument, assertExpectedSeq, assertFence, assertPollKey, assertSafeId, assertSealedBox, assertSnapshot, sealedBoxText } from './validate.ts';

export interface MemoryBacking {
  journals: Map<string, string[]>;
  snapshots: Map<string, string>;
  genesis: Map<string, string>;
  councils: Map<string, string>;
  sessions: Map<string, string>;
  accounts: Map<string, string>;
  documents: Map<string, { meta: string; bytes: Buffer }>;
  ballots: Map<string, string>;
  minutesDrafts: Map<string, string>;
  minutesVersions: Map<string, string>;
  /** Last seq and hash per journal, so an append costs O(batch) rather than a rescan (the embedded adapter keeps the same in memory). */
  tails: Map<string, { seq: number; hash: string }>;
}

export function createMemoryBacking(): MemoryBacking {
  return {
    journals: new Map(),
    snapshots: new Map(),
    genesis: new Map(),
    councils: new Map(),
    sessions: new Map(),
    accounts: new Map(),
    documents: new Map(),
    ballots: new Map(),
    minutesDrafts: new Map(),
    minutesVersions: new Map(),
    tails: new Map(),
  };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function createMemoryStore(backing: MemoryBacking = createMemoryBacking()): Store {
  let closed = false;
  const live = () => {
    if (closed) throw new Error('store is closed');
  };

  const records = (sessionId: string): { lines: string[]; records: JournalRecord[] } => {
    const lines = backing.journals.get(sessionId) ?? [];
    const scan = scanLines(lines);
    if (scan.problem) throw new JournalCorruptError(sessionId, scan.problem.seq, scan.problem.reason);
    return { lines, records: scan.records };
  };

  const tail = (sessionId: string): { seq: number; hash: string } => {
    let t = backing.tails.get(sessionId);
    if (!t) {
      const last = records(sessionId).records.at(-1);
      t = { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH };
      backing.tails.set(sessionId, t);
    }
    return t;
  };

  const journal: Journal = {
    // One process, one writer: fences (cluster leases) have nothing to check here.
    async append(sessionId: string, inputs: JournalInput[], expectedSeq?: number, _fence?: string): Promise<number> {
      live();
      assertSafeId('session id', sessionId);
      assertExpectedSeq(expectedSeq);
      assertJournalInputs(inputs);
      // No await before the write: the body runs atomically, so concurrent calls serialize in call order.
      const t = tail(sessionId);
      if (expectedSeq !== undefined && expectedSeq !== t.seq) throw new StoreConflictError(sessionId, expectedSeq, t.seq);
      if (inputs.length === 0) return t.seq;
      const batch = encodeBatch(t.seq, t.hash, inputs);
      const lines = backing.journals.get(sessionId) ?? [];
      lines.push(...batch.lines);
      backing.journals.set(sessionId, lines);
      backing.tails.set(sessionId, { seq: batch.lastSeq, hash: batch.lastHash });
      return batch.lastSeq;
    },
    async read(sessionId: string, fromSeq = 1): Promise<JournalRecord[]> {
      live();
      assertSafeId('session id', sessionId);
      return records(sessionId).records.filter((r) => r.seq >= fromSeq);
    },
    async lastSeq(sessionId: string): Promise<number> {
      live();
      assertSafeId('session id', sessionId);
      return tail(sessionId).seq;
    },
    async saveSnapshot(sessionId: string, snapshot: PersistedSessionSnapshot): Promise<void> {
      live();
      assertSafeId('session id', sessionId);
      assertSnapshot(snapshot);
      backing.snapshots.set(sessionId, JSON.stringify(snapshot));
      if (snapshot.seq === 0) backing.genesis.set(sessionId, JSON.stringify(snapshot));
    },
    async loadGenesis(sessionId: string): Promise<PersistedSessionSnapshot | null> {
      live();
      assertSafeId('session id', sessionId);
      const text = backing.genesis.get(sessionId);
      return text === undefined ? null : (JSON.parse(text) as PersistedSessionSnapshot);
    },
    async loadSnapshot(sessionId: string): Promise<PersistedSessionSnapshot | null> {
      live();
      assertSafeId('session id', sessionId);
      const text = backing.snapshots.get(sessionId);
      return text === undefined ? null : (JSON.parse(text) as PersistedSessionSnapshot);
    },
    async verify(sessionId: string) {
      live();
      assertSafeId('session id', sessionId);
      const lines = backing.journals.get(sessionId) ?? [];
      const scan = scanLines(lines);
      return scan.problem ? { ok: false, records: lines.length, firstBadSeq: scan.problem.seq } : { ok: true, records: lines.length };
    },
    async sessionIds(): Promise<string[]> {
      live();
      return [...backing.journals.keys()].sort();
    },
  };

  function collection<T extends { id: string }>(map: Map<string, string>, what: string) {
    return {
      list: (): T[] => [...map.values()].map((text) => JSON.parse(text) as T).sort(byId),
      get: (id: string): T | null => {
        const text = map.get(id);
        return text === undefined ? null : (JSON.parse(text) as T);
      },
      put: (value: T): void => {
        assertCatalogId(what, value?.id);
        map.set(value.id, JSON.stringify(value));
      },
      delete: (id: string): boolean => map.delete(id),
    };
  }
  const councils = collection<Council>(backing.councils, 'council');
  const sessions = collection<SessionRecord>(backing.sessions, 'session');
  const accounts = collection<Account>(backing.accounts, 'account');

  const catalog: Catalog = {
    listCouncils: async () => (live(), councils.list()),
    getCouncil: async (id) => (live(), councils.get(id)),
    putCouncil: async (council) => (live(), councils.put(council)),
    deleteCouncil: async (id) => (live(), councils.delete(id)),
    listSessions: async (councilId) => (live(), sessions.list().filter((s) => councilId === undefined || s.councilId === councilId)),
    getSession: async (id) => (live(), sessions.get(id)),
    putSession: async (session) => (live(), sessions.put(session)),
    deleteSession: async (id) => (live(), sessions.delete(id)),
    listAccounts: async () => (live(), accounts.list()),
    getAccount: async (id) => (live(), accounts.get(id)),
    putAccount: async (account) => (live(), accounts.put(account)),
    deleteAccount: async (id) => (live(), accounts.delete(id)),
    async putDocument(meta: DocumentMeta, bytes: Buffer) {
      live();
      assertDocument(meta, bytes);
      backing.documents.set(meta.id, { meta: JSON.stringify(meta), bytes: Buffer.from(bytes) });
    },
    async getDocument(id: string) {
      live();
      const doc = backing.documents.get(id);
      return doc ? { meta: JSON.parse(doc.meta) as DocumentMeta, bytes: Buffer.from(doc.bytes) } : null;
    },
    async listDocuments(sessionId?: string) {
      live();
      return [...backing.documents.values()]
        .map((d) => JSON.parse(d.meta) as DocumentMeta)
        .filter((m) => sessionId === undefined || m.sessionId === sessionId)
        .sort(byId);
    },
    async deleteDocument(id: string) {
      live();
      return backing.documents.delete(id);
    },
    async getMinutesDraft(sessionId: string, key: string) {
      live();
      const text = backing.minutesDrafts.get(`${sessionId}\u0000${key}`);
      return text === undefined ? null : (JSON.parse(text) as MinutesDraftRecord);
    },
    async putMinutesDraft(draft: MinutesDraftRecord) {
      live();
      assertMinutesDraft(draft);
      backing.minutesDrafts.set(`${draft.sessionId}\u0000${draft.key}`, JSON.stringify(draft));
    },
    async listMinutesDrafts(sessionId: string) {
      live();
      return [...backing.minutesDrafts.values()].map((t) => JSON.parse(t) as MinutesDraftRecord).filter((d) => d.sessionId === sessionId).sort((a, b) => (a.key < b.key ? -1 : 1));
    },
    async putMinutesVersion(sessionId: string, sha256: string, body: string) {
      live();
      assertMinutesVersion(sessionId, sha256, body);
      const key = `${sessionId}\u0000${sha256}`;
      if (!backing.minutesVersions.has(key)) backing.minutesVersions.set(key, body);
    },
    async getMinutesVersion(sessionId: string, sha256: string) {
      live();
      return backing.minutesVersions.get(`${sessionId}\u0000${sha256}`) ?? null;
    },
  };

  const ballots: BallotBoxStore = {
    async save(pollKey: string, box: SealedBox, fence?: Fence) {
      live();
      assertPollKey(pollKey);
      assertSealedBox(box);
      assertFence(fence);
      backing.ballots.set(pollKey, sealedBoxText(box));
    },
    async load(pollKey: string) {
      live();
      assertPollKey(pollKey);
      const text = backing.ballots.get(pollKey);
      return text === undefined ? null : (JSON.parse(text) as SealedBox);
    },
    async destroy(pollKey: string, fence?: Fence) {
      live();
      assertPollKey(pollKey);
      assertFence(fence);
      backing.ballots.delete(pollKey);
    },
    async keys() {
      live();
      return [...backing.ballots.keys()].sort();
    },
  };

  return {
    kind: 'embedded',
    journal,
    catalog,
    ballots,
    links: new ProcessLoginLinks(),
    ping: async () => !closed,
    async close() {
      closed = true;
    },
  };
}
