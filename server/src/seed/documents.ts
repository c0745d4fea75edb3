/**
 * The demo sessions' documents (tờ trình, báo cáo, dự thảo nghị quyết, danh sách), rendered as real PDFs when the
 * demo is seeded, so the first document a delegate opens is there. They are laid out like Vietnamese administrative
 * papers (issuer, national motto, number, place and date, title, body, signature) in Tinos with every Vietnamese
 * glyph embedded — the same pdfmake set-up as the minutes. Every figure is invented and each page says so.
 */
import { createHash } from 'node:crypto';
import type { Council, DocumentRef } from '@hall/core';
import { centered, letterhead, mm, renderPdfDefinition } from '../records/pdf.ts';
import type { DocumentMeta, SessionRecord } from '../store/types.ts';

const DEMO_NOTE = 'Tài liệu minh họa của bản trình diễn Hall — số liệu và nội dung không có thật.';

interface Paper {
  issuer: string[];
  number: string;
  place: string;
  /** "TỜ TRÌNH", "BÁO CÁO", "NGHỊ QUYẾT", "DANH SÁCH". */
  heading: string;
  signer: { title: string; name: string };
  body: object[];
}

const para = (text: string) => ({ text, alignment: 'justify', leadingIndent: mm(10), margin: [0, 0, 0, 4] });
const heading = (text: string) => ({ text, bold: true, margin: [0, 8, 0, 3] });
const money = (n: number) => n.toLocaleString('vi-VN');

/** Columns after the first two are figures (right-aligned) unless `textColumns` says how many text columns there are. */
function table(columns: string[], widths: (number | string)[], rows: string[][], textColumns = 2) {
  return {
    fontSize: 11,
    margin: [0, 4, 0, 8],
    table: {
      headerRows: 1,
      widths,
      body: [columns.map((c) => ({ text: c, bold: true, alignment: 'center' })), ...rows.map((r) => r.map((c, i) => ({ text: c, alignment: i === 0 ? 'center' : i >= textColumns ? 'right' : 'left' })))],
    },
  };
}

/** A budget table whose figures follow from the row index: the same PDF text on every run. */
function budgetTable(level: 'tỉnh' | 'xã', scale: number) {
  const lines =
    level === 'tỉnh'
      ? ['Thu nội địa', 'Thu từ hoạt động xuất nhập khẩu', 'Thu tiền sử dụng đất', 'Chi đầu tư phát triển', 'Chi thường xuyên', 'Chi trả nợ lãi', 'Dự phòng ngân sách', 'Chi tạo nguồn cải cách tiền lương']
      : ['Thu ngân sách xã hưởng theo phân cấp', 'Thu bổ sung từ ngân sách cấp trên', 'Chi đầu tư phát triển', 'Chi thường xuyên', 'Dự phòng ngân sách'];
  const rows = lines.map((name, i) => {
    const estimate = scale * (37 + ((i * 53) % 41));
    const plan = Math.round(estimate * (1.04 + (i % 3) * 0.03));
    return [String(i + 1), name, money(estimate), money(plan), `${((plan / estimate) * 100).toFixed(1).replace('.', ',')}%`];
  });
  return table(['STT', 'Nội dung', 'Ước thực hiện năm 2028', 'Dự toán năm 2029', 'So sánh'], [28, '*', 80, 80, 50], rows);
}

