/**
 * The session room's promises around its writes (issues "trust" and "cluster correctness"):
 *  - dedupe is per caller and per content: another caller's commandId is not "a duplicate", and a caller reusing an
 *    id for a different command is refused (COMMAND_ID_REUSED) with nothing applied — also after a restart;
 *  - an ack names the caller's own record, even when the append's answer was lost;
 *  - a secret ballot's eligibility is journaled before its content is boxed, and a content that never reached the box
 *    is retracted, never counted, never acknowledged;
 *  - a snapshot the journal does not vouch for is ignored.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand, SessionSetup, type Actor, type Command, type CommandAck } from '@hall/core';
import { createMemoryBacking, createMemoryStore } from '../../src/store/memory.ts';
import { SessionRoom, pollKey, type RoomDeps } from '../../src/runtime/session-room.ts';
import { SessionRegistry } from '../../src/runtime/registry.ts';
import { SecretBallots } from '../../src/ballots/secret-ballots.ts';
import { demoCouncils, demoSessions } from '../../src/seed/demo.ts';
import type { BallotBoxStore, Journal, SealedBox, Store } from '../../src/store/types.ts';
import { decodeBallot, deriveWrappingKey, unsealBallot, unwrapPollCipherKey } from '../../src/ballots/sealing.ts';

const council = demoCouncils().find((c) => c.id === 'tien-du')!;
const template = demoSessions().find((s) => s.councilId === council.id)!;
const SESSION = template.id;
const SECRET = 'session-room-test-ballot-secret-0123456789';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CHAIR: Actor = { role: 'chair', id: 'chutoa.td' };
const SECRETARY: Actor = { role: 'secretary', id: 'thuky.td' };
const delegateIds = council.delegates.map((d) => d.id);
const D = (i: number): Actor => ({ role: 'delegate', id: delegateIds[i]! });

let n = 0;
const cmd = (type: string, payload: object, commandId = `cmd-${String(++n).padStart(8, '0')}`): Command => {
  const parsed = parseCommand({ sessionId: SESSION, commandId, type, payload });
  if (!parsed.ok) throw new Error(`bad test command ${type}: ${parsed.issues.join('; ')}`);
  return parsed.command;
};

interface Harness {
  store: Store;
  room: SessionRoom;
  reopen(overrides?: Partial<RoomDeps>): Promise<SessionRoom>;
  journalLength(): Promise<number>;
}

const rooms: SessionRoom[] = [];
afterEach(async () => {
  await Promise.all(rooms.splice(0).map((r) => r.close()));
});

async function harness(overrides: Partial<RoomDeps> = {}): Promise<Harness> {
  const backing = createMemoryBacking();
  const store = createMemoryStore(backing);
  let now = 1_780_000_000_000;
  const setup = async () => SessionSetup.parse({ sessionId: SESSION, title: template.title, council, agenda: template.agenda });
  const deps = (o: Partial<RoomDeps>): RoomDeps => ({
    journal: store.journal,
    ballots: new SecretBallots(store.ballots, SECRET),
    now: () => (now += 10),
    snapshotEvery: 1000,
    onChange: () => undefined,
    log: quiet,
    ...o,
  });
  const h: Harness = {
    store,
    room: await SessionRoom.open(SESSION, setup, deps(overrides)),
    async reopen(o = {}) {
      await h.room.close();
      h.room = await SessionRoom.open(SESSION, setup, deps(o));
      rooms.push(h.room);
      return h.room;
    },
    journalLength: () => store.journal.lastSeq(SESSION),
  };
  rooms.push(h.room);
  return h;
}

const ok = async (room: SessionRoom, c: Command, by: Actor): Promise<number> => {
  const ack = await room.submit(c, by);
  if (!ack.ok) throw new Error(`${c.type} by ${by.id} refused: ${ack.code} ${ack.reason ?? ''}`);
  return ack.seq;
};

/** A started sitting with `present` delegates checked in. */
async function started(h: Harness, present = 20) {
  await ok(h.room, cmd('session.openCheckIn', {}), CHAIR);
  for (let i = 0; i < present; i++) await ok(h.room, cmd('attendance.checkIn', { delegateId: delegateIds[i] }), D(i));
  await ok(h.room, cmd('session.start', {}), CHAIR);
}

