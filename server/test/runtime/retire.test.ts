/**
 * Adjourned sittings leave memory (SessionRegistry.retireIdle): a server running for weeks must hold the sittings in
 * progress, not every sitting it has served since it started. A room goes only when its sitting is adjourned, nobody
 * on this node asked for it within the idle time, nothing is queued or armed in it, and no socket here follows it; the
 * next command or view opens it again from the journal, with the acks of its commands.
 */
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommand, phaseOf, type Command } from '@hall/core';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/store/embedded.ts';
import { SessionRegistry } from '../../src/runtime/registry.ts';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';
import { demoCouncils, demoSessions } from '../../src/seed/demo.ts';
import { openJournalFiles, tempDir } from '../store/helpers.ts';

const council = demoCouncils()[0]!;
const template = demoSessions().find((s) => s.councilId === council.id)!;
const CHAIR = { role: 'chair', id: 'chutoa' } as const;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const IDLE_MS = 10 * 60_000;

let n = 0;
const cmd = (sessionId: string, type: string, payload: object = {}): Command => {
  const parsed = parseCommand({ sessionId, commandId: `retire-${String(++n).padStart(8, '0')}`, type, payload });
  if (!parsed.ok) throw new Error(`bad test command ${type}: ${parsed.issues.join('; ')}`);
  return parsed.command;
};

describe('[RETIRE] adjourned sittings leave memory', () => {
  let dir: string;
  let store: EmbeddedStore;
  let registry: SessionRegistry;
  let clock: number;
  const nobodyWatches = () => false;

  beforeEach(async () => {
    dir = await tempDir('hall-retire-');
    store = await openEmbeddedStore(dir, { log: () => undefined });
    await store.catalog.putCouncil(council);
    for (const id of ['s-adjourned', 's-sitting']) await store.catalog.putSession({ ...template, id, status: 'scheduled' });
    clock = 1_800_000_000_000;
    registry = new SessionRegistry(store.catalog, {
      journal: store.journal,
      ballots: new SecretBallots(store.ballots, 'retire-test-ballot-secret-0123456789'),
      now: () => clock,
      snapshotEvery: 100,
      onChange: () => undefined,
      log: quiet,
    });
  });

  afterEach(async () => {
    await registry.closeAll();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Check-in opened, one attendance mark, and (when `adjourn`) the sitting adjourned; returns the acks. */
  async function sit(sessionId: string, adjourn: boolean) {
    const room = await registry.get(sessionId);
    const commands = [cmd(sessionId, 'session.openCheckIn'), cmd(sessionId, 'attendance.set', { delegateId: council.delegates[0]!.id, status: 'present' })];
    if (adjourn) commands.push(cmd(sessionId, 'session.adjourn'));
    const acks = [];
    for (const command of commands) acks.push({ command, ack: await room.submit(command, CHAIR) });
    for (const { ack } of acks) expect(ack).toMatchObject({ ok: true });
    return acks;
  }

  it('[RETIRE-1] an adjourned, idle, unwatched sitting is closed; the next use reopens it from the journal and a retried command gets its first ack', async () => {
    const acks = await sit('s-adjourned', true);
    await sit('s-sitting', false);
    const before = await registry.get('s-adjourned');
    expect(phaseOf(before.snapshot)).toBe('adjourned');
    clock += IDLE_MS;

    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual(['s-adjourned']);
    expect((await registry.openRooms()).map((r) => r.sessionId)).toEqual(['s-sitting']);
    // Its journal file went with it (a descriptor per sitting served since boot, otherwise).
    expect(await openJournalFiles(dir)).toEqual(['s-sitting']);
    // The closed room refuses anything still holding it, having written nothing.
    const late = await before.submit(cmd('s-adjourned', 'attendance.set', { delegateId: council.delegates[1]!.id, status: 'present' }), CHAIR);
    expect(late).toMatchObject({ ok: false, code: 'UNAVAILABLE' });

    const reopened = await registry.get('s-adjourned');
    expect(reopened).not.toBe(before);
    expect(reopened.seq).toBe(before.seq);
    expect(phaseOf(reopened.snapshot)).toBe('adjourned');
    expect(reopened.snapshot.context).toEqual(before.snapshot.context);
    // Dedupe survives: the adjournment retried (its ack lost on the way) is answered with its own record, not redone.
    const adjourn = acks.at(-1)!;
    expect(await reopened.submit(adjourn.command, CHAIR)).toEqual({ ...adjourn.ack, duplicate: true });
    expect(reopened.seq).toBe(before.seq);
    expect((await store.journal.read('s-adjourned')).length).toBe(before.seq);
  });

  it('[RETIRE-2] stays: a sitting not adjourned, one asked for within the idle time, one a socket here follows', async () => {
    await sit('s-adjourned', true);
    await sit('s-sitting', false);
    clock += IDLE_MS - 1;
    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual([]);

    clock += 1;
    expect(await registry.retireIdle(IDLE_MS, (sessionId) => sessionId === 's-adjourned')).toEqual([]);

    // A view (any lookup) restarts its clock.
    await registry.get('s-adjourned');
    clock += IDLE_MS - 1;
    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual([]);
    clock += 1;
    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual(['s-adjourned']);

    // A sitting in progress stays however long nobody touches it (its deadlines, its broadcast must go on).
    clock += 100 * IDLE_MS;
    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual([]);
    expect((await registry.openRooms()).map((r) => r.sessionId)).toEqual(['s-sitting']);
  });

  it('[RETIRE-3] a room with a command still in its queue stays until the command is done', async () => {
    await sit('s-adjourned', true);
    const room = await registry.get('s-adjourned');
    clock += IDLE_MS;
    // Queued, not yet run: the sweep comes while it waits its turn.
    const pending = room.submit(cmd('s-adjourned', 'attendance.set', { delegateId: council.delegates[2]!.id, status: 'present' }), CHAIR);
    expect(room.retirable).toBe(false);
    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual([]);
    expect(await pending).toMatchObject({ ok: false });
    expect(room.retirable).toBe(true);
    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual(['s-adjourned']);
  });

  it('[RETIRE-4] a lookup of a session that does not exist leaves nothing behind to time', async () => {
    await expect(registry.get('no-such-session')).rejects.toThrow();
    await sit('s-adjourned', true);
    clock += IDLE_MS;
    expect(await registry.retireIdle(IDLE_MS, nobodyWatches)).toEqual(['s-adjourned']);
    expect((registry as unknown as { lastAsked: Map<string, number> }).lastAsked.size).toBe(0);
  });
});
