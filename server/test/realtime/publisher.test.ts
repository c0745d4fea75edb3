/**
 * The view publisher on its own (fake Socket.IO, fake timers): what a publication sends to whom, coalescing, the
 * per-session gap, fairness between sessions, and the share of the event loop publishing may take.
 */
import { applyPatch, parseCommand, personalOf, prepareCommand, isVerdict, startSession, type SessionActor, type SessionView, type PersonalView, type ViewPatch } from '@hall/core';
import type { Server } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { audienceRoom, delegateRoom, delegatesRoom, ViewPublisher } from '../../src/realtime/publisher.ts';
import type { SessionRoom } from '../../src/runtime/session-room.ts';
import { demoCouncils, demoSessions } from '../../src/seed/demo.ts';

interface Sent {
  room: string | string[];
  event: string;
  payload: SessionView | PersonalView | ViewPatch;
}

/** Just enough of Socket.IO: rooms with members, and `io.local.to(room).emit`. */
function fakeIo(onEmit: () => void = () => undefined) {
  const rooms = new Map<string, Set<string>>();
  const sent: Sent[] = [];
  const io = {
    of: () => ({ adapter: { rooms } }),
    local: { to: (room: string | string[]) => ({ emit: (event: string, payload: Sent['payload']) => (onEmit(), sent.push({ room, event, payload })) }) },
  } as unknown as Server;
  /** The room's own socket unless another is named (a delegate's phone beside the tablet). */
  const join = (room: string, socketId = `sock-${room}`) => rooms.set(room, new Set([...(rooms.get(room) ?? []), socketId]));
  return { io, sent, join };
}

/**
 * A fake Socket.IO that marks each emit (`emit <label>`) and, queued on the first emit's turn, a command ('command'):
 * where the command lands among the emits tells where the publisher gave the event loop back.
 */
function markingIo(label: (target: string | string[]) => unknown) {
  const marks: string[] = [];
  const rooms = new Map<string, Set<string>>();
  const io = {
    of: () => ({ adapter: { rooms } }),
    local: {
      to: (target: string | string[]) => ({
        emit: () => {
          if (marks.length === 0) setImmediate(() => marks.push('command'));
          marks.push(`emit ${String(label(target))}`);
        },
      }),
    },
  } as unknown as Server;
  return { io, rooms, marks };
}

/** A live session of the demo province council, driven through the same command path as the server. */
class Hall {
  readonly actor: SessionActor;
  seq = 0;
  private at = Date.UTC(2028, 11, 10, 8);
  constructor(readonly sessionId: string) {
    const council = demoCouncils()[0]!;
    const record = demoSessions().find((s) => s.councilId === council.id)!;
    this.actor = startSession({ sessionId, title: record.title, council, agenda: record.agenda });
  }
  do(by: { role: 'chair' | 'delegate'; id: string }, type: string, payload: object = {}) {
    const parsed = parseCommand({ sessionId: this.sessionId, commandId: `command-${this.seq}`, type, payload });
    if (!parsed.ok) throw new Error(parsed.issues.join());
    const prepared = prepareCommand(this.actor.getSnapshot(), parsed.command, by, this.at++);
    if (isVerdict(prepared)) throw new Error(JSON.stringify(prepared));
    this.actor.send(prepared.event);
    this.seq++;
  }
  /** Check-in opened and `present` delegates checked in, as most of these halls begin. */
  seated(present = 60) {
    this.do(chair, 'session.openCheckIn');
    for (let k = 1; k <= present; k++) this.do(d(k), 'attendance.checkIn', { delegateId: d(k).id, channel: 'hall' });
  }
  /** Seated, the sitting started and poll p1 open: a hall ready for a vote storm. */
  voting() {
    this.seated();
    this.do(chair, 'session.start');
    this.do(chair, 'poll.open', { pollId: 'p1', subject: 'Thông qua', kind: 'motion', mode: 'electronic', durationSec: 600 });
  }
  get room(): SessionRoom {
    return { sessionId: this.sessionId, snapshot: this.actor.getSnapshot(), seq: this.seq } as unknown as SessionRoom;
  }
}

