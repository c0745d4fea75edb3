/** The words records use (docs/rules.md), in Vietnamese: minutes are Vietnamese administrative documents. */
import type { ThresholdRule } from '../model.ts';
import type { AttendanceStatus, CommitteeRole, FloorPurpose, PollKind, PollMode } from '../protocol/commands.ts';
import type { QuestionStatus } from '../machine/context.ts';

export const purposeLabel: Record<FloorPurpose, string> = {
  speech: 'Phát biểu',
  secondSpeech: 'Phát biểu lần hai',
  debate: 'Tranh luận',
  explanation: 'Giải trình',
  presentation: 'Trình bày',
  pointOfOrder: 'Kiến nghị về thủ tục',
  question: 'Chất vấn',
  answer: 'Trả lời chất vấn',
  opening: 'Phát biểu mở đầu',
};

export const attendanceLabel: Record<AttendanceStatus, string> = {
  present: 'Có mặt',
  remote: 'Tham dự trực tuyến',
  absentExcused: 'Vắng mặt có lý do',
  absentUnexcused: 'Vắng mặt không có lý do',
  unknown: 'Chưa điểm danh',
};

export const pollKindLabel: Record<PollKind, string> = {
  motion: 'Biểu quyết',
  confidenceRating: 'Lấy phiếu tín nhiệm',
  confidenceVote: 'Bỏ phiếu tín nhiệm',
  election: 'Bầu cử',
};

export const pollModeLabel: Record<PollMode, string> = {
  electronic: 'Biểu quyết điện tử công khai',
  secret: 'Bỏ phiếu kín điện tử',
  hands: 'Biểu quyết giơ tay',
  paper: 'Bỏ phiếu kín bằng phiếu giấy',
};

export const ruleLabel: Record<ThresholdRule, string> = {
  'more-than-half': 'Quá nửa tổng số đại biểu',
  'at-least-two-thirds': 'Ít nhất hai phần ba tổng số đại biểu',
  'at-least-one-third': 'Ít nhất một phần ba tổng số đại biểu',
  'more-than-two-thirds': 'Quá hai phần ba tổng số đại biểu',
};

export const choiceLabel: Record<string, string> = {
  yes: 'Tán thành',
  no: 'Không tán thành',
  abstain: 'Không biểu quyết',
};

export const questionStatusLabel: Record<QuestionStatus, string> = {
  queued: 'Chờ chất vấn',
  asked: 'Đã hỏi, chờ trả lời',
  answered: 'Đã trả lời tại phiên họp',
  withdrawn: 'Đã rút',
  writtenPending: 'Chuyển trả lời bằng văn bản',
  writtenAnswered: 'Đã trả lời bằng văn bản',
};

export const committeeRoleLabel: Record<CommitteeRole, string> = {
  head: 'Trưởng ban',
  secretary: 'Thư ký',
  member: 'Thành viên',
};

/** Consequences per Resolution 96/2023/QH15, as the minutes state them. */
export const consequenceLabel: Record<string, string> = {
  none: 'Không',
  'may-resign-else-vote-of-confidence': 'Có thể xin từ chức; nếu không, HĐND bỏ phiếu tín nhiệm tại kỳ họp này hoặc kỳ họp gần nhất',
  'dismissal-proposal': 'Cơ quan, người có thẩm quyền giới thiệu trình HĐND miễn nhiệm',
};

const ordinals = ['', 'thứ nhất', 'thứ hai', 'thứ ba', 'thứ tư', 'thứ năm', 'thứ sáu', 'thứ bảy', 'thứ tám', 'thứ chín', 'thứ mười'];
/** `Phiên họp thứ hai`; past ten, the numeral (`thứ 11`). */
export const sittingOrdinal = (n: number) => ordinals[n] ?? `thứ ${n}`;
