import { describe, expect, it } from 'vitest';
import { commandRoles, commandTypes, type Actor, type MachineEvent } from '../../src/protocol/commands.ts';
import { explain } from '../../src/machine/engine.ts';
import { Refusal } from '../../src/protocol/errors.ts';
import { chair, delegate, did, makeSession, region, secretary, startedSession, system } from '../helpers.ts';

describe('[SESS] session lifecycle: scheduled → checkIn → inProgress ⇄ recess → adjourned', () => {
  it('[SESS-1] a new session is scheduled with the first agenda item current', () => {
    const s = makeSession();
    expect(s.value()).toBe('scheduled');
    expect(s.ctx().currentItemId).toBe('i1');
    expect(s.ctx().sitting).toEqual({ number: 1, title: 'Phiên thứ nhất', startedAt: null, closed: false });
  });

  it('[SESS-1] a session without agenda has no current item', () => {
    const s = makeSession({ agenda: [] });
    expect(s.ctx().currentItemId).toBeNull();
  });

  it('[SESS-2] the chair opens the roll call, delegates check in, the chair starts the session', () => {
    const s = makeSession();
    s.ok({ type: 'session.openCheckIn', by: chair });
    expect(s.value()).toBe('checkIn');
    s.checkInAll(10);
    const at = s.clock.now;
    s.ok({ type: 'session.start', by: chair });
    expect(s.value()).toEqual({ inProgress: { floor: 'idle', voting: 'idle', questioning: 'idle', broadcast: 'offAir' } });
    expect(s.ctx().startedAt).toBe(at);
    expect(s.ctx().sitting.startedAt).toBe(at);
    expect(s.ctx().lastEventAt).toBe(at);
  });

  it('[SESS-3] session.start without quorum is refused when the profile blocks (10 of 15 needed)', () => {
    const s = makeSession();
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.checkInAll(9);
    s.refuse({ type: 'session.start', by: chair }, 'QUORUM_NOT_MET', 'REJECTED');
    s.checkInAll(1, 10);
    s.ok({ type: 'session.start', by: chair });
  });

  it('[SESS-3] session.start without quorum proceeds when the profile only warns', () => {
    const s = makeSession({ profile: { quorumEnforcement: 'warn' } });
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.checkInAll(2);
    s.ok({ type: 'session.start', by: chair });
    expect(region(s, 'voting')).toBe('idle');
  });

  it('[SESS-3] vacant seats are not part of the total: 15 seats with 3 vacant need 8 present', () => {
    const s = makeSession({ vacant: [13, 14, 15] });
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.checkInAll(7);
    s.refuse({ type: 'session.start', by: chair }, 'QUORUM_NOT_MET');
    s.checkInAll(1, 8);
    s.ok({ type: 'session.start', by: chair });
    s.refuse({ type: 'attendance.checkIn', delegateId: 'd13', channel: 'hall', by: delegate(13) }, 'UNKNOWN_DELEGATE');
  });

  it('[SESS-3] the quorum rule itself is configurable (at least one third)', () => {
    const s = makeSession({ profile: { quorumRule: 'at-least-one-third' } });
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.checkInAll(5);
    s.ok({ type: 'session.start', by: chair });
  });

  it('[SESS-4] events of a later stage are refused before it (WRONG_STATE)', () => {
    const s = makeSession();
    // A reason of the rules comes first: without the roll call there is no quorum to start with.
    s.refuse({ type: 'session.start', by: chair }, 'QUORUM_NOT_MET', 'REJECTED');
    for (let i = 1; i <= 15; i++) s.ok({ type: 'attendance.set', delegateId: did(i), status: 'present', by: secretary });
    s.refuse({ type: 'session.start', by: chair }, 'WRONG_STATE', 'REJECTED');
    s.refuse({ type: 'attendance.checkIn', delegateId: 'd1', channel: 'hall', by: delegate(1) }, 'WRONG_STATE');
    s.refuse({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.recess', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.adjourn', by: chair }, 'WRONG_STATE');
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.refuse({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(1) }, 'WRONG_STATE');
    s.refuse({ type: 'broadcast.start', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.openCheckIn', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.resume', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'sitting.begin', title: 'Phiên 2', by: chair }, 'WRONG_STATE');
  });

  it('[SESS-5] scheduled accepts preparation: attendance corrections, closed sitting, agenda, questions and groups', () => {
    const s = makeSession();
    s.ok({ type: 'attendance.set', delegateId: 'd3', status: 'absentExcused', note: 'công tác', by: secretary });
    s.ok({ type: 'sitting.setClosed', closed: true, by: chair });
    s.ok({ type: 'agenda.goTo', itemId: 'i2', by: chair });
    s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Ngân sách', respondentIds: ['o1'], by: secretary });
    s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', groupId: 'g1', text: 'Vì sao?', by: delegate(1) });
    s.ok({ type: 'commitment.record', commitmentId: 'c0', respondentId: 'o1', content: 'Báo cáo bằng văn bản', by: secretary });
    expect(s.value()).toBe('scheduled');
    expect(s.ctx().attendance.d3).toMatchObject({ status: 'absentExcused', note: 'công tác', by: 'secretary' });
    expect(s.ctx().currentItemId).toBe('i2');
    expect(s.ctx().sitting.closed).toBe(true);
  });

  it('[SESS-6] the chair may adjourn from the roll call (a session that cannot be held)', () => {
    const s = makeSession();
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.ok({ type: 'session.adjourn', by: chair });
    expect(s.value()).toBe('adjourned');
  });
});

