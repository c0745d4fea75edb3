/**
 * The one contract every storage adapter passes (docs/architecture.md). An adapter's test file calls
 * `describeStoreContract(name, open)`; `open` gives a fresh, empty store per test plus:
 *  - `reopen()`: close the current store and open another on the same data (durability is what survives this);
 *  - `cleanup()`: close whatever is open and remove the data;
 *  - `tamper(sessionId, seq)`: change the stored event of one record behind the store's back (adapter-specific).
 * Every adapter must provide it: tamper detection is a promise of the journal, not an optional feature.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { GENESIS_HASH, chainHash } from './chain.ts';
import { type Account, type DocumentMeta, type JournalInput, type SessionRecord, type Store, StoreConflictError } from './types.ts';
import type { Council } from '@hall/core';
import { createHash } from 'node:crypto';

export interface StoreHarness {
  store: Store;
  reopen: () => Promise<Store>;
  cleanup: () => Promise<void>;
  tamper: (sessionId: string, seq: number) => Promise<void>;
}

export interface StoreContractOptions {
  /** Per-test timeout for the heavier tests (real disks and networks are slower). */
  timeoutMs?: number;
}

const ev = (n: number, extra: Record<string, unknown> = {}): JournalInput => ({
  at: 1_760_000_000_000 + n,
  event: { type: 'note.added', n, text: `ghi chú số ${n}`, ...extra } as JournalInput['event'],
});

const council = (id: string, name = 'HĐND xã Tân Phú'): Council => ({
  id,
  name,
  level: 'commune',
  term: '2026-2031',
  delegates: [{ id: 'd1', fullName: 'Nguyễn Văn An', group: 'Tổ 1', seat: 'A1', status: 'sitting' }],
  officials: [],
  profile: {} as Council['profile'],
});

const sessionRecord = (id: string, councilId: string): SessionRecord => ({
  id,
  councilId,
  title: `Kỳ họp ${id}`,
  date: '2026-07-01',
  agenda: [],
  status: 'scheduled',
});

const account = (id: string): Account => ({
  id,
  role: 'delegate',
  displayName: `Đại biểu ${id}`,
  councilIds: ['c1'],
  delegateId: id,
  secretHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
});

const doc = (id: string, bytes: Buffer, sessionId?: string): DocumentMeta => ({
  id,
  title: `Tài liệu ${id}`,
  mime: 'application/pdf',
  size: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  ...(sessionId ? { sessionId } : {}),
});

