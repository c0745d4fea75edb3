/**
 * `HALL_SEED=province`: the province at its real scale — the demo seed (HĐND tỉnh Bắc Ninh, 85 delegates in 16
 * groups; HĐND xã Tiên Du, 25) plus 98 more commune councils, 99 communes with 2,235 delegates in all (20–30 each),
 * one scheduled session each, so the oversight dashboard, the bench and a newcomer see what a province looks like.
 * Everything is generated deterministically: the same names, sizes and codes on every machine.
 *
 * Logins of a generated commune number nn (01…98): `chutoa.xnn`, `thuky.xnn` / demo123, `wall.xnn` / wall-demo,
 * delegates `xnn-dddd`… with personal code `3nnddd` (x07-d012 → 307012). DEMO ONLY, like the demo seed.
 */
import { foldVietnamese, type AgendaItem, type Council } from '@hall/core';
import { hashSecret } from '../auth/secrets.ts';
import type { Account, SessionRecord, Store } from '../store/types.ts';
import { COMMUNE_OFFICIALS, DEMO_DEVICE_TOKEN, DEMO_STAFF_PASSWORD, TIEN_DU, buildCouncil, pad, seedDemo, type CouncilPlan } from './demo.ts';

export const PROVINCE_COMMUNES = 99;
export const PROVINCE_COMMUNE_DELEGATES = 2235;
/** Generated communes besides Tiên Du. */
const GENERATED = PROVINCE_COMMUNES - 1;

// Syllables of commune names (Sino-Vietnamese place words); pairs are picked with coprime strides so that the 98
// names are distinct and neighbours differ.
const FIRST = ['An', 'Bình', 'Đông', 'Hòa', 'Phú', 'Tân', 'Thanh', 'Xuân', 'Yên', 'Đại', 'Hưng', 'Quang', 'Minh', 'Phúc', 'Lạc', 'Thái', 'Kim', 'Long', 'Nam', 'Trung'];
const SECOND = ['Lâm', 'Sơn', 'Thành', 'Hà', 'Khê', 'Lợi', 'Mỹ', 'Phong', 'Thịnh', 'Tiến', 'Việt', 'Vinh', 'Xá', 'Định', 'Hải', 'Lộc', 'Mai', 'Ninh', 'Đồng', 'Nghĩa'];

/** ASCII slug of a Vietnamese name: "Đông Hải" → "dong-hai". */
const slug = (s: string) =>
  foldVietnamese(s)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function communeNames(): string[] {
  const names: string[] = [];
  const used = new Set<string>(['Tiên Du']);
  for (let k = 0; names.length < GENERATED; k++) {
    const name = `${FIRST[k % FIRST.length]} ${SECOND[(k * 7 + Math.floor(k / FIRST.length)) % SECOND.length]}`;
    if (FIRST[k % FIRST.length] === SECOND[(k * 7 + Math.floor(k / FIRST.length)) % SECOND.length] || used.has(name)) continue;
    used.add(name);
    names.push(name);
  }
  return names;
}

/**
 * Delegates of each generated commune: 20 + an even share of what is left, then pairs trade a few seats so sizes
 * vary (20–25) while the total stays exactly 2,235 with Tiên Du's 25.
 */
export function communeSizes(): number[] {
  const extra = PROVINCE_COMMUNE_DELEGATES - TIEN_DU.delegates - GENERATED * 20;
  const sizes = Array.from({ length: GENERATED }, (_, i) => 20 + Math.floor(((i + 1) * extra) / GENERATED) - Math.floor((i * extra) / GENERATED));
  for (let j = 0; 2 * j + 1 < GENERATED; j++) {
    const d = (j % 5) - 2;
    sizes[2 * j]! += d;
    sizes[2 * j + 1]! -= d;
  }
  return sizes;
}

interface Commune {
  plan: CouncilPlan;
  council: Council;
  session: SessionRecord;
  n: number;
}