describe('[ATT] attendance', () => {
  it('[ATT-1] a delegate checks in only for themself (FORBIDDEN otherwise); staff may check in anyone', () => {
    const s = makeSession();
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.refuse({ type: 'attendance.checkIn', delegateId: 'd2', channel: 'hall', by: delegate(1) }, 'NOT_YOURSELF', 'FORBIDDEN');
    s.ok({ type: 'attendance.checkIn', delegateId: 'd2', channel: 'hall', by: secretary });
    s.ok({ type: 'attendance.checkIn', delegateId: 'd3', channel: 'hall', by: chair });
    expect(s.ctx().attendance.d2).toMatchObject({ status: 'present', by: 'secretary' });
    s.refuse({ type: 'attendance.checkIn', delegateId: 'd99', channel: 'hall', by: secretary }, 'UNKNOWN_DELEGATE');
  });

  it('[ATT-2] remote check-in needs the profile switch; remote counts for quorum only if the profile says so', () => {
    const off = makeSession();
    off.ok({ type: 'session.openCheckIn', by: chair });
    off.refuse({ type: 'attendance.checkIn', delegateId: 'd1', channel: 'remote', by: delegate(1) }, 'REMOTE_NOT_ALLOWED');
    off.refuse({ type: 'attendance.set', delegateId: 'd1', status: 'remote', by: secretary }, 'REMOTE_NOT_ALLOWED');

    const notCounted = makeSession({ profile: { remoteParticipation: true } });
    notCounted.ok({ type: 'session.openCheckIn', by: chair });
    notCounted.checkInAll(8);
    for (let i = 9; i <= 10; i++) notCounted.ok({ type: 'attendance.checkIn', delegateId: did(i), channel: 'remote', by: delegate(i) });
    expect(notCounted.ctx().attendance.d9?.status).toBe('remote');
    notCounted.refuse({ type: 'session.start', by: chair }, 'QUORUM_NOT_MET');

    const counted = makeSession({ profile: { remoteParticipation: true, remoteCountsForQuorum: true } });
    counted.ok({ type: 'session.openCheckIn', by: chair });
    counted.checkInAll(8);
    for (let i = 9; i <= 10; i++) counted.ok({ type: 'attendance.set', delegateId: did(i), status: 'remote', by: secretary });
    counted.ok({ type: 'session.start', by: chair });
    // Present remotely where the council allows it: the delegate may vote.
    counted.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair });
    counted.ok({ type: 'ballot.cast', pollId: 'p1', choice: 'yes', by: delegate(9) });
  });

  it('[ATT-3] only staff correct attendance, with a note; unknown delegates are refused', () => {
    const s = startedSession();
    s.refuse({ type: 'attendance.set', delegateId: 'd1', status: 'absentUnexcused', by: delegate(1) }, 'NOT_STAFF', 'FORBIDDEN');
    s.ok({ type: 'attendance.set', delegateId: 'd1', status: 'absentUnexcused', by: secretary });
    expect(s.ctx().attendance.d1).not.toHaveProperty('note');
    s.refuse({ type: 'attendance.set', delegateId: 'nobody', status: 'present', by: secretary }, 'UNKNOWN_DELEGATE');
  });
});