export function describeStoreContract(name: string, open: () => Promise<StoreHarness>, options: StoreContractOptions = {}): void {
  const timeout = options.timeoutMs ?? 30_000;

  describe(`store contract: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    const reopen = async () => {
      store = await h.reopen();
      return store;
    };

    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    describe('journal', () => {
      it('[STORE-1] an unknown session is empty and is not created by reading it', async () => {
        expect(await store.journal.read('s-none')).toEqual([]);
        expect(await store.journal.lastSeq('s-none')).toBe(0);
        expect(await store.journal.verify('s-none')).toEqual({ ok: true, records: 0 });
        expect(await store.journal.loadSnapshot('s-none')).toBeNull();
        expect(await store.journal.sessionIds()).toEqual([]);
      });

      it('[STORE-2] appends are numbered 1,2,3… and read back in order with a hash chain from genesis', async () => {
        expect(await store.journal.append('s1', [ev(1)])).toBe(1);
        expect(await store.journal.append('s1', [{ ...ev(2), commandId: 'cmd-2' }])).toBe(2);
        expect(await store.journal.append('s1', [ev(3)])).toBe(3);
        const records = await store.journal.read('s1');
        expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
        expect(records.map((r) => (r.event as { n: number }).n)).toEqual([1, 2, 3]);
        expect(records[0]!.prevHash).toBe(GENESIS_HASH);
        let prev = GENESIS_HASH;
        for (const r of records) {
          expect(r.prevHash).toBe(prev);
          expect(r.hash).toBe(chainHash(prev, r));
          prev = r.hash;
        }
        expect(records[1]!.commandId).toBe('cmd-2');
        expect('commandId' in records[0]!).toBe(false);
        expect(records[0]!.at).toBe(ev(1).at);
        expect(await store.journal.lastSeq('s1')).toBe(3);
        expect((await store.journal.read('s1', 2)).map((r) => r.seq)).toEqual([2, 3]);
        expect(await store.journal.read('s1', 4)).toEqual([]);
        expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 3 });
        expect(await store.journal.sessionIds()).toEqual(['s1']);
      });

      it('[STORE-3] a batch append takes consecutive seqs and resolves with the last', async () => {
        await store.journal.append('s1', [ev(1)]);
        expect(await store.journal.append('s1', [ev(2), ev(3), ev(4)])).toBe(4);
        expect((await store.journal.read('s1')).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
        expect(await store.journal.append('s1', [])).toBe(4);
        expect(await store.journal.lastSeq('s1')).toBe(4);
      });

      it('[STORE-4] events round-trip exactly: Vietnamese text, newlines, nesting, numbers', async () => {
        const event = { type: 'x', text: 'Biểu quyết thông qua\nNghị quyết số 12/2026/NQ-HĐND\u2028', nested: { b: [1, 2.5, -3, null, true], a: 'á' }, zero: 0 };
        await store.journal.append('s1', [{ at: 5, event }]);
        const [r] = await store.journal.read('s1');
        expect(r!.event).toEqual(event);
        expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 1 });
      });

      it('[STORE-5] a stale expectedSeq rejects with StoreConflictError and writes nothing', async () => {
        expect(await store.journal.append('s1', [ev(1)], 0)).toBe(1);
        const err = await store.journal.append('s1', [ev(2), ev(3)], 0).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreConflictError);
        expect((err as StoreConflictError).code).toBe('STORE_CONFLICT');
        await expect(store.journal.append('s1', [ev(2)], 5)).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.journal.lastSeq('s1')).toBe(1);
        expect(await store.journal.read('s1')).toHaveLength(1);
        expect(await store.journal.append('s1', [ev(2)], 1)).toBe(2);
        await expect(store.journal.append('s-new', [ev(1)], 3)).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.journal.sessionIds()).not.toContain('s-new');
      });

      it('[STORE-6] of concurrent writers holding the same expectedSeq exactly one wins', async () => {
        const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.journal.append('s1', [ev(i)], 0)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflictError);
        expect(await store.journal.lastSeq('s1')).toBe(1);
      });

      it('[STORE-7] 50 appends fired without awaiting serialize without gaps', { timeout }, async () => {
        const seqs = await Promise.all(Array.from({ length: 50 }, (_, i) => store.journal.append('s1', [ev(i)])));
        expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const records = await store.journal.read('s1');
        expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        // Each call's event sits at the seq that call was given.
        seqs.forEach((seq, i) => expect((records[seq - 1]!.event as { n: number }).n).toBe(i));
        expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 50 });
      });

      it('[STORE-8] sessions are independent', { timeout }, async () => {
        const ids = Array.from({ length: 12 }, (_, i) => `sess-${String(i).padStart(2, '0')}`);
        await Promise.all(ids.flatMap((id, i) => Array.from({ length: (i % 4) + 1 }, (_, k) => store.journal.append(id, [ev(k, { id })]))));
        expect(await store.journal.sessionIds()).toEqual(ids);
        for (const [i, id] of ids.entries()) {
          const records = await store.journal.read(id);
          expect(records.map((r) => r.seq)).toEqual(Array.from({ length: (i % 4) + 1 }, (_, k) => k + 1));
          expect(records.every((r) => (r.event as { id: string }).id === id)).toBe(true);
          expect((await store.journal.verify(id)).ok).toBe(true);
        }
        await store.journal.append(ids[0]!, [ev(99)], 1);
        expect(await store.journal.lastSeq(ids[1]!)).toBe(2);
      });

      it('[STORE-9] ids that could escape the data directory are refused', async () => {
        for (const bad of ['../x', 'a/b', 'a\\b', '', '.', '..', 'x'.repeat(65), 'a b', 'ä']) {
          await expect(store.journal.append(bad, [ev(1)])).rejects.toThrow(/session id/);
          await expect(store.journal.read(bad)).rejects.toThrow(/session id/);
          await expect(store.journal.saveSnapshot(bad, { machineVersion: 1, seq: 0, snapshot: {} })).rejects.toThrow(/session id/);
        }
        await expect(store.ballots.save('../p', { wrappedKey: 'k', sealed: [] })).rejects.toThrow(/poll key/);
        const bytes = Buffer.from('x');
        await expect(store.catalog.putDocument(doc('../d', bytes), bytes)).rejects.toThrow(/document id/);
        expect(await store.journal.sessionIds()).toEqual([]);
      });

      it('[STORE-10] inputs the chain cannot represent are refused and nothing is written', async () => {
        await expect(store.journal.append('s1', [{ at: Number.NaN, event: {} }])).rejects.toThrow();
        await expect(store.journal.append('s1', [ev(1), { at: 1, event: { bad: Number.POSITIVE_INFINITY } }])).rejects.toThrow();
        await expect(store.journal.append('s1', [{ at: 1, event: { when: new Date() } as never }])).rejects.toThrow();
        expect(await store.journal.lastSeq('s1')).toBe(0);
        expect(await store.journal.append('s1', [ev(1)])).toBe(1);
      });

      it('[STORE-11] the journal survives close and reopen, and appends continue the chain', { timeout }, async () => {
        await store.journal.append('s1', [ev(1), { ...ev(2), commandId: 'c2' }]);
        await store.journal.append('s2', [ev(1)]);
        const before = await store.journal.read('s1');
        await reopen();
        expect(await store.journal.read('s1')).toEqual(before);
        expect(await store.journal.lastSeq('s1')).toBe(2);
        expect(await store.journal.sessionIds()).toEqual(['s1', 's2']);
        await expect(store.journal.append('s1', [ev(3)], 1)).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.journal.append('s1', [ev(3)], 2)).toBe(3);
        expect((await store.journal.read('s1'))[2]!.prevHash).toBe(before[1]!.hash);
        expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 3 });
      });

      it('[STORE-12] snapshots round-trip, are replaced, are per session and survive reopen', async () => {
        const snap = { machineVersion: 3, seq: 2, snapshot: { value: { inProgress: 'agenda' }, context: { count: 2, names: ['Bà Lê Thị Hoa'] } } };
        await store.journal.saveSnapshot('s1', snap);
        expect(await store.journal.loadSnapshot('s1')).toEqual(snap);
        const later = { ...snap, seq: 7 };
        await store.journal.saveSnapshot('s1', later);
        expect(await store.journal.loadSnapshot('s1')).toEqual(later);
        expect(await store.journal.loadSnapshot('s2')).toBeNull();
        await reopen();
        expect(await store.journal.loadSnapshot('s1')).toEqual(later);
      });

      it('[STORE-13] verify names the first record whose event was changed behind the store', async () => {
        expect(h.tamper, `adapter "${name}" must provide the tamper hook`).toBeTypeOf('function');
        await store.journal.append('s1', [ev(1), ev(2), ev(3), ev(4)]);
        expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 4 });
        await h.tamper('s1', 3);
        const result = await store.journal.verify('s1');
        expect(result.ok).toBe(false);
        expect(result.firstBadSeq).toBe(3);
      });
    });

    describe('catalog', () => {
      it('[STORE-20] councils: put, get, list, replace, delete, survive reopen', async () => {
        expect(await store.catalog.listCouncils()).toEqual([]);
        expect(await store.catalog.getCouncil('c1')).toBeNull();
        await store.catalog.putCouncil(council('c2'));
        await store.catalog.putCouncil(council('c1'));
        expect((await store.catalog.listCouncils()).map((c) => c.id)).toEqual(['c1', 'c2']);
        await store.catalog.putCouncil(council('c1', 'HĐND tỉnh'));
        expect((await store.catalog.getCouncil('c1'))!.name).toBe('HĐND tỉnh');
        expect(await store.catalog.getCouncil('c1')).toEqual(council('c1', 'HĐND tỉnh'));
        expect(await store.catalog.deleteCouncil('c2')).toBe(true);
        expect(await store.catalog.deleteCouncil('c2')).toBe(false);
        await reopen();
        expect(await store.catalog.listCouncils()).toEqual([council('c1', 'HĐND tỉnh')]);
      });

      it('[STORE-21] sessions: list filters by council; survive reopen', async () => {
        await store.catalog.putSession(sessionRecord('k1', 'c1'));
        await store.catalog.putSession(sessionRecord('k2', 'c2'));
        await store.catalog.putSession(sessionRecord('k3', 'c1'));
        expect((await store.catalog.listSessions()).map((s) => s.id)).toEqual(['k1', 'k2', 'k3']);
        expect((await store.catalog.listSessions('c1')).map((s) => s.id)).toEqual(['k1', 'k3']);
        await store.catalog.putSession({ ...sessionRecord('k1', 'c1'), status: 'live' });
        expect((await store.catalog.getSession('k1'))!.status).toBe('live');
        expect(await store.catalog.deleteSession('k3')).toBe(true);
        await reopen();
        expect((await store.catalog.listSessions('c1')).map((s) => s.id)).toEqual(['k1']);
        expect(await store.catalog.getSession('k3')).toBeNull();
      });

      it('[STORE-22] accounts: put, get, list, delete, survive reopen', async () => {
        await store.catalog.putAccount(account('d2'));
        await store.catalog.putAccount(account('d1'));
        expect((await store.catalog.listAccounts()).map((a) => a.id)).toEqual(['d1', 'd2']);
        await store.catalog.putAccount({ ...account('d1'), disabled: true });
        expect(await store.catalog.deleteAccount('d2')).toBe(true);
        expect(await store.catalog.deleteAccount('nobody')).toBe(false);
        await reopen();
        expect(await store.catalog.listAccounts()).toEqual([{ ...account('d1'), disabled: true }]);
        expect(await store.catalog.getAccount('d2')).toBeNull();
      });

      it('[STORE-23] documents: bytes and meta round-trip, list filters by session, delete, survive reopen', async () => {
        const a = Buffer.from('%PDF-1.7 tờ trình\n');
        const b = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
        await store.catalog.putDocument(doc('doc-a', a, 'k1'), a);
        await store.catalog.putDocument(doc('doc-b', b), b);
        const got = await store.catalog.getDocument('doc-b');
        expect(got!.meta).toEqual(doc('doc-b', b));
        expect(Buffer.compare(got!.bytes, b)).toBe(0);
        expect((await store.catalog.listDocuments()).map((d) => d.id)).toEqual(['doc-a', 'doc-b']);
        expect((await store.catalog.listDocuments('k1')).map((d) => d.id)).toEqual(['doc-a']);
        const a2 = Buffer.from('%PDF-1.7 bản sửa đổi\n');
        await store.catalog.putDocument(doc('doc-a', a2, 'k1'), a2);
        expect(await store.catalog.deleteDocument('doc-b')).toBe(true);
        expect(await store.catalog.deleteDocument('doc-b')).toBe(false);
        expect(await store.catalog.getDocument('doc-b')).toBeNull();
        await reopen();
        const back = await store.catalog.getDocument('doc-a');
        expect(back!.bytes.toString()).toBe(a2.toString());
        expect(back!.meta.sha256).toBe(doc('doc-a', a2).sha256);
        expect(await store.catalog.listDocuments()).toHaveLength(1);
      });

      it('[STORE-24] a document whose meta does not describe its bytes is refused', async () => {
        const bytes = Buffer.from('abc');
        await expect(store.catalog.putDocument({ ...doc('d1', bytes), size: 4 }, bytes)).rejects.toThrow(/size/);
        await expect(store.catalog.putDocument({ ...doc('d1', bytes), sha256: '0'.repeat(64) }, bytes)).rejects.toThrow(/sha256/);
        expect(await store.catalog.listDocuments()).toEqual([]);
      });

      it('[STORE-25] returned records are copies: mutating them changes nothing stored', async () => {
        await store.catalog.putCouncil(council('c1'));
        const c = (await store.catalog.getCouncil('c1'))!;
        c.name = 'changed';
        c.delegates.push({ id: 'dx', fullName: 'x', group: '', seat: '', status: 'sitting' });
        const input = council('c2');
        await store.catalog.putCouncil(input);
        input.name = 'changed after put';
        expect((await store.catalog.getCouncil('c1'))!.name).toBe('HĐND xã Tân Phú');
        expect((await store.catalog.getCouncil('c1'))!.delegates).toHaveLength(1);
        expect((await store.catalog.getCouncil('c2'))!.name).toBe('HĐND xã Tân Phú');
      });
    });

    describe('minutes', () => {
      const sha = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

      it('[STORE-26] drafts: put, replace, get, list per session (Vietnamese free text), survive reopen', async () => {
        expect(await store.catalog.getMinutesDraft('kh1', 'session')).toBeNull();
        const draft = { sessionId: 'kh1', key: 'sitting-1', text: { opening: 'Phiên họp khai mạc lúc 8 giờ.\nĐồng chí Chủ tịch phát biểu.' }, updatedAt: 1, updatedBy: 'thuky.bn' };
        await store.catalog.putMinutesDraft(draft);
        await store.catalog.putMinutesDraft({ ...draft, key: 'count-p:1', text: { closing: 'Ban kiểm phiếu' } });
        await store.catalog.putMinutesDraft({ ...draft, sessionId: 'kh2', key: 'session' });
        await store.catalog.putMinutesDraft({ ...draft, text: { opening: 'Sửa lại' }, updatedAt: 2 });
        await reopen();
        expect(await store.catalog.getMinutesDraft('kh1', 'sitting-1')).toEqual({ ...draft, text: { opening: 'Sửa lại' }, updatedAt: 2 });
        expect((await store.catalog.listMinutesDrafts('kh1')).map((d) => d.key)).toEqual(['count-p:1', 'sitting-1']);
        await expect(store.catalog.putMinutesDraft({ ...draft, key: '../x' })).rejects.toThrow(/minutes key/);
      });

      it('[STORE-27] versions are content-addressed and written once: a wrong hash is refused, a second put changes nothing', async () => {
        const body = JSON.stringify({ title: 'BIÊN BẢN', blocks: ['Phiên họp thứ nhất'] });
        await expect(store.catalog.putMinutesVersion('kh1', sha('khác'), body)).rejects.toThrow(/sha256/);
        expect(await store.catalog.getMinutesVersion('kh1', sha(body))).toBeNull();
        await store.catalog.putMinutesVersion('kh1', sha(body), body);
        await store.catalog.putMinutesVersion('kh1', sha(body), body);
        await reopen();
        expect(await store.catalog.getMinutesVersion('kh1', sha(body))).toBe(body);
        expect(await store.catalog.getMinutesVersion('kh2', sha(body))).toBeNull();
        expect(await store.catalog.getMinutesVersion('kh1', 'not-a-hash')).toBeNull();
      });
    });

    describe('ballot boxes', () => {
      it('[STORE-30] save, load, replace, keys, destroy (idempotent), survive reopen', async () => {
        expect(await store.ballots.load('k1.p1')).toBeNull();
        await store.ballots.save('k1.p1', { wrappedKey: 'w1', sealed: ['a', 'b'] });
        // No box is ever stored with a slot apart from the others (a "pending" newest ballot): it would mark the newest.
        await store.ballots.save('k1.p2', { wrappedKey: 'w2', sealed: [], pending: 'p' });
        expect(await store.ballots.load('k1.p1')).toEqual({ wrappedKey: 'w1', sealed: ['a', 'b'] });
        expect(await store.ballots.load('k1.p2')).toEqual({ wrappedKey: 'w2', sealed: [] });
        await store.ballots.save('k1.p1', { wrappedKey: 'w1b', sealed: ['c', 'd', 'e'] });
        expect(await store.ballots.load('k1.p1')).toEqual({ wrappedKey: 'w1b', sealed: ['c', 'd', 'e'] });
        expect(await store.ballots.keys()).toEqual(['k1.p1', 'k1.p2']);
        await reopen();
        expect(await store.ballots.load('k1.p1')).toEqual({ wrappedKey: 'w1b', sealed: ['c', 'd', 'e'] });
        await store.ballots.destroy('k1.p1');
        await store.ballots.destroy('k1.p1');
        await store.ballots.destroy('never-saved');
        expect(await store.ballots.load('k1.p1')).toBeNull();
        expect(await store.ballots.keys()).toEqual(['k1.p2']);
        await reopen();
        expect(await store.ballots.load('k1.p1')).toBeNull();
      });

      it('[STORE-31] poll keys of the runtime form <sessionId>.<pollId> with 64-character ids are accepted', async () => {
        const key = `${'s'.repeat(64)}.${'p'.repeat(64)}`;
        await store.ballots.save(key, { wrappedKey: 'w', sealed: [] });
        expect(await store.ballots.keys()).toEqual([key]);
      });
    });

    describe('login links', () => {
      it('[STORE-35] a link is taken once; of two simultaneous takes one gets it; links are per key', async () => {
        const now = Date.now();
        expect(await store.links.take('never-issued')).toBeNull();
        expect(await store.links.put('h1', { accountId: 'bn-d001', expiresAt: now + 60_000 }, now)).toBe(true);
        expect(await store.links.put('h2', { accountId: 'bn-d002', expiresAt: now + 60_000 }, now)).toBe(true);
        const [first, second] = await Promise.all([store.links.take('h1'), store.links.take('h1')]);
        expect([first, second].filter((x) => x !== null)).toEqual([{ accountId: 'bn-d001', expiresAt: now + 60_000 }]);
        expect(await store.links.take('h1')).toBeNull();
        expect(await store.links.take('h2')).toEqual({ accountId: 'bn-d002', expiresAt: now + 60_000 });
      });
    });

    describe('lifecycle', () => {
      it('[STORE-40] ping answers while open; a closed store refuses work', async () => {
        expect(await store.ping()).toBe(true);
        await store.close();
        await expect(store.journal.append('s1', [ev(1)])).rejects.toThrow();
        await reopen();
        expect(await store.journal.lastSeq('s1')).toBe(0);
      });
    });
  });
}