function report(topic: string, level: 'tỉnh' | 'xã'): object[] {
  return [
    heading('I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ NĂM 2028'),
    para(
      `Năm 2028, trong bối cảnh còn nhiều khó khăn, thách thức, dưới sự lãnh đạo của cấp ủy, sự giám sát của Hội đồng nhân dân ${level}, sự điều hành quyết liệt của Ủy ban nhân dân và sự nỗ lực của cộng đồng doanh nghiệp, nhân dân, kinh tế - xã hội tiếp tục phát triển ổn định; quốc phòng, an ninh được giữ vững; đời sống vật chất và tinh thần của nhân dân được nâng lên.`,
    ),
    para(
      'Tổng sản phẩm trên địa bàn ước tăng 8,2% so với năm trước; thu ngân sách nhà nước vượt dự toán được giao; giải ngân vốn đầu tư công đạt 95,6% kế hoạch. Công tác an sinh xã hội, giáo dục, y tế, văn hóa được quan tâm; cải cách hành chính, chuyển đổi số có nhiều chuyển biến tích cực.',
    ),
    para(
      'Bên cạnh kết quả đạt được, vẫn còn một số hạn chế: tiến độ một số dự án trọng điểm còn chậm; công tác giải phóng mặt bằng còn vướng mắc; ô nhiễm môi trường tại một số khu vực chưa được xử lý triệt để; thủ tục hành chính trên một số lĩnh vực còn phức tạp.',
    ),
    heading('II. MỤC TIÊU, NHIỆM VỤ, GIẢI PHÁP NĂM 2029'),
    para(`Về ${topic.charAt(0).toLowerCase()}${topic.slice(1)}: tập trung thực hiện đồng bộ các giải pháp, phấn đấu hoàn thành toàn diện các chỉ tiêu kinh tế - xã hội năm 2029.`),
    ...[
      'Đẩy mạnh cải cách hành chính, cải thiện môi trường đầu tư kinh doanh, nâng cao năng lực cạnh tranh.',
      'Đẩy nhanh tiến độ giải ngân vốn đầu tư công; tập trung hoàn thành các công trình, dự án trọng điểm.',
      'Chăm lo an sinh xã hội; nâng cao chất lượng giáo dục, chăm sóc sức khỏe nhân dân.',
      'Tăng cường quản lý đất đai, tài nguyên, bảo vệ môi trường; chủ động phòng, chống thiên tai.',
      'Giữ vững quốc phòng, an ninh, trật tự an toàn xã hội; nâng cao hiệu quả công tác đối ngoại.',
    ].map((t, i) => ({ text: `${i + 1}. ${t}`, margin: [mm(10), 0, 0, 3] })),
  ];
}

function budget(topic: string, level: 'tỉnh' | 'xã', scale: number): object[] {
  return [
    heading('I. SỰ CẦN THIẾT'),
    para(
      `Căn cứ Luật Ngân sách nhà nước và các văn bản hướng dẫn, để có cơ sở điều hành ngân sách năm 2029, Ủy ban nhân dân ${level} trình Hội đồng nhân dân ${level} xem xét, quyết định dự toán thu, chi ngân sách năm 2029.`,
    ),
    heading('II. DỰ TOÁN THU, CHI (đơn vị: triệu đồng)'),
    budgetTable(level, scale),
    heading('III. GIẢI PHÁP TỔ CHỨC THỰC HIỆN'),
    para('Tăng cường quản lý thu, chống thất thu, chống chuyển giá; quản lý chặt chẽ chi ngân sách theo dự toán, bảo đảm tiết kiệm, hiệu quả; ưu tiên nguồn lực cho các nhiệm vụ quan trọng, cấp bách.'),
    para('Công khai, minh bạch ngân sách theo quy định; tăng cường thanh tra, kiểm tra, kiểm toán việc sử dụng ngân sách nhà nước.'),
  ];
}

function investment(topic: string): object[] {
  const projects = ['Đường trục phát triển kinh tế Bắc - Nam', 'Bệnh viện đa khoa tỉnh (giai đoạn 2)', 'Trường trung học phổ thông chuyên', 'Kè chống sạt lở sông Cầu', 'Trung tâm dữ liệu tỉnh', 'Cải tạo hệ thống thủy lợi Nam Đuống'];
  const rows = projects.map((name, i) => {
    const before = 400 + ((i * 271) % 900);
    const after = before + (i % 2 === 0 ? 1 : -1) * (40 + i * 15);
    return [String(i + 1), name, money(before * 1000), money(after * 1000)];
  });
  return [
    heading('I. CĂN CỨ ĐIỀU CHỈNH'),
    para(`Trên cơ sở tình hình thực hiện và khả năng giải ngân của các dự án, Ủy ban nhân dân tỉnh trình Hội đồng nhân dân tỉnh ${topic.charAt(0).toLowerCase()}${topic.slice(1)}.`),
    heading('II. DANH MỤC DỰ ÁN ĐIỀU CHỈNH (đơn vị: triệu đồng)'),
    table(['STT', 'Dự án', 'Kế hoạch đã giao', 'Kế hoạch sau điều chỉnh'], [28, '*', 100, 100], rows),
    para('Việc điều chỉnh không làm tăng tổng mức kế hoạch đầu tư công trung hạn giai đoạn 2026-2030 đã được Hội đồng nhân dân tỉnh quyết định.'),
  ];
}

