/**
 * Minutes as a document: the text of the minutes of a sitting, of a session, and of a count (biên bản kiểm phiếu),
 * laid out as Decree 30/2020/NĐ-CP wants an administrative document (national header, issuing body, number, place and
 * date line, title, body, signature blocks). Format-neutral blocks: the server renders the same document as DOCX and
 * PDF, the public site as HTML — one text, three formats. What the chair approves is this document (its canonical
 * JSON is hashed into the journal), so an approved text never changes when the code that drafts it does.
 */
import { z } from 'zod';
import { Id } from '../model.ts';
import type { BallotChoice } from '../protocol/commands.ts';
import { formatCountPercent } from '../rules/percent.ts';
import type { CommitmentRecord, PollRecord, SessionRecordModel, SittingRecord, SpeechRecord } from './derive.ts';
import { attendanceLabel, choiceLabel, committeeRoleLabel, consequenceLabel, pollKindLabel, pollModeLabel, purposeLabel, questionStatusLabel, ruleLabel, sittingOrdinal } from './labels.ts';
import { vnClock, vnDate, vnDuration, vnHhmm, vnLongDate, vnShortDate } from './time.ts';

export interface Run {
  text: string;
  bold?: boolean;
  italics?: boolean;
}

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'paragraph'; runs: Run[] }
  | { kind: 'bullet'; runs: Run[] }
  | { kind: 'table'; columns: string[]; rows: string[][]; widths: number[] }
  /** A closed part (họp kín): marked in the internal minutes; in the public edition only this marker remains. */
  | { kind: 'closed'; text: string };

export type Edition = 'internal' | 'public';

export interface MinutesDoc {
  key: string;
  edition: Edition;
  /** Issuing body, one line each: "HỘI ĐỒNG NHÂN DÂN", "TỈNH BẮC NINH". */
  issuer: string[];
  /** "Số: 01/BB-HĐND". */
  number: string;
  /** "Bắc Ninh, ngày 01 tháng 7 năm 2026". */
  placeDate: string;
  title: string;
  subtitle: string[];
  blocks: Block[];
  /** Left to right: the secretary (or committee members) then the chair (or committee head). */
  signatures: { title: string; names: string[] }[];
  source: { sessionId: string; throughSeq: number; edition: Edition };
}

/** The parts of a draft the secretary writes; everything else comes from the journal. */
export const MinutesDraftText = z.strictObject({
  /** The document number after "Số:", e.g. "01/BB-HĐND". */
  number: z.string().trim().max(60).default(''),
  /** Place name of the date line, e.g. "Bắc Ninh". */
  place: z.string().trim().max(100).default(''),
  /** Where the sitting was held. */
  venue: z.string().trim().max(300).default(''),
  chairName: z.string().trim().max(200).default(''),
  secretaryName: z.string().trim().max(200).default(''),
  opening: z.string().max(5000).default(''),
  /** Proceedings and conclusions per agenda item. */
  itemNotes: z.record(Id, z.string().max(20_000)).default({}),
  closing: z.string().max(5000).default(''),
});
export type MinutesDraftText = z.infer<typeof MinutesDraftText>;

export const MINUTES_KEY_SESSION = 'session';
export const sittingKey = (n: number) => `sitting-${n}`;
export const countKey = (pollId: string) => `count-${pollId}`;

/** The minutes a session has now: the session's, each sitting held, count minutes of announced secret ballots. */
export function minutesKeys(model: SessionRecordModel): { key: string; title: string }[] {
  return [
    { key: MINUTES_KEY_SESSION, title: `Biên bản kỳ họp` },
    ...model.sittings.filter((s) => s.startedAt !== null).map((s) => ({ key: sittingKey(s.number), title: `Biên bản phiên họp ${sittingOrdinal(s.number)}` })),
    ...model.polls.filter(countable).map((p) => ({ key: countKey(p.pollId), title: `Biên bản kiểm phiếu: ${p.subject}` })),
  ];
}

const countable = (p: PollRecord) => (p.mode === 'secret' || p.mode === 'paper') && p.announced;

/** "HĐND tỉnh Bắc Ninh" → ["HỘI ĐỒNG NHÂN DÂN", "TỈNH BẮC NINH"]. */
export function issuerLines(councilName: string): string[] {
  const rest = councilName.replace(/^(HĐND|Hội đồng nhân dân)\s+/i, '').trim();
  return ['HỘI ĐỒNG NHÂN DÂN', rest.toLocaleUpperCase('vi')];
}

