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

  it('[BAL-1] contents round-trip, in no particular order, pending included', async () => {
    const box = new SecretBallots(createMemoryStore().ballots, SECRET);
    await box.open(POLL);
    const cast: Json[] = [YES, NO, YES, ABSTAIN, null, { official: 'o1', rating: 'tín nhiệm cao' }];
    for (const c of cast) await box.cast(POLL, c);
    expect(await box.count(POLL)).toBe(cast.length);
    expect(sorted(await box.contents(POLL))).toEqual(sorted(cast));
  });

  it('[BAL-2] successive boxes share no sealed string, one length for every ballot, and no plaintext on disk', async () => {
    const { dir, store } = await embedded();
    const box = new SecretBallots(store.ballots, SECRET);
    await box.open(POLL);
    const file = embeddedPaths.ballots(dir, POLL);
    const versions: SealedBox[] = [JSON.parse(await readFile(file, 'utf8')) as SealedBox];
    for (const c of [YES, NO, ABSTAIN, YES, NO, 'x'.repeat(200)]) {
      await box.cast(POLL, c);
      const text = await readFile(file, 'utf8');
      for (const plain of [YES, NO, ABSTAIN, 'tan thanh', 'xxxx', JSON.stringify(YES).slice(1, -1)]) expect(text).not.toContain(plain);
      versions.push(JSON.parse(text) as SealedBox);
    }
    for (let i = 1; i < versions.length; i++) {
      const [prev, next] = [versions[i - 1]!, versions[i]!];
      const prevStrings = new Set([prev.wrappedKey, ...prev.sealed, ...(prev.pending ? [prev.pending] : [])]);
      for (const s of [next.wrappedKey, ...next.sealed, ...(next.pending ? [next.pending] : [])]) expect(prevStrings.has(s)).toBe(false);
      const lengths = new Set([...next.sealed, ...(next.pending ? [next.pending] : [])].map((s) => s.length));
      expect(lengths.size).toBe(1);
      expect(next.sealed).toHaveLength(i - 1);
      expect(next.pending).toBeTypeOf('string');
    }
    // "tán thành" and "không tán thành" are indistinguishable by size.
    expect(versions[1]!.pending!.length).toBe(versions[2]!.pending!.length);
    expect(sorted(await box.contents(POLL))).toEqual(sorted([YES, NO, ABSTAIN, YES, NO, 'x'.repeat(200)]));
  });

  it('[BAL-3] a box read with a wrong ballot secret fails to unwrap with a clear error', async () => {
    const store = createMemoryStore().ballots;
    const box = new SecretBallots(store, SECRET);
    await box.open(POLL);
    await box.cast(POLL, YES);
    const wrong = new SecretBallots(store, OTHER_SECRET);
    await expect(wrong.recover(POLL, 1)).rejects.toThrow(/cannot unwrap the poll key — wrong ballot secret/);
    await expect(wrong.contents(POLL)).rejects.toThrow(/wrong ballot secret/);
    await expect(wrong.open(POLL)).rejects.toThrow(/wrong ballot secret/);
    // The failed attempts changed nothing.
    const right = new SecretBallots(store, SECRET);
    await right.recover(POLL, 1);
    expect(await right.contents(POLL)).toEqual([YES]);
  });

  it('[BAL-4] recover keeps a pending ballot that was journaled', async () => {
    const store = createMemoryStore().ballots;
    const before = new SecretBallots(store, SECRET);
    await before.open(POLL);
    for (const c of [YES, NO, ABSTAIN]) await before.cast(POLL, c);
    const after = new SecretBallots(store, SECRET);
    await after.recover(POLL, 3);
    expect(sorted(await after.contents(POLL))).toEqual(sorted([YES, NO, ABSTAIN]));
    const saved = (await store.load(POLL))!;
    expect(saved.pending).toBeUndefined();
    expect(saved.sealed).toHaveLength(3);
  });

  it('[BAL-5] recover drops a pending ballot that never reached the journal (never acknowledged)', async () => {
    const store = createMemoryStore().ballots;
    const before = new SecretBallots(store, SECRET);
    await before.open(POLL);
    for (const c of [YES, YES, NO]) await before.cast(POLL, c);
    const after = new SecretBallots(store, SECRET);
    await after.recover(POLL, 2);
    expect(await after.count(POLL)).toBe(2);
    expect(sorted(await after.contents(POLL))).toEqual(sorted([YES, YES]));
    expect((await store.load(POLL))!.pending).toBeUndefined();
    // Later casts count normally.
    await after.cast(POLL, ABSTAIN);
    expect(await after.count(POLL)).toBe(3);
  });

  it('[BAL-6] recover refuses a box that disagrees with the journal in any other way', async () => {
    const store = createMemoryStore().ballots;
    const before = new SecretBallots(store, SECRET);
    await before.open(POLL);
    for (const c of [YES, NO, YES]) await before.cast(POLL, c);
    const after = new SecretBallots(store, SECRET);
    for (const n of [0, 1, 4, 7]) await expect(after.recover(POLL, n)).rejects.toThrow(/ballot box k1\.poll-1 inconsistent: 2 sealed \+ 1 pending/);
    await expect(after.recover('k1.never', 2)).rejects.toThrow(/inconsistent: missing/);
    // Nothing was lost by refusing.
    await after.recover(POLL, 3);
    expect(await after.count(POLL)).toBe(3);
  });

  it('[BAL-7] a failed journal append in the same process is undone by recover with the unchanged count', async () => {
    const store = createMemoryStore().ballots;
    const box = new SecretBallots(store, SECRET);
    await box.open(POLL);
    await box.cast(POLL, YES); // journaled
    await box.cast(POLL, NO); // its append failed
    await box.recover(POLL, 1);
    await box.cast(POLL, ABSTAIN); // journaled
    await box.recover(POLL, 2);
    expect(sorted(await box.contents(POLL))).toEqual(sorted([YES, ABSTAIN]));
  });

  it('[BAL-8] a box with an unreconciled pending ballot is not used before recover', async () => {
    const store = createMemoryStore().ballots;
    const before = new SecretBallots(store, SECRET);
    await before.open(POLL);
    await before.cast(POLL, YES);
    const after = new SecretBallots(store, SECRET);
    await after.open(POLL); // idempotent; does not decide about the pending ballot
    await expect(after.cast(POLL, NO)).rejects.toThrow(/recover\(\) first/);
    await expect(after.contents(POLL)).rejects.toThrow(/recover\(\) first/);
    await after.recover(POLL, 1);
    await after.cast(POLL, NO);
    expect(sorted(await after.contents(POLL))).toEqual(sorted([YES, NO]));
  });

  it('[BAL-9] destroy: the box is gone, contents and count throw, destroy is idempotent', async () => {
    const { store } = await embedded();
    const box = new SecretBallots(store.ballots, SECRET);
    await box.open(POLL);
    await box.cast(POLL, YES);
    await box.destroy(POLL);
    expect(await store.ballots.load(POLL)).toBeNull();
    expect(await store.ballots.keys()).toEqual([]);
    await expect(box.contents(POLL)).rejects.toThrow(/does not exist/);
    await expect(box.count(POLL)).rejects.toThrow(/does not exist/);
    await box.destroy(POLL);
  });

  it('[BAL-10] crash recovery: a new instance over the reopened store recovers the contents', async () => {
    const env = await embedded();
    const box = new SecretBallots(env.store.ballots, SECRET);
    await box.open(POLL);
    await box.open('k1.poll-2');
    const cast = [YES, NO, NO, ABSTAIN, YES];
    for (const c of cast) await box.cast(POLL, c);
    await box.cast('k1.poll-2', YES);
    const store = await env.reopen();
    const restarted = new SecretBallots(store.ballots, SECRET);
    await restarted.open(POLL);
    await restarted.recover(POLL, cast.length);
    await restarted.recover('k1.poll-2', 1);
    expect(sorted(await restarted.contents(POLL))).toEqual(sorted(cast));
    expect(await restarted.contents('k1.poll-2')).toEqual([YES]);
  });

  it('[BAL-11] open is idempotent and never empties an existing box', async () => {
    const store = createMemoryStore().ballots;
    const box = new SecretBallots(store, SECRET);
    await box.open(POLL);
    await box.open(POLL);
    await box.cast(POLL, YES);
    await box.recover(POLL, 1);
    await box.open(POLL);
    const other = new SecretBallots(store, SECRET);
    await other.open(POLL);
    expect(await other.contents(POLL)).toEqual([YES]);
  });

  it('[BAL-12] a damaged sealed ballot or a box moved to another poll is refused', async () => {
    const store = createMemoryStore().ballots;
    const box = new SecretBallots(store, SECRET);
    await box.open(POLL);
    await box.cast(POLL, YES);
    await box.cast(POLL, NO);
    const saved = (await store.load(POLL))!;
    await store.save('k1.poll-x', saved);
    await expect(new SecretBallots(store, SECRET).recover('k1.poll-x', 2)).rejects.toThrow(/cannot unwrap/);
    const raw = Buffer.from(saved.sealed[0]!, 'base64');
    raw[20]! ^= 1;
    await store.save(POLL, { ...saved, sealed: [raw.toString('base64')] });
    await expect(new SecretBallots(store, SECRET).recover(POLL, 2)).rejects.toThrow(/failed authentication/);
  });

  it('[BAL-13] a failed box write leaves nothing half-believed: the next use goes through the store', async () => {
    const inner = createMemoryStore().ballots;
    let failNext = false;
    const flaky: BallotBoxStore = {
      ...inner,
      save: async (k, b) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        return inner.save(k, b);
      },
    };
    const box = new SecretBallots(flaky, SECRET);
    await box.open(POLL);
    await box.cast(POLL, YES);
    failNext = true;
    await expect(box.cast(POLL, NO)).rejects.toThrow('disk full');
    // As the runtime does after a failed cast: reconcile with the journal's count (1).
    await box.recover(POLL, 1);
    expect(await box.contents(POLL)).toEqual([YES]);
  });

  it('[BAL-14] neither inspecting the object nor an error message shows a content', async () => {
    const box = new SecretBallots(createMemoryStore().ballots, SECRET);
    await box.open(POLL);
    await box.cast(POLL, 'lựa chọn bí mật');
    expect(inspect(box, { depth: 10, showHidden: true })).not.toContain('lựa chọn');
    const err = (await box.cast(POLL, { secret: 'lựa chọn bí mật', when: new Date() } as unknown as Json).then(
      () => new Error('cast should have been refused'),
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
});
