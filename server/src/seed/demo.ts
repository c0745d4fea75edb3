/**
 * Demo data: a province council (Bắc Ninh, 85 delegates) and a commune council (Tiên Du, 25), one scheduled session
 * each, and logins for every role. People are fictional; names are built from common Vietnamese family, middle and
 * given names by index, so the data is the same on every run and every machine (no randomness).
 *
 * DEMO ONLY: the secrets below are published in the README and printed at start-up. They are seeded only when
 * HALL_SEED is on, which defaults to HALL_DEMO.
 *
 * Demo logins (see `demoLogins`):
 *   admin / admin123                           quản trị hệ thống (every council)
 *   chutoa.bn, thuky.bn / demo123              chủ tọa, thư ký — HĐND tỉnh Bắc Ninh
 *   chutoa.td, thuky.td / demo123              chủ tọa, thư ký — HĐND xã Tiên Du
 *   wall.bn, wall.td / wall-demo               màn hình hội trường (device token)
 *   bn-dNNN / 100NNN                           đại biểu tỉnh: bn-d001 → 100001 … bn-d085 → 100085
 *   td-dNNN / 200NNN                           đại biểu xã: td-d001 → 200001 … td-d025 → 200025
 */
import { Council, type AgendaItem, type Delegate, type Official } from '@hall/core';
import { hashSecret } from '../auth/secrets.ts';
import type { Account, Catalog, SessionRecord, Store } from '../store/types.ts';
import { demoDocumentRefs, renderDemoDocument } from './documents.ts';

export const DEMO_ADMIN_PASSWORD = 'admin123';
export const DEMO_STAFF_PASSWORD = 'demo123';
export const DEMO_DEVICE_TOKEN = 'wall-demo';

export interface CouncilPlan {
  id: string;
  prefix: string;
  /** First digit of the personal codes, so a code also says which council it belongs to. */
  codeDigit: number;
  name: string;
  short: string;
  level: 'province' | 'commune';
  delegates: number;
  groups: number;
  seatsPerRow: number;
  /** Offset into the name sequence so the two councils do not share names. */
  nameOffset: number;
}

export const BAC_NINH: CouncilPlan = {
  id: 'bac-ninh',
  prefix: 'bn',
  codeDigit: 1,
  name: 'HĐND tỉnh Bắc Ninh',
  short: 'tỉnh',
  level: 'province',
  delegates: 85,
  groups: 16,
  seatsPerRow: 17,
  nameOffset: 0,
};
export const TIEN_DU: CouncilPlan = {
  id: 'tien-du',
  prefix: 'td',
  codeDigit: 2,
  name: 'HĐND xã Tiên Du',
  short: 'xã',
  level: 'commune',
  delegates: 25,
  groups: 5,
  seatsPerRow: 5,
  nameOffset: 300,
};
const PLANS = [BAC_NINH, TIEN_DU] as const;

export const pad = (n: number, width: number) => String(n).padStart(width, '0');
const delegateId = (plan: CouncilPlan, n: number) => `${plan.prefix}-d${pad(n, 3)}`;

/** The personal code of a demo delegate: council digit (1 Bắc Ninh, 2 Tiên Du) then the 5-digit index — bn-d001 → 100001. */
export function demoDelegateCode(id: string): string | null {
  const m = /^(bn|td)-d(\d{3})$/.exec(id);
  if (!m) return null;
  const plan = m[1] === 'bn' ? BAC_NINH : TIEN_DU;
  const n = Number(m[2]);
  if (n < 1 || n > plan.delegates) return null;
  return `${plan.codeDigit}${pad(n, 5)}`;
}