/** "HĐND xã Tiên Du" → "Tiên Du": the default place name of the date line. */
export const defaultPlace = (councilName: string) => councilName.replace(/^(HĐND|Hội đồng nhân dân)\s+(tỉnh|thành phố|xã|phường|đặc khu)\s+/i, '').trim();

const text = (t: string, style: Omit<Run, 'text'> = {}): Run => ({ text: t, ...style });
const para = (...runs: Run[]): Block => ({ kind: 'paragraph', runs });
const labelled = (label: string, value: string): Block => para(text(`${label}: `, { bold: true }), text(value));
const paragraphsOf = (free: string): Block[] =>
  free
    .split(/\n\s*\n|\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => para(text(p)));

function timeSpan(from: number | null, to: number | null): string {
  if (from === null) return 'chưa khai mạc';
  const day = vnLongDate(from);
  if (to === null) return `từ ${vnClock(from)}, ${day}`;
  return vnDate(from) === vnDate(to) ? `từ ${vnClock(from)} đến ${vnClock(to)}, ${day}` : `từ ${vnClock(from)}, ${day} đến ${vnClock(to)}, ${vnLongDate(to)}`;
}

function closedMarker(s: SittingRecord, edition: Edition): Block[] {
  return s.closedParts.map((c) => ({
    kind: 'closed' as const,
    text:
      edition === 'public'
        ? `Phần họp kín ${c.to === null ? `từ ${vnClock(c.from)}` : `từ ${vnClock(c.from)} đến ${vnClock(c.to)}`}: nội dung không công bố.`
        : `Họp kín ${c.to === null ? `từ ${vnClock(c.from)}` : `từ ${vnClock(c.from)} đến ${vnClock(c.to)}`}. Các nội dung đánh dấu [Họp kín] không đưa vào bản công khai.`,
  }));
}

const closedTag = (closed: boolean) => (closed ? '[Họp kín] ' : '');

function attendanceBlocks(s: SittingRecord, total: number, edition: Edition): Block[] {
  const by = (status: string) => s.attendance.filter((a) => a.status === status);
  const names = (rows: typeof s.attendance, withNote: boolean) =>
    rows.map((a) => (withNote && a.note ? `${a.name} (${a.note})` : a.name)).join('; ') || 'không';
  const present = by('present').length;
  const remote = by('remote').length;
  const blocks: Block[] = [
    para(
      text(`Tổng số đại biểu: ${total}. `),
      text(`Có mặt: ${formatCountPercent(present, total)}`),
      text(remote ? `; tham dự trực tuyến: ${formatCountPercent(remote, total)}.` : '.'),
    ),
    labelled('Vắng mặt có lý do', names(by('absentExcused'), edition === 'internal')),
    labelled('Vắng mặt không có lý do', names(by('absentUnexcused'), edition === 'internal')),
  ];
  const unknown = by('unknown');
  if (unknown.length) blocks.push(labelled('Chưa điểm danh', names(unknown, false)));
  blocks.push({
    kind: 'table',
    columns: ['TT', 'Họ và tên', 'Tổ đại biểu', 'Điểm danh', ...(edition === 'internal' ? ['Ghi chú'] : [])],
    widths: edition === 'internal' ? [6, 34, 20, 20, 20] : [8, 40, 26, 26],
    rows: s.attendance.map((a, i) => [
      String(i + 1),
      a.name,
      a.group,
      attendanceLabel[a.status],
      ...(edition === 'internal' ? [[a.note, a.correctedBy ? `ghi nhận bởi ${a.correctedBy}` : ''].filter(Boolean).join('; ')] : []),
    ]),
  });
  return blocks;
}

function speechRow(s: SpeechRecord): string[] {
  return [
    `${closedTag(s.closed)}${s.name}${s.role ? ` (${s.role})` : ''}`,
    purposeLabel[s.purpose],
    vnHhmm(s.startedAt),
    s.durationSec === null ? 'đang phát biểu' : vnDuration(s.durationSec),
    s.overrunSec > 0 ? vnDuration(s.overrunSec) : '',
  ];
}

const speechTable = (speeches: SpeechRecord[]): Block => ({
  kind: 'table',
  columns: ['Người phát biểu', 'Hình thức', 'Bắt đầu', 'Thời lượng', 'Quá giờ'],
  widths: [38, 18, 12, 18, 14],
  rows: speeches.map(speechRow),
});

