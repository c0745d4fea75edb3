/**
 * A scripted session for the records tests: two sittings of a 15-seat commune council, with a presentation, a speech
 * that runs over, a public vote, a closed part (a speech and a secret vote behind closed doors), questioning with an
 * answer, a debate turn, a commitment and a question passed to a written answer, a revote by show of hands in the
 * second sitting, and the paperwork after the adjournment. Every `at` is set by the test clock, so the expected
 * times below are exact (each event takes one 1-second tick, so a speech of N minutes advances N min − 1 s).
 */
import { chair, choices, delegate, did, EPOCH, makeSession, secretary, type SessionDriver } from '../helpers.ts';
import type { JournalEntry } from '../../src/records/derive.ts';

export const MIN = 60_000;

type Moment = 'start' | 'presentation' | 'speech' | 'p1' | 'closedFrom' | 'closedTo' | 'goTo-i2' | 'g1' | 'closeGroup' | 'sitting2' | 'adjourn';

export interface Script {
  s: SessionDriver;
  journal: JournalEntry[];
  /** Moments the assertions compare with. */
  t: Record<Moment, number>;
}

export function scriptedSession(opts: { adjourn?: boolean } = {}): Script {
  const s = makeSession({ delegates: 15 });
  const t = {} as Record<Moment, number>;
  const at = (name: Moment) => (t[name] = s.clock.now);

  s.ok({ type: 'session.openCheckIn', by: chair });
  s.checkInAll(13);
  s.ok({ type: 'attendance.set', delegateId: did(14), status: 'absentExcused', note: 'Ốm, có giấy nghỉ', by: secretary });
  s.ok({ type: 'attendance.set', delegateId: did(15), status: 'absentUnexcused', by: secretary });
  at('start');
  s.ok({ type: 'session.start', by: chair });

  // Item i1: a 10-minute presentation by an official, then a delegate's speech that runs 8 min against 7.
  at('presentation');
  s.ok({ type: 'floor.give', speechId: 'sp-1', speaker: { kind: 'official', id: 'o3' }, purpose: 'presentation', by: chair });
  s.clock.advance(10 * MIN - 1000);
  s.ok({ type: 'floor.stop', by: chair });
  s.ok({ type: 'floor.request', requestId: 'r-1', purpose: 'speech', by: delegate(1) });
  at('speech');
  s.ok({ type: 'floor.grant', requestId: 'r-1', speechId: 'sp-2', by: chair });
  s.clock.advance(8 * MIN - 1000);
  s.ok({ type: 'floor.stop', by: chair });

  // A public electronic vote: 10 yes, 2 no, 1 abstain of 15.
  at('p1');
  s.ok({ type: 'poll.open', pollId: 'p1', subject: 'Thông qua Nghị quyết về dự toán ngân sách', kind: 'motion', mode: 'electronic', by: chair });
  s.castAll('p1', choices({ yes: 10, no: 2, abstain: 1 }));
  s.ok({ type: 'poll.close', pollId: 'p1', by: chair });
  s.ok({ type: 'poll.announce', pollId: 'p1', by: chair });

  // Behind closed doors: a speech by delegate 2 and a secret vote.
  at('closedFrom');
  s.ok({ type: 'sitting.setClosed', closed: true, by: chair });
  s.ok({ type: 'floor.give', speechId: 'sp-closed', speaker: { kind: 'delegate', id: did(2) }, purpose: 'speech', by: chair });
  s.clock.advance(3 * MIN - 1000);
  s.ok({ type: 'floor.stop', by: chair });
  s.ok({ type: 'poll.open', pollId: 'p-kin', subject: 'Nhân sự họp kín', kind: 'motion', mode: 'secret', by: chair });
  s.castAll('p-kin', choices({ yes: 4, no: 1 }));
  s.ok({ type: 'poll.close', pollId: 'p-kin', counts: s.secretMotionCounts('p-kin'), by: chair });
  s.ok({ type: 'poll.announce', pollId: 'p-kin', by: chair });
  at('closedTo');
  s.ok({ type: 'sitting.setClosed', closed: false, by: chair });

  // Item i2: questioning.
  at('goTo-i2');
  s.ok({ type: 'agenda.goTo', itemId: 'i2', by: chair });
  s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai, môi trường', respondentIds: ['o1'], by: secretary });
  s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', groupId: 'g1', text: 'Tiến độ giải phóng mặt bằng?', by: delegate(3) });
  s.ok({ type: 'question.submit', questionId: 'q2', respondentId: 'o1', groupId: 'g1', text: 'Xử lý rác thải ở cụm công nghiệp?', by: delegate(4) });
  at('g1');
  s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
  s.ok({ type: 'questioning.call', questionId: 'q1', speechId: 'sp-q1', by: chair });
  s.clock.advance(MIN - 1000);
  s.ok({ type: 'floor.stop', by: chair });
  s.ok({ type: 'questioning.answer', respondentId: 'o1', speechId: 'sp-a1', by: chair });
  s.clock.advance(4 * MIN - 1000);
  s.ok({ type: 'floor.stop', by: chair });
  s.ok({ type: 'questioning.debate', questionId: 'q1', speechId: 'sp-d1', speaker: { kind: 'delegate', id: did(3) }, by: chair });
  s.clock.advance(MIN - 1000);
  s.ok({ type: 'floor.stop', by: chair });
  s.ok({ type: 'commitment.record', commitmentId: 'c1', respondentId: 'o1', questionId: 'q1', content: 'Hoàn thành giải phóng mặt bằng dự án đường tỉnh 295', deadline: '2026-09-30', reportAt: 'Kỳ họp cuối năm 2026', by: secretary });
  at('closeGroup');
  s.ok({ type: 'questioning.closeGroup', by: chair });

  // Second sitting: a show-of-hands vote and its revote.
  s.ok({ type: 'session.recess', by: chair });
  at('sitting2');
  s.ok({ type: 'sitting.begin', title: 'Phiên bế mạc', by: chair });
  s.checkInAll(12);
  s.ok({ type: 'session.start', by: chair });
  s.ok({ type: 'agenda.goTo', itemId: 'i3', by: chair });
  s.ok({ type: 'poll.open', pollId: 'p3', subject: 'Thông qua chương trình giám sát', kind: 'motion', mode: 'hands', by: chair });
  s.ok({ type: 'poll.close', pollId: 'p3', counts: { kind: 'motion', yes: 7, no: 5, abstain: 0 }, by: secretary });
  s.ok({ type: 'poll.revote', pollId: 'p3', newPollId: 'p3b', reason: 'Đếm nhầm số giơ tay', by: chair });
  s.ok({ type: 'poll.close', pollId: 'p3b', counts: { kind: 'motion', yes: 9, no: 3, abstain: 0 }, by: secretary });
  s.ok({ type: 'poll.announce', pollId: 'p3b', by: chair });
  if (opts.adjourn !== false) {
    at('adjourn');
    s.ok({ type: 'session.adjourn', by: chair });
  }
  const journal = s.log.map((event, i) => ({ seq: i + 1, at: event.at, event }));
  return { s, journal, t };
}

export const TODAY_BEFORE_DEADLINE = '2026-07-15';
export const TODAY_AFTER_DEADLINE = '2026-10-01';
export { EPOCH };
