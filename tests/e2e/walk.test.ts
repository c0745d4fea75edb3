/**
 * [WALK-1…6] A province sitting walked screen by screen, as the chair, a delegate, the hall and the public see it: the
 * chair console (1440×900), a delegate tablet in portrait (768×1024), the wall (1920×1080) and the public page on a
 * laptop (1280×720), a phone (360×800) and a TV (1920×1080). The session is driven through the protocol (TestClient)
 * so each step is reached quickly; the recess is set from the chair's own dialog. Each step asserts what the screens
 * must show, and saves a screenshot of each audience: to artifacts/screenshots/walk-*.png, or — with `pnpm screens`
 * (HALL_SCREENS_DIR) — to docs/screens/, the pictures the documentation shows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { CommandPayload, CommandType, SessionView } from '@hall/core';
import { newCommandId } from '../../server/src/bots/bot.ts';
import type { TestClient } from '../../server/test/support/hall.ts';
import { ARTIFACTS } from '../support/browser.ts';
import {
  chairLogin,
  chairPickSession,
  chairToolbar,
  checkInAll,
  delegateCheckIn,
  delegateTablet,
  escapeRe,
  gone,
  mapLimit,
  newPage,
  normalize,
  openLive,
  range,
  textMatches,
  useSitting,
  visible,
  wallLogin,
  STATE_TIMEOUT,
} from '../support/e2e.ts';

/** Bots 2…70 and tablet 1 check in: 70 present of 85. */
const BOTS = range(2, 70);
const PRESENT = 1 + BOTS.length;
const MOTION = 'Nghị quyết về điều chỉnh kế hoạch đầu tư công trung hạn giai đoạn 2026-2030';
const REVOTE_REASON = 'Nhiều đại biểu báo bấm nhầm nút khi biểu quyết';
const RATING = 'Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu';
const TOPIC = 'Giải phóng mặt bằng các dự án giao thông trọng điểm';
const PLEDGE = 'Hoàn thành giải phóng mặt bằng đường vành đai 4 trong quý IV năm 2029';

const SHOTS = process.env.HALL_SCREENS_DIR ? path.resolve(process.env.HALL_SCREENS_DIR) : ARTIFACTS;
const PREFIX = process.env.HALL_SCREENS_DIR ? '' : 'walk-';

let chair: Page;
let tablet: Page;
let wall: Page;
let liveLaptop: Page;
let livePhone: Page;
let liveTv: Page;
const shots: string[] = [];
const s = useSitting(BOTS, () => ({ chair, tablet, wall, liveLaptop, livePhone, liveTv }));

async function shot(page: Page, name: string) {
  await mkdir(SHOTS, { recursive: true });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const vp = page.viewportSize()!;
  const file = path.join(SHOTS, `${PREFIX}${name}-${vp.width}x${vp.height}.png`);
  await page.screenshot({ path: file, fullPage: false });
  shots.push(file);
}

/**
 * A bot's command that must be accepted, resent with the same id when its ack is lost to a busy machine (the server
 * dedupes by id, so a resend never records twice).
 */
async function must<T extends CommandType>(bot: TestClient, type: T, payload: CommandPayload<T>): Promise<void> {
  const commandId = newCommandId();
  for (let attempt = 1; ; attempt++) {
    try {
      const ack = await bot.send(type, payload, commandId);
      if (!ack.ok) throw new Error(`${type}: ${ack.code} ${ack.reason ?? ''} ${ack.message}`);
      return;
    } catch (e) {
      if (attempt >= 6 || !/timed out/.test((e as Error).message)) throw e;
    }
  }
}

const official = (v: SessionView, post: string, nth = 0) => v.officials.filter((o) => o.post === post)[nth]!;
/** The hall's clock as the chair reads it out: HH:mm in Vietnam. */
const hallTime = (ms: number) => new Intl.DateTimeFormat('vi-VN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Ho_Chi_Minh' }).format(ms);
const overlay = (page: Page) => page.getByRole('region', { name: 'Thông tin đang diễn ra tại hội trường' });
const liveResults = (page: Page) => page.getByRole('region', { name: 'Kết quả biểu quyết đã công bố' });