const choiceText = (c: BallotChoice) => (typeof c === 'string' ? (choiceLabel[c] ?? c) : Array.isArray(c) ? c.join(', ') : JSON.stringify(c));
const cp = (x: { count: number; percent: string }) => `${x.count} (${x.percent})`;

/** A poll in the minutes: subject, kind, threshold, counts with percentages, outcome, named list or counts only. */
export function pollBlocks(p: PollRecord): Block[] {
  const head = `${closedTag(p.closed)}${p.subject}${p.round > 1 ? ` (biểu quyết lại, vòng ${p.round})` : ''}`;
  const blocks: Block[] = [
    { kind: 'subheading', text: head },
    para(text(`${pollKindLabel[p.kind]}; ${pollModeLabel[p.mode]}; ngưỡng: ${ruleLabel[p.rule]} (${p.totalDelegates} đại biểu). Bắt đầu lúc ${vnClock(p.openedAt)}${p.closedAt ? `, kết thúc lúc ${vnClock(p.closedAt)}` : ''}.`)),
  ];
  if (p.revoteReason) blocks.push(labelled('Lý do biểu quyết lại', p.revoteReason));
  if (p.status === 'cancelled') {
    blocks.push(labelled('Đã hủy', p.cancelReason ?? ''));
    return blocks;
  }
  if (p.status === 'open') {
    blocks.push(para(text('Đang biểu quyết.', { italics: true })));
    return blocks;
  }
  if (p.mode === 'secret' || p.mode === 'paper') blocks.push(para(text(`Số đại biểu đã bỏ phiếu: ${p.mode === 'secret' ? p.castCount : '(theo biên bản kiểm phiếu)'}.`)));
  const r = p.result;
  if (!r) {
    blocks.push(para(text('Kết quả: chưa công bố.', { italics: true })));
    return blocks;
  }
  switch (r.kind) {
    case 'motion':
      blocks.push(
        para(text(`Tham gia biểu quyết: ${r.lines.tookPart}; tán thành: ${r.lines.yes}; không tán thành: ${r.lines.no}; không biểu quyết: ${r.lines.abstain}.`)),
        para(text('Kết quả: ', { bold: true }), text(r.outcome, { bold: true })),
      );
      break;
    case 'confidenceRating':
      blocks.push({
        kind: 'table',
        columns: ['Họ và tên, chức vụ', 'Phiếu hợp lệ', 'Tín nhiệm cao', 'Tín nhiệm', 'Tín nhiệm thấp', 'Hệ quả'],
        widths: [26, 10, 14, 14, 14, 22],
        rows: r.officials.map((o) => [`${o.name}, ${o.post}`, String(o.valid), cp(o.high), cp(o.confidence), cp(o.low), consequenceLabel[o.consequence] ?? o.consequence]),
      });
      break;
    case 'confidenceVote':
      blocks.push({
        kind: 'table',
        columns: ['Họ và tên, chức vụ', 'Phiếu hợp lệ', 'Tín nhiệm', 'Không tín nhiệm', 'Hệ quả'],
        widths: [30, 12, 17, 17, 24],
        rows: r.officials.map((o) => [`${o.name}, ${o.post}`, String(o.valid), cp(o.confidence), cp(o.noConfidence), consequenceLabel[o.consequence] ?? o.consequence]),
      });
      break;
    case 'election':
      blocks.push({
        kind: 'table',
        columns: ['Người được bầu', 'Số phiếu', 'Tỷ lệ (trên tổng số đại biểu)', 'Kết quả'],
        widths: [40, 15, 25, 20],
        rows: r.candidates.map((c) => [r.names[c.id] ?? c.id, String(c.votes), c.percent, c.elected ? 'Trúng cử' : 'Không trúng cử']),
      });
      if (r.tieAtLastSeat) blocks.push(para(text('Có người bằng phiếu ở vị trí cuối: cần bầu lại giữa những người này.', { italics: true })));
      break;
  }
  if (p.named.length) {
    blocks.push(para(text('Danh sách biểu quyết (công khai):', { italics: true })), {
      kind: 'table',
      columns: ['TT', 'Đại biểu', 'Tổ đại biểu', 'Lựa chọn'],
      widths: [8, 42, 25, 25],
      rows: p.named.map((n, i) => [String(i + 1), n.name, n.group, choiceText(n.choice)]),
    });
  }
  return blocks;
}