// Nguyễn, Trần and Lê repeat so the mix resembles real frequency (Nguyễn ≈ 38% of the population).
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Nguyễn', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Nguyễn', 'Đỗ', 'Ngô', 'Dương', 'Lý', 'Trần', 'Trịnh', 'Đinh', 'Phan', 'Nguyễn', 'Lê', 'Đào', 'Mai', 'Hồ', 'Lương', 'Tạ'];
const MIDDLE_M = ['Văn', 'Đức', 'Minh', 'Hữu', 'Quang', 'Xuân', 'Công', 'Thanh', 'Ngọc', 'Đình', 'Mạnh', 'Tiến', 'Trọng', 'Anh'];
const GIVEN_M = ['Hùng', 'Dũng', 'Tuấn', 'Thắng', 'Long', 'Nam', 'Sơn', 'Hải', 'Quân', 'Bình', 'Cường', 'Phong', 'Khánh', 'Trung', 'Hiếu', 'Thành', 'Tùng', 'Đạt', 'Kiên', 'Huy', 'Vinh', 'Toàn', 'Lâm'];
const MIDDLE_F = ['Thị', 'Thu', 'Thanh', 'Ngọc', 'Thúy', 'Phương', 'Hồng', 'Minh', 'Thị', 'Bích'];
const GIVEN_F = ['Lan', 'Hương', 'Hà', 'Mai', 'Hạnh', 'Thảo', 'Linh', 'Trang', 'Yến', 'Nga', 'Huyền', 'Dung', 'Loan', 'Nhung', 'Oanh', 'Thủy', 'Hằng', 'Ngân', 'Vân', 'Hoa', 'Liên'];

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;

/** The k-th name of the sequence; strides are coprime with the list lengths so neighbours differ in every part. */
function nameAt(k: number): string {
  // About a third of delegates are women, close to the 2021 share in provincial councils (~29%).
  const female = k % 3 === 1;
  const family = pick(FAMILY, k * 7 + 3);
  return female
    ? `${family} ${pick(MIDDLE_F, k * 3 + 1)} ${pick(GIVEN_F, k * 5 + 2)}`
    : `${family} ${pick(MIDDLE_M, k * 5)} ${pick(GIVEN_M, k * 11 + 4)}`;
}

/** `count` distinct names starting at `offset`; a clash skips ahead in the sequence, which is still deterministic. */
function uniqueNames(count: number, offset: number): string[] {
  const out: string[] = [];
  const used = new Set<string>();
  for (let k = offset; out.length < count; k++) {
    const name = nameAt(k);
    if (used.has(name)) continue;
    used.add(name);
    out.push(name);
  }
  return out;
}

export interface OfficialPlan {
  post: string;
  ratable: boolean;
  respondent: boolean;
  /** 1-based delegate index when the office holder is also a delegate (council leaders usually are). */
  delegate?: number;
}

// Rated (Resolution 96/2023 art. 2): council Chair, Vice-chairs and committee heads; People's Committee Chair,
// Vice-chairs and members (department directors are members). Court and procuracy heads are questioned, not rated.
const PROVINCE_OFFICIALS: OfficialPlan[] = [
  { post: 'Chủ tịch HĐND tỉnh', ratable: true, respondent: false, delegate: 1 },
  { post: 'Phó Chủ tịch HĐND tỉnh', ratable: true, respondent: false, delegate: 12 },
  { post: 'Phó Chủ tịch HĐND tỉnh', ratable: true, respondent: false, delegate: 23 },
  { post: 'Trưởng Ban Kinh tế - Ngân sách HĐND tỉnh', ratable: true, respondent: false, delegate: 34 },
  { post: 'Trưởng Ban Pháp chế HĐND tỉnh', ratable: true, respondent: false, delegate: 45 },
  { post: 'Trưởng Ban Văn hóa - Xã hội HĐND tỉnh', ratable: true, respondent: false, delegate: 56 },
  { post: 'Chủ tịch UBND tỉnh', ratable: true, respondent: true, delegate: 67 },
  { post: 'Phó Chủ tịch UBND tỉnh', ratable: true, respondent: true, delegate: 78 },
  { post: 'Phó Chủ tịch UBND tỉnh', ratable: true, respondent: true },
  { post: 'Phó Chủ tịch UBND tỉnh', ratable: true, respondent: true },
  { post: 'Giám đốc Sở Tài chính', ratable: true, respondent: true },
  { post: 'Giám đốc Sở Xây dựng', ratable: true, respondent: true },
  { post: 'Giám đốc Sở Giáo dục và Đào tạo', ratable: true, respondent: true },
  { post: 'Giám đốc Sở Y tế', ratable: true, respondent: true },
  { post: 'Giám đốc Sở Nông nghiệp và Môi trường', ratable: true, respondent: true },
  { post: 'Chánh án Tòa án nhân dân tỉnh', ratable: false, respondent: true },
  { post: 'Viện trưởng Viện kiểm sát nhân dân tỉnh', ratable: false, respondent: true },
];