/**
 * A table that fits: nothing inside the result panel reaches past its right edge, nothing scrolls sideways (the panel,
 * its ancestors, the page), and no official's name takes more than two lines.
 */
async function expectFits(panel: Locator, what: string) {
  const m = await panel.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const scrollers: string[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (e.scrollWidth > e.clientWidth + 1 && s.overflowX !== 'visible') scrollers.push(`${e.tagName}.${e.className}`);
    }
    let past = 0;
    // The body's cells: a narrow table hides its header row for screen readers only (the cards label each figure).
    for (const c of Array.from(el.querySelectorAll('tbody th, tbody td'))) {
      const r = c.getBoundingClientRect();
      if (r.width > 0 && r.right > box.right + 1) past++;
    }
    const lines = Array.from(el.querySelectorAll('.hall-result__name')).map((n) => {
      const lh = parseFloat(getComputedStyle(n).lineHeight) || parseFloat(getComputedStyle(n).fontSize) * 1.3;
      return Math.round(n.getBoundingClientRect().height / lh);
    });
    return { past, scrollers, pageOverflow: document.documentElement.scrollWidth - window.innerWidth, maxLines: Math.max(0, ...lines), names: lines.length, right: box.right, vw: window.innerWidth };
  });
  expect(m.names, `${what}: officials listed`).toBe(15);
  expect(m.past, `${what}: cells past the panel's right edge`).toBe(0);
  expect(m.scrollers, `${what}: boxes scrolling sideways`).toEqual([]);
  expect(m.pageOverflow, `${what}: page wider than the screen`).toBeLessThanOrEqual(0);
  expect(m.right, `${what}: panel inside the screen`).toBeLessThanOrEqual(m.vw);
  expect(m.maxLines, `${what}: lines of the longest name`).toBeLessThanOrEqual(2);
}

afterAll(() => {
  if (shots.length) console.log(`[WALK] ${shots.length} screenshots in ${SHOTS}`);
});