const chair = { role: 'chair', id: 'chutoa.bn' } as const;
/** Delegates `ns` of session s1 listening, each with one tablet. */
const tablets = (join: (room: string) => void, ...ns: number[]) => {
  join(delegatesRoom('s1'));
  for (const n of ns) join(delegateRoom('s1', d(n).id));
};
const d = (n: number) => ({ role: 'delegate', id: `bn-d${String(n).padStart(3, '0')}` }) as const;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('[PUB] view publisher', () => {
  it('[PUB-1] a burst is one publication of the newest state; tablets share one view and only a changed own part is sent', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 200 });
    const hall = new Hall('s1');
    for (const room of [audienceRoom('s1', 'chair'), audienceRoom('s1', 'wall'), delegatesRoom('s1')]) join(room);
    for (const n of [1, 2, 3]) join(delegateRoom('s1', d(n).id));
    hall.do(chair, 'session.openCheckIn');
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(15);
    // First publication: each joined delegate gets their part once, then the one shared view; every room a whole view.
    expect(sent.filter((s) => s.event === 'session:personal').map((s) => s.room)).toEqual([1, 2, 3].map((n) => delegateRoom('s1', d(n).id)));
    const rooms = [audienceRoom('s1', 'chair'), audienceRoom('s1', 'wall'), delegatesRoom('s1')].sort();
    const first = new Map(sent.filter((s) => s.event === 'session:view').map((s) => [s.room as string, s.payload as SessionView]));
    expect([...first.keys()].sort()).toEqual(rooms);
    sent.length = 0;

    await vi.advanceTimersByTimeAsync(500);
    for (let k = 1; k <= 10; k++) {
      hall.do(d(k), 'attendance.checkIn', { delegateId: d(k).id, channel: 'hall' });
      pub.changed(hall.room);
    }
    await vi.advanceTimersByTimeAsync(15);
    // Later publications: each room gets what changed since its last view, once for the whole room.
    expect(sent.filter((s) => s.event === 'session:view')).toEqual([]);
    const patches = sent.filter((s) => s.event === 'session:patch');
    expect(patches.map((s) => s.room).sort()).toEqual(rooms);
    expect(patches.every((s) => (s.payload as ViewPatch).seq === hall.seq && (s.payload as ViewPatch).from === 1)).toBe(true);
    const sharedPatch = patches.find((s) => s.room === delegatesRoom('s1'))!.payload as ViewPatch;
    const shared = applyPatch(first.get(delegatesRoom('s1'))!, sharedPatch.ops);
    expect(shared.seq).toBe(hall.seq);
    expect(shared.me).toBeUndefined();
    expect((shared.snapshot as { context: { council?: unknown } }).context.council).toBeUndefined();
    // Delegates 1-3 checked in (their parts changed); nobody else is listening, so nobody else gets one.
    const parts = sent.filter((s) => s.event === 'session:personal');
    expect(parts.map((s) => (s.payload as PersonalView).me.attendance)).toEqual(['present', 'present', 'present']);
    sent.length = 0;

    // Delegate 4 checks in: the listening tablets' own parts are unchanged, so only the shared view goes out.
    await vi.advanceTimersByTimeAsync(500);
    hall.do(d(11), 'attendance.checkIn', { delegateId: d(11).id, channel: 'hall' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(15);
    expect(sent.filter((s) => s.event === 'session:personal')).toEqual([]);
    // A tablet that re-joined gets its part again with the next publication.
    pub.rejoined('s1', d(2).id);
    hall.do(d(12), 'attendance.checkIn', { delegateId: d(12).id, channel: 'hall' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.filter((s) => s.event === 'session:personal').map((s) => s.room)).toEqual([delegateRoom('s1', d(2).id)]);
    pub.close();
  });

  it('[PUB-5] a socket that joined since the last publication gets the whole view, the rest of its room the patch', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 200 });
    const hall = new Hall('s1');
    join(delegatesRoom('s1'));
    join(delegateRoom('s1', d(1).id));
    hall.seated();
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(15);
    const first = sent.find((s) => s.event === 'session:view')!.payload as SessionView;
    sent.length = 0;

    hall.do(chair, 'session.start');
    hall.do(chair, 'poll.open', { pollId: 'p1', subject: 'Kín', kind: 'motion', mode: 'secret' });
    // A tablet joins the room before the next publication: its join answer may be newer than the room's last view.
    io.of('/').adapter.rooms.get(delegatesRoom('s1'))!.add('late');
    pub.joinedRoom(delegatesRoom('s1'), 'late');
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(500);
    const whole = sent.filter((s) => s.event === 'session:view');
    expect(whole.map((s) => s.room)).toEqual([['late']]);
    const patch = sent.find((s) => s.event === 'session:patch')!;
    expect(patch.room).toEqual([`sock-${delegatesRoom('s1')}`]);
    expect(applyPatch(first, (patch.payload as ViewPatch).ops)).toEqual(whole[0]!.payload);
    sent.length = 0;

    // A secret ballot: the room's patch says a ballot came in, not whose (vote progress: within the progress gap).
    hall.do(d(3), 'ballot.cast', { pollId: 'p1', choice: 'no' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.map((s) => [s.event, s.room])).toEqual([['session:patch', delegatesRoom('s1')]]);
    const secret = sent[0]!.payload as ViewPatch;
    const after = applyPatch(whole[0]!.payload as SessionView, secret.ops);
    expect(after.poll?.castCount).toBe(1);
    expect(JSON.stringify(secret)).not.toContain(d(3).id);
    expect(JSON.stringify(secret)).not.toContain('"no"');
    pub.close();
  });

  it('[PUB-6] in a vote storm the tablets get the progress once per progress gap, the chair at its pace, the voter at once; other changes are not held', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100, progressGapMs: 1000 });
    const hall = new Hall('s1');
    for (const room of [audienceRoom('s1', 'chair'), delegatesRoom('s1')]) join(room);
    for (const n of [1, 2, 3]) join(delegateRoom('s1', d(n).id));
    hall.voting();
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(1000);
    const opened = sent.find((s) => s.room === delegatesRoom('s1') && s.event === 'session:view')!.payload as SessionView;
    expect(opened.poll?.pollId).toBe('p1');
    sent.length = 0;

    // 20 ballots, one every 50 ms (a busy hall): 1 s of voting.
    const tablets = () => sent.filter((s) => s.room === delegatesRoom('s1'));
    for (let k = 1; k <= 20; k++) {
      hall.do(d(k), 'ballot.cast', { pollId: 'p1', choice: k % 2 ? 'yes' : 'no' });
      pub.changed(hall.room);
      await vi.advanceTimersByTimeAsync(50);
    }
    // The chair followed at its own pace; the tablets got the progress once (at the gap), not ten times.
    expect(sent.filter((s) => s.room === audienceRoom('s1', 'chair')).length).toBeGreaterThanOrEqual(8);
    expect(tablets().length).toBe(1);
    // The voters among the listening tablets (1-3) got their own part at once, each in the publication after their ballot.
    expect(sent.filter((s) => s.event === 'session:personal').map((s) => s.room)).toEqual([1, 2, 3].map((n) => delegateRoom('s1', d(n).id)));
    // The progress held back is not lost: once the gap has passed the tablets have the newest count.
    await vi.advanceTimersByTimeAsync(1000);
    let tabletView = opened;
    for (const s of tablets()) tabletView = applyPatch(tabletView, (s.payload as ViewPatch).ops);
    expect(tabletView.seq).toBe(hall.seq);
    expect(tabletView.poll?.castCount).toBe(20);
    sent.length = 0;

    // One more ballot (progress, held), then the chair closes the poll: that is not progress and goes out at once.
    hall.do(d(21), 'ballot.cast', { pollId: 'p1', choice: 'yes' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(150);
    hall.do(chair, 'poll.close', { pollId: 'p1' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(150);
    const closing = tablets();
    expect(closing.length).toBeGreaterThanOrEqual(1);
    for (const s of closing) tabletView = applyPatch(tabletView, (s.payload as ViewPatch).ops);
    expect(tabletView.seq).toBe(hall.seq);
    expect(tabletView.poll?.status).not.toBe('open');
    expect(tabletView.poll?.castCount).toBe(21);
    pub.close();
  });

  it('[PUB-12] with many halls voting on one node, each hall\'s progress gap grows so all tablets together get at most the node\'s progress budget', async () => {
    const { io, sent } = fakeIo();
    const rooms = io.of('/').adapter.rooms;
    // Two halls of 60 tablets at a budget of 60 pushes a second: each hall's tablets every 2 s, not every 1 s.
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100, progressGapMs: 1000, progressPushesPerSec: 60 });
    const halls = ['h1', 'h2'].map((id) => new Hall(id));
    for (const h of halls) {
      rooms.set(delegatesRoom(h.sessionId), new Set(Array.from({ length: 60 }, (_, i) => `${h.sessionId}-tablet-${i}`)));
      h.voting();
      pub.changed(h.room);
    }
    await vi.advanceTimersByTimeAsync(1000);
    sent.length = 0;
    const pushes = new Map<string, number[]>(halls.map((h) => [h.sessionId, []]));
    const started = Date.now();
    for (let k = 1; k <= 50; k++) {
      for (const h of halls) {
        h.do(d(k), 'ballot.cast', { pollId: 'p1', choice: 'yes' });
        pub.changed(h.room);
      }
      const before = sent.length;
      await vi.advanceTimersByTimeAsync(100);
      for (const s of sent.slice(before)) for (const h of halls) if (s.room === delegatesRoom(h.sessionId) || (Array.isArray(s.room) && s.room[0]?.startsWith(`${h.sessionId}-tablet-`))) pushes.get(h.sessionId)!.push(Date.now() - started);
    }
    for (const [, at] of pushes) {
      const publications = [...new Set(at)];
      expect(publications.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < publications.length; i++) expect(publications[i]! - publications[i - 1]!).toBeGreaterThanOrEqual(2000);
    }
    pub.close();
  });

  it('[PUB-13] the tablets\' vote progress goes after other halls\' chairs due at the same time, then with the newest count', async () => {
    // Each emit costs 40 ms on the publisher's clock and comes with a burst of commands: a storm, so publishing pauses.
    let cost = 0;
    let clockMs = 0;
    let pub: ViewPublisher | null = null;
    const { io, sent, join } = fakeIo(() => {
      clockMs += cost;
      for (let i = 0; i < 50 && cost > 0; i++) pub?.commandArrived();
    });
    pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100, progressGapMs: 1000, clock: () => clockMs });
    const [h1, h2] = ['h1', 'h2'].map((id) => new Hall(id)) as [Hall, Hall];
    for (const room of [delegatesRoom('h1'), audienceRoom('h1', 'chair'), audienceRoom('h2', 'chair')]) join(room);
    for (const h of [h1, h2]) {
      h.voting();
      pub.changed(h.room);
    }
    await vi.advanceTimersByTimeAsync(2000);
    const opened = sent.find((s) => s.room === delegatesRoom('h1') && s.event === 'session:view')!.payload as SessionView;
    sent.length = 0;

    // A ballot in h1, its gap long past: its chair's patch goes, and the progress is due at once, behind the pause the
    // storm's cost imposes. A ballot in h2 lands meanwhile, so both are due when publishing resumes.
    cost = 40;
    h1.do(d(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' });
    pub.changed(h1.room);
    await vi.advanceTimersByTimeAsync(16);
    expect(sent.map((s) => s.room)).toEqual([audienceRoom('h1', 'chair')]);
    h2.do(d(1), 'ballot.cast', { pollId: 'p1', choice: 'no' });
    pub.changed(h2.room);
    cost = 0;
    await vi.advanceTimersByTimeAsync(1000);
    const order = sent.map((s) => s.room);
    expect(order).toContain(delegatesRoom('h1'));
    expect(order.indexOf(audienceRoom('h2', 'chair'))).toBeGreaterThan(-1);
    expect(order.indexOf(audienceRoom('h2', 'chair'))).toBeLessThan(order.indexOf(delegatesRoom('h1')));
    const progress = sent.filter((s) => s.room === delegatesRoom('h1'));
    let tabletView = opened;
    for (const s of progress) tabletView = applyPatch(tabletView, (s.payload as ViewPatch).ops);
    expect(tabletView.seq).toBe(h1.seq);
    expect(tabletView.poll?.castCount).toBe(1);
    pub.close();
  });

  it('[PUB-7] own parts: a tablet that starts listening gets its part, and a delegate moved up the floor queue by someone else\'s withdrawal gets the new place', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100 });
    const hall = new Hall('s1');
    tablets(join, 1, 2);
    hall.seated();
    hall.do(chair, 'session.start');
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    const parts = () => sent.filter((s) => s.event === 'session:personal').map((s) => s.payload as PersonalView);
    expect(parts().map((p) => p.me.delegateId)).toEqual([d(1).id, d(2).id]);
    sent.length = 0;

    // Delegate 3's tablet joins; nothing of theirs changes, yet their part goes with the next publication.
    join(delegateRoom('s1', d(3).id));
    hall.do(d(1), 'floor.request', { requestId: 'r1', purpose: 'speech' });
    hall.do(d(2), 'floor.request', { requestId: 'r2', purpose: 'speech' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    expect(parts().map((p) => [p.me.delegateId, p.me.queuePosition])).toEqual([
      [d(1).id, 1],
      [d(2).id, 2],
      [d(3).id, null],
    ]);
    sent.length = 0;

    // Delegate 1 withdraws: delegate 2 did nothing, but is first now.
    hall.do(d(1), 'floor.withdraw', { requestId: 'r1' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    expect(parts().map((p) => [p.me.delegateId, p.me.queuePosition])).toEqual([
      [d(1).id, null],
      [d(2).id, 1],
    ]);
    pub.close();
  });

  it('[PUB-9] a part an ack delivered to the delegate\'s only socket is not pushed again; a change after it is, even one back to the last pushed part', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100 });
    const hall = new Hall('s1');
    tablets(join, 1, 2);
    hall.voting();
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    const parts = () => sent.filter((s) => s.event === 'session:personal').map((s) => s.payload as PersonalView);
    expect(parts().map((p) => p.me.delegateId)).toEqual([d(1).id, d(2).id]);
    sent.length = 0;

    // Both vote; delegate 1's ack carried their part, delegate 2's client sent no callback (nothing recorded).
    hall.do(d(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' });
    const acked = personalOf(hall.room.snapshot, hall.seq, d(1).id);
    expect(pub.personalDelivered('s1', d(1).id, acked, `sock-${delegateRoom('s1', d(1).id)}`)).toBe(true);
    hall.do(d(2), 'ballot.cast', { pollId: 'p1', choice: 'no' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    expect(parts().map((p) => [p.me.delegateId, p.mine.p1])).toEqual([[d(2).id, { cast: true, choice: 'no' }]]);
    sent.length = 0;

    // An ack names the socket that sent the command: another socket's ack says nothing of this one.
    expect(pub.personalDelivered('s1', d(2).id, personalOf(hall.room.snapshot, hall.seq, d(2).id), 'sock-elsewhere')).toBe(false);

    // The chair marks delegate 1 absent (acked to that tablet, say), then present again before the next publication:
    // their part is back to the one last pushed, but the tablet holds the acked one, so the part goes out.
    hall.do(chair, 'attendance.set', { delegateId: d(1).id, status: 'absentExcused' });
    expect(pub.personalDelivered('s1', d(1).id, personalOf(hall.room.snapshot, hall.seq, d(1).id), `sock-${delegateRoom('s1', d(1).id)}`)).toBe(true);
    hall.do(chair, 'attendance.set', { delegateId: d(1).id, status: 'present' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    expect(parts().map((p) => [p.me.delegateId, p.me.attendance])).toEqual([[d(1).id, 'present']]);
    sent.length = 0;

    // A part older than what a publication already built from is not recorded: that publication's part stands.
    const stale = personalOf(hall.room.snapshot, hall.seq - 1, d(1).id);
    hall.do(chair, 'attendance.set', { delegateId: d(1).id, status: 'absentUnexcused' });
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    expect(parts().map((p) => p.me.attendance)).toEqual(['absentUnexcused']);
    expect(pub.personalDelivered('s1', d(1).id, { ...stale, me: { ...stale.me, attendance: 'present' } }, `sock-${delegateRoom('s1', d(1).id)}`)).toBe(false);
    pub.close();
  });

  it('[PUB-10] a delegate with a tablet and a phone: the ack reached one of them, so the part is still pushed to both', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100 });
    const hall = new Hall('s1');
    const tablet = 'tablet-d1';
    join(delegatesRoom('s1'), tablet);
    join(delegateRoom('s1', d(1).id), tablet);
    join(delegatesRoom('s1'), 'phone-d1');
    join(delegateRoom('s1', d(1).id), 'phone-d1');
    hall.voting();
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    sent.length = 0;

    hall.do(d(1), 'ballot.cast', { pollId: 'p1', choice: 'abstain' });
    expect(pub.personalDelivered('s1', d(1).id, personalOf(hall.room.snapshot, hall.seq, d(1).id), tablet)).toBe(false);
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    const pushed = sent.filter((s) => s.event === 'session:personal');
    expect(pushed.map((s) => [s.room, (s.payload as PersonalView).mine.p1])).toEqual([[delegateRoom('s1', d(1).id), { cast: true, choice: 'abstain' }]]);
    pub.close();
  });

  it('[PUB-8] many halls voting at once: every chair ends with its hall\'s full count, and rooms nobody is in get nothing', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100, progressGapMs: 1000 });
    const halls = ['h1', 'h2', 'h3', 'h4'].map((id) => new Hall(id));
    for (const h of halls) {
      join(audienceRoom(h.sessionId, 'chair'));
      join(delegatesRoom(h.sessionId));
      h.voting();
      pub.changed(h.room);
    }
    await vi.advanceTimersByTimeAsync(1000);
    const chairViews = new Map(halls.map((h) => [h.sessionId, sent.find((s) => s.room === audienceRoom(h.sessionId, 'chair'))!.payload as SessionView]));
    const seen = sent.length;
    for (let k = 1; k <= 60; k++) {
      for (const h of halls) {
        h.do(d(k), 'ballot.cast', { pollId: 'p1', choice: k % 3 ? 'yes' : 'no' });
        pub.changed(h.room);
      }
      await vi.advanceTimersByTimeAsync(20);
    }
    await vi.advanceTimersByTimeAsync(2000);
    for (const h of halls) {
      let view = chairViews.get(h.sessionId)!;
      for (const s of sent.slice(seen).filter((x) => x.room === audienceRoom(h.sessionId, 'chair'))) view = applyPatch(view, (s.payload as ViewPatch).ops);
      expect(view.seq, h.sessionId).toBe(h.seq);
      expect(view.poll?.castCount, h.sessionId).toBe(60);
      expect(view.poll?.notVoted, h.sessionId).toEqual([]);
    }
    const rooms = new Set(sent.map((s) => s.room as string));
    expect([...rooms].filter((r) => /:(wall|public|secretary)$/.test(r) || r.startsWith('o:'))).toEqual([]);
    expect([...rooms].filter((r) => r.includes(':d:'))).toEqual([]);
    pub.close();
  });

  it('[PUB-14] watching says whether a socket here follows the session; forgetting a session makes the next listener start from whole views', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 100 });
    const hall = new Hall('s1');
    expect(pub.watching('s1')).toBe(false);
    join(audienceRoom('s1', 'wall'));
    expect(pub.watching('s1')).toBe(true);
    expect(pub.watching('s2')).toBe(false);
    io.of('/').adapter.rooms.delete(audienceRoom('s1', 'wall'));
    tablets(join, 1);
    expect(pub.watching('s1')).toBe(true);
    hall.seated();
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((s) => s.event).sort()).toEqual(['session:personal', 'session:view']);
    sent.length = 0;

    // The tablets leave, the room is retired and forgotten; a tablet that comes back later gets whole views, no patch
    // against a base it never had, and its own part again.
    io.of('/').adapter.rooms.clear();
    expect(pub.watching('s1')).toBe(false);
    pub.forgetSession('s1');
    tablets(join, 1);
    hall.do(chair, 'session.start');
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((s) => [s.event, s.room]).sort()).toEqual([
      ['session:personal', delegateRoom('s1', d(1).id)],
      ['session:view', delegatesRoom('s1')],
    ]);
    pub.close();
  });

  it('[PUB-2] a session publishes at most once per gap; the session waiting longest goes first', async () => {
    const { io, sent, join } = fakeIo();
    const pub = new ViewPublisher(io, { flushMs: 15, minGapMs: 200 });
    const a = new Hall('a');
    const b = new Hall('b');
    join(audienceRoom('a', 'wall'));
    join(audienceRoom('b', 'wall'));
    a.do(chair, 'session.openCheckIn');
    pub.changed(a.room);
    await vi.advanceTimersByTimeAsync(15);
    expect(sent).toHaveLength(1);
    // A changes again at once, B a little later: B is due (flushMs) long before A's gap is over.
    a.do(d(1), 'attendance.checkIn', { delegateId: d(1).id, channel: 'hall' });
    pub.changed(a.room);
    await vi.advanceTimersByTimeAsync(50);
    b.do(chair, 'session.openCheckIn');
    pub.changed(b.room);
    await vi.advanceTimersByTimeAsync(15);
    expect(sent.map((s) => s.room)).toEqual([audienceRoom('a', 'wall'), audienceRoom('b', 'wall')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(50); // 200 ms after A's first publication
    expect(sent.map((s) => s.room)).toEqual([audienceRoom('a', 'wall'), audienceRoom('b', 'wall'), audienceRoom('a', 'wall')]);
    expect(sent[2]!.payload.seq).toBe(2);
    pub.close();
  });

  it('[PUB-3] in a command storm publishing takes at most its share of the event loop; with few commands it does not wait', async () => {
    let clock = 0;
    let commandsPerEmit = 0;
    // Every emit "costs" 30 ms of the fake clock that measures publications, while `commandsPerEmit` commands arrive.
    const { io, sent, join } = fakeIo(() => {
      clock += 30;
      for (let k = 0; k < commandsPerEmit; k++) pub.commandArrived();
    });
    const pub = new ViewPublisher(io, { flushMs: 1, minGapMs: 1, share: 0.25, stormRate: 200, clock: () => clock });
    const publishBoth = (halls: Hall[]) => {
      for (const h of halls) {
        join(audienceRoom(h.sessionId, 'wall'));
        h.do(chair, 'session.openCheckIn');
        pub.changed(h.room);
      }
    };
    const halls = ['x', 'y'].map((id) => new Hall(id));

    // 10 commands in 30 ms (333/s): a storm. 30 ms of publishing at a 25 % share leaves 90 ms for commands.
    commandsPerEmit = 10;
    publishBoth(halls);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(89);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((s) => s.room)).toEqual([audienceRoom('x', 'wall'), audienceRoom('y', 'wall')]);
    expect(pub.busyMs).toBe(60);

    // One command in 30 ms (33/s): no storm, the next publication goes as soon as it is due.
    commandsPerEmit = 1;
    await vi.advanceTimersByTimeAsync(500);
    sent.length = 0;
    for (const h of halls) h.do(d(1), 'attendance.checkIn', { delegateId: d(1).id, channel: 'hall' });
    for (const h of halls) pub.changed(h.room);
    await vi.advanceTimersByTimeAsync(2);
    expect(sent.map((s) => s.room)).toEqual([audienceRoom('x', 'wall'), audienceRoom('y', 'wall')]);
    pub.close();
  });

  it('[PUB-11] small publications due together go out in one turn of the event loop, then commands run', async () => {
    const { io, rooms, marks } = markingIo(String);
    const pub = new ViewPublisher(io, { flushMs: 1 });
    const halls = ['a', 'b', 'c'].map((id) => new Hall(id));
    for (const h of halls) {
      rooms.set(audienceRoom(h.sessionId, 'chair'), new Set([`chair-${h.sessionId}`]));
      h.do(chair, 'session.openCheckIn');
      pub.changed(h.room);
    }
    await vi.advanceTimersByTimeAsync(5);
    expect(marks).toEqual([...halls.map((h) => `emit ${audienceRoom(h.sessionId, 'chair')}`), 'command']);
    pub.close();
  });

  it('[PUB-4] a big room is written a slice of sockets at a time, and work that arrives meanwhile runs between slices', async () => {
    const { io, rooms, marks } = markingIo((target) => (Array.isArray(target) ? target.length : target));
    rooms.set(audienceRoom('big', 'public'), new Set(Array.from({ length: 150 }, (_, i) => `viewer-${i}`)));
    const pub = new ViewPublisher(io, { flushMs: 1 });
    const hall = new Hall('big');
    hall.do(chair, 'session.openCheckIn');
    pub.changed(hall.room);
    await vi.advanceTimersByTimeAsync(5);
    expect(marks).toEqual(['emit 64', 'command', 'emit 64', 'emit 22']);
    pub.close();
  });
});