// Commune councils have two committees since 2025 (Ban Pháp chế, Ban Kinh tế - Xã hội). `ratable` marks who would be
// rated if the council turns on `communeConfidenceRating`; the commune police chief and military commander sit on
// the commune People's Committee.
export const COMMUNE_OFFICIALS: OfficialPlan[] = [
  { post: 'Chủ tịch HĐND xã', ratable: true, respondent: false, delegate: 1 },
  { post: 'Phó Chủ tịch HĐND xã', ratable: true, respondent: false, delegate: 6 },
  { post: 'Trưởng Ban Kinh tế - Xã hội HĐND xã', ratable: true, respondent: false, delegate: 11 },
  { post: 'Trưởng Ban Pháp chế HĐND xã', ratable: true, respondent: false, delegate: 16 },
  { post: 'Chủ tịch UBND xã', ratable: true, respondent: true, delegate: 21 },
  { post: 'Phó Chủ tịch UBND xã', ratable: true, respondent: true, delegate: 3 },
  { post: 'Phó Chủ tịch UBND xã', ratable: true, respondent: true },
  { post: 'Trưởng Công an xã', ratable: true, respondent: true },
  { post: 'Chỉ huy trưởng Ban Chỉ huy quân sự xã', ratable: true, respondent: true },
];

export function buildCouncil(plan: CouncilPlan, officials: OfficialPlan[]): Council {
  const outsiders = officials.filter((o) => o.delegate === undefined).length;
  const names = uniqueNames(plan.delegates + outsiders, plan.nameOffset);
  const perGroup = Math.floor(plan.delegates / plan.groups);
  const larger = plan.delegates % plan.groups; // the first `larger` groups take one extra delegate
  const groupOf = (i: number) => {
    const cut = larger * (perGroup + 1);
    return i < cut ? Math.floor(i / (perGroup + 1)) : larger + Math.floor((i - cut) / perGroup);
  };
  const delegates: Delegate[] = names.slice(0, plan.delegates).map((fullName, i) => ({
    id: delegateId(plan, i + 1),
    fullName,
    group: `Tổ đại biểu số ${groupOf(i) + 1}`,
    // Rows of seats facing the presidium: A01…A17, B01… for the province hall.
    seat: `${String.fromCharCode(65 + Math.floor(i / plan.seatsPerRow))}${pad((i % plan.seatsPerRow) + 1, 2)}`,
    status: 'sitting',
  }));
  let outsider = plan.delegates;
  const officialList: Official[] = officials.map((o, i) => ({
    id: `${plan.prefix}-o${pad(i + 1, 2)}`,
    fullName: o.delegate !== undefined ? delegates[o.delegate - 1]!.fullName : names[outsider++]!,
    post: o.post,
    ratable: o.ratable,
    respondent: o.respondent,
  }));
  // Parsing applies the default rules profile and proves the demo data fits the schema the runtime expects.
  return Council.parse({ id: plan.id, name: plan.name, level: plan.level, term: '2026-2031', delegates, officials: officialList });
}

export function demoCouncils(): Council[] {
  return [buildCouncil(BAC_NINH, PROVINCE_OFFICIALS), buildCouncil(TIEN_DU, COMMUNE_OFFICIALS)];
}

