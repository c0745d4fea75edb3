/**
 * `can()` must say what the server will say: the view's snapshot restored into core's machine, asked with core's
 * `explain`. Compared here against the live session the view was projected from.
 */
import { explain, isVerdict, parseCommand, prepareCommand, type Actor, type CommandType, type SessionView } from '@hall/core';
import { describe, expect, it } from 'vitest';
import { can } from '../src/can.ts';
import { chair, delegate, LiveSession, secretary, startedSession } from './support/fixtures.ts';

/** The verdict the server's session room reaches for the same command on the live state. */
function serverVerdict(s: LiveSession, by: Actor, type: CommandType, payload: Record<string, unknown>) {
  const parsed = parseCommand({ sessionId: s.setup.sessionId, commandId: 'server-side-check', type, payload });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  const prepared = prepareCommand(s.snapshot, parsed.command, by, s.clock + 1000);
  return isVerdict(prepared) ? prepared : explain(s.snapshot, prepared.event);
}

describe('[KIT-CAN] can() from a view', () => {
  it('[KIT-CAN-1] a delegate cannot vote before checking in, and can after', () => {
    const s = startedSession(15, 10);
    s.must(chair, 'poll.open', { pollId: 'p1', subject: 'Nghị quyết thử', kind: 'motion', mode: 'electronic' });
    const me = delegate(12);
    const before = s.view('delegate', me.id);
    expect(before.me?.attendance).toBe('unknown');
    expect(can(before, me, 'ballot.cast', { pollId: 'p1', choice: 'yes' }, s.clock)).toMatchObject({
      ok: false,
      code: 'REJECTED',
      reason: 'NOT_PRESENT',
      message: 'Đại biểu chưa điểm danh có mặt',
    });

    s.must(me, 'attendance.checkIn', { delegateId: me.id, channel: 'hall' });
    const after = s.view('delegate', me.id);
    expect(after.seq).toBe(before.seq + 1);
    expect(can(after, me, 'ballot.cast', { pollId: 'p1', choice: 'yes' }, s.clock)).toEqual({ ok: true });
    // and the server agrees
    expect(s.command(me, 'ballot.cast', { pollId: 'p1', choice: 'yes' })).toEqual({ ok: true });
  });

  it('[KIT-CAN-2] agrees with the server on every verdict for a delegate and the chair', () => {
    const s = startedSession(15, 10);
    s.must(chair, 'poll.open', { pollId: 'p1', subject: 'Nghị quyết thử', kind: 'motion', mode: 'electronic' });
    s.must(delegate(1), 'floor.request', { requestId: 'r1', purpose: 'speech' });
    const cases: [Actor, CommandType, Record<string, unknown>][] = [
      [delegate(2), 'ballot.cast', { pollId: 'p1', choice: 'no' }],
      [delegate(14), 'ballot.cast', { pollId: 'p1', choice: 'no' }],
      [delegate(2), 'ballot.cast', { pollId: 'nope', choice: 'no' }],
      [delegate(2), 'attendance.checkIn', { delegateId: 'd3', channel: 'hall' }],
      [delegate(2), 'attendance.checkIn', { delegateId: 'd2', channel: 'remote' }],
      [delegate(1), 'floor.request', { requestId: 'r2', purpose: 'speech' }],
      [delegate(2), 'floor.request', { requestId: 'r3', purpose: 'speech' }],
      [delegate(2), 'floor.withdraw', { requestId: 'r1' }],
      [delegate(2), 'session.recess', {}],
      [chair, 'session.recess', {}],
      [chair, 'poll.close', { pollId: 'p1' }],
      [chair, 'poll.announce', { pollId: 'p1' }],
      [chair, 'floor.grant', { requestId: 'r1', speechId: 's1' }],
      [secretary, 'attendance.set', { delegateId: 'd15', status: 'absentExcused', note: 'Công tác' }],
      [secretary, 'poll.open', { pollId: 'p2', subject: 'x' }],
    ];
    for (const [by, type, payload] of cases) {
      const audience = by.role === 'delegate' ? 'delegate' : by.role;
      const view = s.view(audience as 'delegate' | 'chair' | 'secretary', by.role === 'delegate' ? by.id : null);
      expect(can(view, by, type, payload, s.clock + 1000), `${by.id} ${type}`).toEqual(serverVerdict(s, by, type, payload));
    }
  });

  it('[KIT-CAN-3] a secret ballot carrying its choice is allowed, as the server splits it off first', () => {
    const s = startedSession(15, 12);
    s.must(chair, 'poll.open', { pollId: 'k1', subject: 'Bầu Ban kiểm phiếu', kind: 'motion', mode: 'secret' });
    const view = s.view('delegate', 'd3');
    expect(can(view, delegate(3), 'ballot.cast', { pollId: 'k1', choice: 'yes' })).toEqual({ ok: true });
    s.must(delegate(3), 'ballot.cast', { pollId: 'k1', choice: 'yes' });
    expect(can(s.view('delegate', 'd3'), delegate(3), 'ballot.cast', { pollId: 'k1', choice: 'no' })).toMatchObject({ ok: false, reason: 'ALREADY_CAST' });
  });

  it('[KIT-CAN-4] nothing to ask: wall and public views, no actor, a bad payload, another machine version', () => {
    const s = startedSession(15, 12);
    const wall = s.view('wall');
    expect(wall.snapshot).toBeUndefined();
    expect(can(wall, chair, 'session.recess', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(can(s.view('chair'), null, 'session.recess', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(can(null, chair, 'session.recess', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(can(s.view('chair'), chair, 'poll.open', { pollId: '', subject: '' })).toMatchObject({ ok: false, code: 'VALIDATION' });
    const future: SessionView = { ...s.view('chair'), machineVersion: 999 };
    expect(can(future, chair, 'session.recess', {})).toMatchObject({ ok: false, code: 'PROTOCOL_VERSION', message: 'Ứng dụng đã cũ, vui lòng tải lại trang' });
  });

  it('[KIT-CAN-5] the restored machine is cached per seq: a new seq is a new answer', () => {
    const s = LiveSession.of(15);
    const v0 = s.view('chair');
    expect(can(v0, chair, 'session.openCheckIn')).toEqual({ ok: true });
    expect(can(v0, chair, 'session.start')).toMatchObject({ ok: false });
    s.must(chair, 'session.openCheckIn');
    const v1 = s.view('chair');
    expect(can(v1, chair, 'session.openCheckIn')).toMatchObject({ ok: false, reason: 'WRONG_STATE' });
    // the old view still answers for its own seq
    expect(can(v0, chair, 'session.openCheckIn')).toEqual({ ok: true });
  });
});
