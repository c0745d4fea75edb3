import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { explain, restoreSession, type SessionSnapshot } from '../../src/machine/engine.ts';
import { MACHINE_VERSION, sessionMachine } from '../../src/machine/session.machine.ts';
import type { MachineEvent } from '../../src/protocol/commands.ts';
import {
  chairView,
  delegateView,
  phaseOf,
  project,
  projectDelegates,
  publicView,
  redactedSnapshot,
  resultOf,
  secretaryView,
  wallView,
  type Audience,
  type SessionView,
} from '../../src/views/project.ts';
import { chair, choices, delegate, makeSession, secretary, startedSession, type SessionDriver } from '../helpers.ts';

const AUDIENCES: Audience[] = ['chair', 'secretary', 'delegate', 'wall', 'public'];
/** Every view of a session: the staff, the wall, the public and each delegate. */
function allViews(s: SessionDriver): { who: string; view: SessionView }[] {
  const snap = s.snapshot();
  const out: { who: string; view: SessionView }[] = (['chair', 'secretary', 'wall', 'public'] as const).map((a) => ({ who: a, view: project(snap, s.log.length, a) }));
  for (const d of s.setup.council.delegates) out.push({ who: d.id, view: delegateView(snap, s.log.length, d.id) });
  return out;
}
const open = (pollId: string, mode = 'electronic', extra: Record<string, unknown> = {}) =>
  ({ type: 'poll.open', pollId, subject: 'Nghị quyết', kind: 'motion', mode, by: chair, ...extra }) as never;

