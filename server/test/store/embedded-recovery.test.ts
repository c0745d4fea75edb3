import { describe, it, expect, beforeEach, afterEach, afterAll, beforeAll } from 'vitest';
import fc from 'fast-check';
import { link, readFile, readdir, rm, truncate, writeFile, appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openEmbeddedStore, embeddedPaths, type EmbeddedStore } from '../../src/store/embedded.ts';
import { JournalCorruptError } from '../../src/store/chain.ts';
import { journalScanPool } from '../../src/store/scan-pool.ts';
import type { JournalInput, JournalRecord } from '../../src/store/types.ts';
import { tamperEmbedded, tempDir } from './helpers.ts';

const ev = (n: number): JournalInput => ({ at: 1_760_000_000_000 + n, commandId: `cmd-${n}`, event: { type: 'note.added', n, text: `bí mật ${n}` } });

// Every case runs twice: journals verified in the store's thread, and on its verification thread (scan-pool.ts).
describe.each([
  { scan: 'in-thread', offThreadScanBytes: Number.POSITIVE_INFINITY },
  { scan: 'verification thread', offThreadScanBytes: 0 },
])('embedded store: recovery ($scan)', ({ offThreadScanBytes }) => {
  let dir: string;
  let logs: string[];
  let store: EmbeddedStore | undefined;
  const openStore = async () => {
    await store?.close();
    store = await openEmbeddedStore(dir, {
      log: (m) => {
        logs.push(m);
        if (m.includes('verification thread')) fallbacks.push(m);
      },
      offThreadScanBytes,
    });
    return store;
  };
  const journalFile = () => embeddedPaths.journal(dir, 's1');
  /** The verification thread falling back to the store's thread (logged once per process): must never happen here. */
  const fallbacks: string[] = [];
  beforeAll(async () => {
    // Scans go to the thread only once it has loaded.
    if (offThreadScanBytes === 0) expect(await journalScanPool.whenReady()).toBe(true);
  });
  afterAll(() => expect(fallbacks).toEqual([]));

  /** 8 records: five single appends, then one batch of three. */
  async function writePristine(): Promise<{ bytes: Buffer; records: JournalRecord[] }> {
    const s = await openStore();
    for (let n = 1; n <= 5; n++) await s.journal.append('s1', [ev(n)]);
    await s.journal.append('s1', [ev(6), ev(7), ev(8)]);
    const records = await s.journal.read('s1');
    await s.close();
    store = undefined;
    return { bytes: await readFile(journalFile()), records };
  }

  const completeLines = (buf: Buffer) => buf.toString('utf8').split('\n').length - 1;

  async function expectRecoveredTo(kept: number, pristine: JournalRecord[]) {
    const s = await openStore();
    expect(await s.journal.lastSeq('s1')).toBe(kept);
    expect(await s.journal.read('s1')).toEqual(pristine.slice(0, kept));
    expect(await s.journal.verify('s1')).toEqual({ ok: true, records: kept });
    expect(await s.journal.append('s1', [ev(100)], kept)).toBe(kept + 1);
    const after = await s.journal.read('s1');
    expect(after.at(-1)!.prevHash).toBe(kept === 0 ? '0'.repeat(64) : pristine[kept - 1]!.hash);
    expect(await s.journal.verify('s1')).toEqual({ ok: true, records: kept + 1 });
    const bytes = await readFile(journalFile());
    expect(bytes.at(-1)).toBe(0x0a);
    const again = await openStore();
    expect(await again.journal.lastSeq('s1')).toBe(kept + 1);
    expect((await again.journal.verify('s1')).ok).toBe(true);
  }

  beforeEach(async () => {
    dir = await tempDir('hall-recovery-');
    logs = [];
    store = undefined;
  });
  afterEach(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('[REC-1] a tail cut by N bytes recovers to the last complete record and appends continue the chain', async () => {
    const { bytes, records } = await writePristine();
    const lines = bytes.toString('utf8').split('\n');
    const last = Buffer.byteLength(lines[7]!) + 1;
    const lastThree = Buffer.byteLength(lines.slice(5, 8).join('\n')) + 1;
    for (const n of [1, 2, 17, last - 1, last, last + 1, last + 30, lastThree - 1, lastThree + 5, bytes.length - 1, bytes.length]) {
      await store?.close();
      store = undefined;
      await writeFile(journalFile(), bytes.subarray(0, bytes.length - n));
      logs = [];
      const kept = completeLines(bytes.subarray(0, bytes.length - n));
      await expectRecoveredTo(kept, records);
      // Something was cut exactly when the cut did not fall on a line end.
      const cut = (bytes.length - n) !== Buffer.byteLength(lines.slice(0, kept).join('\n')) + (kept ? 1 : 0);
      expect(logs.some((m) => m.includes('cut'))).toBe(cut);
    }
  });

  it('[REC-2] any truncation point recovers exactly the complete-record prefix (property)', async () => {
    const { bytes, records } = await writePristine();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length }), async (cutAt) => {
        await store?.close();
        store = undefined;
        await writeFile(journalFile(), bytes.subarray(0, cutAt));
        const s = await openStore();
        const kept = completeLines(bytes.subarray(0, cutAt));
        expect(await s.journal.read('s1')).toEqual(records.slice(0, kept));
        expect((await stat(journalFile())).size).toBe(Buffer.byteLength(bytes.toString('utf8').split('\n').slice(0, kept).join('\n')) + (kept ? 1 : 0));
      }),
      { numRuns: 40 },
    );
  });

  it('[REC-3] garbage after the last record (no newline, a bad line, a wrong hash, zeros) is cut; the cut bytes are kept aside', async () => {
    const { bytes, records } = await writePristine();
    const lastLine = bytes.toString('utf8').split('\n')[7]!;
    const wrongHash = lastLine.replace(/"hash":"[0-9a-f]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
    const tails = [
      Buffer.from('{"at":1,"seq":9,"ev'),
      Buffer.from('not json at all\n'),
      Buffer.from(`${wrongHash.replace('"seq":8', '"seq":9')}\n`),
      Buffer.from(`${lastLine}\n`), // a duplicated record: seq 8 where 9 belongs
      Buffer.alloc(4096),
    ];
    for (const tail of tails) {
      await store?.close();
      store = undefined;
      await writeFile(journalFile(), Buffer.concat([bytes, tail]));
      await rm(embeddedPaths.recovered(dir), { recursive: true, force: true });
      logs = [];
      await expectRecoveredTo(8, records);
      const kept = await readdir(embeddedPaths.recovered(dir));
      expect(kept).toHaveLength(1);
      expect(Buffer.compare(await readFile(join(embeddedPaths.recovered(dir), kept[0]!)), tail)).toBe(0);
      // Warnings carry ids, seqs and sizes, never event content.
      expect(logs.join('\n')).not.toMatch(/bí mật|note\.added/);
    }
  });

  it('[REC-4] a damaged record in the middle is not dropped: read throws naming the seq, verify reports it, nothing is changed', async () => {
    const { bytes } = await writePristine();
    await tamperEmbedded(dir, 's1', 3);
    const damaged = await readFile(journalFile());
    expect(Buffer.compare(damaged, bytes)).not.toBe(0);
    const s = await openStore();
    const err = await s.journal.read('s1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect((err as Error).message).toMatch(/seq 3\b/);
    expect(await s.journal.verify('s1')).toEqual({ ok: false, records: 8, firstBadSeq: 3 });
    await expect(s.journal.lastSeq('s1')).rejects.toThrow(/seq 3/);
    await expect(s.journal.append('s1', [ev(9)])).rejects.toThrow(/seq 3/);
    await s.close();
    store = undefined;
    expect(Buffer.compare(await readFile(journalFile()), damaged)).toBe(0);
  });

  it('[REC-5] an unparsable line in the middle is reported, not skipped', async () => {
    const { bytes } = await writePristine();
    const lines = bytes.toString('utf8').split('\n');
    lines[4] = lines[4]!.slice(0, 20);
    await writeFile(journalFile(), lines.join('\n'));
    const s = await openStore();
    await expect(s.journal.read('s1')).rejects.toThrow(/seq 5\b/);
    expect(await s.journal.verify('s1')).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('[REC-6] tampering while the store is open is caught by verify and by read', async () => {
    const s = await openStore();
    await s.journal.append('s1', [ev(1), ev(2), ev(3)]);
    await tamperEmbedded(dir, 's1', 2);
    expect(await s.journal.verify('s1')).toEqual({ ok: false, records: 3, firstBadSeq: 2 });
    await expect(s.journal.read('s1')).rejects.toThrow(/seq 2\b/);
  });

  it('[REC-7] snapshots: leftover temp files are ignored (and swept), a damaged snapshot falls back to replay', async () => {
    let s = await openStore();
    const snap = { machineVersion: 1, seq: 4, snapshot: { context: { n: 4 } } };
    await s.journal.saveSnapshot('s1', snap);
    const file = embeddedPaths.snapshot(dir, 's1');
    await writeFile(`${file}~0123456789ab.tmp`, '{"machineVersion":1,"seq":99,"snap');
    await writeFile(`${file}.tmp`, 'garbage');
    await writeFile(embeddedPaths.snapshot(dir, 's2') + '~ffffffffffff.tmp', '{"machineVersion":1,"seq":1,"snapshot":{}}');
    s = await openStore();
    expect(await s.journal.loadSnapshot('s1')).toEqual(snap);
    expect(await s.journal.loadSnapshot('s2')).toBeNull();
    const names = await readdir(join(dir, 'snapshots'));
    expect(names.filter((n) => n.includes('~'))).toEqual([]);
    await writeFile(file, '{"machineVersion":1,"se');
    expect(await s.journal.loadSnapshot('s1')).toBeNull();
    expect(logs.some((m) => m.includes('snapshot s1'))).toBe(true);
  });

  it('[REC-8] concurrent appends resolve in call order and reads only ever see whole, chained prefixes', async () => {
    const s = await openStore();
    const appends: Promise<number>[] = [];
    const reads: Promise<JournalRecord[]>[] = [];
    for (let i = 0; i < 30; i++) {
      appends.push(s.journal.append('s1', [ev(i), ev(i + 1000)]));
      reads.push(s.journal.read('s1'));
    }
    expect(await Promise.all(appends)).toEqual(Array.from({ length: 30 }, (_, i) => 2 * (i + 1)));
    for (const r of await Promise.all(reads)) {
      expect(r.length % 2).toBe(0);
      expect(r.map((x) => x.seq)).toEqual(Array.from({ length: r.length }, (_, i) => i + 1));
    }
  });

  it('[REC-9] ballot boxes: the replaced version and crash leftovers are zero-filled, destroy leaves zeros', async () => {
    const s = await openStore();
    const boxFile = embeddedPaths.ballots(dir, 'k1.p1');
    await s.ballots.save('k1.p1', { wrappedKey: 'WRAPPED-1', sealed: ['SEALED-A', 'SEALED-B'] });
    // A second name for the same inode shows what happens to the bytes the old version occupied.
    const witness = join(dir, 'witness-v1');
    await link(boxFile, witness);
    const v1Size = (await stat(witness)).size;
    await s.ballots.save('k1.p1', { wrappedKey: 'WRAPPED-2', sealed: ['SEALED-C'] });
    const old = await readFile(witness);
    expect(old.length).toBe(v1Size);
    expect(old.every((b) => b === 0)).toBe(true);

    const witness2 = join(dir, 'witness-v2');
    await link(boxFile, witness2);
    await s.ballots.destroy('k1.p1');
    const destroyed = await readFile(witness2);
    expect(destroyed.length).toBeGreaterThan(0);
    expect(destroyed.every((b) => b === 0)).toBe(true);
    expect(await s.ballots.load('k1.p1')).toBeNull();

    const leftover = join(dir, 'ballots', 'k1.p2.json~aaaaaaaaaaaa.tmp');
    await writeFile(leftover, '{"wrappedKey":"W","sealed":["S"]}');
    const witness3 = join(dir, 'witness-tmp');
    await link(leftover, witness3);
    await openStore();
    await expect(stat(leftover)).rejects.toThrow();
    expect((await readFile(witness3)).every((b) => b === 0)).toBe(true);
    expect((await stat(boxFile).catch(() => null))).toBeNull();
  });

  it('[REC-10] a journal appended to by hand with a bad record after good ones is cut on open, not trusted', async () => {
    const { records } = await writePristine();
    await appendFile(journalFile(), JSON.stringify({ ...records[7], seq: 9 }) + '\n');
    await expectRecoveredTo(8, records);
  });

  it('[REC-11] a truncated catalog file stops the store from opening instead of serving an empty catalog', async () => {
    const s = await openStore();
    await s.catalog.putAccount({ id: 'a1', role: 'admin', displayName: 'A', councilIds: [], secretHash: 'x' });
    await s.close();
    store = undefined;
    const file = join(dir, 'catalog', 'accounts.json');
    await truncate(file, 10);
    await expect(openEmbeddedStore(dir, { log: () => {} })).rejects.toThrow(/accounts\.json/);
  });
});