const pdf = (id: string, title: string) => ({ id, title, mime: 'application/pdf' });

/**
 * One scheduled regular year-end session per council. The province session is set in December 2028 because a
 * confidence rating happens once per term, at the year-end session of the third year (docs/rules.md).
 */
export function demoSessions(): SessionRecord[] {
  const bn: AgendaItem[] = [
    { id: 'bn-kh12-01', title: 'Khai mạc kỳ họp', kind: 'ceremony', documents: [] },
    {
      id: 'bn-kh12-02',
      title: 'Báo cáo tình hình kinh tế - xã hội năm 2028; mục tiêu, nhiệm vụ, giải pháp năm 2029',
      kind: 'report',
      documents: [pdf('bn-kh12-bc-ktxh', 'Báo cáo của UBND tỉnh về tình hình kinh tế - xã hội năm 2028 và nhiệm vụ năm 2029')],
    },
    {
      id: 'bn-kh12-03',
      title: 'Tờ trình và dự thảo Nghị quyết về dự toán thu, chi ngân sách nhà nước năm 2029',
      kind: 'resolution',
      documents: [
        pdf('bn-kh12-tt-dutoan', 'Tờ trình của UBND tỉnh về dự toán ngân sách nhà nước năm 2029'),
        pdf('bn-kh12-nq-dutoan', 'Dự thảo Nghị quyết về dự toán ngân sách nhà nước năm 2029'),
        pdf('bn-kh12-tt-ktns', 'Báo cáo thẩm tra của Ban Kinh tế - Ngân sách HĐND tỉnh'),
      ],
    },
    {
      id: 'bn-kh12-04',
      title: 'Nghị quyết về điều chỉnh kế hoạch đầu tư công trung hạn giai đoạn 2026-2030',
      kind: 'resolution',
      documents: [
        pdf('bn-kh12-tt-dtc', 'Tờ trình của UBND tỉnh về điều chỉnh kế hoạch đầu tư công trung hạn giai đoạn 2026-2030'),
        pdf('bn-kh12-nq-dtc', 'Dự thảo Nghị quyết về điều chỉnh kế hoạch đầu tư công trung hạn giai đoạn 2026-2030'),
      ],
    },
    { id: 'bn-kh12-05', title: 'Phiên chất vấn và trả lời chất vấn', kind: 'questioning', documents: [] },
    {
      id: 'bn-kh12-06',
      title: 'Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu',
      kind: 'confidence',
      documents: [pdf('bn-kh12-ds-tinnhiem', 'Danh sách người được lấy phiếu tín nhiệm')],
    },
    { id: 'bn-kh12-07', title: 'Nghị quyết xác nhận kết quả lấy phiếu tín nhiệm', kind: 'resolution', documents: [] },
    { id: 'bn-kh12-08', title: 'Bế mạc kỳ họp', kind: 'ceremony', documents: [] },
  ];
  const td: AgendaItem[] = [
    { id: 'td-kh10-01', title: 'Khai mạc kỳ họp', kind: 'ceremony', documents: [] },
    {
      id: 'td-kh10-02',
      title: 'Báo cáo tình hình kinh tế - xã hội, quốc phòng - an ninh năm 2028; nhiệm vụ năm 2029',
      kind: 'report',
      documents: [pdf('td-kh10-bc-ktxh', 'Báo cáo của UBND xã về tình hình kinh tế - xã hội năm 2028')],
    },
    {
      id: 'td-kh10-03',
      title: 'Nghị quyết về dự toán thu, chi ngân sách xã năm 2029',
      kind: 'resolution',
      documents: [pdf('td-kh10-nq-dutoan', 'Dự thảo Nghị quyết về dự toán ngân sách xã năm 2029')],
    },
    { id: 'td-kh10-04', title: 'Chất vấn và trả lời chất vấn', kind: 'questioning', documents: [] },
    { id: 'td-kh10-05', title: 'Bế mạc kỳ họp', kind: 'ceremony', documents: [] },
  ];
  return [
    {
      id: 'bn-kh12',
      councilId: BAC_NINH.id,
      title: 'Kỳ họp thứ Mười hai, HĐND tỉnh Bắc Ninh khóa XX, nhiệm kỳ 2026-2031',
      date: '2028-12-08',
      agenda: bn,
      status: 'scheduled',
    },
    {
      id: 'td-kh10',
      councilId: TIEN_DU.id,
      title: 'Kỳ họp thứ Mười, HĐND xã Tiên Du, nhiệm kỳ 2026-2031',
      date: '2028-12-18',
      agenda: td,
      status: 'scheduled',
    },
  ];
}

