/**
 * The delegate's tablet at 768×1024 portrait through a sitting of HĐND tỉnh Bắc Ninh (issue 13's walk-through): the
 * demo's documents open, the floor is shown wherever the delegate is (a banner with the time left and "Kết thúc phát
 * biểu", on every tab and in the document viewer, never under the tab bar — from "Mời phát biểu" and from "Mời hỏi"),
 * the question form follows the group being questioned, a 15-official ballot keeps the time left and the count in
 * view while scrolling, and a written-answer due date reads dd/mm/yyyy in the hall's time zone on a tablet set to
 * another locale and zone. The chair and the other delegates act through the protocol (TestClient); the tablet is
 * driven by its accessible names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { demoSessions } from '../../server/src/seed/demo.ts';
import { screenshot } from '../support/browser.ts';
import AxeBuilder from '@axe-core/playwright';
import {
  axeSerious,
  checkInAll,
  connectDelegates,
  delegateCheckIn,
  delegateId,
  delegateLogin,
  delegateTablet,
  escapeRe,
  gone,
  mapLimit,
  newPage,
  range,
  SESSION,
  STATE_TIMEOUT,
  textMatches,
  useSitting,
  visible,
} from '../support/e2e.ts';

/** The tablet in the browser; 56 bots make the quorum of two thirds (57 of 85 present). */
const ME = 2;
const BOTS = range(3, 58);
const PRESENT = 1 + BOTS.length;
/** A second tablet, set up abroad (another locale and time zone), that is not a bot. */
const ABROAD = 60;

let tablet: Page;
let abroad: Page | undefined;
const s = useSitting(BOTS, () => ({ tablet, abroad }));

type Officials = { id: string; fullName: string; post: string; ratable: boolean; respondent: boolean }[];
const officials = () => (s.observer.view!.snapshot as { context: { council: { officials: Officials } } }).context.council.officials;

beforeAll(async () => {
  tablet = await delegateTablet(s, ME);
});

/**
 * Whether the element is wholly inside the viewport and on top there (not covered by a sticky bar or anything
 * else): the points hit at its centre and near two corners belong to it.
 */
async function inPlainSight(l: Locator): Promise<string> {
  return l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.height === 0 || r.width === 0) return 'no size';
    if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) return `outside the viewport (${Math.round(r.top)}…${Math.round(r.bottom)} of ${innerHeight})`;
    const points: [number, number][] = [
      [r.left + r.width / 2, r.top + r.height / 2],
      [r.left + 3, r.top + 3],
      [r.right - 3, r.bottom - 3],
    ];
    for (const [x, y] of points) {
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(hit === el || el.contains(hit))) return `covered at ${Math.round(x)},${Math.round(y)} by ${hit?.outerHTML.slice(0, 80)}`;
    }
    return 'visible';
  });
}
const expectInSight = (l: Locator, what: string) => expect.poll(() => inPlainSight(l), { timeout: STATE_TIMEOUT, message: what }).toBe('visible');

const scrollToBottom = async (page: Page) => {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  return page.evaluate(() => window.scrollY);
};

const tab = (page: Page, name: 'Phiên họp' | 'Tài liệu' | 'Chất vấn' | 'Kết quả') => page.getByRole('tablist', { name: 'Các mục' }).getByRole('tab', { name, exact: true });

/** The floor banner: a region named by its heading "Bạn đang phát biểu". */
const floorBanner = (scope: Page | Locator) => scope.getByRole('region', { name: 'Bạn đang phát biểu' });

async function expectBanner(scope: Page | Locator, what: string) {
  const banner = floorBanner(scope);
  await visible(banner);
  await expectInSight(banner.getByRole('heading', { name: 'Bạn đang phát biểu' }), `${what}: the heading`);
  await expectInSight(banner.getByRole('timer'), `${what}: the time left`);
  await expectInSight(banner.getByRole('button', { name: 'Kết thúc phát biểu', exact: true }), `${what}: the end button`);
  // The clock is the speech's: it reads mm:ss, the time left of the chair's limit.
  expect(await banner.getByRole('timer').getAttribute('aria-label')).toMatch(/^Thời gian còn lại \d{2}:\d{2}$/);
}

/**
 * axe-core on the screen as it is: no serious or critical WCAG 2 A/AA violation, and no control whose accessible
 * name leaves out the words it shows (label-content-name-mismatch, WCAG 2.5.3 — experimental in axe, so asked for
 * by name).
 */