function officialsList(council: Council): object[] {
  const rated = council.officials.filter((o) => o.ratable);
  return [
    para(`Danh sách ${rated.length} người giữ chức vụ do Hội đồng nhân dân tỉnh bầu được lấy phiếu tín nhiệm tại kỳ họp thường lệ cuối năm 2028, theo Nghị quyết số 96/2023/QH15 của Quốc hội.`),
    table(['STT', 'Họ và tên', 'Chức vụ'], [28, 160, '*'], rated.map((o, i) => [String(i + 1), o.fullName, o.post]), 3),
    para('Mỗi đại biểu đánh dấu một trong ba mức: tín nhiệm cao, tín nhiệm, tín nhiệm thấp đối với từng người có tên trong danh sách.'),
  ];
}

const resolutionArticles = (topic: string, level: 'tỉnh' | 'xã'): object[] => [
  para(`Căn cứ Luật Tổ chức chính quyền địa phương; căn cứ Luật Ngân sách nhà nước; xét Tờ trình của Ủy ban nhân dân ${level}, báo cáo thẩm tra và ý kiến thảo luận của đại biểu Hội đồng nhân dân ${level} tại kỳ họp.`),
  centered('QUYẾT NGHỊ:', { bold: true, margin: [0, 6, 0, 6] }),
  para(`Điều 1. ${topic}.`),
  para(`Điều 2. Giao Ủy ban nhân dân ${level} tổ chức thực hiện Nghị quyết này; Thường trực, các Ban và đại biểu Hội đồng nhân dân ${level} giám sát việc thực hiện.`),
  para('Điều 3. Nghị quyết có hiệu lực kể từ ngày được Hội đồng nhân dân thông qua.'),
];

interface DocPlan {
  paper: (topic: string) => Paper;
}

const bnPeople = (council: Council, post: string) => council.officials.find((o) => o.post === post)?.fullName ?? '';