function commitmentRow(c: CommitmentRecord): string[] {
  return [`${closedTag(c.closed)}${c.respondent}${c.respondentPost ? `, ${c.respondentPost}` : ''}`, c.content, c.deadline ? vnShortDate(c.deadline) : '', c.reportAt ?? ''];
}

function questioningBlocks(model: SessionRecordModel, inScope: (sitting: number | null) => boolean): Block[] {
  const blocks: Block[] = [];
  const groups = model.groups.filter((g) => g.openedAt !== null && inScope(g.sitting));
  for (const g of groups) {
    blocks.push(
      { kind: 'subheading', text: `${closedTag(g.closed)}Nhóm vấn đề: ${g.topic}` },
      labelled('Người trả lời chất vấn', g.respondents.map((r) => `${r.name} (${r.post})`).join('; ')),
    );
    const qs = model.questions.filter((q) => q.askedAt !== null && inScope(q.sitting) && (q.groupId === g.groupId || (q.groupId === null && g.respondents.some((r) => r.id === q.respondentId))));
    if (qs.length) {
      blocks.push({
        kind: 'table',
        columns: ['Đại biểu chất vấn', 'Người trả lời', 'Nội dung', 'Kết quả'],
        widths: [22, 22, 38, 18],
        rows: qs.map((q) => [`${closedTag(q.closed)}${q.asker}`, q.respondent, q.text, questionStatusLabel[q.status]]),
      });
    }
    const turns = model.speeches.filter((s) => s.questionId !== null || s.purpose === 'answer' || s.purpose === 'opening').filter((s) => inScope(s.sitting) && (g.openedAt === null || s.startedAt >= g.openedAt) && (g.closedAt === null || s.startedAt <= g.closedAt));
    if (turns.length) blocks.push(para(text('Diễn biến (hỏi, trả lời, tranh luận):', { italics: true })), speechTable(turns));
  }
  const commitments = model.commitments.filter((c) => inScope(c.sitting));
  if (commitments.length) {
    blocks.push({ kind: 'subheading', text: 'Lời hứa, cam kết của người trả lời chất vấn' }, {
      kind: 'table',
      columns: ['Người hứa', 'Nội dung', 'Thời hạn', 'Báo cáo tại'],
      widths: [26, 46, 12, 16],
      rows: commitments.map(commitmentRow),
    });
  }
  const written = model.questions.filter((q) => (q.status === 'writtenPending' || q.status === 'writtenAnswered') && inScope(q.sitting));
  if (written.length) {
    blocks.push({ kind: 'subheading', text: 'Câu hỏi chuyển trả lời bằng văn bản' }, {
      kind: 'table',
      columns: ['Đại biểu', 'Người trả lời', 'Nội dung', 'Hạn trả lời', 'Tình trạng'],
      widths: [18, 20, 36, 12, 14],
      rows: written.map((q) => [q.asker, q.respondent, q.text, q.writtenDueAt === null ? '' : vnShortDate(q.writtenDueAt), questionStatusLabel[q.status]]),
    });
  }
  return blocks;
}