describe('[ROLE] roles: only the chair moves the session, an actor acts only as itself', () => {
  const dummy: Record<string, unknown> = {
    delegateId: 'd1', channel: 'hall', status: 'present', itemId: 'i1', requestId: 'r1', purpose: 'speech', requestIds: [],
    speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, addSec: 60, groupId: 'g1', topic: 't', respondentIds: ['o1'],
    questionId: 'q1', respondentId: 'o1', text: 't', commitmentId: 'c1', content: 'c', pollId: 'p1', subject: 's',
    kind: 'motion', mode: 'electronic', choice: 'yes', reason: 'r', newPollId: 'p2', title: 'Phiên', closed: true,
  };
  const roles: Actor[] = [chair, secretary, delegate(1), system, { role: 'public' as never, id: 'viewer' }, { role: 'display' as never, id: 'wall' }];
  const expected = (allowed: readonly string[]) =>
    allowed.length === 1 && allowed[0] === 'chair' ? 'NOT_CHAIR' : allowed.includes('delegate') && !allowed.includes('chair') ? 'NOT_DELEGATE' : 'NOT_STAFF';

  it('[ROLE-1] every command sent by a role outside its role table is FORBIDDEN, in every stage', () => {
    const stages = [makeSession(), startedSession()];
    for (const s of stages) {
      for (const type of commandTypes) {
        for (const by of roles) {
          if (commandRoles[type].includes(by.role)) continue;
          const v = explain(s.snapshot(), { ...dummy, type, at: s.clock.now, by } as MachineEvent);
          expect(v, `${type} by ${by.role}`).toEqual({ ok: false, code: 'FORBIDDEN', reason: expected(commandRoles[type]), message: Refusal[expected(commandRoles[type])].vi });
        }
      }
    }
  });

  it('[ROLE-2] a delegate cannot open a poll; the public and a wall cannot do anything', () => {
    const s = startedSession();
    s.refuse({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', by: delegate(1) }, 'NOT_CHAIR', 'FORBIDDEN');
    s.refuse({ type: 'ballot.cast', pollId: 'p1', choice: 'yes', by: { role: 'public' as never, id: 'd1' } }, 'NOT_DELEGATE', 'FORBIDDEN');
    s.refuse({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: { role: 'display' as never, id: 'd1' } }, 'NOT_DELEGATE', 'FORBIDDEN');
    s.refuse({ type: 'session.recess', by: { role: 'public' as never, id: 'x' } }, 'NOT_CHAIR', 'FORBIDDEN');
    s.refuse({ type: 'session.recess', by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
  });

  it('[ROLE-3] deadlines are issued only by the server', () => {
    const s = startedSession();
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', by: chair });
    s.refuse({ type: 'floor.timeUp', speechId: 's1', by: chair }, 'NOT_SYSTEM', 'FORBIDDEN');
    s.refuse({ type: 'poll.deadline', pollId: 'p1', by: delegate(1) }, 'NOT_SYSTEM', 'FORBIDDEN');
    s.ok({ type: 'floor.timeUp', speechId: 's1', by: system });
  });

  it('[ROLE-4] the server cannot send client commands as the system', () => {
    const s = startedSession();
    s.refuse({ type: 'session.recess', by: system }, 'NOT_CHAIR', 'FORBIDDEN');
    s.refuse({ type: 'ballot.cast', pollId: 'p1', choice: 'yes', by: system }, 'NOT_DELEGATE', 'FORBIDDEN');
  });
});

describe('[RECESS] recess and resume', () => {
  it('[RECESS-1] recess is refused while a poll is open or someone has the floor', () => {
    const s = startedSession();
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair });
    s.refuse({ type: 'session.recess', by: chair }, 'POLL_OPEN');
    s.refuse({ type: 'session.adjourn', by: chair }, 'POLL_OPEN');
    s.ok({ type: 'poll.cancel', pollId: 'p1', reason: 'Nhầm nội dung', by: chair });
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'official', id: 'o1' }, purpose: 'presentation', by: chair });
    s.refuse({ type: 'session.recess', by: chair }, 'FLOOR_BUSY');
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'session.recess', by: chair });
    expect(s.value()).toBe('recess');
  });

  it('[RECESS-2] in recess the hall does not vote, speak or question (WRONG_STATE), paperwork continues', () => {
    const s = startedSession();
    s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai', respondentIds: ['o1'], by: chair });
    s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(2) });
    s.ok({ type: 'session.recess', by: chair });
    s.refuse({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'ballot.cast', pollId: 'p1', choice: 'yes', by: delegate(1) }, 'UNKNOWN_POLL');
    s.refuse({ type: 'floor.request', requestId: 'r2', purpose: 'speech', by: delegate(1) }, 'WRONG_STATE');
    s.refuse({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'floor.withdraw', requestId: 'r1', by: delegate(2) }, 'WRONG_STATE');
    s.refuse({ type: 'questioning.openGroup', groupId: 'g1', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'broadcast.start', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'agenda.goTo', itemId: 'i2', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.recess', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.start', by: chair }, 'WRONG_STATE');
    s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', groupId: 'g1', text: 'Hỏi', by: delegate(3) });
    s.ok({ type: 'attendance.set', delegateId: 'd4', status: 'absentExcused', by: secretary });
    s.ok({ type: 'attendance.checkIn', delegateId: 'd4', channel: 'hall', by: delegate(4) });
  });

  it('[RECESS-3] no ballot in recess: no poll can be open there (POLL_NOT_OPEN); announcing waits for the resume (WRONG_STATE)', () => {
    const s = startedSession();
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair });
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'session.recess', by: chair });
    s.refuse({ type: 'ballot.cast', pollId: 'p1', choice: 'yes', by: delegate(1) }, 'POLL_NOT_OPEN');
    s.refuse({ type: 'poll.announce', pollId: 'p1', by: chair }, 'WRONG_STATE');
  });

  it('[RECESS-4] resume returns every region to where it was (deep history)', () => {
    const s = startedSession();
    s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai', respondentIds: ['o1'], by: chair });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair });
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    const before = s.value();
    expect(before).toEqual({ inProgress: { floor: 'idle', voting: 'counted', questioning: 'active', broadcast: 'onAir' } });
    s.ok({ type: 'session.recess', by: chair });
    expect(s.value()).toBe('recess');
    s.ok({ type: 'session.resume', by: chair });
    expect(s.value()).toEqual(before);
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    expect(region(s, 'voting')).toBe('announced');
  });

  it('[RECESS-5] closing the sitting during a recess takes the broadcast off air on resume', () => {
    const s = startedSession();
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'session.recess', by: chair });
    s.ok({ type: 'sitting.setClosed', closed: true, by: chair });
    s.ok({ type: 'session.resume', by: chair });
    expect(region(s, 'broadcast')).toBe('offAir');
    expect(s.ctx().broadcast).toEqual({ onAir: false, since: null });
  });
});

