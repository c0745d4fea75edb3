import { describe, expect, it } from 'vitest';
import {
  explain,
  explainCommand,
  isVerdict,
  pendingDeadlines,
  persist,
  replay,
  ReplayError,
  restoreSession,
  SnapshotVersionError,
  startSession,
  SYSTEM_ACTOR,
} from '../../src/machine/engine.ts';
import { MACHINE_VERSION } from '../../src/machine/session.machine.ts';
import { parseCommand, parseMachineEvent } from '../../src/protocol/commands.ts';
import { chair, delegate, makeSession, persisted, startedSession, system } from '../helpers.ts';

/** A session with a bit of everything: a counted secret poll, a speaker, a queue, a question group. */
function busySession() {
  const s = startedSession({ present: 13 });
  s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai', respondentIds: ['o1'], by: chair });
  s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'secret', by: chair });
  s.castAll('p1', ['yes', 'no', 'yes']);
  s.ok({ type: 'poll.close', pollId: 'p1', counts: s.secretMotionCounts('p1'), by: chair });
  s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(4) });
  s.ok({ type: 'floor.grant', requestId: 'r1', speechId: 's1', by: chair });
  s.ok({ type: 'floor.stop', by: chair });
  s.ok({ type: 'broadcast.start', by: chair });
  s.ok({ type: 'session.recess', by: chair });
  return s;
}

describe('[ENG] persistence and replay', () => {
  it('[ENG-1] replaying the journal onto a fresh session gives the same persisted snapshot', () => {
    const s = busySession();
    const again = replay(startSession(s.setup), JSON.parse(JSON.stringify(s.log)));
    expect(JSON.stringify(again.getPersistedSnapshot())).toBe(persisted(s));
    // The replayed actor remembers the regions for resume, too.
    s.ok({ type: 'session.resume', by: chair, at: 9e12 });
    again.send({ type: 'session.resume', by: chair, at: 9e12 });
    expect(again.getSnapshot().value).toEqual(s.value());
  });

  it('[ENG-2] a persisted snapshot round-trips through JSON and restores the same session, history included', () => {
    const s = busySession();
    const stored = JSON.parse(JSON.stringify(persist(s.actor, s.log.length)));
    expect(stored).toMatchObject({ machineVersion: MACHINE_VERSION, seq: s.log.length });
    const restored = restoreSession(stored);
    expect(JSON.stringify(restored.getPersistedSnapshot())).toBe(persisted(s));
    restored.send({ type: 'session.resume', by: chair, at: 9e12 });
    expect(restored.getSnapshot().value).toEqual({ inProgress: { floor: 'idle', voting: 'counted', questioning: 'idle', broadcast: 'onAir' } });
  });

  it('[ENG-3] a snapshot plus the journal tail equals the live session', () => {
    const s = startedSession();
    const cut = persist(s.actor, s.log.length);
    const from = s.log.length;
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', by: chair });
    s.castAll('p1', ['yes', 'yes', 'no']);
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    const restored = replay(restoreSession(JSON.parse(JSON.stringify(cut))), s.log.slice(from), from + 1);
    expect(JSON.stringify(restored.getPersistedSnapshot())).toBe(persisted(s));
  });

  it('[ENG-4] a stored snapshot of another machine version, or not a session snapshot, is refused', () => {
    const s = startedSession();
    const good = persist(s.actor, 1);
    expect(() => restoreSession({ ...good, machineVersion: MACHINE_VERSION + 1 })).toThrow(SnapshotVersionError);
    expect(() => restoreSession({ ...good, machineVersion: MACHINE_VERSION + 1 })).toThrow(/machine version 2/);
    expect(() => restoreSession({ ...good, snapshot: null })).toThrow(/not a session snapshot/);
    expect(() => restoreSession({ ...good, snapshot: { status: 'done', value: 'adjourned', context: { sessionId: 'x' } } })).toThrow(/not a session snapshot/);
    expect(() => restoreSession({ ...good, snapshot: { status: 'active', context: { sessionId: 'x' } } })).toThrow(/not a session snapshot/);
    expect(() => restoreSession({ ...good, snapshot: { status: 'active', value: 'scheduled', context: {} } })).toThrow(/not a session snapshot/);
  });

  it('[ENG-5] replay stops loudly on a record that is not an event, or one the machine refuses', () => {
    const s = makeSession();
    expect(() => replay(startSession(s.setup), [{ type: 'session.openCheckIn', by: chair }])).toThrow(ReplayError);
    expect(() => replay(startSession(s.setup), [null])).toThrow(/record 1 is not a valid event/);
    expect(() => replay(startSession(s.setup), [{ type: 'session.start', at: 1, by: chair }], 7)).toThrow(/record 7 \(session.start\) is refused on replay: QUORUM_NOT_MET/);
  });

  it('[ENG-6] explain agrees with can(), with the reason and the code', () => {
    const s = startedSession();
    const snap = s.snapshot();
    const ev = { type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', at: 1, by: chair } as const;
    expect(explain(snap, ev)).toEqual({ ok: true });
    expect(snap.can(ev)).toBe(true);
    const wrong = { type: 'session.openCheckIn', at: 1, by: chair } as const;
    expect(explain(snap, wrong)).toEqual({ ok: false, code: 'REJECTED', reason: 'WRONG_STATE', message: 'Không thể thực hiện ở giai đoạn hiện tại của kỳ họp' });
    expect(snap.can(wrong)).toBe(false);
    expect(explain(snap, { ...ev, by: delegate(1) })).toMatchObject({ ok: false, code: 'FORBIDDEN', reason: 'NOT_CHAIR' });
    expect(isVerdict({ ok: true })).toBe(true);
    expect(isVerdict({ event: ev })).toBe(false);
  });

  it('[ENG-7] pendingDeadlines lists the speech deadline and every open timed poll', () => {
    const s = startedSession();
    expect(pendingDeadlines(s.ctx())).toEqual([]);
    const at = s.clock.now;
    s.ok({ type: 'poll.open', pollId: 'p1', subject: 'x', kind: 'motion', mode: 'electronic', durationSec: 30, by: chair });
    const at2 = s.clock.now;
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'official', id: 'o1' }, purpose: 'explanation', limitSec: 120, by: chair });
    s.ok({ type: 'floor.extend', addSec: 60, by: chair });
    expect(pendingDeadlines(s.ctx())).toEqual([
      { key: 'speech:s1', at: at2 + 180_000, event: { type: 'floor.timeUp', speechId: 's1', dueAt: at2 + 180_000 } },
      { key: 'poll:p1', at: at + 30_000, event: { type: 'poll.deadline', pollId: 'p1' } },
    ]);
    expect(SYSTEM_ACTOR).toEqual(system);
  });
});