describe('[VIEW] secret ballots in views (docs/architecture.md)', () => {
  it('[VIEW-1] while a secret poll is open, no audience sees a choice: only how many ballots were cast', () => {
    const s = startedSession();
    s.ok(open('p1', 'secret'));
    s.castAll('p1', choices({ yes: 6, no: 3, abstain: 2 }));
    for (const { who, view } of allViews(s)) {
      const text = JSON.stringify(view);
      expect(text, who).not.toMatch(/"(yes|no|abstain)"/);
      expect(view.poll, who).toMatchObject({ pollId: 'p1', status: 'open', castCount: 11, result: null });
      expect(view.poll?.named, who).toBeUndefined();
    }
  });

  it('[VIEW-1] two sessions that differ only in secret choices project byte-identical views', () => {
    const run = (ballots: ('yes' | 'no' | 'abstain')[]) => {
      const s = startedSession();
      s.ok(open('p1', 'secret'));
      s.castAll('p1', ballots);
      return { s, views: allViews(s).map((v) => JSON.stringify(v.view)), journal: JSON.stringify(s.log), snap: JSON.stringify(s.actor.getPersistedSnapshot()) };
    };
    const a = run(choices({ yes: 10 }));
    const b = run(choices({ no: 5, abstain: 5 }));
    expect(a.views).toEqual(b.views);
    expect(a.journal).toBe(b.journal);
    expect(a.snap).toBe(b.snap);
  });

  it('[VIEW-2] a delegate sees only that their secret ballot was recorded, never what it was', () => {
    const s = startedSession();
    s.ok(open('p1', 'secret'));
    s.castAll('p1', ['no']);
    expect(delegateView(s.snapshot(), 1, 'd1').poll?.mine).toEqual({ cast: true });
    expect(delegateView(s.snapshot(), 1, 'd2').poll?.mine).toEqual({ cast: false });
    expect(chairView(s.snapshot(), 1).poll?.mine).toBeUndefined();
  });

  it('[VIEW-3] after a secret poll is counted and announced, only totals are shown', () => {
    const s = startedSession();
    s.ok(open('p1', 'secret'));
    s.castAll('p1', choices({ yes: 9, no: 1 }));
    s.ok({ type: 'poll.close', pollId: 'p1', counts: s.secretMotionCounts('p1'), by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    for (const { who, view } of allViews(s)) {
      expect(view.poll?.result, who).toMatchObject({ kind: 'motion', yes: 9, no: 1, outcome: 'THÔNG QUA' });
      expect(view.poll?.named, who).toBeUndefined();
    }
  });
});

describe('[VIEW] public votes: choices and results', () => {
  function publicVote() {
    const s = startedSession();
    s.ok(open('p1'));
    s.castAll('p1', ['yes', 'no', 'abstain']);
    return s;
  }

  it('[VIEW-4] while open, a public vote shows each voter only their own choice; nobody sees another choice', () => {
    const s = publicVote();
    const snap = s.snapshot();
    expect(delegateView(snap, 1, 'd1').poll?.mine).toEqual({ cast: true, choice: 'yes' });
    expect(delegateView(snap, 1, 'd2').poll?.mine).toEqual({ cast: true, choice: 'no' });
    expect(delegateView(snap, 1, 'd4').poll?.mine).toEqual({ cast: false });
    const cast: Record<string, string> = { d1: 'yes', d2: 'no', d3: 'abstain' };
    for (const { who, view } of allViews(s)) {
      const text = JSON.stringify(view);
      for (const [id, choice] of Object.entries(cast)) {
        if (who === id) continue;
        expect(text, `${who} must not see ${id}`).not.toContain(`"${id}":"${choice}"`);
      }
      // The only choice a view may carry is the viewer's own.
      const seen = [...text.matchAll(/"choice":"(\w+)"/g)].map((m) => m[1]);
      expect(seen, who).toEqual(cast[who] ? [cast[who], cast[who]] : []);
      expect(view.poll?.named, who).toBeUndefined();
    }
  });

  it('[VIEW-5] staff see who has not voted yet, during a public vote only', () => {
    const s = publicVote();
    expect(chairView(s.snapshot(), 1).poll?.notVoted).toEqual(['d4', 'd5', 'd6', 'd7', 'd8', 'd9', 'd10', 'd11', 'd12', 'd13', 'd14', 'd15']);
    expect(secretaryView(s.snapshot(), 1).poll?.notVoted).toHaveLength(12);
    expect(wallView(s.snapshot(), 1).poll?.notVoted).toBeUndefined();
    expect(delegateView(s.snapshot(), 1, 'd1').poll?.notVoted).toBeUndefined();
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    expect(chairView(s.snapshot(), 1).poll?.notVoted).toBeUndefined();
  });

  it('[VIEW-6] results: chair and secretary see them once counted; wall, public and delegates only when announced', () => {
    const s = publicVote();
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    const snap = s.snapshot();
    for (const a of AUDIENCES) {
      const view = project(snap, 9, a, a === 'delegate' ? 'd1' : null);
      if (a === 'chair' || a === 'secretary') expect(view.poll?.result, a).toMatchObject({ kind: 'motion', tookPart: 3, yes: 1, no: 1, abstain: 1 });
      else expect(view.poll?.result, a).toBeNull();
      expect(view.poll?.named, a).toBeUndefined();
    }
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    for (const a of AUDIENCES) {
      expect(project(s.snapshot(), 9, a, a === 'delegate' ? 'd5' : null).poll?.result, a).toMatchObject({ outcome: 'KHÔNG THÔNG QUA' });
    }
  });

  it('[VIEW-7] named results (who voted what) are published after the announcement, to every audience', () => {
    const s = publicVote();
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    const named = [
      { delegateId: 'd1', name: 'Đại biểu 1', choice: 'yes' },
      { delegateId: 'd2', name: 'Đại biểu 2', choice: 'no' },
      { delegateId: 'd3', name: 'Đại biểu 3', choice: 'abstain' },
    ];
    for (const { who, view } of allViews(s)) expect(view.poll?.named, who).toEqual(named);
  });

  it('[VIEW-8] a cancelled poll shows no choices; the current poll is the open one, else the last not cancelled', () => {
    const s = startedSession();
    expect(chairView(s.snapshot(), 0).poll).toBeNull();
    s.ok(open('p1'));
    s.castAll('p1', ['yes']);
    s.ok({ type: 'poll.cancel', pollId: 'p1', reason: 'Lỗi', by: chair });
    expect(chairView(s.snapshot(), 0).poll).toBeNull();
    expect(chairView(s.snapshot(), 0).polls).toHaveLength(1);
    expect(JSON.stringify(delegateView(s.snapshot(), 0, 'd1'))).not.toContain('"choice"');
    s.ok(open('p2'));
    s.ok({ type: 'poll.close', pollId: 'p2', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p2', by: chair });
    s.ok(open('p3'));
    s.ok({ type: 'poll.cancel', pollId: 'p3', reason: 'Lỗi', by: chair });
    expect(chairView(s.snapshot(), 0).poll?.pollId).toBe('p2');
  });

  it('[VIEW-9] a re-vote shows its round, its link and its reason', () => {
    const s = publicVote();
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.revote', pollId: 'p1', newPollId: 'p2', reason: 'Lỗi thiết bị', by: chair });
    expect(wallView(s.snapshot(), 0).poll).toMatchObject({ pollId: 'p2', round: 2, revoteOf: 'p1', revoteReason: 'Lỗi thiết bị', castCount: 0 });
  });
});

describe('[VIEW] closed sittings, speakers, queues, attendance', () => {
  it('[VIEW-10] a closed sitting blanks the wall and the public view; staff and delegates still see the hall', () => {
    const s = startedSession();
    s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(2) });
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd1' }, purpose: 'speech', by: chair });
    s.ok({ type: 'sitting.setClosed', closed: true, by: chair });
    for (const view of [wallView(s.snapshot(), 5), publicView(s.snapshot(), 5)]) {
      expect(view).toMatchObject({
        closedSitting: true, agenda: [], currentItemId: null, regions: null, speaker: null, queue: [], attendance: null, poll: null, polls: [], questioning: null,
        broadcast: { onAir: false, since: null }, phase: 'inProgress', seq: 5, machineVersion: MACHINE_VERSION,
      });
      expect(view.snapshot).toBeUndefined();
      expect(JSON.stringify(view)).not.toContain('Đại biểu');
    }
    expect(chairView(s.snapshot(), 5).speaker?.id).toBe('d1');
    expect(delegateView(s.snapshot(), 5, 'd2').me?.queuePosition).toBe(1);
  });

  it('[VIEW-11] the delegate view carries me: attendance, place in the queue and own questions', () => {
    const s = startedSession({ present: 12 });
    s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(3) });
    s.ok({ type: 'floor.request', requestId: 'r2', purpose: 'debate', by: delegate(1) });
    s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', text: 'Hỏi', by: delegate(1) });
    expect(delegateView(s.snapshot(), 3, 'd1').me).toEqual({
      delegateId: 'd1', name: 'Đại biểu 1', attendance: 'present', queuePosition: 2, requestId: 'r2',
      questions: [expect.objectContaining({ questionId: 'q1', respondent: 'Nguyễn Văn An', status: 'queued', writtenDueAt: null })],
    });
    expect(delegateView(s.snapshot(), 3, 'd3').me).toMatchObject({ queuePosition: 1, requestId: 'r1', questions: [] });
    expect(delegateView(s.snapshot(), 3, 'd14').me).toMatchObject({ attendance: 'unknown', queuePosition: null, requestId: null });
    expect(delegateView(s.snapshot(), 3, 'd1').queue.map((q) => [q.requestId, q.name, q.group, q.purpose])).toEqual([
      ['r1', 'Đại biểu 3', 'Tổ 3', 'speech'],
      ['r2', 'Đại biểu 1', 'Tổ 1', 'debate'],
    ]);
    expect(project(s.snapshot(), 3, 'delegate').me).toBeUndefined();
  });

  it('[VIEW-12] the speaker view gives endsAt = start + (limit + extension), and who is speaking', () => {
    const s = startedSession();
    const at = s.clock.now;
    s.ok({ type: 'floor.give', speechId: 's1', speaker: { kind: 'delegate', id: 'd2' }, purpose: 'speech', by: chair });
    s.ok({ type: 'floor.extend', addSec: 60, by: chair });
    expect(wallView(s.snapshot(), 1).speaker).toEqual({
      speechId: 's1', kind: 'delegate', id: 'd2', name: 'Đại biểu 2', role: 'Tổ 2', purpose: 'speech', startedAt: at,
      limitSec: 420, extendedSec: 60, endsAt: at + 480_000, overtime: false, endedAt: null, questionId: null, askedOf: null,
    });
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'floor.give', speechId: 's2', speaker: { kind: 'official', id: 'o3' }, purpose: 'explanation', by: chair });
    expect(publicView(s.snapshot(), 1).speaker).toMatchObject({ kind: 'official', id: 'o3', name: 'Lê Văn Cường', role: 'Giám đốc Sở Tài chính' });
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'floor.give', speechId: 's3', speaker: { kind: 'guest', name: 'Bà Khách' }, purpose: 'presentation', by: chair });
    expect(publicView(s.snapshot(), 1).speaker).toMatchObject({ kind: 'guest', id: null, name: 'Bà Khách', role: '' });
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'floor.give', speechId: 's4', speaker: { kind: 'guest', name: 'Ông Khách', title: 'Chuyên gia' }, purpose: 'presentation', by: chair });
    expect(publicView(s.snapshot(), 1).speaker).toMatchObject({ role: 'Chuyên gia' });
    expect(chairView(s.snapshot(), 1).speechLog?.map((x) => x.speechId)).toEqual(['s1', 's2', 's3']);
    expect(wallView(s.snapshot(), 1).speechLog).toBeUndefined();
  });

  it('[VIEW-13] attendance counts and quorum; the roll with corrections for staff only', () => {
    const s = makeSession({ profile: { remoteParticipation: true }, vacant: [15] });
    s.ok({ type: 'session.openCheckIn', by: chair });
    s.checkInAll(9);
    s.ok({ type: 'attendance.checkIn', delegateId: 'd10', channel: 'remote', by: delegate(10) });
    s.ok({ type: 'attendance.set', delegateId: 'd11', status: 'absentExcused', note: 'Ốm', by: secretary });
    s.ok({ type: 'attendance.set', delegateId: 'd12', status: 'absentUnexcused', by: secretary });
    const v = chairView(s.snapshot(), 1);
    expect(v.attendance).toEqual({
      total: 14, present: 9, remote: 1, absentExcused: 1, absentUnexcused: 1, unknown: 2,
      quorum: { counted: 9, required: 10, total: 14, met: false, percent: '64,29%' },
    });
    expect(v.roll).toHaveLength(14);
    expect(v.roll?.find((r) => r.delegateId === 'd11')).toEqual({ delegateId: 'd11', name: 'Đại biểu 11', group: 'Tổ 3', seat: '11', status: 'absentExcused', note: 'Ốm', correctedBy: 'secretary' });
    expect(v.roll?.find((r) => r.delegateId === 'd1')).toEqual({ delegateId: 'd1', name: 'Đại biểu 1', group: 'Tổ 1', seat: '1', status: 'present' });
    expect(v.roll?.find((r) => r.delegateId === 'd13')?.status).toBe('unknown');
    expect(wallView(s.snapshot(), 1).roll).toBeUndefined();
    expect(delegateView(s.snapshot(), 1, 'd1').roll).toBeUndefined();
    // Attendance notes are for staff: the delegate's copy of the snapshot drops them.
    expect(JSON.stringify(delegateView(s.snapshot(), 1, 'd1'))).not.toContain('Ốm');
    expect(JSON.stringify(chairView(s.snapshot(), 1).snapshot)).toContain('Ốm');
  });

  it('[VIEW-14] a council with no sitting delegate shows an empty quorum rather than failing', () => {
    const s = makeSession({ delegates: 2, vacant: [1, 2] });
    expect(chairView(s.snapshot(), 0).attendance?.quorum).toEqual({ counted: 0, required: 0, total: 0, met: false, percent: '0,00%' });
  });

  it('[VIEW-15] phase and regions follow the machine; the header is shared by all audiences', () => {
    const s = makeSession();
    expect(phaseOf(s.snapshot())).toBe('scheduled');
    expect(chairView(s.snapshot(), 0)).toMatchObject({
      audience: 'chair', phase: 'scheduled', regions: null, sessionId: 'ky-hop-1', title: 'Kỳ họp thứ hai',
      council: { id: 'council', name: 'HĐND xã Thử Nghiệm', level: 'commune', term: '2026-2031' }, currentItemId: 'i1',
    });
    s.ok({ type: 'session.openCheckIn', by: chair });
    expect(publicView(s.snapshot(), 1).phase).toBe('checkIn');
    s.checkInAll(15);
    s.ok({ type: 'session.start', by: chair });
    expect(wallView(s.snapshot(), 2)).toMatchObject({ phase: 'inProgress', regions: { floor: 'idle', voting: 'idle', questioning: 'idle', broadcast: 'offAir' } });
    s.ok({ type: 'session.recess', by: chair });
    expect(wallView(s.snapshot(), 3)).toMatchObject({ phase: 'recess', regions: null });
    s.ok({ type: 'session.adjourn', by: chair });
    expect(wallView(s.snapshot(), 4).phase).toBe('adjourned');
  });

  it('[VIEW-16] questioning: the active group with respondents, the queue and the questions awaiting an answer', () => {
    const s = startedSession();
    s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai', respondentIds: ['o1', 'o2'], by: chair });
    s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', groupId: 'g1', text: 'A?', by: delegate(1) });
    s.ok({ type: 'question.submit', questionId: 'q2', respondentId: 'o2', groupId: 'g1', text: 'B?', by: delegate(2) });
    expect(publicView(s.snapshot(), 0).questioning).toEqual({ activeGroup: null, groups: [{ groupId: 'g1', topic: 'Đất đai', status: 'pending' }], queue: [], awaitingAnswer: [], answered: [] });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok({ type: 'questioning.call', questionId: 'q1', speechId: 'c1', by: chair });
    const v = publicView(s.snapshot(), 0);
    expect(v.questioning?.activeGroup).toEqual({
      groupId: 'g1', topic: 'Đất đai',
      respondents: [
        { id: 'o1', name: 'Nguyễn Văn An', post: 'Chủ tịch UBND' },
        { id: 'o2', name: 'Trần Thị Bình', post: 'Phó Chủ tịch UBND' },
      ],
    });
    expect(v.questioning?.queue.map((q) => q.questionId)).toEqual(['q2']);
    expect(v.questioning?.awaitingAnswer).toEqual([
      { questionId: 'q1', delegateId: 'd1', asker: 'Đại biểu 1', respondentId: 'o1', respondent: 'Nguyễn Văn An', groupId: 'g1', text: 'A?', status: 'asked', writtenDueAt: null },
    ]);
    expect(v.speaker).toMatchObject({ purpose: 'question', questionId: 'q1' });
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'commitment.record', commitmentId: 'k1', respondentId: 'o1', content: 'Sẽ làm', by: secretary });
    const staff = secretaryView(s.snapshot(), 0);
    expect(staff.commitments).toHaveLength(1);
    expect(staff.questions?.map((q) => q.status)).toEqual(['asked', 'queued']);
    expect(v.commitments).toBeUndefined();
    // Once answered, the question moves from "awaiting" to "answered" (what a debate turn may follow up).
    s.ok({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair });
    const after = publicView(s.snapshot(), 0).questioning!;
    expect(after.awaitingAnswer).toEqual([]);
    expect(after.answered.map((q) => [q.questionId, q.status])).toEqual([['q1', 'answered']]);
  });

  it('[VIEW-17] the result of a counted confidence vote and election carries names and posts', () => {
    const s = startedSession({ delegates: 50, present: 50 });
    s.ok({ type: 'poll.open', pollId: 'v1', subject: 'Bỏ phiếu tín nhiệm', kind: 'confidenceVote', mode: 'paper', officialIds: ['o2'], by: chair });
    s.ok({ type: 'poll.close', pollId: 'v1', counts: { kind: 'confidenceVote', issued: 50, collected: 49, officials: { o2: { valid: 48, confidence: 20, noConfidence: 28 } } }, by: secretary });
    const poll = s.ctx().polls[0]!;
    expect(resultOf(s.ctx(), poll)).toMatchObject({
      kind: 'confidenceVote',
      officials: [{ officialId: 'o2', name: 'Trần Thị Bình', post: 'Phó Chủ tịch UBND', invalid: 1, noConfidence: { count: 28, percent: '56,00%' }, consequence: 'dismissal-proposal' }],
    });
    expect(chairView(s.snapshot(), 0).poll?.officials).toEqual([{ id: 'o2', name: 'Trần Thị Bình', post: 'Phó Chủ tịch UBND' }]);
    expect(resultOf(s.ctx(), { ...poll, counts: null })).toBeNull();
  });

  it('[VIEW-21] a recess carries the announced resume time to every audience, and resuming clears it', () => {
    const s = startedSession();
    const at = s.clock.now;
    s.ok({ type: 'session.recess', resumeInMin: 15, at, by: chair } as never);
    for (const { who, view } of allViews(s)) expect(view.recess, who).toEqual({ since: at, resumeAt: at + 15 * 60_000 });
    s.ok({ type: 'session.resume', by: chair });
    expect(wallView(s.snapshot(), 0).recess).toBeNull();
    // Without a time the recess is still shown, with no resume time; a new sitting ends it too.
    s.ok({ type: 'session.recess', by: chair });
    expect(publicView(s.snapshot(), 0).recess).toMatchObject({ resumeAt: null });
    s.ok({ type: 'sitting.begin', title: 'Phiên thứ hai', by: chair });
    expect(publicView(s.snapshot(), 0).recess).toBeNull();
  });

  it('[VIEW-22] a question speech names who is asked; commitments reach the wall and the public as they are recorded', () => {
    const s = startedSession();
    s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai', respondentIds: ['o1', 'o2'], by: chair });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o2', groupId: 'g1', text: 'A?', by: delegate(1) });
    s.ok({ type: 'questioning.call', questionId: 'q1', speechId: 's1', by: chair });
    expect(wallView(s.snapshot(), 0).speaker).toMatchObject({ purpose: 'question', askedOf: { id: 'o2', name: 'Trần Thị Bình', post: 'Phó Chủ tịch UBND' } });
    s.ok({ type: 'floor.stop', by: chair });
    expect(publicView(s.snapshot(), 0).pledges).toEqual([]);
    s.ok({ type: 'commitment.record', commitmentId: 'k1', respondentId: 'o2', questionId: 'q1', content: 'Hoàn thành trong quý IV', deadline: '2026-12-31', by: secretary });
    const pledge = { commitmentId: 'k1', respondentId: 'o2', respondent: 'Trần Thị Bình', post: 'Phó Chủ tịch UBND', questionId: 'q1', content: 'Hoàn thành trong quý IV', deadline: '2026-12-31' };
    expect(wallView(s.snapshot(), 0).pledges).toEqual([expect.objectContaining(pledge)]);
    expect(publicView(s.snapshot(), 0).pledges).toEqual([expect.objectContaining(pledge)]);
    // A closed sitting shows the outside nothing of it.
    s.ok({ type: 'sitting.setClosed', closed: true, by: chair });
    expect(publicView(s.snapshot(), 0).pledges).toEqual([]);
  });
});

