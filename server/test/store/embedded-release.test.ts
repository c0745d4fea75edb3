/**
 * The embedded store holds one open file per journal it has touched. A server running for a term touches thousands
 * (every sitting, every record read): it gives them back — at once when a sitting's room retires (`journal.release`),
 * and beyond `maxOpenJournals` the least recently used — without a read, an append or the hash chain noticing.
 */
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/store/embedded.ts';
import type { JournalInput } from '../../src/store/types.ts';
import { openJournalFiles, tempDir } from './helpers.ts';

const ev = (n: number): JournalInput => ({ at: 1_760_000_000_000 + n, commandId: `cmd-${n}`, event: { type: 'note.added', n, text: `ghi chú số ${n}` } });
const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => ev(from + i));

describe('embedded store: open journal files are given back', () => {
  let dir: string;
  let store: EmbeddedStore;
  const logs: string[] = [];

  beforeEach(async () => {
    dir = await tempDir('hall-release-');
    logs.length = 0;
    store = await openEmbeddedStore(dir, { log: (m) => logs.push(m), maxOpenJournals: 3 });
  });

  /** Open journal files once at most three remain (bounded by checks, not by a speed). */
  const closesSettled = async () => {
    await vi.waitFor(async () => expect((await openJournalFiles(dir)).length).toBeLessThanOrEqual(3), { timeout: 30_000, interval: 20 });
    return openJournalFiles(dir);
  };

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('[STORE-REL-1] release closes the journal file; reads, verify and appends go on along the same chain', async () => {
    await store.journal.append('s1', events(1, 5));
    await store.journal.append('s2', events(1, 2));
    const before = await store.journal.read('s1');
    expect(await openJournalFiles(dir)).toEqual(['s1', 's2']);

    await store.journal.release!('s1');
    expect(await openJournalFiles(dir)).toEqual(['s2']);
    // Releasing what is not open, or twice, changes nothing.
    await store.journal.release!('s1');
    await store.journal.release!('nobody');
    expect(await openJournalFiles(dir)).toEqual(['s2']);

    // "Has it changed?" (the records ask it before each view) is answered without opening the file again.
    expect(await store.journal.lastSeq('s1')).toBe(5);
    expect(await openJournalFiles(dir)).toEqual(['s2']);
    expect(await store.journal.read('s1')).toEqual(before);
    expect(await store.journal.append('s1', [ev(6)], 5)).toBe(6);
    const after = await store.journal.read('s1');
    expect(after.slice(0, 5)).toEqual(before);
    expect(after[5]!.prevHash).toBe(before[4]!.hash);
    expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 6 });
    expect(await openJournalFiles(dir)).toEqual(['s1', 's2']);
    // Released again after the append: the last seq it gives is the new one.
    await store.journal.release!('s1');
    expect(await store.journal.lastSeq('s1')).toBe(6);
    expect(await openJournalFiles(dir)).toEqual(['s2']);
  });

  it('[STORE-REL-2] a release racing reads and appends: every read is whole, every append lands once, the file ends closed', async () => {
    await store.journal.append('s1', events(1, 400));
    const work: Promise<unknown>[] = [];
    const reads: Promise<number>[] = [];
    // Reads start at every point of a release's way to closing the file (k microtask turns after it was asked for), and
    // releases at every point of a read's way to the file.
    const turns = async (k: number) => {
      for (let i = 0; i < k; i++) await Promise.resolve();
    };
    for (let round = 0; round < 20; round++) {
      work.push(store.journal.release!('s1'));
      await turns(round);
      reads.push(store.journal.read('s1').then((records) => records.length));
      await turns(round);
      work.push(store.journal.release!('s1'));
      work.push(store.journal.append('s1', [ev(401 + round)]));
      reads.push(store.journal.verify('s1').then((v) => (v.ok ? v.records : -1)));
    }
    await Promise.all(work);
    for (const count of await Promise.all(reads)) {
      // A read sees the records appended before it, whichever file it used.
      expect(count).toBeGreaterThanOrEqual(400);
      expect(count).toBeLessThanOrEqual(420);
    }
    const records = await store.journal.read('s1');
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 420 }, (_, i) => i + 1));
    expect(await store.journal.verify('s1')).toEqual({ ok: true, records: 420 });
    await store.journal.release!('s1');
    expect(await openJournalFiles(dir)).toEqual([]);
  });

  it('[STORE-REL-3] beyond maxOpenJournals the least recently used journals close, and come back whole on their next use', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    for (const id of ids) await store.journal.append(id, events(1, 3));
    // s0 used last of all: it stays open, the oldest others went.
    await store.journal.read('s0');
    await store.journal.append('s9', [ev(4)], 3);
    // The cap's closes run behind each journal's own queue, after the opening that set them off.
    const open = await closesSettled();
    expect(open.length).toBeLessThanOrEqual(3);
    expect(open).toContain('s0');
    expect(open).toContain('s9');

    for (const id of ids) {
      expect(await store.journal.verify(id)).toEqual({ ok: true, records: id === 's9' ? 4 : 3 });
      expect(await store.journal.append(id, [ev(10)])).toBe(id === 's9' ? 5 : 4);
    }
    expect((await closesSettled()).length).toBeLessThanOrEqual(3);
    expect(logs).toEqual([]);
  });

  it('[STORE-REL-4] the store survives a reopen after releases: every journal reads back as written', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await store.journal.append(id, events(1, 4));
    await store.journal.release!('c');
    const written = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => store.journal.read(id)));
    await store.close();
    store = await openEmbeddedStore(dir, { log: (m) => logs.push(m), maxOpenJournals: 3 });
    expect(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => store.journal.read(id)))).toEqual(written);
  });
});
