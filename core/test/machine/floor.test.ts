import { describe, expect, it } from 'vitest';
import { pendingDeadlines } from '../../src/machine/engine.ts';
import { defaultLimit } from '../../src/machine/apply.ts';
import { defaultProfile } from '../../src/model.ts';
import { chair, delegate, region, secretary, startedSession, system } from '../helpers.ts';

const request = (i: number, requestId: string, purpose: 'speech' | 'secondSpeech' | 'debate' | 'pointOfOrder' = 'speech') =>
  ({ type: 'floor.request', requestId, purpose, by: delegate(i) }) as const;

describe('[FLOOR] requests to speak (đăng ký phát biểu)', () => {
  it('[FLOOR-1] a present delegate registers on the current item and is queued in order', () => {
    const s = startedSession({ present: 12 });
    s.ok(request(1, 'r1'));
    s.ok(request(2, 'r2', 'debate'));
    expect(s.ctx().floor.queue.map((r) => [r.requestId, r.delegateId, r.purpose, r.itemId])).toEqual([
      ['r1', 'd1', 'speech', 'i1'],
      ['r2', 'd2', 'debate', 'i1'],
    ]);
  });

  it('[FLOOR-2] an absent delegate cannot register (NOT_PRESENT); a vacant seat is unknown', () => {
    const s = startedSession({ present: 12, vacant: [15] });
    s.refuse(request(13, 'r1'), 'NOT_PRESENT', 'REJECTED');
    s.refuse(request(15, 'r1'), 'UNKNOWN_DELEGATE');
  });

  it('[FLOOR-3] one request per delegate, unique request ids', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.refuse(request(1, 'r9'), 'ALREADY_QUEUED');
    s.refuse(request(2, 'r1'), 'ID_EXISTS');
  });

  it('[FLOOR-4] a delegate withdraws only their own request; the chair may withdraw any', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.ok(request(2, 'r2'));
    s.refuse({ type: 'floor.withdraw', requestId: 'r1', by: delegate(2) }, 'NOT_YOURSELF', 'FORBIDDEN');
    s.refuse({ type: 'floor.withdraw', requestId: 'r1', by: secretary }, 'NOT_STAFF', 'FORBIDDEN');
    s.ok({ type: 'floor.withdraw', requestId: 'r1', by: delegate(1) });
    s.ok({ type: 'floor.withdraw', requestId: 'r2', by: chair });
    s.refuse({ type: 'floor.withdraw', requestId: 'r2', by: chair }, 'UNKNOWN_REQUEST');
    expect(s.ctx().floor.queue).toEqual([]);
  });

  it('[FLOOR-5] the chair denies a request', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.refuse({ type: 'floor.deny', requestId: 'r1', by: delegate(2) }, 'NOT_CHAIR', 'FORBIDDEN');
    s.ok({ type: 'floor.deny', requestId: 'r1', reason: 'Trùng nội dung', by: chair });
    s.refuse({ type: 'floor.deny', requestId: 'r1', by: chair }, 'UNKNOWN_REQUEST');
  });

  it('[FLOOR-6] the chair reorders the queue with exactly the current requests (BAD_ORDER otherwise)', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.ok(request(2, 'r2'));
    s.ok(request(3, 'r3'));
    s.refuse({ type: 'floor.reorder', requestIds: ['r3', 'r1'], by: chair }, 'BAD_ORDER');
    s.refuse({ type: 'floor.reorder', requestIds: ['r3', 'r1', 'r1'], by: chair }, 'BAD_ORDER');
    s.refuse({ type: 'floor.reorder', requestIds: ['r3', 'r1', 'r2', 'r4'], by: chair }, 'BAD_ORDER');
    s.refuse({ type: 'floor.reorder', requestIds: ['r3', 'r1', 'r9'], by: chair }, 'BAD_ORDER');
    s.ok({ type: 'floor.reorder', requestIds: ['r3', 'r1', 'r2'], by: chair });
    expect(s.ctx().floor.queue.map((r) => r.requestId)).toEqual(['r3', 'r1', 'r2']);
  });
});