/** What each seeded document says, by its id in the demo agenda. */
function plans(councils: Council[]): Record<string, DocPlan> {
  const bn = councils.find((c) => c.id === 'bac-ninh')!;
  const td = councils.find((c) => c.id === 'tien-du')!;
  const ubndBn = { issuer: ['ỦY BAN NHÂN DÂN', 'TỈNH BẮC NINH'], place: 'Bắc Ninh', signer: { title: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH', name: bnPeople(bn, 'Chủ tịch UBND tỉnh') } };
  const hdndBn = { issuer: ['HỘI ĐỒNG NHÂN DÂN', 'TỈNH BẮC NINH'], place: 'Bắc Ninh', signer: { title: 'CHỦ TỊCH', name: bnPeople(bn, 'Chủ tịch HĐND tỉnh') } };
  const ubndTd = { issuer: ['ỦY BAN NHÂN DÂN', 'XÃ TIÊN DU'], place: 'Tiên Du', signer: { title: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH', name: bnPeople(td, 'Chủ tịch UBND xã') } };
  const hdndTd = { issuer: ['HỘI ĐỒNG NHÂN DÂN', 'XÃ TIÊN DU'], place: 'Tiên Du', signer: { title: 'CHỦ TỊCH', name: bnPeople(td, 'Chủ tịch HĐND xã') } };
  const ktns = { issuer: ['HĐND TỈNH BẮC NINH', 'BAN KINH TẾ - NGÂN SÁCH'], place: 'Bắc Ninh', signer: { title: 'TM. BAN KINH TẾ - NGÂN SÁCH\nTRƯỞNG BAN', name: bnPeople(bn, 'Trưởng Ban Kinh tế - Ngân sách HĐND tỉnh') } };
  return {
    'bn-kh12-bc-ktxh': { paper: (t) => ({ ...ubndBn, number: 'Số: 312/BC-UBND', heading: 'BÁO CÁO', body: report(t, 'tỉnh') }) },
    'bn-kh12-tt-dutoan': { paper: (t) => ({ ...ubndBn, number: 'Số: 318/TTr-UBND', heading: 'TỜ TRÌNH', body: budget(t, 'tỉnh', 1000) }) },
    'bn-kh12-nq-dutoan': { paper: (t) => ({ ...hdndBn, number: 'Số:      /2028/NQ-HĐND', heading: 'NGHỊ QUYẾT (DỰ THẢO)', body: [...resolutionArticles(t, 'tỉnh'), budgetTable('tỉnh', 1000)] }) },
    'bn-kh12-tt-ktns': { paper: (t) => ({ ...ktns, number: 'Số: 45/BC-KTNS', heading: 'BÁO CÁO THẨM TRA', body: [para(`${t}: Ban Kinh tế - Ngân sách thống nhất với nội dung Tờ trình của Ủy ban nhân dân tỉnh và đề nghị Hội đồng nhân dân tỉnh xem xét, thông qua.`), ...budget(t, 'tỉnh', 1000)] }) },
    'bn-kh12-tt-dtc': { paper: (t) => ({ ...ubndBn, number: 'Số: 321/TTr-UBND', heading: 'TỜ TRÌNH', body: investment(t) }) },
    'bn-kh12-nq-dtc': { paper: (t) => ({ ...hdndBn, number: 'Số:      /2028/NQ-HĐND', heading: 'NGHỊ QUYẾT (DỰ THẢO)', body: [...resolutionArticles(t, 'tỉnh'), ...investment(t)] }) },
    'bn-kh12-ds-tinnhiem': { paper: () => ({ ...hdndBn, number: 'Số: 97/DS-HĐND', heading: 'DANH SÁCH', body: officialsList(bn) }) },
    'td-kh10-bc-ktxh': { paper: (t) => ({ ...ubndTd, number: 'Số: 88/BC-UBND', heading: 'BÁO CÁO', body: report(t, 'xã') }) },
    'td-kh10-nq-dutoan': { paper: (t) => ({ ...hdndTd, number: 'Số:      /NQ-HĐND', heading: 'NGHỊ QUYẾT (DỰ THẢO)', body: [...resolutionArticles(t, 'xã'), budgetTable('xã', 100)] }) },
  };
}

function definition(paper: Paper, title: string) {
  return {
    pageSize: 'A4',
    pageMargins: [mm(30), mm(20), mm(15), mm(22)],
    // A fixed date keeps the seeded bytes (and their SHA-256) the same on every run.
    info: { title, author: paper.issuer.join(' '), creator: 'Hall — dữ liệu trình diễn', producer: 'Hall', creationDate: new Date(Date.UTC(2028, 10, 20)) },
    defaultStyle: { font: 'Tinos', fontSize: 13, lineHeight: 1.15 },
    footer: (page: number, pages: number) => ({ margin: [mm(30), 4, mm(15), 0], fontSize: 9, italics: true, columns: [{ text: DEMO_NOTE }, { text: `Trang ${page}/${pages}`, alignment: 'right', width: 60 }] }),
    content: [
      letterhead(paper.issuer, paper.number, `${paper.place}, ngày 20 tháng 11 năm 2028`),
      centered(paper.heading, { bold: true, fontSize: 14, margin: [0, 18, 0, 2] }),
      centered(title, { bold: true, margin: [0, 0, 0, 10] }),
      ...paper.body,
      {
        margin: [0, 16, 0, 0],
        unbreakable: true,
        columns: [{ width: '*', text: '' }, { width: '50%', stack: [centered(paper.signer.title, { bold: true }), centered('(Đã ký)', { italics: true }), centered(' '), centered(paper.signer.name, { bold: true })] }],
      },
    ],
  };
}

const rendered = new Map<string, Promise<Buffer>>();

export interface SeedDocument {
  meta: DocumentMeta;
  bytes: Buffer;
}

/** Every document the demo agendas name, as a stored document of its session and agenda item. */
export function demoDocumentRefs(sessions: SessionRecord[]): { ref: DocumentRef; sessionId: string; itemId: string }[] {
  return sessions.flatMap((s) => s.agenda.flatMap((item) => item.documents.map((ref) => ({ ref, sessionId: s.id, itemId: item.id }))));
}

/** Renders one demo document; null for an id this module has no text for (the seed then leaves it out). */
export async function renderDemoDocument(councils: Council[], ref: DocumentRef, sessionId: string, itemId: string): Promise<SeedDocument | null> {
  const plan = plans(councils)[ref.id];
  if (!plan) return null;
  // The bytes are the same on every run (fixed date, deterministic data): a process that seeds several stores (the
  // test suites start many servers) renders each document once.
  const key = `${ref.id}|${ref.title}`;
  let pending = rendered.get(key);
  if (!pending) rendered.set(key, (pending = renderPdfDefinition(definition(plan.paper(ref.title), ref.title))));
  const bytes = await pending;
  return {
    meta: { id: ref.id, title: ref.title, mime: 'application/pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), sessionId, itemId },
    bytes,
  };
}