describe('[SIT] sittings', () => {
  it('[SIT-1] sitting.begin (from recess) archives the sitting, resets attendance and goes back to the roll call', () => {
    const s = startedSession();
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'session.recess', by: chair });
    s.ok({ type: 'sitting.begin', title: 'Phiên chất vấn', by: chair });
    expect(s.value()).toBe('checkIn');
    expect(s.ctx().attendance).toEqual({});
    expect(s.ctx().sittings).toHaveLength(1);
    expect(s.ctx().sittings[0]).toMatchObject({ number: 1, startedAt: expect.any(Number) });
    expect(s.ctx().sitting).toEqual({ number: 2, title: 'Phiên chất vấn', startedAt: null, closed: false });
    expect(s.ctx().broadcast.onAir).toBe(false);
    // A fresh roll call: the new sitting needs its own quorum.
    s.refuse({ type: 'session.start', by: chair }, 'QUORUM_NOT_MET');
    s.checkInAll(12);
    const at = s.clock.now;
    s.ok({ type: 'session.start', by: chair });
    expect(s.ctx().sitting.startedAt).toBe(at);
    expect(s.ctx().startedAt).toBeLessThan(at);
    expect(s.value()).toEqual({ inProgress: { floor: 'idle', voting: 'idle', questioning: 'idle', broadcast: 'offAir' } });
  });

  it('[SIT-4] a new sitting carries on the hall: a counted poll is still announced, an open question group still closed', () => {
    const s = startedSession();
    s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai', respondentIds: ['o1'], by: chair });
    s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', groupId: 'g1', text: 'Hỏi', by: delegate(1) });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic', by: chair });
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'session.recess', by: chair });
    s.ok({ type: 'sitting.begin', title: 'Phiên chiều', by: chair });
    s.checkInAll(15);
    s.ok({ type: 'session.start', by: chair });
    // The broadcast does not come back by itself: a new sitting goes on air when the chair says so.
    expect(s.value()).toEqual({ inProgress: { floor: 'idle', voting: 'counted', questioning: 'active', broadcast: 'offAir' } });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok({ type: 'questioning.closeGroup', by: chair });
    expect(s.ctx().questioning.questions[0]?.status).toBe('writtenPending');
  });

  it('[SIT-2] a closed sitting forces the broadcast off and refuses broadcast.start', () => {
    const s = startedSession();
    s.ok({ type: 'broadcast.start', by: chair });
    expect(region(s, 'broadcast')).toBe('onAir');
    expect(s.ctx().broadcast.since).toBe(s.clock.now - 1000);
    s.ok({ type: 'sitting.setClosed', closed: true, by: chair });
    expect(region(s, 'broadcast')).toBe('offAir');
    expect(s.ctx().broadcast).toEqual({ onAir: false, since: null });
    s.refuse({ type: 'broadcast.start', by: chair }, 'CLOSED_SITTING', 'REJECTED');
    s.ok({ type: 'sitting.setClosed', closed: false, by: chair });
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'broadcast.stop', by: chair });
    expect(region(s, 'broadcast')).toBe('offAir');
    s.refuse({ type: 'broadcast.stop', by: chair }, 'WRONG_STATE');
  });

  it('[SIT-3] opening a sitting (not closing it) leaves the broadcast alone', () => {
    const s = startedSession();
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'sitting.setClosed', closed: false, by: chair });
    expect(region(s, 'broadcast')).toBe('onAir');
    s.refuse({ type: 'broadcast.start', by: chair }, 'WRONG_STATE');
  });
});

