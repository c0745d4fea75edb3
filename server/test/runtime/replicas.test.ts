/**
 * [REPL] Other nodes' replicas follow an owner by its journaled events (runtime/replicas.ts): the owner's room hands
 * out what it journaled since its last message, a replica replays it, and a replica that cannot (it has none, it missed
 * a message, the machine refuses an event) asks the owner for its whole state. Run on real rooms and a real machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand, SessionSetup, type Actor, type Command, type PersistedSession, type SessionSnapshot } from '@hall/core';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory.ts';
import { SessionRoom, type ReplicaTail } from '../../src/runtime/session-room.ts';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';
import { Replicas, type ReplicaMessage } from '../../src/runtime/replicas.ts';
import { demoCouncils, demoSessions } from '../../src/seed/demo.ts';

const council = demoCouncils().find((c) => c.id === 'tien-du')!;
const template = demoSessions().find((s) => s.councilId === council.id)!;
const SESSION = template.id;
const CHAIR: Actor = { role: 'chair', id: 'chutoa.td' };
const delegateIds = council.delegates.map((d) => d.id);
const D = (i: number): Actor => ({ role: 'delegate', id: delegateIds[i]! });
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let n = 0;
const cmd = (type: string, payload: object): Command => {
  const parsed = parseCommand({ sessionId: SESSION, commandId: `repl-${String(++n).padStart(8, '0')}`, type, payload });
  if (!parsed.ok) throw new Error(`bad test command ${type}: ${parsed.issues.join('; ')}`);
  return parsed.command;
};

const rooms: SessionRoom[] = [];
afterEach(async () => {
  await Promise.all(rooms.splice(0).map((r) => r.close()));
});

async function owner(): Promise<SessionRoom> {
  const store = createMemoryStore(createMemoryBacking());
  let now = 1_780_000_000_000;
  const room = await SessionRoom.open(SESSION, async () => SessionSetup.parse({ sessionId: SESSION, title: template.title, council, agenda: template.agenda }), {
    journal: store.journal,
    ballots: new SecretBallots(store.ballots, 'replicas-test-ballot-secret-0123456789'),
    now: () => (now += 10),
    snapshotEvery: 1000,
    onChange: () => undefined,
    log: quiet,
  });
  rooms.push(room);
  return room;
}

const ok = async (room: SessionRoom, c: Command, by: Actor) => {
  const ack = await room.submit(c, by);
  if (!ack.ok) throw new Error(`${c.type} by ${by.id} refused: ${ack.code}`);
};

/** What the cluster's owner sends after a publication (cluster.ts onPublished). */
function messageOf(room: SessionRoom): ReplicaMessage | null {
  const tail: ReplicaTail | null = room.takeReplicaTail();
  if (tail?.events.length === 0) return null;
  return tail ? { sessionId: SESSION, seq: room.seq, fromSeq: tail.fromSeq, events: tail.events } : { sessionId: SESSION, seq: room.seq, persisted: room.persisted() };
}