export type AccountDraft = Omit<Account, 'secretHash'> & { secret: string };

function accountDrafts(): AccountDraft[] {
  const drafts: AccountDraft[] = [
    { id: 'admin', role: 'admin', displayName: 'Quản trị hệ thống', councilIds: [], secret: DEMO_ADMIN_PASSWORD },
    // The province Standing Committee's oversight dashboard: reads every council, acts in none.
    { id: 'giamsat', role: 'oversight', displayName: 'Thường trực HĐND tỉnh (giám sát)', councilIds: [], secret: DEMO_STAFF_PASSWORD },
  ];
  for (const plan of PLANS) {
    drafts.push(
      { id: `chutoa.${plan.prefix}`, role: 'chair', displayName: `Chủ tọa kỳ họp — ${plan.name}`, councilIds: [plan.id], secret: DEMO_STAFF_PASSWORD },
      { id: `thuky.${plan.prefix}`, role: 'secretary', displayName: `Thư ký kỳ họp — ${plan.name}`, councilIds: [plan.id], secret: DEMO_STAFF_PASSWORD },
      { id: `wall.${plan.prefix}`, role: 'display', displayName: `Màn hình hội trường — ${plan.name}`, councilIds: [plan.id], secret: DEMO_DEVICE_TOKEN },
    );
  }
  for (const council of demoCouncils()) {
    for (const d of council.delegates) {
      drafts.push({ id: d.id, role: 'delegate', displayName: d.fullName, councilIds: [council.id], delegateId: d.id, secret: demoDelegateCode(d.id)! });
    }
  }
  return drafts;
}

/**
 * Every demo account (118) with its secret hashed. The scrypt calls run in parallel on libuv's thread pool (4 threads
 * by default), so the time scales with cores: measured 1.5 s in parallel against 2.8 s one after another on a 2-core
 * machine (~24 ms per hash); expect about a quarter of the sequential time on 4+ cores.
 */
export async function demoAccounts(): Promise<Account[]> {
  return hashDrafts(accountDrafts());
}

export const hashDrafts = (drafts: AccountDraft[]): Promise<Account[]> =>
  Promise.all(drafts.map(async ({ secret, ...account }) => ({ ...account, secretHash: await hashSecret(secret) })));

/**
 * Seeds the demo councils, sessions, their documents (PDFs rendered here) and accounts unless `bac-ninh` already
 * exists. Only missing records are written (an admin who changed the demo password keeps it), and the `bac-ninh`
 * council goes last, so a crash half-way through seeds the rest on the next start.
 */
export async function seedDemo(store: Store): Promise<{ seeded: boolean }> {
  const { catalog } = store;
  if (await catalog.getCouncil(BAC_NINH.id)) {
    // A data directory seeded before the documents existed gets them now.
    await seedDemoDocuments(catalog);
    return { seeded: false };
  }
  const missing: AccountDraft[] = [];
  for (const draft of accountDrafts()) if (!(await catalog.getAccount(draft.id))) missing.push(draft);
  for (const session of demoSessions()) {
    if (!(await catalog.getSession(session.id))) await catalog.putSession(session);
  }
  // Hash only what will be written: scrypt (on libuv's threads) and the PDFs (on this one) are the slow parts of
  // seeding, and they overlap.
  const [accounts] = await Promise.all([hashDrafts(missing), seedDemoDocuments(catalog)]);
  for (const account of accounts) await catalog.putAccount(account);
  const councils = demoCouncils();
  const last = councils.find((c) => c.id === BAC_NINH.id)!;
  for (const council of councils) {
    if (council !== last && !(await catalog.getCouncil(council.id))) await catalog.putCouncil(council);
  }
  await catalog.putCouncil(last);
  return { seeded: true };
}

