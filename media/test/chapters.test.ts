/** WebVTT chapters from journal records: a pure function, tested on a hand-written journal. */
import { describe, expect, it } from 'vitest';
import { chapterList, chaptersVtt, vttTime } from '../src/chapters.ts';

const council = {
  id: 'c1',
  name: 'HĐND xã',
  level: 'commune',
  term: '2026-2031',
  delegates: [
    { id: 'd1', fullName: 'Nguyễn Văn An', group: 'Tổ 1', seat: 'A1', status: 'sitting' },
    { id: 'd2', fullName: 'Trần Thị Bình', group: 'Tổ 2', seat: 'A2', status: 'sitting' },
  ],
  officials: [{ id: 'o1', fullName: 'Lê Văn Cường', post: 'Chủ tịch UBND xã' }],
} as never;
const agenda = [
  { id: 'i1', title: 'Khai mạc', kind: 'ceremony', documents: [] },
  { id: 'i2', title: 'Chất vấn và trả lời chất vấn', kind: 'questioning', documents: [] },
] as never;

const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);
const at = (s: number) => T0 + s * 1000;
const ev = (s: number, type: string, rest: Record<string, unknown> = {}, by = { role: 'chair', id: 'chair1' }) => ({ at: at(s), event: { type, at: at(s), by, ...rest } });

const journal = [
  ev(0, 'session.start'),
  ev(5, 'agenda.goTo', { itemId: 'i1' }),
  ev(60, 'agenda.goTo', { itemId: 'i2' }),
  ev(61, 'questioning.addGroup', { groupId: 'g1', topic: 'Đất đai', respondentIds: ['o1'] }),
  ev(62, 'question.submit', { questionId: 'q1', respondentId: 'o1', text: 'Vì sao chậm cấp sổ đỏ?' }, { role: 'delegate', id: 'd2' }),
  ev(70, 'questioning.openGroup', { groupId: 'g1' }),
  ev(80, 'questioning.call', { questionId: 'q1', speechId: 's1' }),
  ev(140, 'questioning.answer', { respondentId: 'o1', speechId: 's2' }),
  ev(200, 'floor.stop'),
  ev(210, 'floor.request', { requestId: 'r1', purpose: 'debate' }, { role: 'delegate', id: 'd1' }),
  ev(220, 'floor.grant', { requestId: 'r1', speechId: 's3' }),
  ev(300, 'ballot.cast', { pollId: 'p1' }, { role: 'delegate', id: 'd1' }),
];

describe('chapters', () => {
  it('[CH-1] flat, ordered chapters for items, questions, answers and speakers inside the recording window', () => {
    const list = chapterList(journal, { council, agenda }, { start: at(50), end: at(400) });
    expect(list.map((c) => [c.start / 1000, c.end / 1000, c.title])).toEqual([
      [0, 10, 'Mục 1: Khai mạc'],
      [10, 20, 'Mục 2: Chất vấn và trả lời chất vấn'],
      [20, 30, 'Mục 2: Chất vấn và trả lời chất vấn — Nhóm vấn đề: Đất đai'],
      [30, 90, 'Mục 2: Chất vấn và trả lời chất vấn — Chất vấn: Đại biểu Trần Thị Bình hỏi Lê Văn Cường, Chủ tịch UBND xã — “Vì sao chậm cấp sổ đỏ?”'],
      [90, 150, 'Mục 2: Chất vấn và trả lời chất vấn — Trả lời chất vấn: Lê Văn Cường, Chủ tịch UBND xã'],
      [150, 170, 'Mục 2: Chất vấn và trả lời chất vấn — Nhóm vấn đề: Đất đai'],
      [170, 350, 'Mục 2: Chất vấn và trả lời chất vấn — Tranh luận: Đại biểu Nguyễn Văn An'],
    ]);
    for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBe(list[i - 1]!.end);
  });

  it('[CH-2] a valid WebVTT file: header, HH:MM:SS.mmm cues, no "-->" inside cue text', () => {
    const vtt = chaptersVtt([...journal, ev(230, 'floor.give', { speechId: 's4', speaker: { kind: 'guest', name: 'Khách --> mời', title: 'Nhà báo' }, purpose: 'speech' })], { council, agenda }, { start: at(0), end: at(3700) });
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    const cues = vtt.trim().split('\n\n').slice(1);
    for (const cue of cues) {
      const [, times, text] = cue.split('\n');
      expect(times).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}$/);
      expect(text).not.toContain('-->');
    }
    expect(vtt).toContain('01:01:40.000');
    expect(vtt).toContain('Khách → mời (Nhà báo)');
  });

  it('[CH-3] a recording with no boundaries inside gets one chapter spanning it', () => {
    const list = chapterList(journal, { council, agenda }, { start: at(230), end: at(260) });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ start: 0, end: 30_000 });
    expect(vttTime(3_723_004)).toBe('01:02:03.004');
  });

  it('[CH-4] a vote starts a chapter with its subject (never a choice or a count); a revote names the same subject', () => {
    const votes = [
      ...journal,
      ev(400, 'poll.open', { pollId: 'p2', subject: 'Thông qua nghị quyết về đất đai', kind: 'motion', mode: 'electronic' }),
      ev(410, 'ballot.cast', { pollId: 'p2', choice: 'yes' }, { role: 'delegate', id: 'd1' }),
      ev(460, 'poll.close', { pollId: 'p2' }),
      ev(470, 'poll.revote', { pollId: 'p2', newPollId: 'p3', reason: 'Lỗi thiết bị' }),
    ];
    const list = chapterList(votes, { council, agenda }, { start: at(390), end: at(500) });
    expect(list.filter((c) => c.kind === 'vote').map((c) => [c.start, c.title])).toEqual([
      [10_000, 'Mục 2: Chất vấn và trả lời chất vấn — Biểu quyết: Thông qua nghị quyết về đất đai'],
      [80_000, 'Mục 2: Chất vấn và trả lời chất vấn — Biểu quyết lại: Thông qua nghị quyết về đất đai'],
    ]);
    // The one who cast a ballot inside the window appears nowhere, nor the choice.
    expect(list.filter((c) => c.start >= 10_000).map((c) => c.title).join(' ')).not.toMatch(/yes|tán thành|Nguyễn Văn An/i);
  });
});
