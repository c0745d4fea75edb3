import { describe, expect, it } from 'vitest';
import { chair, delegate, did, makeSession, secretary, startedSession } from '../helpers.ts';
import { scriptedSession, TODAY_AFTER_DEADLINE, TODAY_BEFORE_DEADLINE } from './scripted.ts';
import { deriveSessionRecord } from '../../src/records/derive.ts';
import { publicRecord } from '../../src/records/public.ts';
import { sessionStatistics, timeUseOf } from '../../src/records/statistics.ts';
import { commitmentStatus, commitmentsRegister, openCommitmentsByRespondent, writtenAnswerStatus } from '../../src/records/commitments.ts';
import { countMinutesDocument, documentText, minutesDocument, minutesKeys, MinutesDraftText } from '../../src/records/document.ts';
import { recordTables } from '../../src/records/tables.ts';
import { formatCountPercent } from '../../src/rules/percent.ts';
import { vnClock, vnDate, vnLongDate } from '../../src/records/time.ts';
import { persist, startSession } from '../../src/machine/engine.ts';

const draft = MinutesDraftText.parse({ chairName: 'Nguyễn Chủ Tọa', secretaryName: 'Trần Thư Ký', venue: 'Hội trường UBND xã', number: '05/BB-HĐND' });

function derived(opts?: { adjourn?: boolean }) {
  const script = scriptedSession(opts);
  return { ...script, model: deriveSessionRecord({ setup: script.s.setup }, script.journal) };
}