describe('[ADJ] adjournment', () => {
  it('[ADJ-1] adjourning ends the current speech and the broadcast', () => {
    const s = startedSession();
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', by: chair });
    const at = s.clock.now;
    s.ok({ type: 'session.adjourn', by: chair });
    expect(s.value()).toBe('adjourned');
    expect(s.ctx().adjournedAt).toBe(at);
    expect(s.ctx().floor.current).toBeNull();
    expect(s.ctx().floor.log[0]).toMatchObject({ speechId: 's1', endedAt: at });
    expect(s.ctx().broadcast).toEqual({ onAir: false, since: null });
  });

  it('[ADJ-2] an adjourned session accepts only written-answer paperwork', () => {
    const s = startedSession();
    s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', text: 'Hỏi', by: delegate(1) });
    s.ok({ type: 'question.submit', questionId: 'q2', respondentId: 'o2', text: 'Hỏi', by: delegate(2) });
    s.ok({ type: 'session.recess', by: chair });
    s.ok({ type: 'session.adjourn', by: chair });
    s.ok({ type: 'question.markWritten', questionId: 'q1', by: secretary });
    s.ok({ type: 'question.writtenAnswered', questionId: 'q1', by: secretary });
    s.ok({ type: 'commitment.record', commitmentId: 'c1', respondentId: 'o1', questionId: 'q1', content: 'Hoàn thành trong quý IV', deadline: '2026-12-31', by: chair });
    s.refuse({ type: 'question.submit', questionId: 'q3', respondentId: 'o1', text: 'Hỏi', by: delegate(3) }, 'WRONG_STATE');
    s.refuse({ type: 'question.withdraw', questionId: 'q2', by: delegate(2) }, 'WRONG_STATE');
    s.refuse({ type: 'questioning.addGroup', groupId: 'g9', topic: 'x', respondentIds: ['o1'], by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'attendance.set', delegateId: 'd1', status: 'present', by: secretary }, 'WRONG_STATE');
    s.refuse({ type: 'sitting.setClosed', closed: true, by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.resume', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'session.openCheckIn', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'sitting.begin', title: 'x', by: chair }, 'WRONG_STATE');
    s.refuse({ type: 'agenda.goTo', itemId: 'i1', by: chair }, 'WRONG_STATE');
    expect(s.ctx().questioning.questions.find((q) => q.questionId === 'q1')?.status).toBe('writtenAnswered');
  });
});