describe('[FLOOR] speaking (phát biểu)', () => {
  it('[FLOOR-7] granting a request dequeues it and starts the speech with the purpose limit', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.ok(request(2, 'r2', 'secondSpeech'));
    const at = s.clock.now;
    s.ok({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: chair });
    expect(region(s, 'floor')).toBe('speaking');
    expect(s.ctx().floor.queue.map((r) => r.requestId)).toEqual(['r2']);
    expect(s.ctx().floor.current).toEqual({
      speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', itemId: 'i1', startedAt: at, limitSec: 420, extendedSec: 0, overtime: false,
    });
    // While someone speaks the chair cannot grant another speech.
    s.refuse({ type: 'floor.grant', requestId: 'r2', speechId: 's2', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'floor.give', speechId: 's2', speaker: { kind: 'official', id: 'o1' }, purpose: 'explanation', by: chair }, 'WRONG_STATE');
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'floor.grant', requestId: 'r2', speechId: 's2', by: chair });
    expect(s.ctx().floor.current?.limitSec).toBe(180);
  });

  it('[FLOOR-7] grant refusals: unknown request, reused speech id; an explicit limit wins', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.refuse({ type: 'floor.grant', requestId: 'nope', speechId: 's1', by: chair }, 'UNKNOWN_REQUEST');
    s.refuse({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: delegate(1) }, 'NOT_CHAIR', 'FORBIDDEN');
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'guest', name: 'Ông Khách', title: 'Viện trưởng' }, purpose: 'presentation', by: chair });
    s.refuse({ type: 'floor.give', speechId: 's1', speaker: { kind: 'official', id: 'o1' }, purpose: 'presentation', by: chair }, 'ID_EXISTS');
    s.ok({ type: 'floor.stop', by: chair });
    s.refuse({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: chair }, 'ID_EXISTS');
    s.ok({ type: 'floor.grant', requestId: 'r1', speechId: 's2', limitSec: 300, by: chair });
    expect(s.ctx().floor.current?.limitSec).toBe(300);
  });

  it('[FLOOR-8] the chair gives the floor directly: officials (giải trình), guests, delegates; unknown speakers are refused', () => {
    const s = startedSession();
    s.refuse({ type: 'floor.give', speechId: 's1', speaker: { kind: 'official', id: 'o9' }, purpose: 'explanation', by: chair }, 'UNKNOWN_OFFICIAL');
    s.refuse({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd99' }, purpose: 'speech', by: chair }, 'UNKNOWN_DELEGATE');
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'official', id: 'o1' }, purpose: 'explanation', by: chair });
    expect(s.ctx().floor.current).toMatchObject({ purpose: 'explanation', limitSec: 600 });
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'floor.give', speechId: 's2', speaker: { kind: 'delegate', id: 'd3' }, purpose: 'pointOfOrder', by: chair });
    expect(s.ctx().floor.current).toMatchObject({ purpose: 'pointOfOrder', limitSec: 60 });
  });

  it('[FLOOR-9] extend adds time and lifts overtime; the deadline moves with it', () => {
    const s = startedSession();
    const at = s.clock.now;
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'debate', by: chair });
    expect(pendingDeadlines(s.ctx())).toEqual([{ key: 'speech:s1', at: at + 180_000, event: { type: 'floor.timeUp', speechId: 's1', dueAt: at + 180_000 } }]);
    s.ok({ type: 'floor.timeUp', speechId: 's1', by: system, at: at + 180_000 });
    expect(s.ctx().floor.current?.overtime).toBe(true);
    expect(pendingDeadlines(s.ctx())).toEqual([]);
    s.refuse({ type: 'floor.extend', addSec: 60, by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    s.ok({ type: 'floor.extend', addSec: 60, by: chair });
    expect(s.ctx().floor.current).toMatchObject({ extendedSec: 60, overtime: false });
    expect(pendingDeadlines(s.ctx())[0]?.at).toBe(at + 240_000);
  });

  it('[FLOOR-10] timeUp for another speech, an ended speech or an already overtime speech is stale', () => {
    const s = startedSession();
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', by: chair });
    s.refuse({ type: 'floor.timeUp', speechId: 's0', by: system }, 'STALE_DEADLINE');
    s.ok({ type: 'floor.timeUp', speechId: 's1', by: system });
    s.refuse({ type: 'floor.timeUp', speechId: 's1', by: system }, 'STALE_DEADLINE');
    s.ok({ type: 'floor.stop', by: chair });
    s.refuse({ type: 'floor.timeUp', speechId: 's1', by: system }, 'STALE_DEADLINE');
    expect(s.ctx().floor.log[0]).toMatchObject({ speechId: 's1', overtime: true, endedAt: expect.any(Number) });
  });

  it('[FLOOR-10b] a timer armed before an extension is stale once the deadline has moved', () => {
    const s = startedSession();
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', by: chair });
    const armed = pendingDeadlines(s.ctx())[0]!.event;
    s.ok({ type: 'floor.extend', addSec: 60, by: chair });
    s.refuse({ ...armed, by: system }, 'STALE_DEADLINE');
    const rearmed = pendingDeadlines(s.ctx())[0]!.event;
    expect(rearmed.type === 'floor.timeUp' && rearmed.dueAt).toBe((armed.type === 'floor.timeUp' ? armed.dueAt : 0) + 60_000);
    s.ok({ ...rearmed, by: system });
    expect(s.ctx().floor.current?.overtime).toBe(true);
  });

  it('[FLOOR-11] stop and yield need a speaker (NO_SPEAKER); only the speaking delegate yields', () => {
    const s = startedSession();
    s.refuse({ type: 'floor.stop', by: chair }, 'NO_SPEAKER');
    s.refuse({ type: 'floor.yield', by: delegate(1) }, 'NO_SPEAKER');
    s.refuse({ type: 'floor.extend', addSec: 30, by: chair }, 'NO_SPEAKER');
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', by: chair });
    s.refuse({ type: 'floor.yield', by: delegate(2) }, 'NOT_YOURSELF', 'FORBIDDEN');
    s.refuse({ type: 'floor.yield', by: chair }, 'NOT_DELEGATE', 'FORBIDDEN');
    const at = s.clock.now;
    s.ok({ type: 'floor.yield', by: delegate(1) });
    expect(region(s, 'floor')).toBe('idle');
    expect(s.ctx().floor.log).toEqual([expect.objectContaining({ speechId: 's1', endedAt: at })]);
    s.ok({ type: 'floor.give', speechId: 's2', speaker: { kind: 'official', id: 'o2' }, purpose: 'explanation', by: chair });
    s.refuse({ type: 'floor.yield', by: delegate(1) }, 'NOT_YOURSELF');
  });

  it('[FLOOR-12] at most two speeches per delegate per item (profile), debate and point of order not counted', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.ok({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: chair });
    s.ok({ type: 'floor.stop', by: chair });
    s.ok(request(1, 'r2', 'secondSpeech'));
    s.ok({ type: 'floor.grant', requestId: 'r2', speechId: 's2', by: chair });
    s.ok({ type: 'floor.yield', by: delegate(1) });
    s.refuse(request(1, 'r3'), 'SPEECH_LIMIT');
    s.refuse(request(1, 'r3', 'secondSpeech'), 'SPEECH_LIMIT');
    s.ok(request(1, 'r3', 'debate'));
    s.ok({ type: 'floor.withdraw', requestId: 'r3', by: delegate(1) });
    // A new item starts a new count.
    s.ok({ type: 'agenda.goTo', itemId: 'i3', by: chair });
    s.ok(request(1, 'r4'));
  });

  it('[FLOOR-12] the limit is also checked when the chair grants (speeches given directly count too)', () => {
    const s = startedSession({ profile: { maxSpeechesPerItem: 1 } });
    s.ok(request(1, 'r1'));
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', by: chair });
    s.ok({ type: 'floor.stop', by: chair });
    s.refuse({ type: 'floor.grant', requestId: 'r1', speechId: 's2', by: chair }, 'SPEECH_LIMIT');
  });

  it('[FLOOR-13] agenda.goTo moves unheard requests aside (they may submit views in writing)', () => {
    const s = startedSession();
    s.ok(request(1, 'r1'));
    s.ok(request(2, 'r2'));
    s.refuse({ type: 'agenda.goTo', itemId: 'nope', by: chair }, 'UNKNOWN_ITEM');
    s.ok({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: chair });
    s.refuse({ type: 'agenda.goTo', itemId: 'i3', by: chair }, 'FLOOR_BUSY');
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', by: chair });
    s.refuse({ type: 'agenda.goTo', itemId: 'i3', by: chair }, 'POLL_OPEN');
    s.ok({ type: 'poll.cancel', pollId: 'p1', reason: 'Chuyển nội dung', by: chair });
    s.ok({ type: 'agenda.goTo', itemId: 'i3', by: chair });
    expect(s.ctx().currentItemId).toBe('i3');
    expect(s.ctx().floor.queue).toEqual([]);
    expect(s.ctx().floor.unheard).toEqual([expect.objectContaining({ requestId: 'r2', delegateId: 'd2', itemId: 'i1' })]);
    s.ok(request(3, 'r3'));
    expect(s.ctx().floor.queue[0]?.itemId).toBe('i3');
  });

  it('[FLOOR-14] default limits per purpose follow the profile (debate shorter while questioning)', () => {
    const p = defaultProfile();
    expect(defaultLimit(p, 'speech', false)).toBe(420);
    expect(defaultLimit(p, 'secondSpeech', false)).toBe(180);
    expect(defaultLimit(p, 'debate', false)).toBe(180);
    expect(defaultLimit(p, 'debate', true)).toBe(120);
    expect(defaultLimit(p, 'explanation', false)).toBe(600);
    expect(defaultLimit(p, 'presentation', false)).toBe(900);
    expect(defaultLimit(p, 'pointOfOrder', false)).toBe(60);
    expect(defaultLimit(p, 'question', true)).toBe(60);
    expect(defaultLimit(p, 'answer', true)).toBe(180);
    expect(defaultLimit(p, 'opening', true)).toBe(300);
    const s = startedSession({ profile: { speechLimits: { speech: 300 } } });
    s.ok(request(1, 'r1'));
    s.ok({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: chair });
    expect(s.ctx().floor.current?.limitSec).toBe(300);
  });
});
