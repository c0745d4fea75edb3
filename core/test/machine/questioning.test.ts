import { describe, expect, it } from 'vitest';
import { awaitingAnswer, questionQueue } from '../../src/machine/guards.ts';
import { QUESTIONS_PER_DELEGATE, replay, startSession } from '../../src/machine/engine.ts';
import { chair, DAY_MS, delegate, region, secretary, startedSession, type SessionOptions } from '../helpers.ts';

/** A questioning sitting: group g1 (o1, o2) on land, group g2 (o3) on finance, four questions in g1. */
function questioning(opts: SessionOptions = {}) {
  const s = startedSession(opts);
  s.ok({ type: 'agenda.goTo', itemId: 'i2', by: chair });
  s.ok({ type: 'questioning.addGroup', groupId: 'g1', topic: 'Đất đai, giải phóng mặt bằng', respondentIds: ['o1', 'o2'], by: secretary });
  s.ok({ type: 'questioning.addGroup', groupId: 'g2', topic: 'Tài chính', respondentIds: ['o3'], by: chair });
  s.ok({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', groupId: 'g1', text: 'Tiến độ giải phóng mặt bằng?', by: delegate(1) });
  s.ok({ type: 'question.submit', questionId: 'q2', respondentId: 'o1', groupId: 'g1', text: 'Bồi thường?', by: delegate(2) });
  s.ok({ type: 'question.submit', questionId: 'q3', respondentId: 'o2', groupId: 'g1', text: 'Tái định cư?', by: delegate(3) });
  s.ok({ type: 'question.submit', questionId: 'q4', respondentId: 'o1', groupId: 'g1', text: 'Cấp sổ đỏ?', by: delegate(4) });
  return s;
}

const status = (s: ReturnType<typeof questioning>, id: string) => s.ctx().questioning.questions.find((q) => q.questionId === id)?.status;
const call = (questionId: string, speechId: string) => ({ type: 'questioning.call', questionId, speechId, by: chair }) as const;
const stop = { type: 'floor.stop', by: chair } as const;

describe('[QUES] question groups and questions (chất vấn)', () => {
  it('[QUES-1] staff add groups of respondents; ids are unique and respondents must be officials', () => {
    const s = questioning();
    s.refuse({ type: 'questioning.addGroup', groupId: 'g1', topic: 'x', respondentIds: ['o1'], by: chair }, 'GROUP_EXISTS');
    s.refuse({ type: 'questioning.addGroup', groupId: 'g3', topic: 'x', respondentIds: ['o1', 'o9'], by: chair }, 'UNKNOWN_OFFICIAL');
    s.refuse({ type: 'questioning.addGroup', groupId: 'g3', topic: 'x', respondentIds: ['o1'], by: delegate(1) }, 'NOT_STAFF', 'FORBIDDEN');
    expect(s.ctx().questioning.groups.map((g) => [g.groupId, g.status])).toEqual([
      ['g1', 'pending'],
      ['g2', 'pending'],
    ]);
  });

  it('[QUES-2] submitting a question: unique id, a known respondent of the named group, a group not done', () => {
    const s = questioning();
    s.refuse({ type: 'question.submit', questionId: 'q1', respondentId: 'o1', text: '', by: delegate(5) }, 'QUESTION_EXISTS');
    s.refuse({ type: 'question.submit', questionId: 'q9', respondentId: 'o9', text: '', by: delegate(5) }, 'UNKNOWN_OFFICIAL');
    s.refuse({ type: 'question.submit', questionId: 'q9', respondentId: 'o1', groupId: 'gx', text: '', by: delegate(5) }, 'UNKNOWN_GROUP');
    s.refuse({ type: 'question.submit', questionId: 'q9', respondentId: 'o3', groupId: 'g1', text: '', by: delegate(5) }, 'NOT_RESPONDENT');
    s.refuse({ type: 'question.submit', questionId: 'q9', respondentId: 'o1', text: '', by: { role: 'delegate', id: 'd99' } }, 'UNKNOWN_DELEGATE');
    s.refuse({ type: 'question.submit', questionId: 'q9', respondentId: 'o1', text: '', by: chair }, 'NOT_DELEGATE', 'FORBIDDEN');
    s.ok({ type: 'questioning.openGroup', groupId: 'g2', by: chair });
    s.ok({ type: 'questioning.closeGroup', by: chair });
    s.refuse({ type: 'question.submit', questionId: 'q9', respondentId: 'o3', groupId: 'g2', text: '', by: delegate(5) }, 'UNKNOWN_GROUP');
    expect(s.ctx().questioning.questions[0]).toMatchObject({ questionId: 'q1', delegateId: 'd1', respondentId: 'o1', groupId: 'g1', status: 'queued' });
  });

  it('[QUES-3] a delegate withdraws only their own queued question', () => {
    const s = questioning();
    s.refuse({ type: 'question.withdraw', questionId: 'q1', by: delegate(2) }, 'NOT_YOURSELF', 'FORBIDDEN');
    s.refuse({ type: 'question.withdraw', questionId: 'qx', by: delegate(2) }, 'UNKNOWN_QUESTION');
    s.ok({ type: 'question.withdraw', questionId: 'q1', by: delegate(1) });
    expect(status(s, 'q1')).toBe('withdrawn');
    s.refuse({ type: 'question.withdraw', questionId: 'q1', by: delegate(1) }, 'QUESTION_NOT_QUEUED');
  });

  it('[QUES-4] opening a group: known, not done, floor free, one group at a time', () => {
    const s = questioning();
    s.refuse({ type: 'questioning.openGroup', groupId: 'gx', by: chair }, 'UNKNOWN_GROUP');
    s.ok({ type: 'floor.give', speechId: 'sp0', speaker: { kind: 'official', id: 'o1' }, purpose: 'presentation', by: chair });
    s.refuse({ type: 'questioning.openGroup', groupId: 'g1', by: chair }, 'FLOOR_BUSY');
    s.ok(stop);
    s.refuse({ type: 'questioning.openGroup', groupId: 'g1', by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    expect(region(s, 'questioning')).toBe('active');
    expect(s.ctx().questioning.activeGroupId).toBe('g1');
    s.refuse({ type: 'questioning.openGroup', groupId: 'g2', by: chair }, 'WRONG_STATE');
    s.ok({ type: 'questioning.closeGroup', by: chair });
    s.refuse({ type: 'questioning.openGroup', groupId: 'g1', by: chair }, 'UNKNOWN_GROUP');
    s.refuse({ type: 'questioning.closeGroup', by: chair }, 'WRONG_STATE');
  });

  it('[QUES-5] the respondent may open with a statement (5 min) before the questions', () => {
    const s = questioning();
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.refuse({ type: 'questioning.opening', respondentId: 'o3', speechId: 'op1', by: chair }, 'NOT_RESPONDENT');
    s.ok({ type: 'questioning.opening', respondentId: 'o1', speechId: 'op1', by: chair });
    expect(s.ctx().floor.current).toMatchObject({ speaker: { kind: 'official', id: 'o1' }, purpose: 'opening', limitSec: 300 });
    s.refuse({ type: 'questioning.opening', respondentId: 'o2', speechId: 'op2', by: chair }, 'FLOOR_BUSY');
    s.ok(stop);
    s.refuse({ type: 'questioning.opening', respondentId: 'o2', speechId: 'op1', by: chair }, 'ID_EXISTS');
  });
});

describe('[QUES] calling, answering, debating', () => {
  it('[QUES-6] the chair calls questions of the active group, in registration order or departing from it', () => {
    const s = questioning();
    s.refuse(call('q1', 'c1'), 'QUESTION_NOT_QUEUED');
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    expect(questionQueue(s.ctx()).map((q) => q.questionId)).toEqual(['q1', 'q2', 'q3', 'q4']);
    s.refuse(call('qx', 'c1'), 'UNKNOWN_QUESTION');
    s.refuse({ ...call('q1', 'c1'), by: delegate(1) }, 'NOT_CHAIR', 'FORBIDDEN');
    s.ok(call('q3', 'c1'));
    expect(s.ctx().floor.current).toMatchObject({ speaker: { kind: 'delegate', id: 'd3' }, purpose: 'question', limitSec: 60, questionId: 'q3', itemId: 'i2' });
    expect(status(s, 'q3')).toBe('asked');
    s.refuse(call('q1', 'c2'), 'FLOOR_BUSY');
    s.ok(stop);
    s.refuse(call('q3', 'c2'), 'QUESTION_NOT_QUEUED');
    s.refuse(call('q1', 'c1'), 'ID_EXISTS');
  });

  it('[QUES-7] perRound (default): three questions, then the respondents must answer (ANSWER_PENDING)', () => {
    const s = questioning();
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    for (const [q, sp] of [['q1', 'c1'], ['q2', 'c2'], ['q3', 'c3']] as const) {
      s.ok(call(q, sp));
      s.ok(stop);
    }
    expect(awaitingAnswer(s.ctx()).map((q) => q.questionId)).toEqual(['q1', 'q2', 'q3']);
    s.refuse(call('q4', 'c4'), 'ANSWER_PENDING');
    // The answer marks every awaiting question of that respondent, and only those.
    s.ok({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair });
    expect(s.ctx().floor.current).toMatchObject({ speaker: { kind: 'official', id: 'o1' }, purpose: 'answer', limitSec: 180 });
    expect([status(s, 'q1'), status(s, 'q2'), status(s, 'q3')]).toEqual(['answered', 'answered', 'asked']);
    s.ok(stop);
    s.ok(call('q4', 'c4'));
  });

  it('[QUES-7] perRound with a configured round size of 2', () => {
    const s = questioning({ profile: { questioning: { questionsPerRound: 2 } } });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok(call('q1', 'c1'));
    s.ok(stop);
    s.ok(call('q2', 'c2'));
    s.ok(stop);
    s.refuse(call('q3', 'c3'), 'ANSWER_PENDING');
  });

  it('[QUES-8] perQuestion: the respondent answers each question before the next is called', () => {
    const s = questioning({ profile: { questioning: { answerMode: 'perQuestion' } } });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok(call('q1', 'c1'));
    s.ok(stop);
    s.refuse(call('q2', 'c2'), 'ANSWER_PENDING');
    s.refuse({ type: 'questioning.answer', respondentId: 'o2', speechId: 'a1', by: chair }, 'NOTHING_TO_ANSWER');
    s.ok({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair });
    s.ok(stop);
    s.ok(call('q2', 'c2'));
  });

  it('[QUES-9] answer refusals: not a respondent of the active group, nothing asked, floor busy, id taken', () => {
    const s = questioning();
    s.refuse({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair }, 'NOT_RESPONDENT');
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.refuse({ type: 'questioning.answer', respondentId: 'o3', speechId: 'a1', by: chair }, 'NOT_RESPONDENT');
    s.refuse({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair }, 'NOTHING_TO_ANSWER');
    s.ok(call('q1', 'c1'));
    s.refuse({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair }, 'FLOOR_BUSY');
    s.ok(stop);
    s.refuse({ type: 'questioning.answer', respondentId: 'o1', speechId: 'c1', by: chair }, 'ID_EXISTS');
  });

  it('[QUES-10] debate: the delegate who asked debates first (ASKER_DEBATES_FIRST), then others', () => {
    const s = questioning();
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok(call('q1', 'c1'));
    s.ok(stop);
    const debate = (speechId: string, speaker: { kind: 'delegate' | 'official'; id: string }, questionId = 'q1') =>
      ({ type: 'questioning.debate', questionId, speechId, speaker, by: chair }) as const;
    s.refuse(debate('d1', { kind: 'delegate', id: 'd1' }), 'UNKNOWN_QUESTION');
    s.ok({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair });
    s.refuse(debate('t1', { kind: 'delegate', id: 'd1' }), 'FLOOR_BUSY');
    s.ok(stop);
    s.refuse(debate('t1', { kind: 'delegate', id: 'd5' }), 'ASKER_DEBATES_FIRST');
    s.refuse(debate('t1', { kind: 'official', id: 'o1' }), 'ASKER_DEBATES_FIRST');
    s.refuse(debate('t1', { kind: 'official', id: 'o9' }), 'UNKNOWN_OFFICIAL');
    s.refuse(debate('a1', { kind: 'delegate', id: 'd1' }), 'ID_EXISTS');
    s.refuse(debate('t1', { kind: 'delegate', id: 'd1' }, 'qx'), 'UNKNOWN_QUESTION');
    s.ok(debate('t1', { kind: 'delegate', id: 'd1' }));
    expect(s.ctx().floor.current).toMatchObject({ purpose: 'debate', limitSec: 120, questionId: 'q1' });
    expect(s.ctx().questioning.questions[0]?.debated).toBe(true);
    s.ok(stop);
    s.ok(debate('t2', { kind: 'official', id: 'o1' }));
    s.ok(stop);
    s.ok(debate('t3', { kind: 'delegate', id: 'd5' }));
  });

  it('[QUES-11] a question registered without a group joins the open group that has its respondent', () => {
    const s = questioning();
    s.ok({ type: 'question.submit', questionId: 'q5', respondentId: 'o2', text: 'Ngoài nhóm', by: delegate(5) });
    s.ok({ type: 'question.submit', questionId: 'q6', respondentId: 'o3', text: 'Tài chính', by: delegate(6) });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    expect(questionQueue(s.ctx()).map((q) => q.questionId)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    s.ok(call('q5', 'c5'));
    s.ok(stop);
    s.refuse(call('q6', 'c6'), 'QUESTION_NOT_QUEUED');
  });
});

describe('[QUES] closing a group, written answers, commitments', () => {
  it('[QUES-12] closeGroup marks unreached questions for a written answer due 20 days later', () => {
    const s = questioning();
    s.ok({ type: 'question.submit', questionId: 'q5', respondentId: 'o2', text: 'Ngoài nhóm', by: delegate(5) });
    s.ok({ type: 'question.submit', questionId: 'q6', respondentId: 'o3', groupId: 'g2', text: 'Tài chính', by: delegate(6) });
    s.ok({ type: 'questioning.openGroup', groupId: 'g1', by: chair });
    s.ok(call('q1', 'c1'));
    s.refuse({ type: 'questioning.closeGroup', by: chair }, 'FLOOR_BUSY');
    s.ok(stop);
    s.ok({ type: 'questioning.answer', respondentId: 'o1', speechId: 'a1', by: chair });
    s.ok(stop);
    s.refuse({ type: 'questioning.closeGroup', by: secretary }, 'NOT_CHAIR', 'FORBIDDEN');
    const at = s.clock.now;
    s.ok({ type: 'questioning.closeGroup', by: chair });
    expect(region(s, 'questioning')).toBe('idle');
    expect(s.ctx().questioning.activeGroupId).toBeNull();
    expect(s.ctx().questioning.groups.find((g) => g.groupId === 'g1')?.status).toBe('done');
    const qs = Object.fromEntries(s.ctx().questioning.questions.map((q) => [q.questionId, [q.status, q.writtenDueAt]]));
    expect(qs).toEqual({
      q1: ['answered', undefined],
      q2: ['writtenPending', at + 20 * DAY_MS],
      q3: ['writtenPending', at + 20 * DAY_MS],
      q4: ['writtenPending', at + 20 * DAY_MS],
      q5: ['writtenPending', at + 20 * DAY_MS],
      q6: ['queued', undefined],
    });
    s.ok({ type: 'question.writtenAnswered', questionId: 'q2', by: secretary });
    expect(status(s, 'q2')).toBe('writtenAnswered');
  });

  it('[QUES-12] the written-answer delay is a profile setting', () => {
    const s = questioning({ profile: { questioning: { writtenAnswerDays: 10 } } });
    const at = s.clock.now;
    s.ok({ type: 'question.markWritten', questionId: 'q4', by: secretary });
    expect(s.ctx().questioning.questions.find((q) => q.questionId === 'q4')?.writtenDueAt).toBe(at + 10 * DAY_MS);
  });

  it('[QUES-13] markWritten needs a queued question, writtenAnswered a pending one', () => {
    const s = questioning();
    s.refuse({ type: 'question.markWritten', questionId: 'qx', by: secretary }, 'UNKNOWN_QUESTION');
    s.refuse({ type: 'question.writtenAnswered', questionId: 'qx', by: secretary }, 'UNKNOWN_QUESTION');
    s.refuse({ type: 'question.writtenAnswered', questionId: 'q1', by: secretary }, 'QUESTION_NOT_QUEUED');
    s.refuse({ type: 'question.markWritten', questionId: 'q1', by: delegate(1) }, 'NOT_STAFF', 'FORBIDDEN');
    s.ok({ type: 'question.markWritten', questionId: 'q1', by: chair });
    s.refuse({ type: 'question.markWritten', questionId: 'q1', by: chair }, 'QUESTION_NOT_QUEUED');
    s.ok({ type: 'question.writtenAnswered', questionId: 'q1', by: chair });
    s.refuse({ type: 'question.writtenAnswered', questionId: 'q1', by: chair }, 'QUESTION_NOT_QUEUED');
  });

  it('[QUES-15] a delegate submits at most QUESTIONS_PER_DELEGATE questions in a session, withdrawn ones counted; a journal written with more still replays', () => {
    const s = questioning();
    // d1 has q1 already; the loop fills d1's allowance, withdrawing as a tablet stuck in a loop might.
    for (let i = 2; i <= QUESTIONS_PER_DELEGATE; i++) {
      expect(s.command(delegate(1), 'question.submit', { questionId: `d1-q${i}`, respondentId: 'o1', text: `Câu hỏi ${i}` }), `question ${i}`).toEqual({ ok: true });
      if (i % 2 === 0) expect(s.command(delegate(1), 'question.withdraw', { questionId: `d1-q${i}` })).toEqual({ ok: true });
    }
    const over = s.command(delegate(1), 'question.submit', { questionId: 'd1-over', respondentId: 'o1', text: 'Thêm một câu' });
    expect(over).toMatchObject({ ok: false, code: 'REJECTED', reason: 'QUESTION_LIMIT', message: 'Mỗi đại biểu gửi tối đa 30 câu hỏi trong một kỳ họp' });
    expect(s.ctx().questioning.questions.filter((q) => q.delegateId === 'd1')).toHaveLength(QUESTIONS_PER_DELEGATE);
    // Another delegate is not held back by d1's count.
    expect(s.command(delegate(2), 'question.submit', { questionId: 'd2-more', respondentId: 'o1', text: 'Câu khác' })).toEqual({ ok: true });
    // The bound is where commands come in: the machine itself (and so replay) still takes a journaled question past it.
    s.ok({ type: 'question.submit', questionId: 'd1-journaled', respondentId: 'o1', text: 'Ghi trước quy định', by: delegate(1) });
    const replayed = replay(startSession(s.setup), s.log);
    expect(replayed.getSnapshot().context.questioning.questions.filter((q) => q.delegateId === 'd1')).toHaveLength(QUESTIONS_PER_DELEGATE + 1);
  });

  it('[QUES-14] commitments (lời hứa) are recorded with respondent, content, deadline and report-back session', () => {
    const s = questioning();
    const at = s.clock.now;
    s.ok({
      type: 'commitment.record', commitmentId: 'k1', respondentId: 'o1', questionId: 'q1', content: 'Hoàn thành giải phóng mặt bằng',
      deadline: '2026-12-31', reportAt: 'Kỳ họp cuối năm 2026', by: secretary,
    });
    expect(s.ctx().questioning.commitments).toEqual([
      { commitmentId: 'k1', respondentId: 'o1', questionId: 'q1', content: 'Hoàn thành giải phóng mặt bằng', deadline: '2026-12-31', reportAt: 'Kỳ họp cuối năm 2026', at },
    ]);
    s.refuse({ type: 'commitment.record', commitmentId: 'k1', respondentId: 'o1', content: 'x', by: secretary }, 'ID_EXISTS');
    s.refuse({ type: 'commitment.record', commitmentId: 'k2', respondentId: 'o9', content: 'x', by: secretary }, 'UNKNOWN_OFFICIAL');
    s.refuse({ type: 'commitment.record', commitmentId: 'k2', respondentId: 'o1', questionId: 'qx', content: 'x', by: secretary }, 'UNKNOWN_QUESTION');
    s.refuse({ type: 'commitment.record', commitmentId: 'k2', respondentId: 'o1', content: 'x', by: delegate(1) }, 'NOT_STAFF', 'FORBIDDEN');
  });
});
