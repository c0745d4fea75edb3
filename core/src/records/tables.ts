/**
 * The record as tables — attendance, results, named votes, questions, commitments and the statistics — for the
 * spreadsheet (XLSX) and CSV exports and the open data. One table definition serves every format, so a figure in the
 * spreadsheet is the figure in the CSV and on the site. Percentages are the result panel's own strings (docs/rules.md).
 */
import { formatPercent } from '../rules/percent.ts';
import type { SessionRecordModel } from './derive.ts';
import { attendanceLabel, choiceLabel, pollKindLabel, pollModeLabel, purposeLabel, questionStatusLabel, ruleLabel } from './labels.ts';
import { commitmentStatus, commitmentStatusLabel, writtenAnswerStatus, writtenStatusLabel } from './commitments.ts';
import { sessionStatistics } from './statistics.ts';
import { vnDate, vnHhmm, vnShortDate } from './time.ts';
import type { Edition } from './document.ts';

export type Cell = string | number;

export interface Table {
  /** Stable machine name (CSV file name, open-data key). */
  name: string;
  /** Sheet title (at most 31 characters, Excel's limit). */
  title: string;
  columns: string[];
  rows: Cell[][];
}

const TABLE_NAMES = ['attendance', 'results', 'votes', 'speeches', 'questions', 'commitments', 'sittings', 'delegates', 'respondents'] as const;
export type TableName = (typeof TABLE_NAMES)[number];
export const tableNames: readonly TableName[] = TABLE_NAMES;

/**
 * Every table of a session record. `today` (YYYY-MM-DD) decides overdue commitments. A public edition takes the
 * public record (`publicRecord`); the internal one adds attendance notes.
 */