describe('a sitting walked screen by screen', () => {
  it('[WALK-1] roll call, then the sitting: off air the public page is a compact card with the results on the first screen', async () => {
    chair = await newPage(s.browser, 'chair');
    await chairLogin(chair, s.h.baseUrl);
    await chairPickSession(chair);
    wall = await newPage(s.browser, 'wall');
    await wallLogin(wall, s.h.baseUrl);
    liveLaptop = await newPage(s.browser, 'laptop');
    livePhone = await newPage(s.browser, 'phoneSmall');
    liveTv = await newPage(s.browser, 'wall');
    for (const p of [liveLaptop, livePhone, liveTv]) await openLive(p, s.h.baseUrl);

    await s.observer.must('session.openCheckIn', {});
    tablet = await delegateTablet(s, 1);
    await delegateCheckIn(tablet);
    await checkInAll(s.bots.values());
    await visible(wall.getByText(`Có mặt ${PRESENT}/85`, { exact: true }));
    await shot(chair, 'chair-checkin');
    await shot(tablet, 'tablet-checkin');
    await shot(wall, 'wall-checkin');

    await s.observer.must('session.start', {});
    await s.observer.must('agenda.goTo', { itemId: s.observer.view!.agenda[1]!.id });
    await s.bots.get(10)!.must('floor.request', { requestId: 'walk-rq-1', purpose: 'speech' });
    await s.bots.get(11)!.must('floor.request', { requestId: 'walk-rq-2', purpose: 'speech' });
    await s.observer.must('floor.grant', { requestId: 'walk-rq-1', speechId: 'walk-sp-1' });
    const speaker = (await s.observer.until((v) => v.speaker?.speechId === 'walk-sp-1', 'speaker on the floor')).speaker!.name;
    await visible(wall.getByRole('region', { name: /^Đang phát biểu/ }).getByText(speaker, { exact: true }));
    await visible(chair.getByRole('region', { name: 'Người đang phát biểu' }).getByRole('heading', { name: speaker }));
    await shot(chair, 'chair-speaker');
    await shot(wall, 'wall-speaker');

    // Off air: no player box filling the screen; the overlay and the results heading are on the first screen.
    for (const [page, name] of [
      [liveLaptop, 'laptop'],
      [livePhone, 'phone'],
    ] as const) {
      await visible(overlay(page).getByText(speaker, { exact: true }));
      await visible(page.getByText('Chưa phát sóng'));
      expect(await page.locator('video').count(), `${name}: no video off air`).toBe(0);
      const player = (await page.getByRole('region', { name: 'Khung phát video kỳ họp' }).boundingBox())!;
      expect(player.height, `${name}: the off-air player is a strip`).toBeLessThanOrEqual(120);
      const heading = (await page.getByRole('heading', { name: 'Kết quả biểu quyết đã công bố' }).boundingBox())!;
      expect(heading.y + heading.height, `${name}: results heading above the fold`).toBeLessThanOrEqual(page.viewportSize()!.height);
      await shot(page, 'live-offair');
    }
    await s.observer.must('floor.stop', {});
    await s.observer.until((x) => x.speaker === null, 'floor free');
  });

  it('[WALK-2] questioning: the wall and the public page say who is asked, and show a commitment as soon as it is recorded', async () => {
    const v = s.observer.view!;
    await s.observer.must('agenda.goTo', { itemId: v.agenda[4]!.id });
    const chairman = official(v, 'Chủ tịch UBND tỉnh');
    const builder = official(v, 'Giám đốc Sở Xây dựng');
    await s.observer.must('questioning.addGroup', { groupId: 'walk-g1', topic: TOPIC, respondentIds: [chairman.id, builder.id] });
    await s.observer.must('questioning.openGroup', { groupId: 'walk-g1' });
    await s.bots.get(20)!.must('question.submit', { questionId: 'walk-q1', respondentId: builder.id, groupId: 'walk-g1', text: 'Khi nào bàn giao mặt bằng?' });
    await s.bots.get(21)!.must('question.submit', { questionId: 'walk-q2', respondentId: chairman.id, groupId: 'walk-g1', text: '' });
    await s.observer.must('questioning.call', { questionId: 'walk-q1', speechId: 'walk-sp-q1' });
    const asker = (await s.observer.until((x) => x.speaker?.speechId === 'walk-sp-q1', 'question on the floor')).speaker!.name;

    const wallQ = wall.getByRole('region', { name: /^CHẤT VẤN/ });
    await visible(wallQ.getByText(asker, { exact: true }));
    await textMatches(wallQ.locator('.wall-q__asked'), `Chất vấn đối với ${builder.fullName} ${builder.post}`);
    await visible(wallQ.getByText(TOPIC, { exact: true }));
    await textMatches(overlay(liveLaptop).locator('.overlay__asked'), `Chất vấn đối với: ${builder.fullName} (${builder.post})`);
    await shot(wall, 'wall-questioning');
    await shot(liveLaptop, 'live-questioning');
    await s.observer.must('floor.stop', {});
    await s.observer.must('questioning.answer', { respondentId: builder.id, speechId: 'walk-sp-a1' });
    await s.observer.must('floor.stop', {});

    await s.observer.must('commitment.record', { commitmentId: 'walk-c1', respondentId: builder.id, questionId: 'walk-q1', content: PLEDGE, deadline: '2029-12-31' });
    const pledge = wallQ.getByRole('note', { name: 'Cam kết' });
    await visible(pledge.getByText(PLEDGE, { exact: true }));
    await visible(pledge.getByText(`Cam kết: ${builder.fullName}`, { exact: true }));
    await visible(pledge.getByText('Thời hạn: 31/12/2029', { exact: true }));
    await visible(overlay(liveLaptop).getByText(PLEDGE, { exact: true }));
    const card = liveLaptop.getByRole('region', { name: 'Cam kết của người trả lời chất vấn' });
    await visible(card.getByText(PLEDGE, { exact: true }));
    await visible(livePhone.getByRole('region', { name: 'Cam kết của người trả lời chất vấn' }).getByText(PLEDGE, { exact: true }));
    await shot(wall, 'wall-commitment');
    await shot(chair, 'chair-questioning');
    await s.observer.must('questioning.closeGroup', {});
    await s.observer.until((x) => x.questioning?.activeGroup === null, 'group closed');
  });

  it('[WALK-3] a re-vote: every screen marks the rounds, says why, and shows the official result first', async () => {
    const item = s.observer.view!.agenda[3]!.id;
    await s.observer.must('agenda.goTo', { itemId: item });
    await s.observer.must('poll.open', { pollId: 'walk-m1', subject: MOTION, kind: 'motion', mode: 'electronic', durationSec: 600, itemId: item });
    const all = [...s.bots.values()];
    await mapLimit(all, 10, (b) => must(b, 'ballot.cast', { pollId: 'walk-m1', choice: Number(b.view!.me!.delegateId.slice(-3)) % 3 === 0 ? 'yes' : 'no' }));
    await s.observer.must('poll.close', { pollId: 'walk-m1' });
    await s.observer.must('poll.announce', { pollId: 'walk-m1' });
    expect((await s.observer.until((x) => x.poll?.pollId === 'walk-m1' && x.poll.status === 'announced', 'round 1 announced')).poll!.result).toMatchObject({ kind: 'motion', adopted: false });

    await s.observer.must('poll.revote', { pollId: 'walk-m1', newPollId: 'walk-m2', reason: REVOTE_REASON, durationSec: 600 });
    await visible(wall.getByText('Biểu quyết lại — lần thứ 2'));
    await visible(wall.getByText(`Lý do biểu quyết lại: ${REVOTE_REASON}`, { exact: true }));
    await shot(wall, 'wall-revote');
    await mapLimit(all, 10, (b) => must(b, 'ballot.cast', { pollId: 'walk-m2', choice: Number(b.view!.me!.delegateId.slice(-3)) % 7 === 0 ? 'no' : 'yes' }));
    await s.observer.must('poll.close', { pollId: 'walk-m2' });
    await s.observer.must('poll.announce', { pollId: 'walk-m2' });
    expect((await s.observer.until((x) => x.poll?.pollId === 'walk-m2' && x.poll.status === 'announced', 'round 2 announced')).poll!.result).toMatchObject({ kind: 'motion', adopted: true });

    // The public page and the tablet's results: round 2 (official) first, then round 1 marked as voted again.
    const expectRounds = async (scope: Locator, what: string) => {
      const panels = scope.getByRole('region', { name: `Kết quả biểu quyết ${MOTION}` });
      await expect.poll(() => panels.count(), { timeout: STATE_TIMEOUT, message: what }).toBe(2);
      await textMatches(panels.nth(0), /Lần 2 — kết quả chính thức/);
      await visible(panels.nth(0).getByText(`Lý do biểu quyết lại: ${REVOTE_REASON}`, { exact: true }));
      await visible(panels.nth(0).getByText('THÔNG QUA', { exact: true }));
      await visible(panels.nth(1).getByRole('note').getByText('Lần 1 — đã biểu quyết lại', { exact: true }));
      await visible(panels.nth(1).getByText(`Lý do biểu quyết lại: ${REVOTE_REASON}`, { exact: true }));
      await visible(panels.nth(1).getByText('KHÔNG THÔNG QUA', { exact: true }));
      // Official first in reading order.
      const [a, b] = [(await panels.nth(0).boundingBox())!, (await panels.nth(1).boundingBox())!];
      expect(a.y, `${what}: official round above the replaced one`).toBeLessThan(b.y);
    };
    await expectRounds(liveResults(liveLaptop), 'live');
    await tablet.getByRole('tab', { name: /^Kết quả/ }).click();
    const earlier = tablet.locator('details.results__earlier', { hasText: MOTION });
    await visible(earlier.first());
    await earlier.first().locator('summary').click();
    await expectRounds(tablet.getByRole('tabpanel'), 'tablet');
    await shot(liveLaptop, 'live-revote');
    await shot(tablet, 'tablet-results-revote');
    // The wall shows the official round of the item, labelled as such.
    await visible(wall.getByText('Lần 2 — kết quả chính thức'));
    await tablet.getByRole('tab', { name: /^Phiên họp/ }).click();
  });

  it('[WALK-4] a confidence rating: "ĐANG LẤY PHIẾU" on the wall; the table sized for the back row; readable on a phone, a laptop, a TV and a tablet', async () => {
    const v = s.observer.view!;
    const item = v.agenda[5]!.id;
    await s.observer.must('agenda.goTo', { itemId: item });
    const ratable = (v.snapshot as { context: { council: { officials: { id: string; ratable: boolean }[] } } }).context.council.officials.filter((o) => o.ratable).map((o) => o.id);
    expect(ratable).toHaveLength(15);
    await s.observer.must('poll.open', { pollId: 'walk-r1', subject: RATING, kind: 'confidenceRating', mode: 'secret', durationSec: 900, itemId: item, officialIds: ratable });
    const eyebrow = wall.locator('#wall-poll-h');
    await textMatches(eyebrow, /^ĐANG LẤY PHIẾU TÍN NHIỆM/);
    expect(normalize(await eyebrow.innerText())).not.toMatch(/biểu quyết/i);
    await visible(wall.getByText('Đã bỏ phiếu', { exact: true }));
    await textMatches(overlay(liveLaptop).locator('.overlay__kicker').first(), /^ĐANG LẤY PHIẾU TÍN NHIỆM/);
    await visible(tablet.getByRole('heading', { level: 2, name: RATING }));
    await shot(wall, 'wall-rating-open');
    await shot(tablet, 'tablet-rating-ballot');

    // Official j: 0 mostly low (dismissal proposal), 1 more than half low (may resign), the rest spread.
    const level = (k: number, j: number) => (j === 0 ? (k < 50 ? 'low' : 'confidence') : j === 1 ? (k < 40 ? 'low' : 'high') : (['high', 'confidence', 'low'] as const)[(k + j) % 3]!);
    await mapLimit([...s.bots.values()].map((b, k) => [b, k] as const), 4, ([b, k]) => must(b, 'ballot.cast', { pollId: 'walk-r1', choice: Object.fromEntries(ratable.map((id, j) => [id, level(k, j)])) }));
    await s.observer.must('poll.close', { pollId: 'walk-r1' });
    await s.observer.must('poll.announce', { pollId: 'walk-r1' });

    // The wall: eight rows fill a page (two pages for 15), sizes for the back row, nothing spills off the screen.
    const board = wall.getByRole('region', { name: 'KẾT QUẢ LẤY PHIẾU TÍN NHIỆM' });
    await visible(board);
    await visible(board.getByText('Trang 1/2', { exact: true }));
    expect(await board.locator('tbody tr').count()).toBe(8);
    const sizes = await board.evaluate((el) => {
      const px = (sel: string) => Math.min(...Array.from(el.querySelectorAll(sel)).map((n) => parseFloat(getComputedStyle(n).fontSize)));
      const table = el.querySelector('table')!.getBoundingClientRect();
      const foot = document.querySelector('.wall-foot')?.getBoundingClientRect();
      return { name: px('.wall-table__name'), post: px('.wall-table__post'), count: px('.wall-table__count'), pct: px('.wall-table__pct'), flag: px('.wall-flag'), tableBottom: table.bottom, limit: foot ? foot.top : window.innerHeight };
    });
    await shot(wall, 'wall-rating');
    expect(sizes.name).toBeGreaterThanOrEqual(44);
    expect(sizes.post).toBeGreaterThanOrEqual(36);
    expect(sizes.count).toBeGreaterThanOrEqual(48);
    expect(sizes.pct).toBeGreaterThanOrEqual(36);
    expect(sizes.flag).toBeGreaterThanOrEqual(36);
    expect(sizes.tableBottom).toBeLessThanOrEqual(sizes.limit + 1);
    // No consequence reads "—" (and "Không có" to a screen reader), never the bare "Không".
    const cells = board.locator('tbody tr td:last-child');
    const texts = (await cells.allInnerTexts()).map(normalize);
    expect(texts.some((t) => /^—\s*Không có$/.test(t))).toBe(true);
    expect(texts).not.toContain('Không');
    expect(texts.some((t) => t.includes('Đề nghị miễn nhiệm'))).toBe(true);

    // The public page on three screens and the tablet in portrait: every column readable, nothing scrolls sideways.
    const panelOf = (scope: Locator) => scope.getByRole('region', { name: `Kết quả lấy phiếu tín nhiệm ${RATING}` });
    for (const [page, name] of [
      [liveLaptop, 'live 1280×720'],
      [livePhone, 'live 360×800'],
      [liveTv, 'live 1920×1080'],
    ] as const) {
      const panel = panelOf(liveResults(page));
      await visible(panel);
      await panel.scrollIntoViewIfNeeded();
      if (page !== liveTv) await shot(page, 'live-rating');
      await expectFits(panel, name);
      await visible(panel.getByText('Đề nghị miễn nhiệm', { exact: true }));
    }
    await tablet.getByRole('tab', { name: /^Kết quả/ }).click();
    const tabletPanel = panelOf(tablet.getByRole('tabpanel'));
    await visible(tabletPanel);
    await expectFits(tabletPanel, 'tablet 768×1024');
    await tabletPanel.scrollIntoViewIfNeeded();
    await shot(tablet, 'tablet-rating-result');
  });

  it('[WALK-5] a recess with a resume time, set in the chair\'s dialog, on the wall, the tablet and the public page', async () => {
    await chairToolbar(chair).getByRole('button', { name: 'Tạm nghỉ', exact: true }).click();
    const dialog = chair.getByRole('dialog', { name: 'Tạm nghỉ' });
    await visible(dialog);
    await dialog.getByLabel(/^Nghỉ bao nhiêu phút/).fill('20');
    await visible(dialog.getByText(/^Phiên họp tiếp tục lúc \d\d:\d\d$/));
    await shot(chair, 'chair-recess-dialog');
    await dialog.getByRole('button', { name: 'Tạm nghỉ', exact: true }).click();
    await gone(dialog);
    const v = await s.observer.until((x) => x.phase === 'recess', 'recess');
    expect(v.recess).not.toBeNull();
    const resumeAt = v.recess!.resumeAt!;
    expect(resumeAt - v.recess!.since).toBe(20 * 60_000);
    const time = hallTime(resumeAt);
    await visible(wall.getByText(`TIẾP TỤC LÚC ${time}`, { exact: true }));
    await visible(tablet.getByText(new RegExp(`Phiên họp tiếp tục lúc ${escapeRe(time)}$`)));
    await visible(overlay(liveLaptop).getByText(`Phiên họp tiếp tục lúc ${time}`, { exact: true }));
    await visible(livePhone.getByText(`Phiên họp tiếp tục lúc ${time}`, { exact: true }).first());
    await shot(wall, 'wall-recess');
    await tablet.getByRole('tab', { name: /^Phiên họp/ }).click();
    await tablet.getByText(new RegExp(`Phiên họp tiếp tục lúc ${escapeRe(time)}$`)).scrollIntoViewIfNeeded();
    await shot(tablet, 'tablet-recess');
    await shot(livePhone, 'live-recess');
    await shot(chair, 'chair-recess');

    // Resuming clears it everywhere.
    await s.observer.must('session.resume', {});
    await gone(wall.getByText(`TIẾP TỤC LÚC ${time}`, { exact: true }));
    await gone(tablet.getByText(new RegExp(`Phiên họp tiếp tục lúc ${escapeRe(time)}$`)));
    console.log(`[WALK] ${shots.length} screenshots`);
  });
});