/** A node's replicas, with the owner's state requests answered from `room` and every publication recorded. */
function follower(room: SessionRoom) {
  const published: { seq: number; snapshot: SessionSnapshot }[] = [];
  const asked: (number | null)[] = [];
  const replicas = new Replicas({
    fetchState: async (_node, _sessionId, haveSeq) => {
      asked.push(haveSeq);
      return room.seq === haveSeq ? { seq: room.seq } : { seq: room.seq, persisted: room.persisted() as PersistedSession };
    },
    changed: (_sessionId, snapshot, seq) => published.push({ seq, snapshot }),
    log: quiet,
  });
  return { replicas, published, asked };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('[REPL] replicas follow the owner by its events', () => {
  it('[REPL-1] the first message is the whole state, the next ones only the events; the replica ends equal to the owner, and a secret choice never travels', async () => {
    const room = await owner();
    const { replicas, published } = follower(room);
    await ok(room, cmd('session.openCheckIn', {}), CHAIR);
    const first = messageOf(room)!;
    expect('persisted' in first).toBe(true);
    replicas.take(first, 'a');
    const sizes: number[] = [];
    const step = async (c: Command, by: Actor) => {
      await ok(room, c, by);
      const msg = messageOf(room)!;
      expect('events' in msg).toBe(true);
      sizes.push(JSON.stringify(msg).length);
      replicas.take(msg, 'a');
    };
    for (let i = 0; i < 20; i++) await step(cmd('attendance.checkIn', { delegateId: delegateIds[i] }), D(i));
    await step(cmd('session.start', {}), CHAIR);
    await step(cmd('poll.open', { pollId: 's1', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', durationSec: 600 }), CHAIR);
    // Several ballots in one message, as between two publications of a storm.
    for (let i = 0; i < 6; i++) await ok(room, cmd('ballot.cast', { pollId: 's1', choice: 'no' }), D(i));
    const ballots = messageOf(room)!;
    expect('events' in ballots && ballots.events).toHaveLength(6);
    expect(JSON.stringify(ballots)).not.toContain('"no"');
    replicas.take(ballots, 'a');
    await step(cmd('poll.close', { pollId: 's1' }), CHAIR);
    expect(replicas.get(SESSION)!.seq).toBe(room.seq);
    expect(replicas.get(SESSION)!.snapshot.context).toEqual(room.snapshot.context);
    expect(replicas.get(SESSION)!.snapshot.value).toEqual(room.snapshot.value);
    expect(published.at(-1)!.seq).toBe(room.seq);
    // A message is a small fraction of the state it moves on.
    expect(Math.max(...sizes)).toBeLessThan(JSON.stringify(first).length / 5);
  });

  it('[REPL-4] the replica of an adjourned sitting nobody here follows is dropped; one still followed, or still sitting, stays', async () => {
    const room = await owner();
    const { replicas, asked } = follower(room);
    await ok(room, cmd('session.openCheckIn', {}), CHAIR);
    replicas.take(messageOf(room)!, 'a');
    expect(replicas.retireAdjourned(() => false)).toEqual([]);
    await ok(room, cmd('session.adjourn', {}), CHAIR);
    replicas.take(messageOf(room)!, 'a');
    expect(replicas.retireAdjourned(() => true)).toEqual([]);
    expect(replicas.get(SESSION)!.seq).toBe(room.seq);
    expect(replicas.retireAdjourned(() => false)).toEqual([SESSION]);
    expect(replicas.get(SESSION)).toBeNull();
    // A screen coming back: the owner's whole state is adopted again (as a join's answer is).
    replicas.adopt(SESSION, room.seq, room.persisted() as PersistedSession, false);
    expect(replicas.get(SESSION)!.snapshot.context).toEqual(room.snapshot.context);
    expect(asked).toEqual([]);
  });

  it('[REPL-2] a replica that missed a message asks the owner for its state once, and follows the events again from there', async () => {
    const room = await owner();
    const { replicas, asked } = follower(room);
    await ok(room, cmd('session.openCheckIn', {}), CHAIR);
    replicas.take(messageOf(room)!, 'a');
    await ok(room, cmd('attendance.checkIn', { delegateId: delegateIds[0] }), D(0));
    const lost = messageOf(room)!;
    await ok(room, cmd('attendance.checkIn', { delegateId: delegateIds[1] }), D(1));
    const gap = messageOf(room)!;
    expect('events' in lost && 'events' in gap).toBe(true);
    replicas.take(gap, 'a');
    replicas.take(gap, 'a'); // asked once while the answer is on its way
    await settle();
    expect(asked).toEqual([lost.seq - 1]);
    expect(replicas.get(SESSION)!.seq).toBe(gap.seq);
    // The lost message arriving late changes nothing; the next ones apply.
    replicas.take(lost, 'a');
    await ok(room, cmd('attendance.checkIn', { delegateId: delegateIds[2] }), D(2));
    replicas.take(messageOf(room)!, 'a');
    expect(replicas.get(SESSION)!.snapshot.context).toEqual(room.snapshot.context);
    expect(asked).toHaveLength(1);
  });

  it('[REPL-3] a node with no replica yet catches up from the owner; events the machine refuses or a malformed message make it catch up, never throw', async () => {
    const room = await owner();
    await ok(room, cmd('session.openCheckIn', {}), CHAIR);
    messageOf(room);
    await ok(room, cmd('attendance.checkIn', { delegateId: delegateIds[0] }), D(0));
    const msg = messageOf(room)!;
    const late = follower(room);
    late.replicas.take(msg, 'a');
    await settle();
    expect(late.asked).toEqual([null]);
    expect(late.replicas.get(SESSION)!.snapshot.context).toEqual(room.snapshot.context);

    const { replicas, asked } = follower(room);
    replicas.take({ sessionId: SESSION, seq: room.seq, persisted: room.persisted() }, 'a');
    const bogus = { sessionId: SESSION, seq: room.seq + 1, fromSeq: room.seq + 1, events: [{ type: 'session.start', at: 1, by: D(3) }] };
    expect(() => replicas.take(bogus, 'a')).not.toThrow();
    await settle();
    for (const broken of [{ sessionId: SESSION, seq: room.seq + 5, fromSeq: room.seq + 1, events: [] }, { sessionId: 7, seq: 'x' }, null]) {
      expect(() => replicas.take(broken as never, 'a')).not.toThrow();
    }
    await settle();
    // The refused event was not kept: the replica is the owner's state again.
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(replicas.get(SESSION)!.seq).toBe(room.seq);
    expect(replicas.get(SESSION)!.snapshot.context).toEqual(room.snapshot.context);
  });
});