describe('[WIRE] command and journal parsing', () => {
  const envelope = { sessionId: 'ky-hop-1', commandId: 'cmd-000001' };

  it('[WIRE-1] parseCommand validates the envelope and the payload, and never throws', () => {
    expect(parseCommand({ ...envelope, type: 'session.start' })).toEqual({ ok: true, command: { ...envelope, type: 'session.start', payload: {} } });
    expect(parseCommand({ ...envelope, type: 'poll.open', payload: { pollId: 'p1', subject: '  Nghị quyết  ' } })).toEqual({
      ok: true,
      command: { ...envelope, type: 'poll.open', payload: { pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic' } },
    });
    expect(parseCommand(null)).toMatchObject({ ok: false });
    expect(parseCommand({ ...envelope, type: 'nope' })).toMatchObject({ ok: false });
    expect(parseCommand({ ...envelope, commandId: 'short', type: 'session.start' })).toMatchObject({ ok: false, issues: [expect.stringMatching(/^commandId:/)] });
    // Strict payloads: a client cannot smuggle in a field the server stamps.
    const smuggled = parseCommand({ ...envelope, type: 'ballot.cast', payload: { pollId: 'p1', choice: 'yes', by: { role: 'chair', id: 'x' } } });
    expect(smuggled).toMatchObject({ ok: false });
    expect(parseCommand({ ...envelope, type: 'floor.request', payload: { requestId: 'r1', purpose: 'explanation' } })).toMatchObject({ ok: false });
    expect(parseCommand({ ...envelope, type: 'poll.revote', payload: { pollId: 'p1', newPollId: 'p2', reason: '   ' } })).toMatchObject({ ok: false, issues: [expect.stringMatching(/^reason:/)] });
    expect(parseCommand({ ...envelope, type: 'session.start', payload: undefined })).toMatchObject({ ok: true });
  });

  it('[WIRE-3] manualClose with a durationSec is refused, not silently resolved; a journaled event with both still replays', () => {
    const both = { pollId: 'p1', subject: 'Nghị quyết', manualClose: true, durationSec: 60 };
    const refused = parseCommand({ ...envelope, type: 'poll.open', payload: both });
    expect(refused).toEqual({ ok: false, issues: [expect.stringMatching(/^durationSec: .*manualClose/)] });
    expect(parseCommand({ ...envelope, type: 'poll.revote', payload: { pollId: 'p1', newPollId: 'p2', reason: 'Lần nữa', manualClose: true, durationSec: 60 } })).toMatchObject({ ok: false });
    expect(parseCommand({ ...envelope, type: 'poll.open', payload: { ...both, durationSec: undefined } })).toMatchObject({ ok: true });
    expect(parseCommand({ ...envelope, type: 'poll.open', payload: { ...both, manualClose: false } })).toMatchObject({ ok: true });
    expect(parseMachineEvent({ type: 'poll.open', ...both, at: 1, by: chair })).toMatchObject({ type: 'poll.open', manualClose: true, durationSec: 60 });
  });

  it('[WIRE-2] parseMachineEvent accepts journaled events (a secret ballot without choice) and refuses others', () => {
    expect(parseMachineEvent({ type: 'ballot.cast', pollId: 'p1', at: 1, by: delegate(1) })).toEqual({ type: 'ballot.cast', pollId: 'p1', at: 1, by: delegate(1) });
    expect(parseMachineEvent({ type: 'floor.timeUp', speechId: 's1', at: 2, by: system })).toEqual({ type: 'floor.timeUp', speechId: 's1', at: 2, by: system });
    expect(parseMachineEvent({ type: 'poll.deadline', pollId: 'p1', at: 2, by: system })).toMatchObject({ type: 'poll.deadline' });
    expect(parseMachineEvent('x')).toBeNull();
    expect(parseMachineEvent(null)).toBeNull();
    expect(parseMachineEvent({ type: 'nope', at: 1, by: chair })).toBeNull();
    expect(parseMachineEvent({ type: 'session.start', by: chair })).toBeNull();
    expect(parseMachineEvent({ type: 'session.start', at: 1, by: { role: 'public', id: 'x' } })).toBeNull();
    expect(parseMachineEvent({ type: 'session.start', at: 1, by: chair, extra: 1 })).toBeNull();
    expect(parseMachineEvent({ type: 'ballot.cast', pollId: 'p1', choice: 'maybe', at: 1, by: delegate(1) })).toBeNull();
  });
});

describe('[ENG-CLIENT] explainCommand: what a client is told before sending', () => {
  const cmd = (type: string, payload: object) => {
    const parsed = parseCommand({ sessionId: 's1', commandId: 'client-check-1', type, payload });
    if (!parsed.ok) throw new Error(parsed.issues.join('; '));
    return parsed.command;
  };

  it('[ENG-CLIENT-1] closing a secret e-ballot is allowed for the chair although only the server has the counts', () => {
    for (const kind of ['motion', 'confidenceRating', 'election'] as const) {
      const s = startedSession({ level: 'province' });
      const extra = kind === 'motion' ? {} : kind === 'election' ? { candidates: [{ id: 'k1', name: 'A' }, { id: 'k2', name: 'B' }], seats: 1 } : { officialIds: s.ctx().council.officials.filter((o) => o.ratable).map((o) => o.id) };
      expect(s.command(chair, 'poll.open', { pollId: 'p1', subject: 'Kín', kind, mode: 'secret', ...extra })).toMatchObject({ ok: true });
      const ballot = kind === 'motion' ? 'yes' : kind === 'election' ? ['k1'] : Object.fromEntries(s.ctx().polls[0]!.officialIds.map((id) => [id, 'high']));
      // Two ballots are below the council's minimum (3): a secret poll with so few can only be cancelled.
      for (const d of [1, 2]) expect(s.command(delegate(d), 'ballot.cast', { pollId: 'p1', choice: ballot })).toMatchObject({ ok: true });
      expect(explainCommand(s.actor.getSnapshot(), cmd('poll.close', { pollId: 'p1' }), chair, s.clock.now)).toMatchObject({ ok: false, reason: 'TOO_FEW_BALLOTS' });
      expect(s.command(delegate(3), 'ballot.cast', { pollId: 'p1', choice: ballot })).toMatchObject({ ok: true });
      // The bare machine refuses (the counts are missing); the client-side verdict matches what the server will do.
      expect(explain(s.actor.getSnapshot(), { type: 'poll.close', pollId: 'p1', at: s.clock.now, by: chair })).toMatchObject({ ok: false, reason: 'COUNTS_REQUIRED' });
      expect(explainCommand(s.actor.getSnapshot(), cmd('poll.close', { pollId: 'p1' }), chair, s.clock.now)).toEqual({ ok: true });
      expect(explainCommand(s.actor.getSnapshot(), cmd('poll.close', { pollId: 'p1' }), delegate(4), s.clock.now)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
  });

  it('[ENG-CLIENT-2] other commands get exactly the machine verdict', () => {
    const s = startedSession();
    expect(explainCommand(s.actor.getSnapshot(), cmd('poll.close', { pollId: 'nope' }), chair, s.clock.now)).toMatchObject({ ok: false, reason: 'UNKNOWN_POLL' });
    expect(explainCommand(s.actor.getSnapshot(), cmd('floor.request', { requestId: 'r1', purpose: 'speech' }), delegate(1), s.clock.now)).toEqual({ ok: true });
  });
});
