/**
 * The closed set of error codes a program may branch on, and the machine's refusal reasons with the words a person
 * reads (Vietnamese first). Codes are stable; messages may be reworded.
 */
export const ErrorCode = {
  VALIDATION: 'VALIDATION',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  REJECTED: 'REJECTED',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  UNAVAILABLE: 'UNAVAILABLE',
  PROTOCOL_VERSION: 'PROTOCOL_VERSION',
  INTERNAL: 'INTERNAL',
  /** The same caller sent the same commandId earlier with a different type or payload: nothing was applied. */
  COMMAND_ID_REUSED: 'COMMAND_ID_REUSED',
  /**
   * The store may or may not have recorded the command (a write's answer was lost). Not an error to show: the client
   * sends the same command again with the same commandId until the answer is definitive (ok, or a refusal).
   */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const errorMessages: Record<ErrorCode, { vi: string; en: string }> = {
  VALIDATION: { vi: 'Dữ liệu gửi lên không hợp lệ', en: 'The request is not valid' },
  UNAUTHENTICATED: { vi: 'Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn', en: 'Not signed in, or the sign-in has expired' },
  FORBIDDEN: { vi: 'Bạn không có quyền thực hiện thao tác này', en: 'You may not do this' },
  REJECTED: { vi: 'Thao tác không được chấp nhận', en: 'The action was not accepted' },
  NOT_FOUND: { vi: 'Không tìm thấy', en: 'Not found' },
  RATE_LIMITED: { vi: 'Thao tác quá nhanh, vui lòng thử lại sau giây lát', en: 'Too many requests, try again shortly' },
  TOO_MANY_CONNECTIONS: { vi: 'Có quá nhiều kết nối cùng lúc; hãy đóng bớt các cửa sổ hoặc thiết bị khác', en: 'Too many connections at once; close other windows or devices' },
  UNAVAILABLE: { vi: 'Hệ thống lưu trữ tạm thời không sẵn sàng, thao tác chưa được ghi nhận', en: 'Storage is unavailable; nothing was recorded' },
  PROTOCOL_VERSION: { vi: 'Ứng dụng đã cũ, vui lòng tải lại trang', en: 'The app is out of date, reload the page' },
  INTERNAL: { vi: 'Lỗi hệ thống, thao tác chưa được ghi nhận', en: 'Internal error; nothing was recorded' },
  COMMAND_ID_REUSED: {
    vi: 'Mã thao tác đã được dùng cho một thao tác khác; thao tác này chưa được ghi nhận',
    en: 'This command id was already used for a different command; nothing was recorded',
  },
  OUTCOME_UNKNOWN: {
    vi: 'Chưa xác nhận được thao tác đã ghi nhận hay chưa; đang gửi lại để xác nhận',
    en: 'Not yet confirmed whether this was recorded; sending again to confirm',
  },
};

/** Codes after which the same command (same commandId) is sent again: nothing was applied, or the answer was lost. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['RATE_LIMITED', 'UNAVAILABLE', 'OUTCOME_UNKNOWN']);

/** Why the session machine refused a command. Each becomes `{ code: 'REJECTED' | 'FORBIDDEN', reason }` on the wire. */
export const Refusal = {
  NOT_CHAIR: { vi: 'Chỉ chủ tọa được thực hiện thao tác này', en: 'Only the chair may do this' },
  NOT_STAFF: { vi: 'Chỉ chủ tọa hoặc thư ký kỳ họp được thực hiện thao tác này', en: 'Only the chair or the secretary may do this' },
  NOT_DELEGATE: { vi: 'Chỉ đại biểu được thực hiện thao tác này', en: 'Only a delegate may do this' },
  NOT_SYSTEM: { vi: 'Sự kiện này chỉ do máy chủ phát ra', en: 'Only the server issues this event' },
  NOT_YOURSELF: { vi: 'Đại biểu chỉ được thao tác cho chính mình', en: 'A delegate may act only for themself' },
  WRONG_STATE: { vi: 'Không thể thực hiện ở giai đoạn hiện tại của kỳ họp', en: 'Not possible at this stage of the session' },
  UNKNOWN_DELEGATE: { vi: 'Không có đại biểu này trong danh sách', en: 'No such delegate' },
  UNKNOWN_OFFICIAL: { vi: 'Không có người này trong danh sách chức danh', en: 'No such official' },
  UNKNOWN_ITEM: { vi: 'Không có nội dung này trong chương trình', en: 'No such agenda item' },
  NOT_PRESENT: { vi: 'Đại biểu chưa điểm danh có mặt', en: 'The delegate is not checked in' },
  REMOTE_NOT_ALLOWED: { vi: 'Hội đồng không cho phép tham dự trực tuyến', en: 'Remote participation is not allowed' },
  QUORUM_NOT_MET: { vi: 'Chưa đủ số đại biểu theo quy định (ít nhất 2/3 tổng số)', en: 'Quorum is not met' },
  FLOOR_BUSY: { vi: 'Đang có người phát biểu; hãy dừng lượt phát biểu trước', en: 'Someone has the floor; stop that speech first' },
  ALREADY_QUEUED: { vi: 'Đại biểu đã đăng ký phát biểu', en: 'Already registered to speak' },
  SPEECH_LIMIT: { vi: 'Đã đủ số lần phát biểu cho nội dung này', en: 'No more speeches allowed on this item' },
  UNKNOWN_REQUEST: { vi: 'Không có đăng ký phát biểu này', en: 'No such request to speak' },
  BAD_ORDER: { vi: 'Thứ tự mới phải gồm đúng các đăng ký hiện có', en: 'The new order must list exactly the current requests' },
  STALE_DEADLINE: { vi: 'Hạn giờ không còn hiệu lực', en: 'That deadline no longer applies' },
  POLL_EXISTS: { vi: 'Mã biểu quyết đã được dùng', en: 'That poll id is taken' },
  POLL_OPEN: { vi: 'Đang có một cuộc biểu quyết; hãy kết thúc trước', en: 'A poll is open; close it first' },
  UNKNOWN_POLL: { vi: 'Không có cuộc biểu quyết này', en: 'No such poll' },
  POLL_NOT_OPEN: { vi: 'Cuộc biểu quyết không mở', en: 'That poll is not open' },
  POLL_NOT_COUNTED: { vi: 'Cuộc biểu quyết chưa kết thúc kiểm phiếu', en: 'That poll has not been counted' },
  NOT_LATEST_ROUND: { vi: 'Chỉ biểu quyết lại được vòng gần nhất', en: 'Only the latest round can be re-voted' },
  BAD_POLL: { vi: 'Thiết lập biểu quyết không hợp lệ', en: 'The poll settings are not valid' },
  CONFIDENCE_DISABLED: { vi: 'Hội đồng cấp xã chưa bật lấy phiếu tín nhiệm', en: 'Confidence ratings are not enabled for this commune council' },
  SECRET_NEEDS_SECRECY: { vi: 'Lấy phiếu/bỏ phiếu tín nhiệm phải bỏ phiếu kín', en: 'Confidence votes must be secret' },
  ALREADY_CAST: { vi: 'Đại biểu đã bỏ phiếu', en: 'Already voted' },
  CHANGE_NOT_ALLOWED: { vi: 'Không được thay đổi phiếu đã bỏ', en: 'A cast ballot cannot be changed' },
  BAD_BALLOT: { vi: 'Phiếu không hợp lệ', en: 'The ballot is not valid' },
  NOT_ELECTRONIC: { vi: 'Cuộc biểu quyết này không bỏ phiếu điện tử', en: 'This poll is not electronic' },
  BAD_COUNTS: { vi: 'Số liệu kiểm phiếu không hợp lệ', en: 'The counts are not valid' },
  TOO_FEW_BALLOTS: {
    vi: 'Số phiếu quá ít, kiểm phiếu sẽ lộ lựa chọn của người bỏ phiếu: chỉ có thể hủy cuộc bỏ phiếu kín này',
    en: 'Too few ballots: counting them would reveal how those delegates voted; this secret poll can only be cancelled',
  },
  NOT_CAST: { vi: 'Đại biểu chưa bỏ phiếu trong cuộc bỏ phiếu này', en: 'That delegate has not cast a ballot in this poll' },
  COUNTS_REQUIRED: { vi: 'Cần nhập kết quả kiểm phiếu', en: 'Counts are required' },
  NEEDS_REASON: { vi: 'Cần ghi rõ lý do', en: 'A reason is required' },
  CLOSED_SITTING: { vi: 'Phiên họp kín không được truyền hình', en: 'A closed sitting is not broadcast' },
  UNKNOWN_GROUP: { vi: 'Không có nhóm vấn đề chất vấn này', en: 'No such question group' },
  GROUP_EXISTS: { vi: 'Nhóm vấn đề đã tồn tại', en: 'That question group exists' },
  UNKNOWN_QUESTION: { vi: 'Không có câu hỏi chất vấn này', en: 'No such question' },
  QUESTION_EXISTS: { vi: 'Mã câu hỏi đã được dùng', en: 'That question id is taken' },
  QUESTION_LIMIT: { vi: 'Mỗi đại biểu gửi tối đa 30 câu hỏi trong một kỳ họp', en: 'A delegate may submit at most 30 questions in a session' },
  QUESTION_NOT_QUEUED: { vi: 'Câu hỏi không ở trong danh sách chờ', en: 'That question is not waiting' },
  ANSWER_PENDING: { vi: 'Người bị chất vấn cần trả lời các câu hỏi đã nêu trước', en: 'The respondent must answer the questions asked first' },
  NOTHING_TO_ANSWER: { vi: 'Chưa có câu hỏi nào cần trả lời', en: 'No question is waiting for an answer' },
  ASKER_DEBATES_FIRST: { vi: 'Đại biểu đã hỏi được tranh luận trước', en: 'The delegate who asked debates first' },
  NOT_RESPONDENT: { vi: 'Người này không thuộc danh sách trả lời chất vấn của nhóm', en: 'Not a respondent of this group' },
  ID_EXISTS: { vi: 'Mã đã được dùng', en: 'That id is taken' },
  NO_SPEAKER: { vi: 'Không có ai đang phát biểu', en: 'Nobody has the floor' },
  UNKNOWN_COMMITMENT: { vi: 'Không có lời hứa này', en: 'No such commitment' },
  BAD_COMMITTEE: { vi: 'Ban kiểm phiếu không hợp lệ: mỗi thành viên một lần, nhiều nhất một trưởng ban', en: 'The counting committee is not valid: each member once, at most one head' },
  UNKNOWN_MINUTES: { vi: 'Không có biên bản này (phiên họp chưa có, hoặc cuộc bỏ phiếu kín chưa công bố kết quả)', en: 'No such minutes (no such sitting, or the secret poll is not announced)' },
  MINUTES_VERSION: { vi: 'Phiên bản biên bản đã được phê duyệt trước đó; hãy tải lại và phê duyệt lại', en: 'That minutes version was already approved; reload and approve again' },
  NO_COMMITTEE: {
    vi: 'Kỳ họp chưa có Ban kiểm phiếu có mặt: chỉ có thể bỏ phiếu kín niêm phong trên máy chủ',
    en: 'No counting committee member is present: only the server-sealed secret ballot is possible',
  },
  COMMITTEE_UNSUPPORTED: { vi: 'Bầu cử nhiều ứng cử viên chưa hỗ trợ kiểm phiếu bởi Ban kiểm phiếu', en: 'Elections cannot yet be counted by the committee' },
  NOT_COMMITTEE_POLL: { vi: 'Cuộc bỏ phiếu này không do Ban kiểm phiếu kiểm', en: 'This poll is not counted by the committee' },
  NOT_COMMITTEE_MEMBER: { vi: 'Chỉ thành viên Ban kiểm phiếu của cuộc bỏ phiếu này được thực hiện', en: 'Only a member of this poll\'s counting committee may do this' },
  CEREMONY_PENDING: {
    vi: 'Ban kiểm phiếu chưa tạo xong khóa bỏ phiếu: chưa thể bỏ phiếu hoặc kết thúc',
    en: 'The counting committee has not finished the poll key: voting cannot start or end yet',
  },
  CEREMONY_STEP: { vi: 'Bước tạo khóa này không đúng lúc hoặc đã được gửi', en: 'This key-ceremony step is out of turn or already sent' },
  BAD_SHARES: { vi: 'Các mảnh khóa gửi đi không đúng: mỗi thành viên khác đúng một mảnh', en: 'The dealt shares are wrong: exactly one for each other member' },
  CEREMONY_FAILED: {
    vi: 'Việc tạo khóa đã thất bại (có khiếu nại đúng về một mảnh khóa): chủ tọa hủy và mở lại cuộc bỏ phiếu không có thành viên đó',
    en: 'The key ceremony failed (an upheld complaint about a share): the chair cancels and reopens the poll without that member',
  },
  SHARE_VALID: {
    vi: 'Mảnh khóa bị khiếu nại khớp với cam kết của người chia: khiếu nại không được chấp nhận, không ghi nhận gì',
    en: 'The share complained about matches its dealer\'s commitments: the complaint is refused and nothing was recorded',
  },
  NOT_DECRYPTING: { vi: 'Cuộc bỏ phiếu chưa kết thúc hoặc đã kiểm xong: không cần giải mã', en: 'The poll is not waiting for decryption' },
  ALREADY_DECRYPTED: { vi: 'Thành viên này đã xác nhận giải mã', en: 'This member has already decrypted' },
  BAD_PROOF: {
    vi: 'Bằng chứng mật mã không hợp lệ: phiếu hoặc phần giải mã bị sai hoặc bị sửa, không được ghi nhận',
    en: 'A cryptographic proof does not hold: the ballot or decryption share is wrong or tampered with; nothing was recorded',
  },
} as const satisfies Record<string, { vi: string; en: string }>;
export type RefusalReason = keyof typeof Refusal;

export type Verdict = { ok: true } | { ok: false; code: 'REJECTED' | 'FORBIDDEN'; reason: RefusalReason; message: string };
