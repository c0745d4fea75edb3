/**
 * Restoring live sessions on boot (registry.restoreAll → SessionRoom.open) from the embedded store: every journal is
 * verified and replayed before the room serves, several sessions at a time, a damaged journal fails alone, a client
 * asking for a session while the boot restore runs (the server listens before it restores) gets the same replayed
 * room, and a session restored from a long tail writes a fresh snapshot afterwards so that the next restart replays
 * little.
 */
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionSetup, persist, replay, restoreSession, startSession, type Command, type PersistedSession } from '@hall/core';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/store/embedded.ts';
import { SessionRegistry } from '../../src/runtime/registry.ts';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';
import { demoCouncils, demoSessions } from '../../src/seed/demo.ts';
import type { Json } from '../../src/store/types.ts';
import { tamperEmbedded, tempDir } from '../store/helpers.ts';

const SNAPSHOT_EVERY = 10;
const council = demoCouncils()[0]!;
const template = demoSessions().find((s) => s.councilId === council.id)!;
const CHAIR = { role: 'chair', id: 'chutoa' } as const;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('restoring sessions on boot', () => {
  let dir: string;
  let store: EmbeddedStore;
  const registries: SessionRegistry[] = [];

  const reopen = async () => {
    await Promise.all(registries.splice(0).map((r) => r.closeAll()));
    await store?.close();
    store = await openEmbeddedStore(dir, { log: () => undefined });
    const registry = new SessionRegistry(store.catalog, {
      journal: store.journal,
      ballots: new SecretBallots(store.ballots, 'restore-test-ballot-secret-0123456789'),
      now: () => Date.now(),
      snapshotEvery: SNAPSHOT_EVERY,
      onChange: () => undefined,
      log: quiet,
    });
    registries.push(registry);
    return registry;
  };

  /** A live session journaled as the runtime does it: a seq-0 snapshot of the setup, then `events` attendance toggles. */
  async function journal(id: string, events: number) {
    const record = { ...template, id, status: 'live' as const };
    await store.catalog.putSession(record);
    const actor = startSession(SessionSetup.parse({ sessionId: id, title: record.title, council, agenda: record.agenda }));
    await store.journal.saveSnapshot(id, persist(actor, 0) as unknown as { machineVersion: number; seq: number; snapshot: Json });
    actor.stop();
    const at = 1_760_000_000_000;
    const inputs = Array.from({ length: events }, (_, k) => ({
      at: at + k,
      commandId: `${id}-cmd-${k + 1}`,
      event: { type: 'attendance.set', delegateId: council.delegates[k % council.delegates.length]!.id, status: k % 2 ? 'absentExcused' : 'present', at: at + k, by: CHAIR } as Json,
    }));
    await store.journal.append(id, inputs, 0);
  }

  beforeEach(async () => {
    dir = await tempDir('hall-restore-');
    await reopen();
    await store.catalog.putCouncil(council);
    await journal('s-long', 3 * SNAPSHOT_EVERY);
    await journal('s-short', 5);
    await journal('s-bad', 5);
  });

  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.closeAll()));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('[RESTORE-1] restores several sessions at once in order; a damaged journal fails alone; acks survive', async () => {
    await store.close();
    await tamperEmbedded(dir, 's-bad', 3);
    const registry = await reopen();
    const { restored, failed, replayed } = await registry.restoreAll(['s-long', 's-bad', 's-short'], 2);
    expect(restored).toEqual(['s-long', 's-short']);
    expect(failed).toEqual([{ sessionId: 's-bad', error: expect.stringMatching(/seq 3 is damaged/) }]);
    expect(replayed).toBe(3 * SNAPSHOT_EVERY + 5);

    const room = await registry.get('s-long');
    expect(room.seq).toBe(3 * SNAPSHOT_EVERY);
    expect(room.snapshot.context.lastEventAt).toBe(1_760_000_000_000 + 3 * SNAPSHOT_EVERY - 1);
    // A client retrying a journaled command after the crash gets its original seq back, nothing is applied twice.
    const retry = { sessionId: 's-long', commandId: 's-long-cmd-7', type: 'attendance.set', payload: {} } as unknown as Command;
    expect(await room.submit(retry, CHAIR)).toEqual({ ok: true, seq: 7, duplicate: true });
    expect(room.seq).toBe(3 * SNAPSHOT_EVERY);
  });

  it('[RESTORE-2] after boot, a session restored from a tail of at least snapshotEvery events is snapshotted; the next restore replays only the short tails', async () => {
    let registry = await reopen();
    expect((await registry.restoreAll(['s-long', 's-short', 's-bad'])).replayed).toBe(3 * SNAPSHOT_EVERY + 10);
    const before = (await registry.get('s-long')).persisted();
    // Nothing is written while restoring: only once the server serves.
    expect((await store.journal.loadSnapshot('s-long'))?.seq).toBe(0);

    expect(await registry.snapshotRestored()).toBe(1);
    expect((await store.journal.loadSnapshot('s-long'))?.seq).toBe(3 * SNAPSHOT_EVERY);
    expect((await store.journal.loadSnapshot('s-short'))?.seq).toBe(0);
    expect(await registry.snapshotRestored()).toBe(0);

    registry = await reopen();
    const { restored, replayed } = await registry.restoreAll(['s-long', 's-short', 's-bad']);
    expect(restored).toEqual(['s-long', 's-short', 's-bad']);
    expect(replayed).toBe(10);
    const room = await registry.get('s-long');
    expect(room.seq).toBe(3 * SNAPSHOT_EVERY);
    expect(room.persisted()).toEqual(before);
  });

  it('[RESTORE-3] a join while the boot restore runs waits for its session: one room, the journal’s replay, a forged snapshot still ignored', async () => {
    // s-short's latest snapshot claims its last seq but holds the seq-0 state, under a hash the journal does not have.
    const genesis = (await store.journal.loadGenesis('s-short'))!;
    await store.journal.saveSnapshot('s-short', { ...genesis, seq: 5, hash: 'f'.repeat(64) } as never);
    const registry = await reopen();
    // One session at a time, s-short last: the join (registry.get, as session:join does) asks before its turn.
    const boot = registry.restoreAll(['s-long', 's-bad', 's-short'], 1);
    const joined = await registry.get('s-short');
    const { restored, replayed } = await boot;
    expect(restored).toEqual(['s-long', 's-bad', 's-short']);
    // Opened once, whoever asked first: the boot restore counted the same room's replay.
    expect(await registry.get('s-short')).toBe(joined);
    expect(joined.replayedAtOpen).toBe(5);
    expect(replayed).toBe(3 * SNAPSHOT_EVERY + 10);
    // The room is the pure machine's replay of the whole journal onto the genesis snapshot.
    const records = await store.journal.read('s-short');
    const pure = replay(restoreSession(JSON.parse(JSON.stringify(genesis)) as PersistedSession), records.map((r) => r.event));
    expect(joined.seq).toBe(5);
    expect(joined.persisted()).toEqual(persist(pure, 5));
    pure.stop();
  });
});