async function expectAccessible(page: Page, screen: string) {
  expect(await axeSerious(page, screen)).toEqual([]);
  const mismatch = await new AxeBuilder({ page }).withRules(['label-content-name-mismatch']).analyze();
  // The rule ran (an experimental rule left out would pass silently).
  expect([...mismatch.passes, ...mismatch.violations, ...mismatch.incomplete, ...mismatch.inapplicable].map((r) => r.id)).toContain('label-content-name-mismatch');
  expect(mismatch.violations.flatMap((v) => v.nodes.map((n) => `${screen}: ${n.target.join(' ')} — ${n.failureSummary ?? v.help}`))).toEqual([]);
}

/** "Kết thúc phát biểu" on the banner, confirmed; the floor is free again and the banner goes. */
async function endMySpeech(page: Page) {
  await floorBanner(page).getByRole('button', { name: 'Kết thúc phát biểu', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Kết thúc lượt phát biểu của bạn?' });
  await visible(confirm);
  await confirm.getByRole('button', { name: 'Kết thúc phát biểu', exact: true }).click();
  await s.observer.until((v) => v.speaker === null, 'floor free after the delegate ended');
  await gone(floorBanner(page));
}

describe('the delegate tablet at 768×1024', () => {
  it('[TAB-1] every document of the demo session opens in the viewer (seeded as real PDFs), its button named by the words it shows', async () => {
    const refs = demoSessions().find((s) => s.id === SESSION)!.agenda.flatMap((i) => i.documents);
    expect(refs.length).toBeGreaterThanOrEqual(7);
    await tab(tablet, 'Tài liệu').click();
    for (const ref of refs) {
      // The visible "Mở" is part of the button's name (a voice-control user says what they see).
      const button = tablet.getByRole('button', { name: new RegExp(`^${escapeRe(ref.title)} [\\d,.]+ (kB|MB) Mở$`) });
      await button.click();
      const viewer = tablet.getByRole('dialog', { name: ref.title });
      await visible(viewer);
      const page1 = viewer.getByRole('img', { name: /^Trang 1\/\d+$/ });
      await visible(page1);
      expect(await viewer.getByText('Tài liệu không còn trên hệ thống.').count()).toBe(0);
      // pdf.js paints the page: the canvas has a size, then dark pixels (the text) on white.
      const darkPixels = () =>
        page1.evaluate((c) => {
          const canvas = c as HTMLCanvasElement;
          if (canvas.width < 300) return 0;
          const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let dark = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i]! < 128) dark++;
          return dark;
        });
      await expect.poll(darkPixels, { timeout: STATE_TIMEOUT, message: `${ref.id} painted` }).toBeGreaterThan(1000);
      if (ref.id === 'bn-kh12-ds-tinnhiem') await screenshot(tablet, 'tablet-768-document');
      await viewer.getByRole('button', { name: 'Đóng tài liệu' }).click();
      await gone(viewer);
    }
  });

  it('[TAB-2] given the floor, the banner with the time left and "Kết thúc phát biểu" is in plain sight on every tab and in the viewer, never under the tab bar', async () => {
    await s.observer.must('session.openCheckIn', {});
    await tab(tablet, 'Phiên họp').click();
    await delegateCheckIn(tablet);
    await checkInAll(s.bots.values());
    await s.observer.must('session.start', {});
    await visible(tablet.getByText('Phiên họp đang diễn ra.'));

    await tablet.getByRole('button', { name: /Đăng ký phát biểu/ }).click();
    await visible(tablet.getByText('Thứ tự của bạn: 1'));
    // The delegate has scrolled down the sitting tab when the chair gives the floor.
    expect(await scrollToBottom(tablet), 'the sitting tab scrolls at 768×1024').toBeGreaterThan(100);
    const request = await s.observer.until((v) => v.queue.some((q) => q.delegateId === delegateId(ME)), 'request queued');
    await s.observer.must('floor.grant', { requestId: request.queue.find((q) => q.delegateId === delegateId(ME))!.requestId, speechId: 'sp-tab-1' });
    await expectBanner(tablet, 'sitting tab, scrolled down');
    await screenshot(tablet, 'tablet-768-floor');
    await expectAccessible(tablet, 'floor banner');
    // At the top of the page too: the banner sits above the tab bar, not under it.
    await tablet.evaluate(() => window.scrollTo(0, 0));
    await expectBanner(tablet, 'sitting tab, at the top');

    for (const name of ['Tài liệu', 'Chất vấn', 'Kết quả'] as const) {
      await tab(tablet, name).click();
      await scrollToBottom(tablet);
      await expectBanner(tablet, `${name} tab`);
    }

    // Reading a paper: the viewer covers the page, and carries the banner itself.
    await tab(tablet, 'Tài liệu').click();
    const doc = demoSessions().find((s) => s.id === SESSION)!.agenda[2]!.documents[0]!;
    await tablet.getByRole('button', { name: new RegExp(`^${escapeRe(doc.title)} `) }).click();
    const viewer = tablet.getByRole('dialog', { name: doc.title });
    await visible(viewer.getByRole('img', { name: /^Trang 1\// }));
    await expectBanner(viewer, 'document viewer');
    await expectAccessible(tablet, 'viewer with the floor banner');
    await viewer.getByRole('button', { name: 'Đóng tài liệu' }).click();
    await gone(viewer);

    await endMySpeech(tablet);
  });

  it('[TAB-3] questioning: the form defaults to the open group and its respondents; "Mời hỏi" puts the banner on the Chất vấn tab', async () => {
    await s.observer.must('agenda.goTo', { itemId: 'bn-kh12-05' });
    const byPost = (post: string) => officials().find((o) => o.post === post)!;
    const budget = [byPost('Chủ tịch UBND tỉnh'), byPost('Giám đốc Sở Tài chính')];
    const health = byPost('Giám đốc Sở Y tế');
    await s.observer.must('questioning.addGroup', { groupId: 'g-ngan-sach', topic: 'Ngân sách và đầu tư công', respondentIds: budget.map((o) => o.id) });
    await s.observer.must('questioning.addGroup', { groupId: 'g-y-te', topic: 'Y tế cơ sở', respondentIds: [health.id] });
    await s.observer.must('questioning.openGroup', { groupId: 'g-ngan-sach' });

    await tab(tablet, 'Chất vấn').click();
    await visible(tablet.getByText('Đang chất vấn nhóm vấn đề: Ngân sách và đầu tư công'));
    const group = tablet.getByLabel('Nhóm vấn đề chất vấn');
    const respondent = tablet.getByLabel('Người trả lời chất vấn');
    const optionTexts = (select: Locator) => select.locator('option').allInnerTexts();
    // The open group is chosen, and only its respondents are offered.
    await expect.poll(() => group.evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent ?? '')).toMatch(/^Ngân sách và đầu tư công/);
    expect(await optionTexts(respondent)).toEqual(['— Chọn người trả lời —', ...budget.map((o) => `${o.fullName} — ${o.post}`)]);
    // Another group: its one respondent is chosen for the delegate. No group: every respondent of the council.
    expect(await optionTexts(group)).toEqual(['Không chọn nhóm', 'Ngân sách và đầu tư công (Đang chất vấn)', 'Y tế cơ sở (Chưa chất vấn)']);
    await group.selectOption({ label: 'Y tế cơ sở (Chưa chất vấn)' });
    expect(await optionTexts(respondent)).toEqual([`${health.fullName} — ${health.post}`]);
    await group.selectOption({ label: 'Không chọn nhóm' });
    const all = officials().filter((o) => o.respondent);
    expect(all).toHaveLength(11);
    expect(await optionTexts(respondent)).toEqual(['— Chọn người trả lời —', ...all.map((o) => `${o.fullName} — ${o.post}`)]);
    await group.selectOption('g-ngan-sach');

    await respondent.selectOption({ label: `${budget[1]!.fullName} — ${budget[1]!.post}` });
    await tablet.getByLabel('Nội dung câu hỏi').fill('Đề nghị cho biết giải pháp đẩy nhanh giải ngân vốn đầu tư công năm 2029?');
    await tablet.getByRole('button', { name: 'Gửi phiếu chất vấn', exact: true }).click();
    const confirm = tablet.getByRole('dialog', { name: /^Gửi phiếu chất vấn tới / });
    await visible(confirm);
    await confirm.getByRole('button', { name: 'Gửi phiếu chất vấn', exact: true }).click();
    const asked = await s.observer.until((v) => (v.questions ?? []).some((q) => q.delegateId === delegateId(ME) && q.status === 'queued'), 'question queued');
    const question = asked.questions!.find((q) => q.delegateId === delegateId(ME) && q.status === 'queued')!;
    expect(question).toMatchObject({ groupId: 'g-ngan-sach', respondentId: budget[1]!.id });
    // After sending, the form is back on the open group.
    await expect.poll(() => group.inputValue()).toBe('g-ngan-sach');

    // "Mời hỏi": the delegate is on the Chất vấn tab, scrolled down to their questions.
    await scrollToBottom(tablet);
    await s.observer.must('questioning.call', { questionId: question.questionId, speechId: 'sp-tab-q1' });
    await expectBanner(tablet, 'Chất vấn tab after "Mời hỏi"');
    await screenshot(tablet, 'tablet-768-asked');
    await expectAccessible(tablet, 'questions with the floor banner');
    await endMySpeech(tablet);
  });

  it('[TAB-4] a 15-official confidence rating: the time left and "Đã bỏ phiếu" stay in sight while the delegate scrolls the ballot', async () => {
    await s.observer.must('questioning.closeGroup', {});
    await s.observer.must('agenda.goTo', { itemId: 'bn-kh12-06' });
    const rated = officials().filter((o) => o.ratable);
    expect(rated).toHaveLength(15);
    const subject = 'Lấy phiếu tín nhiệm đối với người giữ chức vụ do HĐND tỉnh bầu';
    await s.observer.must('poll.open', { pollId: 'p-tab-rating', itemId: 'bn-kh12-06', subject, kind: 'confidenceRating', mode: 'secret', durationSec: 1800, officialIds: rated.map((o) => o.id) });
    await visible(tablet.getByRole('heading', { level: 2, name: subject }));

    const clock = tablet.getByRole('timer', { name: /^Thời gian còn lại \d{2}:\d{2}$/ });
    const count = tablet.getByText(new RegExp(`^Đã bỏ phiếu: \\d+/${PRESENT} đại biểu có mặt$`));
    for (const [i, o] of rated.entries()) {
      const row = tablet.getByRole('group', { name: new RegExp(`^${escapeRe(o.fullName)}`) });
      await row.scrollIntoViewIfNeeded();
      await row.getByRole('radio', { name: 'Tín nhiệm', exact: true }).check();
      if (i === 7 || i === rated.length - 1) {
        await expectInSight(clock, `time left, row ${i + 1}`);
        await expectInSight(count, `ballots cast, row ${i + 1}`);
      }
    }
    // The delegate is at the bottom of the ballot: the count moves as others vote, still in sight.
    expect(await scrollToBottom(tablet)).toBeGreaterThan(500);
    const voters = [...s.bots.values()].slice(0, 10);
    await mapLimit(voters, 5, (b) => b.must('ballot.cast', { pollId: 'p-tab-rating', choice: Object.fromEntries(rated.map((o) => [o.id, 'confidence'])) }));
    await textMatches(count, `Đã bỏ phiếu: 10/${PRESENT} đại biểu có mặt`);
    await expectInSight(count, 'ballots cast after ten votes, at the bottom');
    await expectInSight(clock, 'time left, at the bottom');
    await expectInSight(tablet.getByRole('button', { name: 'Gửi phiếu', exact: true }), 'the send button');
    await screenshot(tablet, 'tablet-768-rating-bottom');
    await expectAccessible(tablet, 'rating ballot, scrolled');
    await s.observer.must('poll.cancel', { pollId: 'p-tab-rating', reason: 'Kết thúc kiểm thử' });
    await gone(tablet.getByRole('heading', { level: 2, name: subject }));
  });

  it('[TAB-5] a written-answer due date reads dd/mm/yyyy in the hall\'s time zone on a tablet set to en-US and a far time zone', async () => {
    const [client] = [...(await connectDelegates(s.h.baseUrl, [ABROAD])).values()];
    try {
      const health = officials().find((o) => o.post === 'Giám đốc Sở Y tế')!;
      await client!.must('question.submit', { questionId: 'q-tab-written', respondentId: health.id, text: 'Đề nghị trả lời bằng văn bản về trạm y tế xã.' });
      await s.observer.must('question.markWritten', { questionId: 'q-tab-written' });
      const due = (await s.observer.until((v) => (v.questions ?? []).some((q) => q.questionId === 'q-tab-written' && q.writtenDueAt !== null), 'written due date')).questions!.find(
        (q) => q.questionId === 'q-tab-written',
      )!.writtenDueAt!;
      // Việt Nam is UTC+7 all year. Pick the zone whose calendar day differs from the hall's at that instant, so a
      // date left to the browser's zone would read a day off.
      const hall = new Date(due + 7 * 3_600_000);
      const zone = hall.getUTCHours() < 17 ? 'Pacific/Pago_Pago' : 'Pacific/Kiritimati';
      const expected = `${String(hall.getUTCDate()).padStart(2, '0')}/${String(hall.getUTCMonth() + 1).padStart(2, '0')}/${hall.getUTCFullYear()}`;
      abroad = await newPage(s.browser, 'portrait', { locale: 'en-US', timezoneId: zone });
      const localDay = await abroad.evaluate((ms) => new Date(ms).getDate(), due);
      expect(localDay, "the browser's own calendar day differs from the hall's").not.toBe(hall.getUTCDate());
      await delegateLogin(abroad, s.h.baseUrl, ABROAD);
      await tab(abroad, 'Chất vấn').click();
      await visible(abroad.getByText(`Trả lời bằng văn bản, hạn ${expected}`, { exact: true }));
    } finally {
      client?.close();
      await abroad?.context().close();
      abroad = undefined;
    }
  });
});