/**
 * Renders and stores each document the demo agendas name that the catalog lacks, as long as its session's record
 * still names it (a document staff removed from a scheduled agenda stays removed). Returns the ids written.
 */
export async function seedDemoDocuments(catalog: Catalog): Promise<string[]> {
  const stored = new Set((await catalog.listDocuments()).map((d) => d.id));
  const councils = demoCouncils();
  const written: string[] = [];
  for (const { ref, sessionId, itemId } of demoDocumentRefs(demoSessions())) {
    if (stored.has(ref.id)) continue;
    const session = await catalog.getSession(sessionId);
    if (!session?.agenda.some((i) => i.id === itemId && i.documents.some((d) => d.id === ref.id))) continue;
    const doc = await renderDemoDocument(councils, ref, sessionId, itemId);
    if (!doc) continue;
    await catalog.putDocument(doc.meta, doc.bytes);
    written.push(ref.id);
  }
  return written;
}

export interface DemoLogin {
  role: Account['role'];
  /** How to log in: password (staff), code (delegates), device (walls). */
  kind: 'password' | 'code' | 'device';
  login: string;
  secret: string;
  note: string;
}

/** The demo logins for the start-up banner and the README. Delegates are listed by rule, not one by one. */
export const demoLogins: readonly DemoLogin[] = Object.freeze([
  { role: 'admin', kind: 'password', login: 'admin', secret: DEMO_ADMIN_PASSWORD, note: 'Quản trị hệ thống, mọi HĐND' },
  { role: 'oversight', kind: 'password', login: 'giamsat', secret: DEMO_STAFF_PASSWORD, note: 'Giám sát (Thường trực HĐND tỉnh), mọi HĐND, chỉ xem' },
  { role: 'chair', kind: 'password', login: 'chutoa.bn', secret: DEMO_STAFF_PASSWORD, note: 'Chủ tọa — HĐND tỉnh Bắc Ninh' },
  { role: 'secretary', kind: 'password', login: 'thuky.bn', secret: DEMO_STAFF_PASSWORD, note: 'Thư ký — HĐND tỉnh Bắc Ninh' },
  { role: 'chair', kind: 'password', login: 'chutoa.td', secret: DEMO_STAFF_PASSWORD, note: 'Chủ tọa — HĐND xã Tiên Du' },
  { role: 'secretary', kind: 'password', login: 'thuky.td', secret: DEMO_STAFF_PASSWORD, note: 'Thư ký — HĐND xã Tiên Du' },
  { role: 'delegate', kind: 'code', login: 'bn-d001', secret: '100001', note: 'Đại biểu tỉnh: bn-d001…bn-d085, mã 100001…100085' },
  { role: 'delegate', kind: 'code', login: 'td-d001', secret: '200001', note: 'Đại biểu xã: td-d001…td-d025, mã 200001…200025' },
  { role: 'display', kind: 'device', login: 'wall.bn', secret: DEMO_DEVICE_TOKEN, note: 'Màn hình hội trường — Bắc Ninh' },
  { role: 'display', kind: 'device', login: 'wall.td', secret: DEMO_DEVICE_TOKEN, note: 'Màn hình hội trường — Tiên Du' },
] satisfies DemoLogin[]);

/** `demoLogins` as an aligned plain-text table for a terminal. */
export function formatDemoLogins(logins: readonly DemoLogin[] = demoLogins): string {
  const rows = [['Vai trò', 'Đăng nhập', 'Mật khẩu / mã', 'Ghi chú'], ...logins.map((l) => [l.role, l.login, l.secret, l.note])];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ')).join('\n');
}
