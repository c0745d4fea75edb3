import { describe, it, expect, afterEach } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { inspect } from 'node:util';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';
import { paddedSize, shuffle } from '../../src/ballots/sealing.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { openEmbeddedStore, embeddedPaths, type EmbeddedStore } from '../../src/store/embedded.ts';
import type { BallotBoxStore, Json, SealedBox } from '../../src/store/types.ts';
import { tempDir } from '../store/helpers.ts';

const SECRET = 'ballot-secret-for-tests-0123456789';
const OTHER_SECRET = 'a-different-ballot-secret-9876543210';
const POLL = 'k1.poll-1';

const YES = 'tán thành';
const NO = 'không tán thành';
const ABSTAIN = 'không biểu quyết';

const sorted = (xs: Json[]) => xs.map((x) => JSON.stringify(x)).sort();

/** A memory ballot store whose next save fails ('disk full') after `failNextSave()`; `saved` lists the boxes it wrote. */
function flakyBallots(): { store: BallotBoxStore; saved: SealedBox[]; failNextSave: () => void } {
  const inner = createMemoryStore().ballots;
  const saved: SealedBox[] = [];
  let failNext = false;
  const store: BallotBoxStore = {
    ...inner,
    save: async (k, b, f) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      saved.push(b);
      return inner.save(k, b, f);
    },
  };
  return { store, saved, failNextSave: () => void (failNext = true) };
}