describe('[REC] the record of a scripted session, section by section against its journal', () => {
  it('[REC-1] attendance per sitting, by name, with reasons and corrections (internal)', () => {
    const { model, t } = derived();
    expect(model.sittings.map((s) => [s.number, s.title])).toEqual([
      [1, 'Phiên thứ nhất'],
      [2, 'Phiên bế mạc'],
    ]);
    const [first, second] = model.sittings;
    expect(first!.startedAt).toBe(t.start);
    expect(first!.endedAt).toBe(t.sitting2);
    const status = (s: typeof first, id: string) => s!.attendance.find((a) => a.delegateId === id);
    expect(first!.attendance.filter((a) => a.status === 'present')).toHaveLength(13);
    expect(status(first, 'd14')).toMatchObject({ name: 'Đại biểu 14', status: 'absentExcused', note: 'Ốm, có giấy nghỉ', correctedBy: 'secretary' });
    expect(status(first, 'd15')).toMatchObject({ status: 'absentUnexcused' });
    // A new sitting has a fresh roll call: 12 checked in, the rest unrecorded.
    expect(second!.attendance.filter((a) => a.status === 'present')).toHaveLength(12);
    expect(status(second, 'd13')!.status).toBe('unknown');
    expect(second!.endedAt).toBe(t.adjourn);
  });

  it('[REC-2] speeches: who, purpose, start, actual duration and overrun come from the journal times', () => {
    const { model, t } = derived();
    const byId = Object.fromEntries(model.speeches.map((s) => [s.speechId, s]));
    expect(byId['sp-1']).toMatchObject({ name: 'Lê Văn Cường', role: 'Giám đốc Sở Tài chính', purpose: 'presentation', startedAt: t.presentation, durationSec: 600, allowedSec: 900, overrunSec: 0, sitting: 1 });
    expect(byId['sp-2']).toMatchObject({ name: 'Đại biểu 1', purpose: 'speech', startedAt: t.speech, durationSec: 480, allowedSec: 420, overrunSec: 60 });
    expect(byId['sp-a1']).toMatchObject({ purpose: 'answer', speakerKind: 'official', speakerId: 'o1', durationSec: 240 });
    expect(byId['sp-d1']).toMatchObject({ purpose: 'debate', questionId: 'q1', speakerId: 'd3', durationSec: 60 });
  });

  it('[REC-3] polls: counts and percentages as docs/rules.md formats them, named list for the public vote, counts only for the secret one, the revote with its reason', () => {
    const { model, s } = derived();
    const p1 = model.polls.find((p) => p.pollId === 'p1')!;
    // 10 yes of 15 total delegates is more than half: adopted.
    expect(p1.result).toMatchObject({ kind: 'motion', outcome: 'THÔNG QUA', adopted: true, total: 15 });
    if (p1.result!.kind !== 'motion') throw new Error('motion');
    expect(p1.result!.lines).toEqual({ tookPart: formatCountPercent(13, 15), yes: '10 (66,67%)', no: '2 (13,33%)', abstain: '1 (6,67%)' });
    expect(p1.named.map((n) => [n.delegateId, n.choice])).toEqual(s.ctx().polls[0]!.castBy.map((id) => [id, s.ctx().polls[0]!.choices[id]]));
    expect(p1.named.map((n) => n.delegateId)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9', 'd10', 'd11', 'd12', 'd13']);
    const secret = model.polls.find((p) => p.pollId === 'p-kin')!;
    expect(secret.named).toEqual([]);
    expect(secret.castCount).toBe(5);
    expect(secret.result).toMatchObject({ kind: 'motion', yes: 4, no: 1, abstain: 0 });
    const revote = model.polls.find((p) => p.pollId === 'p3b')!;
    expect(revote).toMatchObject({ round: 2, revoteOf: 'p3', revoteReason: 'Đếm nhầm số giơ tay', sitting: 2 });
    expect(revote.result).toMatchObject({ kind: 'motion', yes: 9, outcome: 'THÔNG QUA' });
  });

  it('[REC-3b] a secret ballot counted but not announced shows no counts; a public one shows them to staff', () => {
    const s = startedSession({ delegates: 15 });
    s.ok({ type: 'poll.open', pollId: 'ps', subject: 'Kín', kind: 'motion', mode: 'secret', by: chair });
    s.castAll('ps', ['yes', 'yes', 'no', 'abstain']);
    s.ok({ type: 'poll.close', pollId: 'ps', counts: s.secretMotionCounts('ps'), by: chair });
    const model = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    expect(model.polls[0]).toMatchObject({ status: 'counted', result: null, named: [], castCount: 4 });
    const doc = documentText(minutesDocument(model, 'session', draft, 'internal')).join('\n');
    expect(doc).toContain('Kết quả: chưa công bố.');
    expect(minutesKeys(model).map((k) => k.key)).not.toContain('count-ps');
  });

  it('[REC-4] questioning: group, question, answer, debate, commitment with deadline, written answer due in 20 days', () => {
    const { model, t } = derived();
    expect(model.groups).toEqual([
      { groupId: 'g1', topic: 'Đất đai, môi trường', respondents: [{ id: 'o1', name: 'Nguyễn Văn An', post: 'Chủ tịch UBND' }], openedAt: t.g1, closedAt: t.closeGroup, sitting: 1, closed: false },
    ]);
    const q1 = model.questions.find((q) => q.questionId === 'q1')!;
    expect(q1).toMatchObject({ asker: 'Đại biểu 3', respondent: 'Nguyễn Văn An', status: 'answered', sitting: 1, closed: false });
    expect(q1.askedAt).toBe(t.g1 + 1000);
    const q2 = model.questions.find((q) => q.questionId === 'q2')!;
    expect(q2.status).toBe('writtenPending');
    expect(vnDate(q2.writtenDueAt!)).toBe(vnDate(t.closeGroup + 20 * 86_400_000));
    expect(model.commitments).toMatchObject([{ commitmentId: 'c1', respondent: 'Nguyễn Văn An', deadline: '2026-09-30', reportAt: 'Kỳ họp cuối năm 2026', sitting: 1, updates: [] }]);
    const text = documentText(minutesDocument(model, 'sitting-1', draft, 'internal')).join('\n');
    expect(text).toContain('Nhóm vấn đề: Đất đai, môi trường');
    expect(text).toContain('Đại biểu 3 | Nguyễn Văn An | Tiến độ giải phóng mặt bằng? | Đã trả lời tại phiên họp');
    expect(text).toContain('Nguyễn Văn An, Chủ tịch UBND | Hoàn thành giải phóng mặt bằng dự án đường tỉnh 295 | 30/09/2026 | Kỳ họp cuối năm 2026');
    expect(text).toContain('Đại biểu 4 | Nguyễn Văn An | Xử lý rác thải ở cụm công nghiệp?');
  });

  it('[REC-5] the closed part is marked in the internal minutes and absent from every public edition', () => {
    const { model, t } = derived();
    expect(model.sittings[0]!.closedParts).toEqual([expect.objectContaining({ from: t.closedFrom, to: t.closedTo })]);
    expect(model.speeches.find((s) => s.speechId === 'sp-closed')!.closed).toBe(true);
    expect(model.polls.find((p) => p.pollId === 'p-kin')!.closed).toBe(true);
    expect(model.polls.find((p) => p.pollId === 'p1')!.closed).toBe(false);
    const internal = documentText(minutesDocument(model, 'session', draft, 'internal')).join('\n');
    expect(internal).toContain('[Họp kín] Nhân sự họp kín');
    expect(internal).toContain(`Họp kín từ ${vnClock(t.closedFrom)} đến ${vnClock(t.closedTo)}`);

    const pub = publicRecord(model);
    expect(pub.speeches.map((s) => s.speechId)).not.toContain('sp-closed');
    expect(pub.polls.map((p) => p.pollId)).not.toContain('p-kin');
    const outputs = [
      documentText(minutesDocument(pub, 'session', draft, 'public')).join('\n'),
      documentText(minutesDocument(pub, 'sitting-1', draft, 'public')).join('\n'),
      JSON.stringify(recordTables(pub, TODAY_BEFORE_DEADLINE, 'public')),
      JSON.stringify(sessionStatistics(pub, TODAY_BEFORE_DEADLINE)),
      JSON.stringify(pub),
    ];
    for (const out of outputs) {
      expect(out).not.toContain('Nhân sự họp kín');
      expect(out).not.toContain('sp-closed');
      expect(out).not.toContain('Ốm, có giấy nghỉ');
    }
    expect(outputs[0]).toContain(`Phần họp kín từ ${vnClock(t.closedFrom)} đến ${vnClock(t.closedTo)}: nội dung không công bố.`);
    // Delegate 2's only speech was behind closed doors: the public figures show none.
    expect(sessionStatistics(pub, TODAY_BEFORE_DEADLINE).delegates.find((d) => d.delegateId === 'd2')!.speeches).toBe(0);
    expect(sessionStatistics(model, TODAY_BEFORE_DEADLINE).delegates.find((d) => d.delegateId === 'd2')!.speeches).toBe(1);
  });

  it('[REC-5b] a poll opened in public and announced behind closed doors is closed too', () => {
    const s = startedSession({ delegates: 15 });
    s.ok({ type: 'poll.open', pollId: 'px', subject: 'Mở công khai, công bố trong họp kín', kind: 'motion', mode: 'electronic', by: chair });
    s.castAll('px', ['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no']);
    s.ok({ type: 'poll.close', pollId: 'px', by: chair });
    s.ok({ type: 'sitting.setClosed', closed: true, by: chair });
    s.ok({ type: 'poll.announce', pollId: 'px', by: chair });
    const model = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    expect(model.polls[0]!.closed).toBe(true);
    expect(model.sittings[0]!.closedParts[0]!.to).toBeNull();
    expect(publicRecord(model).polls).toEqual([]);
  });

  it('[REC-6] the minutes read as a Decree 30 document: header, number, date line, sections, signatures', () => {
    const { model, t } = derived();
    const doc = minutesDocument(model, 'sitting-1', draft, 'internal');
    expect(doc.issuer).toEqual(['HỘI ĐỒNG NHÂN DÂN', 'XÃ THỬ NGHIỆM']);
    expect(doc.number).toBe('Số: 05/BB-HĐND');
    expect(doc.placeDate).toBe(`Thử Nghiệm, ${vnLongDate(t.sitting2)}`);
    expect(doc.subtitle).toEqual(['Phiên họp thứ nhất: Phiên thứ nhất', 'Kỳ họp thứ hai']);
    expect(doc.blocks.filter((b) => b.kind === 'heading').map((b) => (b as { text: string }).text)).toEqual([
      'I. THỜI GIAN, ĐỊA ĐIỂM',
      'II. THÀNH PHẦN',
      'III. NỘI DUNG VÀ DIỄN BIẾN',
      'IV. CHẤT VẤN VÀ TRẢ LỜI CHẤT VẤN',
      'V. KẾT THÚC',
    ]);
    const text = documentText(doc).join('\n');
    expect(text).toContain(`Thời gian: từ ${vnClock(t.start)} đến ${vnClock(t.sitting2)}, ${vnLongDate(t.start)}`);
    expect(text).toContain('Tổng số đại biểu: 15. Có mặt: 13 (86,67%).');
    expect(text).toContain('Vắng mặt có lý do: Đại biểu 14 (Ốm, có giấy nghỉ)');
    expect(text).toContain('Vắng mặt không có lý do: Đại biểu 15');
    expect(text).toContain('Đại biểu 1 (Tổ 1) | Phát biểu | ');
    expect(text).toContain('| 8 phút | 1 phút');
    expect(text).toContain('Tham gia biểu quyết: 13 (86,67%); tán thành: 10 (66,67%); không tán thành: 2 (13,33%); không biểu quyết: 1 (6,67%).');
    expect(text).toContain('1 | Đại biểu 1 | Tổ 1 | Tán thành');
    expect(doc.signatures).toEqual([
      { title: 'THƯ KÝ', names: ['Trần Thư Ký'] },
      { title: 'CHỦ TỌA', names: ['Nguyễn Chủ Tọa'] },
    ]);
    // The second sitting's minutes hold only its own items.
    const second = documentText(minutesDocument(model, 'sitting-2', draft, 'internal')).join('\n');
    expect(second).toContain('Thông qua chương trình giám sát (biểu quyết lại, vòng 2)');
    expect(second).toContain('Lý do biểu quyết lại: Đếm nhầm số giơ tay');
    expect(second).not.toContain('dự toán ngân sách');
    expect(() => minutesDocument(model, 'sitting-3', draft, 'internal')).toThrow(RangeError);
  });

  it('[REC-7] statistics: time presenting, debating, questioning and voting per sitting; per delegate; per respondent', () => {
    const { model } = derived();
    const stats = sessionStatistics(model, TODAY_BEFORE_DEADLINE);
    const first = stats.sittings[0]!;
    expect(first.presentingSec).toBe(600);
    expect(first.debatingSec).toBe(480 + 180);
    expect(first.questioningSec).toBe(60 + 240 + 60);
    expect(first.votingSec).toBeGreaterThan(0);
    expect(first.presentingSec + first.debatingSec + first.questioningSec + first.votingSec + first.otherSec).toBe(first.durationSec);
    const d1 = stats.delegates.find((d) => d.delegateId === 'd1')!;
    expect(d1).toMatchObject({ sittings: 2, present: 2, speeches: 1, speakingSec: 480, votesCast: 2 });
    expect(stats.delegates.find((d) => d.delegateId === 'd14')).toMatchObject({ absentExcused: 1, unrecorded: 1, votesCast: 0 });
    expect(stats.delegates.find((d) => d.delegateId === 'd3')).toMatchObject({ questionsAsked: 1, questionsSubmitted: 1, speeches: 1 });
    expect(stats.respondents).toEqual([
      { officialId: 'o1', name: 'Nguyễn Văn An', post: 'Chủ tịch UBND', questions: 2, answered: 1, writtenPending: 1, writtenAnswered: 0, commitments: 1, commitmentsOpen: 1, commitmentsOverdue: 0 },
    ]);
    expect(sessionStatistics(model, TODAY_AFTER_DEADLINE).respondents[0]!.commitmentsOverdue).toBe(1);
    expect(timeUseOf('debate', null)).toBe('debating');
    expect(timeUseOf('debate', 'q1')).toBe('questioning');
  });

  it('[REC-8] the register: in progress, overdue after the deadline, done after a follow-up; written answers overdue after 20 days', () => {
    const { s, journal, t } = derived();
    s.ok({ type: 'commitment.update', commitmentId: 'c1', updateId: 'u1', status: 'inProgress', note: 'Đã bàn giao 80% mặt bằng', by: secretary });
    const mid = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    expect(journal.length).toBeLessThan(mid.throughSeq);
    const c = mid.commitments[0]!;
    expect(c.updates).toMatchObject([{ updateId: 'u1', status: 'inProgress', note: 'Đã bàn giao 80% mặt bằng', by: 'secretary' }]);
    expect(commitmentStatus(c, TODAY_BEFORE_DEADLINE)).toBe('inProgress');
    expect(commitmentStatus(c, '2026-09-30')).toBe('inProgress');
    expect(commitmentStatus(c, TODAY_AFTER_DEADLINE)).toBe('overdue');
    s.ok({ type: 'commitment.update', commitmentId: 'c1', updateId: 'u2', status: 'done', note: 'Hoàn thành', evidence: 'Báo cáo số 12/BC-UBND', by: secretary });
    const done = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    expect(commitmentStatus(done.commitments[0]!, TODAY_AFTER_DEADLINE)).toBe('done');

    const due = vnDate(t.closeGroup + 20 * 86_400_000);
    const q2 = done.questions.find((q) => q.questionId === 'q2')!;
    expect(writtenAnswerStatus(q2, due)).toBe('pending');
    expect(writtenAnswerStatus(q2, vnDate(t.closeGroup + 21 * 86_400_000))).toBe('overdue');
    s.ok({ type: 'question.writtenAnswered', questionId: 'q2', note: 'Công văn số 345/UBND', by: secretary });
    const answered = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    expect(answered.questions.find((q) => q.questionId === 'q2')!.writtenAnswer).toMatchObject({ note: 'Công văn số 345/UBND' });

    const register = commitmentsRegister([mid, answered], TODAY_AFTER_DEADLINE);
    expect(register.commitments.map((x) => x.status)).toEqual(['overdue', 'done']);
    expect(openCommitmentsByRespondent(register, ['o1', 'o2']).map((r) => [r.respondentId, r.commitments.length])).toEqual([['o1', 1]]);
    expect(openCommitmentsByRespondent(register, ['o2'])).toEqual([]);
  });

  it('[REC-9] count minutes of the announced secret vote: committee, ballots, counts with percentages', () => {
    const { s } = derived();
    s.ok({ type: 'counting.setCommittee', members: [{ delegateId: did(5), role: 'head' }, { delegateId: did(6), role: 'member' }, { delegateId: did(7), role: 'secretary' }], by: secretary });
    const model = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    expect(minutesKeys(model).map((k) => k.key)).toEqual(['session', 'sitting-1', 'sitting-2', 'count-p-kin']);
    const doc = countMinutesDocument(model, 'p-kin', draft, 'internal');
    const text = documentText(doc).join('\n');
    expect(doc.title).toBe('BIÊN BẢN KIỂM PHIẾU');
    expect(text).toContain('Đại biểu 5 — Trưởng ban');
    expect(text).toContain('Số phiếu phát ra | 13');
    expect(text).toContain('Số phiếu thu về | 5');
    expect(text).toContain('Số phiếu không hợp lệ | 0');
    expect(text).toContain('tán thành: 4 (26,67%)');
    expect(doc.signatures).toEqual([
      { title: 'CÁC THÀNH VIÊN BAN KIỂM PHIẾU', names: ['Đại biểu 6', 'Đại biểu 7'] },
      { title: 'TRƯỞNG BAN KIỂM PHIẾU', names: ['Đại biểu 5'] },
    ]);
    expect(() => countMinutesDocument(model, 'p1', draft, 'internal')).toThrow(RangeError);
  });

  it('[REC-10] a confidence rating: per-person table with the consequence of Resolution 96/2023', () => {
    const s = startedSession({ delegates: 47, level: 'province' });
    s.ok({ type: 'poll.open', pollId: 'tn', subject: 'Lấy phiếu tín nhiệm', kind: 'confidenceRating', mode: 'paper', officialIds: ['o1'], by: chair });
    s.ok({ type: 'poll.close', pollId: 'tn', counts: { kind: 'confidenceRating', issued: 47, collected: 47, officials: { o1: { valid: 46, high: 19, confidence: 2, low: 25 } } }, by: secretary });
    s.ok({ type: 'poll.announce', pollId: 'tn', by: chair });
    const model = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    const text = documentText(countMinutesDocument(model, 'tn', draft, 'public')).join('\n');
    expect(text).toContain('Nguyễn Văn An, Chủ tịch UBND | 46 | 19 (40,43%) | 2 (4,26%) | 25 (53,19%) | Có thể xin từ chức; nếu không, HĐND bỏ phiếu tín nhiệm tại kỳ họp này hoặc kỳ họp gần nhất');
    expect(text).toContain('Số phiếu phát ra | 47');
  });

  it('[REC-11] derivation from the frozen genesis snapshot equals derivation from the setup, and tables agree with the model', () => {
    const { s, journal, model } = derived();
    const genesis = persist(startSession(s.setup), 0);
    expect(deriveSessionRecord({ genesis }, journal)).toEqual(model);
    expect(model.throughSeq).toBe(journal.length);
    const tables = Object.fromEntries(recordTables(model, TODAY_BEFORE_DEADLINE, 'internal').map((t) => [t.name, t]));
    expect(tables.attendance!.rows).toHaveLength(30);
    expect(tables.attendance!.columns).toContain('Ghi chú');
    expect(tables.votes!.rows).toHaveLength(13);
    expect(tables.results!.rows.find((r) => r[0] === 'p1')!.slice(8, 13)).toEqual(['13 (86,67%)', '10 (66,67%)', '2 (13,33%)', '1 (6,67%)', 'THÔNG QUA']);
    expect(recordTables(publicRecord(model), TODAY_BEFORE_DEADLINE, 'public').find((t) => t.name === 'attendance')!.columns).not.toContain('Ghi chú');
  });
});

describe('[PAPER] the paperwork commands: roles, versions, after the adjournment', () => {
  const hash = (c: string) => c.repeat(64);

  it('[PAPER-1] only the chair approves minutes; versions go 1, 2, 3 per key; approvals stay allowed after the adjournment', () => {
    const { s } = scriptedSession();
    const approve = (version: number, by = chair, minutesKey = 'session') =>
      ({ type: 'minutes.approve', minutesKey, version, sha256: hash('a'), publicSha256: hash('b'), throughSeq: 10, by }) as const;
    s.refuse(approve(1, secretary), 'NOT_CHAIR', 'FORBIDDEN');
    s.refuse(approve(2), 'MINUTES_VERSION');
    s.ok(approve(1));
    s.refuse(approve(1), 'MINUTES_VERSION');
    s.ok(approve(2));
    s.ok(approve(1, chair, 'sitting-2'));
    s.refuse(approve(1, chair, 'sitting-3'), 'UNKNOWN_MINUTES');
    s.refuse(approve(1, chair, 'count-p1'), 'UNKNOWN_MINUTES');
    s.ok(approve(1, chair, 'count-p-kin'));
    const approvals = s.ctx().paperwork!.approvals;
    expect(approvals.map((a) => [a.minutesKey, a.version, a.by])).toEqual([
      ['session', 1, 'chair'],
      ['session', 2, 'chair'],
      ['sitting-2', 1, 'chair'],
      ['count-p-kin', 1, 'chair'],
    ]);
    const model = deriveSessionRecord({ setup: s.setup }, s.log.map((event, i) => ({ seq: i + 1, at: event.at, event })));
    expect(model.approvals).toEqual(approvals);
  });

  it('[PAPER-2] the counting committee: known delegates, each once, at most one head', () => {
    const s = makeSession();
    s.refuse({ type: 'counting.setCommittee', members: [{ delegateId: 'nobody', role: 'member' }], by: secretary }, 'UNKNOWN_DELEGATE');
    s.refuse({ type: 'counting.setCommittee', members: [{ delegateId: did(1), role: 'head' }, { delegateId: did(2), role: 'head' }], by: secretary }, 'BAD_COMMITTEE');
    s.refuse({ type: 'counting.setCommittee', members: [{ delegateId: did(1), role: 'member' }, { delegateId: did(1), role: 'head' }], by: secretary }, 'BAD_COMMITTEE');
    s.refuse({ type: 'counting.setCommittee', members: [{ delegateId: did(1), role: 'member' }], by: delegate(1) }, 'NOT_STAFF', 'FORBIDDEN');
    s.ok({ type: 'counting.setCommittee', members: [{ delegateId: did(1), role: 'head' }], by: secretary });
    s.ok({ type: 'counting.setCommittee', members: [{ delegateId: did(2), role: 'head' }, { delegateId: did(3), role: 'member' }], by: chair });
    expect(s.ctx().paperwork!.committee).toEqual([
      { delegateId: 'd2', role: 'head' },
      { delegateId: 'd3', role: 'member' },
    ]);
  });

  it('[PAPER-3] commitment follow-ups: unknown commitment, repeated update id, secretary only (not delegates), after the adjournment', () => {
    const { s } = scriptedSession();
    expect(s.snapshot().value).toBe('adjourned');
    s.refuse({ type: 'commitment.update', commitmentId: 'nope', updateId: 'u1', status: 'done', note: 'x', by: secretary }, 'UNKNOWN_COMMITMENT');
    s.refuse({ type: 'commitment.update', commitmentId: 'c1', updateId: 'u1', status: 'done', note: 'x', by: delegate(1) }, 'NOT_STAFF', 'FORBIDDEN');
    s.ok({ type: 'commitment.update', commitmentId: 'c1', updateId: 'u1', status: 'inProgress', note: 'Đang làm', by: secretary });
    s.refuse({ type: 'commitment.update', commitmentId: 'c1', updateId: 'u1', status: 'done', note: 'x', by: secretary }, 'ID_EXISTS');
    // The hall itself stays closed.
    s.refuse({ type: 'agenda.goTo', itemId: 'i1', by: chair }, 'WRONG_STATE');
  });

  it('[PAPER-4] a snapshot written before the paperwork existed restores and takes paperwork commands', () => {
    const s = startedSession();
    const persisted = s.actor.getPersistedSnapshot() as unknown as { context: Record<string, unknown> };
    delete persisted.context.paperwork;
    const restored = deriveSessionRecord({ genesis: { machineVersion: 1, seq: 0, snapshot: persisted } }, [
      { seq: 1, at: s.clock.now, event: { type: 'counting.setCommittee', members: [{ delegateId: 'd1', role: 'head' }], at: s.clock.now, by: secretary } },
    ]);
    expect(restored.committee).toEqual([{ delegateId: 'd1', role: 'head', name: 'Đại biểu 1' }]);
  });
});