export function recordTables(model: SessionRecordModel, today: string, edition: Edition): Table[] {
  const stats = sessionStatistics(model, today);
  const internal = edition === 'internal';
  const attendance: Table = {
    name: 'attendance',
    title: 'Điểm danh',
    columns: ['Phiên họp', 'Mã đại biểu', 'Họ và tên', 'Tổ đại biểu', 'Điểm danh', ...(internal ? ['Ghi chú'] : [])],
    rows: model.sittings.flatMap((s) => s.attendance.map((a) => [s.number, a.delegateId, a.name, a.group, attendanceLabel[a.status], ...(internal ? [a.note ?? ''] : [])])),
  };
  const results: Table = {
    name: 'results',
    title: 'Kết quả biểu quyết',
    columns: ['Mã', 'Vòng', 'Phiên họp', 'Nội dung', 'Loại', 'Hình thức', 'Ngưỡng', 'Tổng số đại biểu', 'Tham gia', 'Tán thành', 'Không tán thành', 'Không biểu quyết', 'Kết quả', 'Lý do biểu quyết lại'],
    rows: model.polls.map((p) => {
      const r = p.result;
      const motion = r?.kind === 'motion' ? [r.lines.tookPart, r.lines.yes, r.lines.no, r.lines.abstain, r.outcome] : ['', '', '', '', p.status === 'cancelled' ? `Đã hủy: ${p.cancelReason ?? ''}` : r ? 'Xem bảng chi tiết' : 'Chưa công bố'];
      return [p.pollId, p.round, p.sitting, p.subject, pollKindLabel[p.kind], pollModeLabel[p.mode], ruleLabel[p.rule], p.totalDelegates, ...motion, p.revoteReason ?? ''];
    }),
  };
  const votes: Table = {
    name: 'votes',
    title: 'Danh sách biểu quyết',
    columns: ['Mã biểu quyết', 'Nội dung', 'Mã đại biểu', 'Họ và tên', 'Tổ đại biểu', 'Lựa chọn'],
    rows: model.polls.flatMap((p) => p.named.map((n) => [p.pollId, p.subject, n.delegateId, n.name, n.group, typeof n.choice === 'string' ? (choiceLabel[n.choice] ?? n.choice) : JSON.stringify(n.choice)])),
  };
  const speeches: Table = {
    name: 'speeches',
    title: 'Phát biểu',
    columns: ['Phiên họp', 'Người phát biểu', 'Chức vụ / tổ', 'Hình thức', 'Ngày', 'Bắt đầu', 'Thời lượng (giây)', 'Thời gian cho phép (giây)', 'Quá giờ (giây)'],
    rows: model.speeches.map((s) => [s.sitting, s.name, s.role, purposeLabel[s.purpose], vnShortDate(s.startedAt), vnHhmm(s.startedAt), s.durationSec ?? '', s.allowedSec, s.overrunSec]),
  };
  const questions: Table = {
    name: 'questions',
    title: 'Chất vấn',
    columns: ['Mã', 'Đại biểu', 'Người trả lời', 'Chức vụ', 'Nội dung', 'Tình trạng', 'Hạn trả lời bằng văn bản', 'Trả lời bằng văn bản'],
    rows: model.questions.map((q) => {
      const written = writtenAnswerStatus(q, today);
      return [q.questionId, q.asker, q.respondent, q.respondentPost, q.text, written ? writtenStatusLabel[written] : questionStatusLabel[q.status], q.writtenDueAt === null ? '' : vnDate(q.writtenDueAt), q.writtenAnswer?.note ?? ''];
    }),
  };
  const commitments: Table = {
    name: 'commitments',
    title: 'Lời hứa',
    columns: ['Mã', 'Người hứa', 'Chức vụ', 'Nội dung', 'Thời hạn', 'Báo cáo tại', 'Trạng thái', 'Cập nhật gần nhất', 'Minh chứng'],
    rows: model.commitments.map((c) => {
      const last = c.updates.at(-1);
      return [c.commitmentId, c.respondent, c.respondentPost, c.content, c.deadline ?? '', c.reportAt ?? '', commitmentStatusLabel[commitmentStatus(c, today)], last ? `${vnDate(last.at)}: ${last.note}` : '', last?.evidence ?? ''];
    }),
  };
  const sittings: Table = {
    name: 'sittings',
    title: 'Thời gian theo phiên',
    columns: ['Phiên họp', 'Tên phiên', 'Thời lượng (giây)', 'Trình bày, giải trình (giây)', 'Thảo luận (giây)', 'Chất vấn (giây)', 'Biểu quyết (giây)', 'Thời gian khác (giây)', 'Tỷ lệ thảo luận'],
    rows: stats.sittings.map((s) => [s.number, s.title, s.durationSec, s.presentingSec, s.debatingSec, s.questioningSec, s.votingSec, s.otherSec, formatPercent(s.debatingSec, s.durationSec)]),
  };
  const delegates: Table = {
    name: 'delegates',
    title: 'Đại biểu',
    columns: ['Mã đại biểu', 'Họ và tên', 'Tổ đại biểu', 'Số phiên', 'Có mặt', 'Trực tuyến', 'Vắng có lý do', 'Vắng không lý do', 'Chưa điểm danh', 'Lượt phát biểu', 'Thời gian phát biểu (giây)', 'Câu hỏi chất vấn', 'Số lần bỏ phiếu'],
    rows: stats.delegates.map((d) => [d.delegateId, d.name, d.group, d.sittings, d.present, d.remote, d.absentExcused, d.absentUnexcused, d.unrecorded, d.speeches, d.speakingSec, d.questionsAsked, d.votesCast]),
  };
  const respondents: Table = {
    name: 'respondents',
    title: 'Người trả lời chất vấn',
    columns: ['Họ và tên', 'Chức vụ', 'Câu hỏi', 'Đã trả lời tại phiên', 'Chờ trả lời bằng văn bản', 'Đã trả lời bằng văn bản', 'Lời hứa', 'Lời hứa chưa hoàn thành', 'Lời hứa quá hạn'],
    rows: stats.respondents.map((r) => [r.name, r.post, r.questions, r.answered, r.writtenPending, r.writtenAnswered, r.commitments, r.commitmentsOpen, r.commitmentsOverdue]),
  };
  return [attendance, results, votes, speeches, questions, commitments, sittings, delegates, respondents];
}