describe('[DEDUPE] a commandId is the caller’s, and means one command', () => {
  it('[DEDUPE-1] another delegate reusing a commandId gets their own command recorded, not "a duplicate"', async () => {
    const h = await harness();
    const shared = 'same-id-0001';
    const a = await h.room.submit(cmd('question.submit', { questionId: 'qa', respondentId: council.officials[0]!.id, text: 'A hỏi' }, shared), D(0));
    const b = await h.room.submit(cmd('question.submit', { questionId: 'qb', respondentId: council.officials[0]!.id, text: 'B hỏi' }, shared), D(1));
    expect(a).toMatchObject({ ok: true });
    expect(b).toMatchObject({ ok: true });
    expect(b).not.toHaveProperty('duplicate');
    const records = await h.store.journal.read(SESSION);
    expect(records.map((r) => [(r.event as { by: Actor }).by.id, r.commandId])).toEqual([
      [delegateIds[0], shared],
      [delegateIds[1], shared],
    ]);
    expect(h.room.snapshot.context.questioning.questions.map((q) => q.questionId)).toEqual(['qa', 'qb']);
  });

  it('[DEDUPE-2] the chair reusing an id for a different command is refused (COMMAND_ID_REUSED) and nothing is applied — also after a restart', async () => {
    const h = await harness();
    const id = 'chair-cmd-001';
    const first = await h.room.submit(cmd('attendance.set', { delegateId: delegateIds[3], status: 'absentExcused', note: 'ốm' }, id), CHAIR);
    expect(first).toMatchObject({ ok: true });
    const length = await h.journalLength();
    for (const restart of [false, true]) {
      const room = restart ? await h.reopen() : h.room;
      const reused = await room.submit(cmd('attendance.set', { delegateId: delegateIds[4], status: 'absentUnexcused' }, id), CHAIR);
      expect(reused).toMatchObject({ ok: false, code: 'COMMAND_ID_REUSED' });
      expect((reused as { message: string }).message).toMatch(/Mã thao tác đã được dùng/);
      expect(await h.journalLength()).toBe(length);
      expect(room.snapshot.context.attendance[delegateIds[4]!]).toBeUndefined();
      // The same command again is the duplicate it always was.
      expect(await room.submit(cmd('attendance.set', { delegateId: delegateIds[3], status: 'absentExcused', note: 'ốm' }, id), CHAIR)).toEqual({
        ok: true,
        seq: (first as { seq: number }).seq,
        duplicate: true,
      });
    }
  });

  it('[DEDUPE-3] property: random interleavings of callers, ids and contents, with restarts', async () => {
    const actors = [CHAIR, SECRETARY, D(0), D(1), D(2)];
    const op = fc.oneof(
      { weight: 9, arbitrary: fc.record({ kind: fc.constant('send' as const), actor: fc.integer({ min: 0, max: 4 }), id: fc.integer({ min: 0, max: 3 }), variant: fc.integer({ min: 0, max: 1 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
    );
    const respondent = council.officials.find((o) => o.respondent)?.id ?? council.officials[0]!.id;
    const commandFor = (a: number, id: number, variant: number): Command => {
      const commandId = `prop-id-${id}-xxxx`;
      const actor = actors[a]!;
      if (actor.role === 'delegate') {
        return cmd('question.submit', { questionId: `q-${a}-${id}-${variant}`, respondentId: respondent, text: `câu hỏi ${variant}` }, commandId);
      }
      return cmd('attendance.set', { delegateId: delegateIds[10 + id]!, status: variant ? 'absentExcused' : 'present', note: `ghi chú ${a}` }, commandId);
    };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const h = await harness();
        const model = new Map<string, { variant: number; seq: number }>();
        for (const o of ops) {
          if (o.kind === 'restart') {
            await h.reopen();
            continue;
          }
          const key = `${o.actor}/${o.id}`;
          const before = await h.journalLength();
          const ack: CommandAck = await h.room.submit(commandFor(o.actor, o.id, o.variant), actors[o.actor]!);
          const known = model.get(key);
          if (!known) {
            expect(ack).toMatchObject({ ok: true });
            const seq = (ack as { seq: number }).seq;
            expect(seq).toBe(before + 1);
            const [record] = await h.store.journal.read(SESSION, seq);
            // The ack names this caller's own record.
            expect(record!.commandId).toBe(`prop-id-${o.id}-xxxx`);
            expect((record!.event as { by: Actor }).by).toEqual(actors[o.actor]);
            model.set(key, { variant: o.variant, seq });
          } else if (known.variant === o.variant) {
            expect(ack).toEqual({ ok: true, seq: known.seq, duplicate: true });
            expect(await h.journalLength()).toBe(before);
          } else {
            expect(ack).toMatchObject({ ok: false, code: 'COMMAND_ID_REUSED' });
            expect(await h.journalLength()).toBe(before);
          }
        }
        await h.room.close();
      }),
      { numRuns: 25 },
    );
  }, 300_000);
});

/** A journal whose next append misbehaves once, as a store whose reply is lost would. */
function flakyJournal(inner: Journal, misbehave: { next: null | 'landThenThrow' | 'throwAfterForeignWrite' | 'landThenLoseTail' }): Journal {
  let tailBroken = false;
  return {
    ...inner,
    append: async (sessionId, records, expectedSeq, fence) => {
      const mode = misbehave.next;
      misbehave.next = null;
      if (mode === 'landThenThrow' || mode === 'landThenLoseTail') {
        await inner.append(sessionId, records, expectedSeq, fence);
        if (mode === 'landThenLoseTail') tailBroken = true;
        throw new Error('connection reset before the reply');
      }
      if (mode === 'throwAfterForeignWrite') {
        const at = records[0]!.at;
        await inner.append(sessionId, [{ at, commandId: 'someone-else', event: { type: 'attendance.set', delegateId: delegateIds[20]!, status: 'present', at, by: SECRETARY } }]);
        throw new Error('timeout');
      }
      return inner.append(sessionId, records, expectedSeq, fence);
    },
    lastSeq: async (sessionId) => {
      if (tailBroken) {
        tailBroken = false;
        throw new Error('still unreachable');
      }
      return inner.lastSeq(sessionId);
    },
  };
}

describe('[LANDED] after a failed append, an ack names only the caller’s own record', () => {
  it('[LANDED-1] the append landed and its reply was lost: ack ok with our seq', async () => {
    const backing = createMemoryBacking();
    const store = createMemoryStore(backing);
    const misbehave = { next: null as null | 'landThenThrow' };
    const h = await harness({ journal: flakyJournal(store.journal, misbehave) });
    // (the harness's own store is unused: the room writes through the flaky journal over `store`)
    await ok(h.room, cmd('session.openCheckIn', {}), CHAIR);
    misbehave.next = 'landThenThrow';
    const ack = await h.room.submit(cmd('attendance.checkIn', { delegateId: delegateIds[0] }, 'mine-00000001'), D(0));
    expect(ack).toMatchObject({ ok: true });
    const [record] = await store.journal.read(SESSION, (ack as { seq: number }).seq);
    expect(record!.commandId).toBe('mine-00000001');
    expect(h.room.snapshot.context.attendance[delegateIds[0]!]?.status).toBe('present');
  });

  it('[LANDED-2] another writer’s record sits at the next seq: not ours, so UNAVAILABLE (not recorded), and the room must reopen', async () => {
    const store = createMemoryStore();
    const misbehave = { next: null as null | 'throwAfterForeignWrite' };
    const h = await harness({ journal: flakyJournal(store.journal, misbehave) });
    await ok(h.room, cmd('session.openCheckIn', {}), CHAIR);
    misbehave.next = 'throwAfterForeignWrite';
    const ack = await h.room.submit(cmd('attendance.checkIn', { delegateId: delegateIds[0] }, 'mine-00000002'), D(0));
    expect(ack).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    expect(h.room.needsReopen).toBe(true);
    expect((await store.journal.read(SESSION)).map((r) => r.commandId)).not.toContain('mine-00000002');
  });

  it('[LANDED-3] the tail cannot be read: OUTCOME_UNKNOWN; the reopened room answers the retry with the original record', async () => {
    const store = createMemoryStore();
    const misbehave = { next: null as null | 'landThenLoseTail' };
    const h = await harness({ journal: flakyJournal(store.journal, misbehave) });
    await ok(h.room, cmd('session.openCheckIn', {}), CHAIR);
    misbehave.next = 'landThenLoseTail';
    const command = cmd('attendance.checkIn', { delegateId: delegateIds[0] }, 'mine-00000003');
    expect(await h.room.submit(command, D(0))).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    expect(h.room.needsReopen).toBe(true);
    expect(await h.room.submit(command, D(0))).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    const room = await h.reopen({ journal: store.journal });
    const retry = await room.submit(command, D(0));
    expect(retry).toMatchObject({ ok: true, duplicate: true });
    const [record] = await store.journal.read(SESSION, (retry as { seq: number }).seq);
    expect(record!.commandId).toBe('mine-00000003');
  });
});

describe('[GROUP] ballots waiting together share an append, and each ack still names its own record', () => {
  /**
   * Counts appends, and can hold the room busy on one so that ballots pile up behind it; `beforeNext` runs just
   * before the append after the held one (the group's) reaches `inner`.
   */
  function countingJournal(inner: Journal, beforeNext: () => void = () => undefined) {
    const calls: number[] = [];
    let gate: Promise<void> | null = null;
    let open: (() => void) | null = null;
    let heldAt = -1;
    const journal: Journal = {
      ...inner,
      append: async (sessionId, records, expectedSeq, fence) => {
        calls.push(records.length);
        if (gate) {
          heldAt = calls.length;
          await gate;
        } else if (calls.length === heldAt + 1) {
          beforeNext();
        }
        return inner.append(sessionId, records, expectedSeq, fence);
      },
    };
    return {
      journal,
      calls,
      hold: () => (gate = new Promise<void>((r) => (open = r))),
      release: () => {
        gate = null;
        open?.();
      },
    };
  }

  /** Holds the room inside the append of a secretary's command, so that what arrives next waits for its turn. */
  async function busyRoom(h: Harness, counting: ReturnType<typeof countingJournal>) {
    counting.hold();
    const before = counting.calls.length;
    const busy = h.room.submit(cmd('attendance.set', { delegateId: delegateIds[19], status: 'absentExcused', note: 'bận' }), SECRETARY);
    while (counting.calls.length === before) await new Promise((r) => setImmediate(r));
    return { done: busy };
  }

  async function openPoll(h: Harness) {
    await started(h);
    await ok(h.room, cmd('poll.open', { pollId: 'g1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600 }), CHAIR);
  }

  it('[GROUP-1] a backlog of ballots takes few appends; a change of mind, a retry and a close keep their order', async () => {
    const store = createMemoryStore();
    const counting = countingJournal(store.journal);
    const h = await harness({ journal: counting.journal });
    await openPoll(h);
    // The room is busy with one command while everything else arrives.
    const { done: busy } = await busyRoom(h, counting);
    const choices = ['yes', 'no', 'abstain'] as const;
    const first = Array.from({ length: 12 }, (_, i) => ({ by: D(i), command: cmd('ballot.cast', { pollId: 'g1', choice: choices[i % 3] }) }));
    const change = { by: D(0), command: cmd('ballot.cast', { pollId: 'g1', choice: 'abstain' }) };
    const retry = first[1]!;
    const close = cmd('poll.close', { pollId: 'g1' });
    const late = { by: D(15), command: cmd('ballot.cast', { pollId: 'g1', choice: 'yes' }) };
    const sent = [...first, change, retry].map((b) => h.room.submit(b.command, b.by));
    const closed = h.room.submit(close, CHAIR);
    const lateAck = h.room.submit(late.command, late.by);
    const appendsBefore = counting.calls.length;
    counting.release();
    await busy;
    const acks = await Promise.all(sent);
    expect(await closed).toMatchObject({ ok: true });
    // Arrived after the close: refused, never overtaking it.
    expect(await lateAck).toMatchObject({ ok: false, reason: 'POLL_NOT_OPEN' });

    const records = new Map((await store.journal.read(SESSION)).map((r) => [r.seq, r]));
    [...first, change].forEach((b, i) => {
      const ack = acks[i]!;
      expect(ack).toMatchObject({ ok: true });
      const record = records.get((ack as { seq: number }).seq)!;
      expect(record.commandId).toBe(b.command.commandId);
      expect(record.event).toMatchObject({ type: 'ballot.cast', by: b.by, choice: (b.command.payload as { choice: string }).choice });
    });
    // The retry is the first attempt's ack; the change of mind comes after the first ballot and wins.
    expect(acks.at(-1)).toEqual({ ...acks[1], duplicate: true });
    expect((acks[12] as { seq: number }).seq).toBeGreaterThan((acks[0] as { seq: number }).seq);
    const poll = h.room.snapshot.context.polls.find((p) => p.pollId === 'g1')!;
    expect(poll.choices[delegateIds[0]!]).toBe('abstain');
    // 13 ballots, the close and the busy one: far fewer appends than commands (one for the 12, one for the change).
    expect(counting.calls.length - appendsBefore).toBeLessThanOrEqual(4);
    expect(Math.max(...counting.calls)).toBe(12);
    // A restart replays the same state and remembers every ack.
    const room = await h.reopen({ journal: store.journal });
    expect(room.snapshot.context.polls.find((p) => p.pollId === 'g1')!.choices).toEqual(poll.choices);
    expect(await room.submit(first[5]!.command, first[5]!.by)).toEqual({ ...acks[5], duplicate: true });
  });

  it('[GROUP-10] asked for, each ack of a grouped run carries its voter\'s own part of the state the run left; a secret poll\'s names no choice', async () => {
    const store = createMemoryStore();
    const counting = countingJournal(store.journal);
    const h = await harness({ journal: counting.journal });
    await started(h);
    await ok(h.room, cmd('poll.open', { pollId: 'g1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600 }), CHAIR);
    const { done: busy } = await busyRoom(h, counting);
    const choices = ['yes', 'no', 'abstain'] as const;
    const voters = Array.from({ length: 6 }, (_, i) => ({ by: D(i), choice: choices[i % 3]!, command: cmd('ballot.cast', { pollId: 'g1', choice: choices[i % 3] }) }));
    // The last voter's client asked for no part (an ack forwarded from another node, say): theirs has none.
    const sent = voters.map((v, i) => h.room.submit(v.command, v.by, i < 5));
    counting.release();
    await busy;
    const acks = await Promise.all(sent);
    expect(Math.max(...counting.calls)).toBe(6);
    acks.forEach((ack, i) => {
      if (!ack.ok) throw new Error(`ballot ${i} refused: ${ack.code}`);
      if (i === 5) return expect(ack.personal).toBeUndefined();
      expect(ack.personal).toMatchObject({ sessionId: SESSION, seq: h.room.seq, me: { delegateId: delegateIds[i] } });
      expect(ack.personal!.mine.g1).toEqual({ cast: true, choice: voters[i]!.choice });
    });
    // A chair's ack never carries one; a retry's carries the part of the state it is answered in.
    const close = await h.room.submit(cmd('poll.close', { pollId: 'g1' }), CHAIR, true);
    expect(close).toMatchObject({ ok: true });
    expect(close).not.toHaveProperty('personal');
    const again = await h.room.submit(voters[0]!.command, voters[0]!.by, true);
    expect(again).toMatchObject({ ok: true, duplicate: true, personal: { seq: h.room.seq, mine: { g1: { cast: true, choice: 'yes' } } } });

    await ok(h.room, cmd('poll.announce', { pollId: 'g1' }), CHAIR);
    await ok(h.room, cmd('poll.open', { pollId: 'k1', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', durationSec: 600 }), CHAIR);
    const secret = await h.room.submit(cmd('ballot.cast', { pollId: 'k1', choice: 'no' }), D(7), true);
    if (!secret.ok) throw new Error(`secret ballot refused: ${secret.code}`);
    expect(secret.personal!.mine.k1).toEqual({ cast: true });
  });

  /** Ballots from `count` delegates pile up behind a busy room, and their grouped append meets `misbehaviour`. */
  async function groupMeeting(misbehaviour: 'landThenThrow' | 'throwAfterForeignWrite', count: number) {
    const store = createMemoryStore();
    const misbehave = { next: null as null | typeof misbehaviour };
    const counting = countingJournal(flakyJournal(store.journal, misbehave), () => (misbehave.next = misbehaviour));
    const h = await harness({ journal: counting.journal });
    await openPoll(h);
    const { done: busy } = await busyRoom(h, counting);
    const ballots = Array.from({ length: count }, (_, i) => ({ by: D(i), command: cmd('ballot.cast', { pollId: 'g1', choice: 'yes' }) }));
    const sent = ballots.map((b) => h.room.submit(b.command, b.by));
    counting.release();
    await busy;
    const acks = await Promise.all(sent);
    return { room: h.room, ballots, acks, records: new Map((await store.journal.read(SESSION)).map((r) => [r.seq, r])) };
  }

  it('[GROUP-2] a grouped append that landed with its reply lost: every ballot acknowledged with its own record', async () => {
    const { room, ballots, acks, records } = await groupMeeting('landThenThrow', 6);
    ballots.forEach((b, i) => {
      expect(acks[i]).toMatchObject({ ok: true });
      expect(records.get((acks[i] as { seq: number }).seq)!.commandId).toBe(b.command.commandId);
    });
    expect(room.needsReopen).toBe(false);
  });

  it('[GROUP-3] a grouped append refused because another writer got there first: nobody is told "recorded"', async () => {
    const { room, ballots, acks, records } = await groupMeeting('throwAfterForeignWrite', 5);
    for (const ack of acks) expect(ack).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    const ids = [...records.values()].map((r) => r.commandId);
    for (const b of ballots) expect(ids).not.toContain(b.command.commandId);
    expect(room.needsReopen).toBe(true);
  });

  /**
   * Secret ballots from `count` delegates pile up behind a busy room, in a sealed-box poll that already holds three;
   * the group's append meets `journal`, its box write meets `box`. Every box that reached the store is kept.
   */
  async function secretGroupMeeting(count: number, misbehaviour: { journal?: 'landThenThrow' | 'throwAfterForeignWrite'; box?: 'failBefore' | 'failAfter' } = {}) {
    const store = createMemoryStore();
    const saved: SealedBox[] = [];
    const plan = { next: null as null | 'failBefore' | 'failAfter' };
    const recording: BallotBoxStore = { ...store.ballots, save: async (k, b, f) => (await store.ballots.save(k, b, f), void saved.push(b)) };
    const ballots = new SecretBallots(flakyBox(recording, plan), SECRET);
    const misbehave = { next: null as null | 'landThenThrow' | 'throwAfterForeignWrite' };
    const counting = countingJournal(flakyJournal(store.journal, misbehave), () => {
      misbehave.next = misbehaviour.journal ?? null;
      plan.next = misbehaviour.box ?? null;
    });
    const h = await harness({ journal: counting.journal, ballots });
    await started(h);
    await ok(h.room, cmd('poll.open', { pollId: 'k1', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', durationSec: 600 }), CHAIR);
    for (let i = 0; i < 3; i++) await ok(h.room, cmd('ballot.cast', { pollId: 'k1', choice: 'yes' }), D(i));
    const savedBefore = saved.length;
    const { done: busy } = await busyRoom(h, counting);
    const appendsBefore = counting.calls.length;
    const choices = ['no', 'abstain', 'yes'] as const;
    const group = Array.from({ length: count }, (_, i) => ({ by: D(3 + i), choice: choices[i % 3]!, command: cmd('ballot.cast', { pollId: 'k1', choice: choices[i % 3] }) }));
    const sent = group.map((b) => h.room.submit(b.command, b.by));
    counting.release();
    await busy;
    const acks = await Promise.all(sent);
    const records = new Map((await store.journal.read(SESSION)).map((r) => [r.seq, r]));
    return { h, store, ballots, group, acks, records, counting, appendsBefore, boxesWritten: saved.slice(savedBefore), previousBox: saved[savedBefore - 1]! };
  }

  /** The plaintexts of a stored box, read with the ballot secret as the count at close would. */
  const opened = (box: SealedBox) => {
    const key = unwrapPollCipherKey(deriveWrappingKey(SECRET), pollKey(SESSION, 'k1'), box.wrappedKey);
    return box.sealed.map((s) => decodeBallot(unsealBallot(key, pollKey(SESSION, 'k1'), s)));
  };
  const sortedJson = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();

  it('[GROUP-4] a backlog of secret ballots: one append, one box write holding exactly the group’s ballots with no name, time or order', async () => {
    const { h, group, acks, records, counting, appendsBefore, boxesWritten, previousBox } = await secretGroupMeeting(9);
    // The busy command, then the nine ballots in one append.
    expect(counting.calls.slice(appendsBefore - 1)).toEqual([1, 9]);
    group.forEach((b, i) => {
      expect(acks[i]).toMatchObject({ ok: true });
      const record = records.get((acks[i] as { seq: number }).seq)!;
      expect(record.commandId).toBe(b.command.commandId);
      // The journal says who cast, never what.
      expect(record.event).toEqual({ type: 'ballot.cast', pollId: 'k1', at: record.at, by: b.by });
      expect(JSON.stringify(record)).not.toMatch(/"(no|abstain)"|choice/);
    });
    expect(boxesWritten).toHaveLength(1);
    const box = boxesWritten[0]!;
    // Exactly the key and the sealed ballots: nothing says which arrived when, or together.
    expect(Object.keys(box).sort()).toEqual(['sealed', 'wrappedKey']);
    expect(box.sealed).toHaveLength(12);
    expect(new Set(box.sealed.map((s) => s.length)).size).toBe(1);
    const before = new Set([previousBox.wrappedKey, ...previousBox.sealed]);
    for (const s of [box.wrappedKey, ...box.sealed]) expect(before.has(s)).toBe(false);
    // Each sealed ballot is a bare choice (no delegate id, no time), and the box is the old one plus the group's.
    expect(sortedJson(opened(previousBox))).toEqual(sortedJson(['yes', 'yes', 'yes']));
    expect(sortedJson(opened(box))).toEqual(sortedJson(['yes', 'yes', 'yes', ...group.map((b) => b.choice)]));
    // A retry of one of them is its original ack; the count agrees.
    expect(await h.room.submit(group[4]!.command, group[4]!.by)).toEqual({ ...acks[4], duplicate: true });
    await ok(h.room, cmd('poll.close', { pollId: 'k1' }), CHAIR);
    expect(h.room.snapshot.context.polls[0]!.counts).toEqual({ kind: 'motion', yes: 6, no: 3, abstain: 3 });
  });

  it('[GROUP-5] a grouped secret append that landed with its reply lost: each acknowledged with its own record, all in the box once', async () => {
    const { h, ballots, group, acks, records, boxesWritten } = await secretGroupMeeting(6, { journal: 'landThenThrow' });
    group.forEach((b, i) => {
      expect(acks[i]).toMatchObject({ ok: true });
      expect(records.get((acks[i] as { seq: number }).seq)!.commandId).toBe(b.command.commandId);
    });
    expect(boxesWritten).toHaveLength(1);
    expect(await ballots.count(pollKey(SESSION, 'k1'))).toBe(9);
    expect(h.room.needsReopen).toBe(false);
  });

  it('[GROUP-6] a grouped secret append refused because another writer got there first: nobody told "recorded", the box untouched', async () => {
    const { h, ballots, group, acks, records, boxesWritten } = await secretGroupMeeting(5, { journal: 'throwAfterForeignWrite' });
    for (const ack of acks) expect(ack).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    const ids = [...records.values()].map((r) => r.commandId);
    for (const b of group) expect(ids).not.toContain(b.command.commandId);
    expect(boxesWritten).toHaveLength(0);
    expect(await ballots.count(pollKey(SESSION, 'k1'))).toBe(3);
    expect(h.room.needsReopen).toBe(true);
  });

  it('[GROUP-7] the group’s box write failed: all OUTCOME_UNKNOWN, then all retracted in one append; the retries cast afresh, counted once', async () => {
    const { h, store, ballots, group, acks } = await secretGroupMeeting(6, { box: 'failBefore' });
    for (const ack of acks) expect(ack).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const retries = await Promise.all(group.map((b) => h.room.submit(b.command, b.by)));
    const journal = await store.journal.read(SESSION);
    const types = journal.map((r) => (r.event as { type: string }).type);
    expect(types.slice(-18)).toEqual([...Array(6).fill('ballot.cast'), ...Array(6).fill('ballot.retract'), ...Array(6).fill('ballot.cast')]);
    // The six retractions share one append (one time), and name exactly the group's delegates.
    const retracts = journal.filter((r) => (r.event as { type: string }).type === 'ballot.retract');
    expect(new Set(retracts.map((r) => r.at)).size).toBe(1);
    expect(retracts.map((r) => (r.event as { delegateId: string }).delegateId).sort()).toEqual(group.map((b) => b.by.id).sort());
    retries.forEach((ack, i) => {
      expect(ack).toMatchObject({ ok: true });
      expect(ack).not.toHaveProperty('duplicate');
      expect(journal.find((r) => r.seq === (ack as { seq: number }).seq)!.commandId).toBe(group[i]!.command.commandId);
    });
    expect(h.room.snapshot.context.polls[0]!.castBy).toHaveLength(9);
    expect(sortedJson(await ballots.contents(pollKey(SESSION, 'k1')))).toEqual(sortedJson(['yes', 'yes', 'yes', ...group.map((b) => b.choice)]));
  });

  it('[GROUP-8] the group’s box write landed with its reply lost: the casts stand and every retry gets its original ack', async () => {
    const { h, ballots, group, acks, boxesWritten } = await secretGroupMeeting(6, { box: 'failAfter' });
    for (const ack of acks) expect(ack).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    expect(boxesWritten).toHaveLength(1);
    const retries = await Promise.all(group.map((b) => h.room.submit(b.command, b.by)));
    for (const ack of retries) expect(ack).toMatchObject({ ok: true, duplicate: true });
    expect(new Set(retries.map((a) => (a as { seq: number }).seq)).size).toBe(6);
    expect(await ballots.count(pollKey(SESSION, 'k1'))).toBe(9);
    expect(h.room.snapshot.context.polls[0]!.castBy).toHaveLength(9);
  });

  it('[GROUP-9] the process died between the group’s append and its box write: the restart retracts exactly that group', async () => {
    const { h, store, group } = await secretGroupMeeting(7, { box: 'failBefore' });
    // Restart: a new process, a new SecretBallots, the same store (the room never settled the poll itself).
    const room = await h.reopen({ journal: store.journal, ballots: new SecretBallots(store.ballots, SECRET) });
    expect(room.snapshot.context.polls[0]!.castBy).toEqual(delegateIds.slice(0, 3));
    const retries = await Promise.all(group.map((b) => room.submit(b.command, b.by)));
    for (const ack of retries) {
      expect(ack).toMatchObject({ ok: true });
      expect(ack).not.toHaveProperty('duplicate');
    }
    await ok(room, cmd('poll.close', { pollId: 'k1' }), CHAIR);
    expect(room.snapshot.context.polls[0]!.counts).toEqual({ kind: 'motion', yes: 5, no: 3, abstain: 2 });
  });
});

describe('[STATUS] the catalog status is an index beside the journal', () => {
  it('[STATUS-1] an adjournment journaled while the catalog cannot take its status is acknowledged, not refused as "not recorded"', async () => {
    const h = await harness({
      onStatus: async (_sessionId, status) => {
        if (status === 'adjourned') throw new Error('Command timed out');
      },
    });
    await started(h);
    const command = cmd('session.adjourn', {}, 'adjourn-00000001');
    const ack = await h.room.submit(command, CHAIR);
    expect(ack).toMatchObject({ ok: true });
    const records = await h.store.journal.read(SESSION);
    expect(records.at(-1)!.commandId).toBe('adjourn-00000001');
    expect(h.room.snapshot.value).toBe('adjourned');
  });
});

describe('[FOLLOW] what follows a journaled event never unsays it', () => {
  it('[FOLLOW-1] the views\' hook throwing after the append: one command and a grouped run are still acknowledged, each with its own record', async () => {
    let broken = false;
    const logged: string[] = [];
    const h = await harness({
      onChange: () => {
        if (broken) throw new Error('publisher exploded');
      },
      log: { ...quiet, error: (_o: object, m?: string) => void logged.push(m ?? '') },
    });
    await started(h);
    await ok(h.room, cmd('poll.open', { pollId: 'f1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600 }), CHAIR);
    broken = true;
    const single = await h.room.submit(cmd('ballot.cast', { pollId: 'f1', choice: 'yes' }), D(0));
    expect(single).toMatchObject({ ok: true });
    // Ballots sent together go as one grouped run.
    const group = await Promise.all([1, 2, 3, 4].map((i) => h.room.submit(cmd('ballot.cast', { pollId: 'f1', choice: 'no' }), D(i))));
    const records = new Map((await h.store.journal.read(SESSION)).map((r) => [r.seq, r]));
    for (const [k, ack] of [single, ...group].entries()) {
      expect(ack, `ballot ${k}`).toMatchObject({ ok: true });
      expect((records.get((ack as { seq: number }).seq)!.event as { by: Actor }).by.id).toBe(D(k).id);
    }
    expect(logged.filter((m) => m === 'follow-up of a journaled event failed').length).toBeGreaterThanOrEqual(5);
    broken = false;
    expect(h.room.snapshot.context.polls.find((p) => p.pollId === 'f1')!.castBy).toHaveLength(5);
  });
});

describe('[REOPEN] a room unsure of its journal is replaced by one reopened from it, without waiting for a client', () => {
  it('[REOPEN-1] after OUTCOME_UNKNOWN the registry reopens the session: the record is there and the poll deadline still fires', async () => {
    const store = createMemoryStore();
    await store.catalog.putCouncil(council);
    await store.catalog.putSession({ ...template, status: 'scheduled' });
    const misbehave = { next: null as null | 'landThenLoseTail' };
    let now = Date.now();
    const registry = new SessionRegistry(store.catalog, {
      journal: flakyJournal(store.journal, misbehave),
      ballots: new SecretBallots(store.ballots, SECRET),
      now: () => (now += 1),
      snapshotEvery: 1000,
      onChange: () => undefined,
      log: quiet,
    });
    try {
      const first = await registry.get(SESSION);
      await ok(first, cmd('session.openCheckIn', {}), CHAIR);
      for (let i = 0; i < 20; i++) await ok(first, cmd('attendance.checkIn', { delegateId: delegateIds[i] }), D(i));
      await ok(first, cmd('session.start', {}), CHAIR);
      await ok(first, cmd('poll.open', { pollId: 'e1', subject: 'NQ', kind: 'motion', mode: 'electronic', durationSec: 10 }), CHAIR);
      misbehave.next = 'landThenLoseTail';
      expect(await first.submit(cmd('ballot.cast', { pollId: 'e1', choice: 'yes' }, 'reopen-ballot-1'), D(0))).toMatchObject({ code: 'OUTCOME_UNKNOWN' });
      await expect.poll(async () => (await registry.local(SESSION)) !== first && (await registry.local(SESSION)) !== null, { timeout: 30_000 }).toBe(true);
      const second = (await registry.local(SESSION))!;
      expect(second.snapshot.context.polls[0]!.castBy).toEqual([delegateIds[0]]);
      // The deadline (10 s after opening, on the room's clock) is armed again by the reopened room.
      now += 20_000;
      await expect.poll(() => second.snapshot.context.polls[0]!.status, { timeout: 30_000 }).toBe('counted');
    } finally {
      await registry.closeAll();
    }
  });
});

/** A ballot box store whose next save fails, before or after it reached the store. */
function flakyBox(inner: BallotBoxStore, plan: { next: null | 'failBefore' | 'failAfter' }): BallotBoxStore {
  return {
    ...inner,
    save: async (key, box, fence) => {
      const mode = plan.next;
      plan.next = null;
      if (mode === 'failBefore') throw new Error('disk full');
      await inner.save(key, box, fence);
      if (mode === 'failAfter') throw new Error('fsync reply lost');
    },
  };
}

describe('[SEAL] a secret ballot is journaled first, boxed second, acknowledged last', () => {
  async function secretPoll(plan: { next: null | 'failBefore' | 'failAfter' }) {
    const store = createMemoryStore();
    const ballots = new SecretBallots(flakyBox(store.ballots, plan), SECRET);
    const h = await harness({ journal: store.journal, ballots });
    await started(h);
    await ok(h.room, cmd('poll.open', { pollId: 'k1', subject: 'Miễn nhiệm', kind: 'motion', mode: 'secret', durationSec: 600 }), CHAIR);
    for (let i = 0; i < 3; i++) await ok(h.room, cmd('ballot.cast', { pollId: 'k1', choice: 'yes' }), D(i));
    return { h, store, ballots };
  }

  it('[SEAL-1] the content never reached the box: OUTCOME_UNKNOWN, then retracted; the retry casts afresh and is counted once', async () => {
    const plan = { next: null as null | 'failBefore' };
    const { h, store, ballots } = await secretPoll(plan);
    plan.next = 'failBefore';
    const ballot = cmd('ballot.cast', { pollId: 'k1', choice: 'no' }, 'd4-ballot-0001');
    expect(await h.room.submit(ballot, D(3))).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const retry = await h.room.submit(ballot, D(3));
    expect(retry).toMatchObject({ ok: true });
    expect(retry).not.toHaveProperty('duplicate');
    const types = (await store.journal.read(SESSION)).map((r) => (r.event as { type: string }).type).slice(-3);
    expect(types).toEqual(['ballot.cast', 'ballot.retract', 'ballot.cast']);
    const poll = h.room.snapshot.context.polls[0]!;
    expect(poll.castBy).toHaveLength(4);
    expect(await ballots.count(pollKey(SESSION, 'k1'))).toBe(4);
    expect((await ballots.contents(pollKey(SESSION, 'k1'))).filter((c) => c === 'no')).toHaveLength(1);
  });

  it('[SEAL-2] the content did reach the box (only the reply was lost): the cast stands and the retry gets its original ack', async () => {
    const plan = { next: null as null | 'failAfter' };
    const { h, ballots } = await secretPoll(plan);
    plan.next = 'failAfter';
    const ballot = cmd('ballot.cast', { pollId: 'k1', choice: 'no' }, 'd4-ballot-0002');
    expect(await h.room.submit(ballot, D(3))).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
    const retry = await h.room.submit(ballot, D(3));
    expect(retry).toMatchObject({ ok: true, duplicate: true });
    expect(await ballots.count(pollKey(SESSION, 'k1'))).toBe(4);
    expect(h.room.snapshot.context.polls[0]!.castBy).toHaveLength(4);
  });

  it('[SEAL-3] the process died between the journal and the box: the restart retracts that cast, and only that one', async () => {
    const plan = { next: null as null | 'failBefore' };
    const { h, store } = await secretPoll(plan);
    plan.next = 'failBefore';
    const ballot = cmd('ballot.cast', { pollId: 'k1', choice: 'abstain' }, 'd4-ballot-0003');
    await h.room.submit(ballot, D(3));
    // Restart: a new process, a new SecretBallots, the same store.
    const room = await h.reopen({ journal: store.journal, ballots: new SecretBallots(store.ballots, SECRET) });
    expect(room.snapshot.context.polls[0]!.castBy).toEqual(delegateIds.slice(0, 3));
    const retry = await room.submit(ballot, D(3));
    expect(retry).toMatchObject({ ok: true });
    expect(retry).not.toHaveProperty('duplicate');
    await ok(room, cmd('poll.close', { pollId: 'k1' }), CHAIR);
    expect(room.snapshot.context.polls[0]!.counts).toEqual({ kind: 'motion', yes: 3, no: 0, abstain: 1 });
  });
});

describe('[SNAP] a restore trusts a snapshot only when the journal vouches for it', () => {
  it('[SNAP-1] a snapshot whose hash is not the journal’s (e.g. written by a node that lost the session) is ignored', async () => {
    const h = await harness();
    await started(h);
    const good = h.room.persisted();
    await ok(h.room, cmd('attendance.set', { delegateId: delegateIds[0], status: 'absentExcused' }), SECRETARY);
    // A snapshot claiming the journal's last seq but of another state (the check-in of d1 still present).
    const forged = { ...good, seq: await h.journalLength(), hash: 'f'.repeat(64) } as never;
    await h.store.journal.saveSnapshot(SESSION, forged);
    const room = await h.reopen();
    expect(room.snapshot.context.attendance[delegateIds[0]!]?.status).toBe('absentExcused');
    expect(room.replayedAtOpen).toBe(await h.journalLength());
  });

  it('[SNAP-2] the room’s own snapshots name their record and are used', async () => {
    const h = await harness({ snapshotEvery: 5 });
    await started(h);
    await new Promise((r) => setTimeout(r, 50));
    const stored = await h.store.journal.loadSnapshot(SESSION);
    expect(stored?.seq).toBeGreaterThan(0);
    const [record] = await h.store.journal.read(SESSION, stored!.seq);
    expect(stored!.hash).toBe(record!.hash);
    const room = await h.reopen({ snapshotEvery: 5 });
    expect(room.replayedAtOpen).toBeLessThan(await h.journalLength());
    expect(room.snapshot.context.attendance[delegateIds[19]!]?.status).toBe('present');
  });
});

describe('[DUE] a deadline that passed while the session was closed', () => {
  it('[DUE-1] is applied when the room opens, before a command sent as soon as the room is handed out: a late ballot is refused', async () => {
    const store = createMemoryStore();
    let now = 1_780_000_000_000;
    const setup = async () => SessionSetup.parse({ sessionId: SESSION, title: template.title, council, agenda: template.agenda });
    const deps: RoomDeps = { journal: store.journal, ballots: new SecretBallots(store.ballots, SECRET), now: () => (now += 1), snapshotEvery: 1000, onChange: () => undefined, log: quiet };
    const first = await SessionRoom.open(SESSION, setup, deps);
    rooms.push(first);
    await ok(first, cmd('session.openCheckIn', {}), CHAIR);
    for (let i = 0; i < 20; i++) await ok(first, cmd('attendance.checkIn', { delegateId: delegateIds[i] }), D(i));
    await ok(first, cmd('session.start', {}), CHAIR);
    await ok(first, cmd('poll.open', { pollId: 'due', subject: 'NQ', kind: 'motion', mode: 'electronic', durationSec: 10 }), CHAIR);
    await first.close();
    // The server was down past the poll's deadline; it listens while it restores, so a tablet's resent ballot can
    // reach the room the moment it is opened.
    now += 60_000;
    const room = await SessionRoom.open(SESSION, setup, deps);
    rooms.push(room);
    const late = await room.submit(cmd('ballot.cast', { pollId: 'due', choice: 'yes' }), D(0));
    expect(late.ok).toBe(false);
    expect(room.snapshot.context.polls[0]!.status).toBe('counted');
    expect(room.snapshot.context.polls[0]!.castBy).toEqual([]);
  });
});