export function provinceCommunes(): Commune[] {
  const sizes = communeSizes();
  return communeNames().map((name, i) => {
    const n = i + 1;
    const delegates = sizes[i]!;
    const plan: CouncilPlan = {
      id: `xa-${slug(name)}`,
      prefix: `x${pad(n, 2)}`,
      codeDigit: 3,
      name: `HĐND xã ${name}`,
      short: 'xã',
      level: 'commune',
      delegates,
      groups: Math.ceil(delegates / 5),
      seatsPerRow: 6,
      nameOffset: 1000 + n * 40,
    };
    // The People's Committee chair is delegate 21 in Tiên Du; a 20-seat council seats them at 20.
    const council = buildCouncil(plan, COMMUNE_OFFICIALS.map((o) => (o.delegate !== undefined && o.delegate > delegates ? { ...o, delegate: delegates } : o)));
    const agenda: AgendaItem[] = [
      { id: `${plan.prefix}-kh2-01`, title: 'Khai mạc kỳ họp', kind: 'ceremony', documents: [] },
      { id: `${plan.prefix}-kh2-02`, title: 'Báo cáo tình hình kinh tế - xã hội năm 2028; nhiệm vụ năm 2029', kind: 'report', documents: [] },
      { id: `${plan.prefix}-kh2-03`, title: 'Nghị quyết về dự toán thu, chi ngân sách xã năm 2029', kind: 'resolution', documents: [] },
      { id: `${plan.prefix}-kh2-04`, title: 'Chất vấn và trả lời chất vấn', kind: 'questioning', documents: [] },
      { id: `${plan.prefix}-kh2-05`, title: 'Bế mạc kỳ họp', kind: 'ceremony', documents: [] },
    ];
    const session: SessionRecord = {
      id: `${plan.prefix}-kh2`,
      councilId: plan.id,
      title: `Kỳ họp thứ Hai, ${plan.name}, nhiệm kỳ 2026-2031`,
      // Spread over the first three weeks of December: communes meet in the same weeks, not on one day.
      date: `2028-12-${pad(1 + (n % 21), 2)}`,
      agenda,
      status: 'scheduled',
    };
    return { plan, council, session, n };
  });
}

/** The personal code of a generated commune delegate: x07-d012 → 307012. */
export function provinceDelegateCode(id: string): string | null {
  const m = /^x(\d{2})-d(\d{3})$/.exec(id);
  return m ? `3${m[1]}${m[2]}` : null;
}

/**
 * Seeds the demo, then every generated commune not there yet (council last, so a crash half-way seeds the rest on
 * the next start). Staff and wall accounts share one hash of the published demo secret; each delegate's code is
 * hashed on its own (2,210 scrypt hashes: the slow part, ~30 s on 2 cores). `delegateAccounts: false` leaves the
 * delegates without accounts (tests that only need the councils).
 */
export async function seedProvince(store: Store, opts: { delegateAccounts?: boolean } = {}): Promise<{ seeded: number }> {
  const { catalog } = store;
  await seedDemo(store);
  const [staffHash, wallHash] = await Promise.all([hashSecret(DEMO_STAFF_PASSWORD), hashSecret(DEMO_DEVICE_TOKEN)]);
  let seeded = 0;
  for (const { plan, council, session } of provinceCommunes()) {
    if (await catalog.getCouncil(council.id)) continue;
    const accounts: Account[] = [
      { id: `chutoa.${plan.prefix}`, role: 'chair', displayName: `Chủ tọa kỳ họp — ${plan.name}`, councilIds: [plan.id], secretHash: staffHash },
      { id: `thuky.${plan.prefix}`, role: 'secretary', displayName: `Thư ký kỳ họp — ${plan.name}`, councilIds: [plan.id], secretHash: staffHash },
      { id: `wall.${plan.prefix}`, role: 'display', displayName: `Màn hình hội trường — ${plan.name}`, councilIds: [plan.id], secretHash: wallHash },
    ];
    if (opts.delegateAccounts !== false) {
      accounts.push(
        ...(await Promise.all(
          council.delegates.map(async (d) => ({
            id: d.id,
            role: 'delegate' as const,
            displayName: d.fullName,
            councilIds: [plan.id],
            delegateId: d.id,
            secretHash: await hashSecret(provinceDelegateCode(d.id)!),
          })),
        )),
      );
    }
    for (const account of accounts) if (!(await catalog.getAccount(account.id))) await catalog.putAccount(account);
    if (!(await catalog.getSession(session.id))) await catalog.putSession(session);
    await catalog.putCouncil(council);
    seeded++;
  }
  return { seeded };
}