describe('SecretBallots', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function embedded(): Promise<{ dir: string; store: EmbeddedStore; reopen: () => Promise<EmbeddedStore> }> {
    const dir = await tempDir('hall-ballots-');
    let store = await openEmbeddedStore(dir, { log: () => {} });
    cleanups.push(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    return {
      dir,
      get store() {
        return store;
      },
      async reopen() {
        await store.close();
        store = await openEmbeddedStore(dir, { log: () => {} });
        return store;
      },
    };
  }

  it('[BAL-1] contents round-trip, in no particular order', async () => {
    const box = new SecretBallots(createMemoryStore().ballots, SECRET);
    await box.open(POLL);
    const cast: Json[] = [YES, NO, YES, ABSTAIN, null, { official: 'o1', rating: 'tín nhiệm cao' }];
    for (const c of cast) await box.add(POLL, c);
    expect(await box.count(POLL)).toBe(cast.length);
    expect(sorted(await box.contents(POLL))).toEqual(sorted(cast));
  });

  it('[BAL-2] successive boxes share no sealed string, one length for every ballot, no slot for the newest, no plaintext on disk', async () => {
    const { dir, store } = await embedded();
    const box = new SecretBallots(store.ballots, SECRET);
    await box.open(POLL);
    const file = embeddedPaths.ballots(dir, POLL);
    const versions: Record<string, unknown>[] = [JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>];
    for (const c of [YES, NO, ABSTAIN, YES, NO, 'x'.repeat(200)]) {
      await box.add(POLL, c);
      const text = await readFile(file, 'utf8');
      for (const plain of [YES, NO, ABSTAIN, 'tan thanh', 'xxxx', JSON.stringify(YES).slice(1, -1)]) expect(text).not.toContain(plain);
      versions.push(JSON.parse(text) as Record<string, unknown>);
    }
    for (let i = 1; i < versions.length; i++) {
      const [prev, next] = [versions[i - 1] as unknown as SealedBox, versions[i] as unknown as SealedBox];
      // Exactly the key and the ballots: nothing marks which one arrived last.
      expect(Object.keys(next).sort()).toEqual(['sealed', 'wrappedKey']);
      const prevStrings = new Set([prev.wrappedKey, ...prev.sealed]);
      for (const s of [next.wrappedKey, ...next.sealed]) expect(prevStrings.has(s)).toBe(false);
      expect(new Set(next.sealed.map((s) => s.length)).size).toBe(1);
      expect(next.sealed).toHaveLength(i);
    }
    // "tán thành" and "không tán thành" are indistinguishable by size.
    expect((versions[1] as unknown as SealedBox).sealed[0]!.length).toBe((versions[2] as unknown as SealedBox).sealed[0]!.length);
    expect(sorted(await box.contents(POLL))).toEqual(sorted([YES, NO, ABSTAIN, YES, NO, 'x'.repeat(200)]));
  });

  it('[BAL-3] a box read with a wrong ballot secret fails to unwrap with a clear error', async () => {
    const store = createMemoryStore().ballots;
    const box = new SecretBallots(store, SECRET);
    await box.open(POLL);
    await box.add(POLL, YES);
    const wrong = new SecretBallots(store, OTHER_SECRET);
    await expect(wrong.reconcile(POLL, 1)).rejects.toThrow(/cannot unwrap the poll key — wrong ballot secret/);
    await expect(wrong.contents(POLL)).rejects.toThrow(/wrong ballot secret/);
    await expect(wrong.open(POLL)).rejects.toThrow(/wrong ballot secret/);
    // The failed attempts changed nothing.
    const right = new SecretBallots(store, SECRET);
    expect(await right.reconcile(POLL, 1)).toBe(0);
    expect(await right.contents(POLL)).toEqual([YES]);
  });

  it('[BAL-4] reconcile: as many ballots as journaled casts is consistent; one fewer says the last cast is missing', async () => {
    const store = createMemoryStore().ballots;
    const before = new SecretBallots(store, SECRET);
    await before.open(POLL);
    for (const c of [YES, NO, ABSTAIN]) await before.add(POLL, c);
    const after = new SecretBallots(store, SECRET);
    expect(await after.reconcile(POLL, 3)).toBe(0);
    // The journal has a 4th cast whose content never reached the box (the runtime retracts it).
    expect(await after.reconcile(POLL, 4)).toBe(1);
    expect(sorted(await after.contents(POLL))).toEqual(sorted([YES, NO, ABSTAIN]));
    // A box never created for a poll with one journaled cast: that cast is the missing one.
    expect(await after.reconcile('k1.fresh', 1)).toBe(1);
    expect(await after.count('k1.fresh')).toBe(0);
  });

  it('[BAL-5] a legacy box with a pending slot is settled against the journal and rewritten without it', async () => {
    // Which ballot sat in the pending slot is random here (the box is shuffled): only the counts are checked.
    for (const [journaled, expected] of [
      [3, 3],
      [2, 2],
    ] as const) {
      const memory = createMemoryStore().ballots;
      const writer = new SecretBallots(memory, SECRET);
      await writer.open(POLL);
      await writer.add(POLL, YES);
      await writer.add(POLL, YES);
      await writer.add(POLL, NO);
      // What an earlier version wrote: the newest ballot apart, as `pending` (today's stores never write one).
      const saved = (await memory.load(POLL))!;
      let stored: SealedBox | null = { ...saved, sealed: saved.sealed.slice(1), pending: saved.sealed[0]! };
      const store: BallotBoxStore = { ...memory, load: async () => stored, save: async (_k, b) => void (stored = b) };
      const after = new SecretBallots(store, SECRET);
      await after.open(POLL);
      await expect(after.contents(POLL), 'not used before reconcile').rejects.toThrow(/reconcile\(\) first/);
      expect(await after.reconcile(POLL, journaled)).toBe(0);
      expect(await after.count(POLL)).toBe(expected);
      expect(stored!.pending).toBeUndefined();
      expect(stored!.sealed).toHaveLength(expected);
    }
  });

  it('[BAL-6] reconcile refuses a box that disagrees with the journal in any other way', async () => {
    const store = createMemoryStore().ballots;
    const before = new SecretBallots(store, SECRET);
    await before.open(POLL);
    for (const c of [YES, NO, YES]) await before.add(POLL, c);
    const after = new SecretBallots(store, SECRET);
    for (const n of [0, 1, 2, 5, 7]) await expect(after.reconcile(POLL, n)).rejects.toThrow(/ballot box k1\.poll-1 inconsistent: 3 sealed ballots/);
    await expect(after.reconcile('k1.never', 2)).rejects.toThrow(/inconsistent: missing/);
    // Nothing was lost by refusing.
    expect(await after.reconcile(POLL, 3)).toBe(0);
    expect(await after.count(POLL)).toBe(3);
  });

  it('[BAL-7] a failed box write leaves nothing half-believed: reconcile reads the store and finds the ballot missing', async () => {
    const flaky = flakyBallots();
    const box = new SecretBallots(flaky.store, SECRET);
    await box.open(POLL);
    await box.add(POLL, YES); // journaled, in the box
    flaky.failNextSave();
    await expect(box.add(POLL, NO)).rejects.toThrow('disk full'); // journaled, content lost
    expect(await box.reconcile(POLL, 2)).toBe(1);
    await box.add(POLL, ABSTAIN);
    expect(sorted(await box.contents(POLL))).toEqual(sorted([YES, ABSTAIN]));
  });

  it('[BAL-8] writes carry the fence they are given to the store', async () => {
    const seen: unknown[] = [];
    const inner = createMemoryStore().ballots;
    const spy: BallotBoxStore = {
      ...inner,
      save: async (k, b, f) => (seen.push(['save', f]), inner.save(k, b, f)),
      destroy: async (k, f) => (seen.push(['destroy', f]), inner.destroy(k, f)),
    };
    const fence = { sessionId: 'k1', token: 'node-a:7' };
    const box = new SecretBallots(spy, SECRET);
    await box.open(POLL, fence);
    await box.add(POLL, YES, fence);
    await box.destroy(POLL, fence);
    expect(seen).toEqual([
      ['save', fence],
      ['save', fence],
      ['destroy', fence],
    ]);
  });

  it('[BAL-9] destroy: the box is gone, contents and count throw, destroy is idempotent', async () => {
    const { store } = await embedded();
    const box = new SecretBallots(store.ballots, SECRET);
    await box.open(POLL);
    await box.add(POLL, YES);
    await box.destroy(POLL);
    expect(await store.ballots.load(POLL)).toBeNull();
    expect(await store.ballots.keys()).toEqual([]);
    await expect(box.contents(POLL)).rejects.toThrow(/does not exist/);
    await expect(box.count(POLL)).rejects.toThrow(/does not exist/);
    await box.destroy(POLL);
  });

  it('[BAL-10] crash recovery: a new instance over the reopened store reconciles and has the contents', async () => {
    const env = await embedded();
    const box = new SecretBallots(env.store.ballots, SECRET);
    await box.open(POLL);
    await box.open('k1.poll-2');
    const cast = [YES, NO, NO, ABSTAIN, YES];
    for (const c of cast) await box.add(POLL, c);
    await box.add('k1.poll-2', YES);
    const store = await env.reopen();
    const restarted = new SecretBallots(store.ballots, SECRET);
    await restarted.open(POLL);
    expect(await restarted.reconcile(POLL, cast.length)).toBe(0);
    expect(await restarted.reconcile('k1.poll-2', 1)).toBe(0);
    expect(sorted(await restarted.contents(POLL))).toEqual(sorted(cast));
    expect(await restarted.contents('k1.poll-2')).toEqual([YES]);
  });

  it('[BAL-11] open is idempotent and never empties an existing box', async () => {
    const store = createMemoryStore().ballots;
    const box = new SecretBallots(store, SECRET);
    await box.open(POLL);
    await box.open(POLL);
    await box.add(POLL, YES);
    await box.open(POLL);
    const other = new SecretBallots(store, SECRET);
    await other.open(POLL);
    expect(await other.contents(POLL)).toEqual([YES]);
  });

  it('[BAL-12] a damaged sealed ballot or a box moved to another poll is refused', async () => {
    const store = createMemoryStore().ballots;
    const box = new SecretBallots(store, SECRET);
    await box.open(POLL);
    await box.add(POLL, YES);
    await box.add(POLL, NO);
    const saved = (await store.load(POLL))!;
    await store.save('k1.poll-x', saved);
    await expect(new SecretBallots(store, SECRET).reconcile('k1.poll-x', 2)).rejects.toThrow(/cannot unwrap/);
    const raw = Buffer.from(saved.sealed[0]!, 'base64');
    raw[20]! ^= 1;
    await store.save(POLL, { ...saved, sealed: [raw.toString('base64')] });
    await expect(new SecretBallots(store, SECRET).reconcile(POLL, 1)).rejects.toThrow(/failed authentication/);
  });

  it('[BAL-14] neither inspecting the object nor an error message shows a content', async () => {
    const box = new SecretBallots(createMemoryStore().ballots, SECRET);
    await box.open(POLL);
    await box.add(POLL, 'lựa chọn bí mật');
    expect(inspect(box, { depth: 10, showHidden: true })).not.toContain('lựa chọn');
    const err = (await box.add(POLL, { secret: 'lựa chọn bí mật', when: new Date() } as unknown as Json).then(
      () => new Error('add should have been refused'),
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).not.toContain('lựa chọn');
    expect(await box.count(POLL)).toBe(1);
  });

  it('[BAL-15] padding and shuffling helpers', () => {
    expect(paddedSize(0)).toBe(256);
    expect(paddedSize(252)).toBe(256);
    expect(paddedSize(253)).toBe(512);
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const ys = shuffle([...xs]);
    expect([...ys].sort((a, b) => a - b)).toEqual(xs);
    expect(ys).not.toEqual(xs); // 1 in 50! chance of a false failure
  });

  it('[BAL-16] a group of ballots goes in with one write, all or none; reconcile finds a whole group missing, never more', async () => {
    const flaky = flakyBallots();
    const box = new SecretBallots(flaky.store, SECRET);
    await box.open(POLL);
    await box.addAll(POLL, [YES, NO]);
    await box.addAll(POLL, [ABSTAIN, YES, YES, NO]);
    expect(flaky.saved.map((b) => b.sealed.length)).toEqual([0, 2, 6]);
    flaky.failNextSave();
    await expect(box.addAll(POLL, [NO, NO, NO])).rejects.toThrow('disk full');
    // The journal holds 9 casts, the box 6: the last append's three are missing, and may be as many as that group.
    expect(await box.reconcile(POLL, 9, undefined, 3)).toBe(3);
    expect(await box.reconcile(POLL, 9, undefined, 5)).toBe(3);
    await expect(box.reconcile(POLL, 9, undefined, 2)).rejects.toThrow(/inconsistent: 6 sealed ballots, but 9 casts/);
    await expect(box.reconcile(POLL, 5, undefined, 3)).rejects.toThrow(/inconsistent/);
    expect(await box.reconcile(POLL, 6, undefined, 3)).toBe(0);
    await expect(box.reconcile('k1.never', 4, undefined, 3)).rejects.toThrow(/inconsistent: missing/);
    expect(await box.reconcile('k1.never', 3, undefined, 3)).toBe(3);
    expect(sorted(await box.contents(POLL))).toEqual(sorted([YES, NO, ABSTAIN, YES, YES, NO]));
  });
});