/** The minutes of a sitting (`sitting-<n>`) or of the whole session (`session`). */
export function minutesDocument(model: SessionRecordModel, key: string, draft: MinutesDraftText, edition: Edition): MinutesDoc {
  const sittingNo = /^sitting-(\d+)$/.exec(key);
  const only = sittingNo ? Number(sittingNo[1]) : null;
  const sittings = model.sittings.filter((s) => s.startedAt !== null && (only === null || s.number === only));
  if (only !== null && sittings.length === 0) throw new RangeError(`no sitting ${only} has been held`);
  const inScope = (n: number | null) => only === null || n === only;
  const first = sittings[0];
  const last = sittings.at(-1);
  const from = first?.startedAt ?? null;
  const to = last?.endedAt ?? null;
  const blocks: Block[] = [];

  blocks.push({ kind: 'heading', text: 'I. THỜI GIAN, ĐỊA ĐIỂM' });
  blocks.push(labelled('Thời gian', timeSpan(from, to)));
  if (draft.venue) blocks.push(labelled('Địa điểm', draft.venue));
  blocks.push({ kind: 'heading', text: 'II. THÀNH PHẦN' });
  blocks.push(labelled('Chủ tọa', draft.chairName || '…'), labelled('Thư ký', draft.secretaryName || '…'));
  for (const s of sittings) {
    if (only === null) blocks.push({ kind: 'subheading', text: `Phiên họp ${sittingOrdinal(s.number)}: ${s.title} (${timeSpan(s.startedAt, s.endedAt)})` });
    blocks.push(...attendanceBlocks(s, model.totalDelegates, edition));
  }
  if (draft.opening.trim()) blocks.push(...paragraphsOf(draft.opening));

  blocks.push({ kind: 'heading', text: 'III. NỘI DUNG VÀ DIỄN BIẾN' });
  for (const s of sittings) {
    if (only === null) blocks.push({ kind: 'subheading', text: `Phiên họp ${sittingOrdinal(s.number)}` });
    blocks.push(...closedMarker(s, edition));
    const moves = model.agendaRun.filter((m) => m.sitting === s.number);
    if (moves.length === 0) blocks.push(para(text('Không có nội dung nào được điều hành.', { italics: true })));
    moves.forEach((m, i) => {
      const next = moves[i + 1]?.at ?? s.endedAt ?? Number.POSITIVE_INFINITY;
      blocks.push({ kind: 'subheading', text: `${closedTag(m.closed)}${m.title} (từ ${vnClock(m.at)})` });
      const during = <T extends { startedAt?: number; openedAt?: number }>(x: T) => {
        const t = x.startedAt ?? x.openedAt ?? 0;
        return t >= m.at && t < next;
      };
      const speeches = model.speeches.filter((sp) => sp.sitting === s.number && sp.questionId === null && sp.purpose !== 'answer' && sp.purpose !== 'opening' && during(sp));
      if (speeches.length) blocks.push(speechTable(speeches));
      for (const p of model.polls.filter((p) => p.sitting === s.number && during(p))) blocks.push(...pollBlocks(p));
      const note = draft.itemNotes[m.itemId];
      if (note?.trim()) blocks.push(...paragraphsOf(note));
    });
  }
  const unheard = model.unheard;
  if (edition === 'internal' && only === null && unheard.length) {
    blocks.push(labelled('Đại biểu đã đăng ký nhưng chưa được phát biểu (gửi ý kiến bằng văn bản)', unheard.map((u) => u.name).join('; ')));
  }

  const questioning = questioningBlocks(model, inScope);
  if (questioning.length) blocks.push({ kind: 'heading', text: 'IV. CHẤT VẤN VÀ TRẢ LỜI CHẤT VẤN' }, ...questioning);

  blocks.push({ kind: 'heading', text: questioning.length ? 'V. KẾT THÚC' : 'IV. KẾT THÚC' });
  if (draft.closing.trim()) blocks.push(...paragraphsOf(draft.closing));
  blocks.push(para(text(to === null ? 'Biên bản được lập trong khi phiên họp đang diễn ra.' : `${only === null ? 'Kỳ họp' : 'Phiên họp'} kết thúc lúc ${vnClock(to)}, ${vnLongDate(to)}.`)));

  const kyHop = model.title;
  return {
    key,
    edition,
    issuer: issuerLines(model.council.name),
    number: `Số: ${draft.number || '…/BB-HĐND'}`,
    placeDate: `${draft.place || defaultPlace(model.council.name)}, ${from === null ? 'ngày … tháng … năm …' : vnLongDate(to ?? from)}`,
    title: 'BIÊN BẢN',
    subtitle: only === null ? [kyHop] : [`Phiên họp ${sittingOrdinal(only)}: ${first!.title}`, kyHop],
    blocks,
    signatures: [
      { title: 'THƯ KÝ', names: [draft.secretaryName] },
      { title: 'CHỦ TỌA', names: [draft.chairName] },
    ],
    source: { sessionId: model.sessionId, throughSeq: model.throughSeq, edition },
  };
}