describe('[VIEW] redacted snapshots for clients', () => {
  /** The delegate's own commands in a state, as the client would ask about them. */
  const ownCommands = (i: number, at: number): MachineEvent[] => {
    const by = delegate(i);
    return [
      { type: 'ballot.cast', pollId: 'p1', choice: 'no', at, by },
      { type: 'ballot.cast', pollId: 'p1', choice: 'yes', at, by },
      { type: 'ballot.cast', pollId: 'p2', at, by },
      { type: 'floor.request', requestId: `r${i}x`, purpose: 'speech', at, by },
      { type: 'floor.request', requestId: `r${i}y`, purpose: 'debate', at, by },
      { type: 'floor.withdraw', requestId: `r${i}`, at, by },
      { type: 'floor.yield', at, by },
      { type: 'question.submit', questionId: `q${i}x`, respondentId: 'o1', text: '', at, by },
      { type: 'question.withdraw', questionId: `q${i}`, at, by },
      { type: 'attendance.checkIn', delegateId: by.id, channel: 'hall', at, by },
      { type: 'attendance.checkIn', delegateId: 'd1', channel: 'hall', at, by },
    ] as MachineEvent[];
  };

  function clientCopy(snap: SessionSnapshot, delegateId: string) {
    const redacted = delegateView(snap, 1, delegateId).snapshot;
    return createActor(sessionMachine, { snapshot: redacted as SessionSnapshot, input: undefined as never }).start().getSnapshot();
  }

  it('[VIEW-18] redactedSnapshot removes the choices of polls not yet announced (a voter’s own is in poll.mine)', () => {
    const s = startedSession();
    s.ok(open('p1'));
    s.castAll('p1', ['yes', 'no']);
    type Redacted = { context: { polls: { choices: object; castBy: string[] }[] } };
    for (const audience of ['delegate', 'chair', 'secretary'] as const) {
      const r = redactedSnapshot(s.snapshot(), audience) as Redacted;
      expect(r.context.polls[0]!.choices, audience).toEqual({});
      expect(r.context.polls[0]!.castBy, audience).toEqual(['d1', 'd2']);
    }
    expect((delegateView(s.snapshot(), 1, 'd1').snapshot as Redacted).context.polls[0]!.choices).toEqual({});
    expect(delegateView(s.snapshot(), 1, 'd1').poll?.mine).toEqual({ cast: true, choice: 'yes' });
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    expect((redactedSnapshot(s.snapshot(), 'delegate') as Redacted).context.polls[0]!.choices).toEqual({ d1: 'yes', d2: 'no' });
  });

  it('[VIEW-23] a staff snapshot is what XState persists (the context not walked for actors is the same data); the roll is one object per attendance', () => {
    const s = startedSession();
    s.ok(open('p1'));
    s.castAll('p1', ['yes', 'no']);
    const snap = s.snapshot();
    const persisted = JSON.parse(JSON.stringify(snap.machine.getPersistedSnapshot(snap))) as { context: { polls: unknown[] } };
    const redacted = JSON.parse(JSON.stringify(redactedSnapshot(snap, 'chair'))) as typeof persisted;
    expect({ ...redacted, context: { ...redacted.context, polls: [] } }).toEqual({ ...persisted, context: { ...persisted.context, polls: [] } });
    // The roll is shared between views of states with the same attendance (a patch skips it), and follows a change.
    expect(chairView(snap, 1).roll).toBe(secretaryView(s.snapshot(), 2).roll);
    s.ok({ type: 'attendance.set', delegateId: 'd3', status: 'absentExcused', note: 'Ốm', by: secretary });
    const roll = chairView(s.snapshot(), 3).roll!;
    expect(roll).not.toBe(chairView(snap, 1).roll);
    expect(roll.find((r) => r.delegateId === 'd3')).toMatchObject({ status: 'absentExcused', note: 'Ốm' });
  });

  it('[VIEW-18] projectDelegates gives every tablet the same view as delegateView', () => {
    const s = startedSession();
    s.ok(open('p1'));
    s.castAll('p1', ['yes', 'no']);
    s.ok({ type: 'floor.request', requestId: 'r1', purpose: 'speech', by: delegate(3) });
    const all = projectDelegates(s.snapshot(), 7, ['d1', 'd2', 'd3', 'd4']);
    expect([...all.keys()]).toEqual(['d1', 'd2', 'd3', 'd4']);
    for (const [id, view] of all) expect(view, id).toEqual(delegateView(s.snapshot(), 7, id));
    expect(all.get('d1')?.poll?.mine).toEqual({ cast: true, choice: 'yes' });
    expect(all.get('d3')?.me?.queuePosition).toBe(1);
    // With no poll at all, and with a secret poll after a public one.
    const fresh = startedSession();
    for (const [id, view] of projectDelegates(fresh.snapshot(), 1, ['d1', 'd2'])) expect(view).toEqual(delegateView(fresh.snapshot(), 1, id));
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    expect(s.command(chair, 'poll.open', { pollId: 'p2', subject: 'Kín', kind: 'motion', mode: 'secret' })).toMatchObject({ ok: true });
    expect(s.command(delegate(2), 'ballot.cast', { pollId: 'p2', choice: 'no' })).toMatchObject({ ok: true });
    const later = projectDelegates(s.snapshot(), 9, ['d1', 'd2']);
    for (const [id, view] of later) expect(view, id).toEqual(delegateView(s.snapshot(), 9, id));
    expect(later.get('d2')?.poll?.mine).toEqual({ cast: true });
  });

  it('[VIEW-19] the restored redacted snapshot answers can() like the server for the delegate’s own commands', () => {
    const s = startedSession({ present: 12 });
    s.ok({ type: 'floor.request', requestId: 'r2', purpose: 'speech', by: delegate(2) });
    s.ok({ type: 'question.submit', questionId: 'q3', respondentId: 'o1', text: 'Hỏi', by: delegate(3) });
    s.ok({ type: 'attendance.set', delegateId: 'd5', status: 'absentExcused', note: 'Việc riêng', by: secretary });
    const states: SessionSnapshot[] = [s.snapshot()];
    s.ok(open('p1'));
    s.castAll('p1', ['yes', 'no', 'abstain']);
    states.push(s.snapshot());
    s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
    s.ok({ type: 'floor.grant', requestId: 'r2', speechId: 's2', by: chair });
    states.push(s.snapshot());
    s.ok({ type: 'floor.stop', by: chair });
    s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });
    s.ok(open('p2', 'secret'));
    s.castAll('p2', ['yes', 'no', 'yes']);
    states.push(s.snapshot());
    s.ok({ type: 'poll.close', pollId: 'p2', counts: s.secretMotionCounts('p2'), by: chair });
    s.ok({ type: 'session.recess', by: chair });
    states.push(s.snapshot());
    for (const [k, server] of states.entries()) {
      for (const i of [1, 2, 3, 5, 13, 15]) {
        const client = clientCopy(server, `d${i}`);
        for (const ev of ownCommands(i, s.clock.now)) {
          expect(client.can(ev), `state ${k}, d${i}: ${ev.type}`).toBe(server.can(ev));
          expect(explain(client, ev), `state ${k}, d${i}: ${ev.type}`).toEqual(explain(server, ev));
        }
      }
    }
  });

  it('[VIEW-20] a redacted snapshot also restores through restoreSession (the client path)', () => {
    const s = startedSession();
    s.ok({ type: 'broadcast.start', by: chair });
    s.ok({ type: 'session.recess', by: chair });
    const redacted = delegateView(s.snapshot(), 1, 'd1').snapshot;
    const client = restoreSession({ machineVersion: MACHINE_VERSION, seq: 1, snapshot: redacted });
    client.send({ type: 'session.resume', at: s.clock.now, by: chair });
    expect(client.getSnapshot().value).toMatchObject({ inProgress: { broadcast: 'onAir' } });
  });
});