/** Count minutes (biên bản kiểm phiếu) of an announced secret or paper ballot. */
export function countMinutesDocument(model: SessionRecordModel, pollId: string, draft: MinutesDraftText, edition: Edition): MinutesDoc {
  const p = model.polls.find((x) => x.pollId === pollId);
  if (!p || !countable(p)) throw new RangeError(`poll ${pollId} has no count minutes (not a secret ballot, or not announced)`);
  const head = model.committee.filter((m) => m.role === 'head');
  const members = model.committee.filter((m) => m.role !== 'head');
  const blocks: Block[] = [{ kind: 'heading', text: 'I. BAN KIỂM PHIẾU' }];
  if (model.committee.length === 0) blocks.push(para(text('Chưa ghi nhận thành phần Ban kiểm phiếu.', { italics: true })));
  for (const m of model.committee) blocks.push({ kind: 'bullet', runs: [text(m.name), text(` — ${committeeRoleLabel[m.role]}`)] });

  blocks.push({ kind: 'heading', text: 'II. KẾT QUẢ KIỂM PHIẾU' });
  blocks.push(labelled('Nội dung', `${pollKindLabel[p.kind]}: ${p.subject}`), labelled('Hình thức', pollModeLabel[p.mode]));
  blocks.push(labelled('Thời gian bỏ phiếu', timeSpan(p.openedAt, p.closedAt)));
  const r = p.result!;
  const ballots =
    r.kind === 'confidenceRating' || r.kind === 'confidenceVote'
      ? { issued: r.officials[0]?.issued ?? 0, collected: r.officials[0]?.collected ?? 0, valid: null as number | null }
      : r.kind === 'election'
        ? { issued: null as number | null, collected: null as number | null, valid: r.validBallots }
        : { issued: p.presentAtClose, collected: r.tookPart, valid: r.tookPart };
  const lines: [string, number | null][] = [
    ['Tổng số đại biểu', p.totalDelegates],
    ['Số phiếu phát ra', ballots.issued],
    ['Số phiếu thu về', ballots.collected],
    ['Số phiếu hợp lệ', ballots.valid],
    ['Số phiếu không hợp lệ', ballots.valid !== null && ballots.collected !== null ? ballots.collected - ballots.valid : null],
  ];
  blocks.push({ kind: 'table', columns: ['Nội dung', 'Số lượng'], widths: [70, 30], rows: lines.filter(([, n]) => n !== null).map(([l, n]) => [l, String(n)]) });
  if (r.kind === 'confidenceRating' || r.kind === 'confidenceVote') {
    blocks.push(para(text('Tỷ lệ tính trên tổng số phiếu thu về hoặc tổng số đại biểu theo quy định; phiếu hợp lệ tính riêng cho từng người (Nghị quyết số 96/2023/QH15).', { italics: true })));
  }
  blocks.push(...pollBlocks(p).slice(2).filter((b) => !(b.kind === 'paragraph' && b.runs[0]?.text.startsWith('Số đại biểu đã bỏ phiếu'))));
  if (draft.closing.trim()) blocks.push(...paragraphsOf(draft.closing));
  blocks.push(para(text(`Biên bản kiểm phiếu được lập lúc ${vnClock(p.closedAt ?? p.openedAt)}, ${vnLongDate(p.closedAt ?? p.openedAt)}; kết quả đã được công bố lúc ${vnClock(p.announcedAt ?? p.openedAt)}.`)));

  return {
    key: countKey(pollId),
    edition,
    issuer: issuerLines(model.council.name),
    number: `Số: ${draft.number || '…/BB-KP'}`,
    placeDate: `${draft.place || defaultPlace(model.council.name)}, ${vnLongDate(p.closedAt ?? p.openedAt)}`,
    title: 'BIÊN BẢN KIỂM PHIẾU',
    subtitle: [`${pollKindLabel[p.kind]}: ${p.subject}`, model.title],
    blocks,
    signatures: [
      { title: 'CÁC THÀNH VIÊN BAN KIỂM PHIẾU', names: members.map((m) => m.name) },
      { title: 'TRƯỞNG BAN KIỂM PHIẾU', names: head.map((m) => m.name) },
    ],
    source: { sessionId: model.sessionId, throughSeq: model.throughSeq, edition },
  };
}

/** Any minutes by key; the public edition must be given the public record (see `publicRecord`). */
export function documentFor(model: SessionRecordModel, key: string, draft: MinutesDraftText, edition: Edition): MinutesDoc {
  const count = /^count-(.+)$/.exec(key);
  return count ? countMinutesDocument(model, count[1]!, draft, edition) : minutesDocument(model, key, draft, edition);
}

/** Every text of a document in reading order (what a reader or a test extracts from DOCX and PDF). */
export function documentText(doc: MinutesDoc): string[] {
  const out = [...doc.issuer, doc.number, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', doc.placeDate, doc.title, ...doc.subtitle];
  for (const b of doc.blocks) {
    if (b.kind === 'heading' || b.kind === 'subheading' || b.kind === 'closed') out.push(b.text);
    else if (b.kind === 'paragraph' || b.kind === 'bullet') out.push(b.runs.map((r) => r.text).join(''));
    else out.push(b.columns.join(' | '), ...b.rows.map((r) => r.join(' | ')));
  }
  for (const s of doc.signatures) out.push(s.title, ...s.names);
  return out;
}
