/**
 * [E2E-CON] The chair console at 1440×900 in a browser whose locale is English (en-US), through a sitting of HĐND
 * tỉnh Bắc Ninh, for what issue 13 found and issue 14 asked of the console: the session picker lists only what the
 * account may open and says why when the server refuses; Họp kín / Bế mạc are not offered before the sitting opens;
 * the searchable delegate picker; "+1 phút" and "Mời hỏi" are named as they read; "Thêm nhóm vấn đề" is a button;
 * a commitment's deadline is typed dd/mm/yyyy although the browser is English; the speech log shows actual time and
 * overrun; a poll says how it closes; the revote dialog asks for its reason in a sentence and may change the threshold,
 * the duration and the closing; the toolbar stays in view; the adjournment lists unfinished business; and the
 * "Biên bản / Hồ sơ" area: the secretary edits a draft, the chair approves it (the SHA-256 shown is the journal's),
 * the approved PDF read back with pdftotext, the counting committee, a commitment follow-up, exports and statistics.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import type { Actor, Command } from '@hall/core';
import { DEMO_STAFF_PASSWORD } from '../../server/src/seed/demo.ts';
import { startHall, type RunningHall, type TestClient } from '../../server/test/support/hall.ts';
import { launch, screenshot } from '../support/browser.ts';
import {
  axeSerious,
  chairPickSession,
  chairPollCard,
  chairPress,
  chairTab,
  chairToolbar,
  connectChair,
  delegateId,
  dumpPages,
  escapeRe,
  gone,
  normalize,
  SESSION,
  STATE_TIMEOUT,
  textMatches,
  timerSeconds,
  visible,
} from '../support/e2e.ts';

const chairActor: Actor = { role: 'chair', id: 'chutoa.bn' };
const delegate = (n: number): Actor => ({ role: 'delegate', id: delegateId(n) });
const PRESENT = 60;

let h: RunningHall;
let browser: Browser;
let observer: TestClient;
let chair: Page;
let secretary: Page | undefined;

async function run(type: Command['type'], payload: object, by: Actor = chairActor) {
  const ack = await h.hall.sessions.submit({ sessionId: SESSION, commandId: `e-${randomBytes(9).toString('base64url')}`, type, payload } as Command, by);
  if (!ack.ok) throw new Error(`${type}: ${ack.code} ${ack.reason ?? ''}`);
}

/** Diacritics folded independently of the console's own code: what a chair types on a keyboard without Telex. */
const plain = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
const nameOf = (n: number) => observer.view!.roll!.find((r) => r.delegateId === delegateId(n))!;

/** A page of the console in a context whose browser locale is English: the console must still speak Vietnamese. */
async function consolePage(user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'Asia/Ho_Chi_Minh', deviceScaleFactor: 1 });
  context.setDefaultTimeout(STATE_TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/chair/`);
  await page.getByLabel('Tên đăng nhập').fill(user);
  await page.getByLabel('Mật khẩu').fill(DEMO_STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await visible(page.getByRole('heading', { name: 'Chọn kỳ họp' }));
  return page;
}

async function openTab(page: Page, name: string) {
  const tab = page.getByRole('tablist', { name: 'Khu vực điều hành' }).getByRole('tab', { name: new RegExp(`^${escapeRe(name)}`) });
  await tab.click();
  await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true');
}

async function downloaded(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer; path: string }> {
  const [download] = (await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), button.click()])) as [Download, void];
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(path), path };
}

const cellsOf = async (row: Locator) => (await row.locator('td').allInnerTexts()).map(normalize);
const seconds = (mmss: string) => {
  const m = /^(\d+):(\d{2})/.exec(mmss);
  if (!m) throw new Error(`no m:ss in "${mmss}"`);
  return Number(m[1]) * 60 + Number(m[2]);
};

beforeAll(async () => {
  h = await startHall();
  browser = await launch();
  await run('session.openCheckIn', {});
  for (let i = 1; i <= PRESENT; i++) await run('attendance.checkIn', { delegateId: delegateId(i), channel: 'hall' }, delegate(i));
  observer = await connectChair(h.baseUrl);
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await dumpPages({ chair, secretary });
});

afterAll(async () => {
  observer?.close();
  await browser?.close();
  await h?.close();
});

describe('[E2E-CON] the chair console through a sitting, 1440×900, English browser locale', () => {
  it('[E2E-CON-1] the picker lists only the council the chair may open; a refused session is said, not swallowed', async () => {
    chair = await consolePage('chutoa.bn');
    await visible(chair.getByRole('region', { name: 'Hội đồng của bạn' }));
    expect(await chair.getByRole('region', { name: 'Hội đồng khác' }).count()).toBe(0);
    expect(await chair.getByText(/Tiên Du/).count()).toBe(0);

    // Another council's session, remembered from an earlier sign-in (or a shared link), is refused by the server.
    await chair.evaluate(() => localStorage.setItem('hall.chair.session', 'td-kh10'));
    await chair.reload();
    await visible(chair.getByRole('heading', { name: 'Chọn kỳ họp' }));
    await textMatches(chair.getByRole('alert'), /^Không mở được kỳ họp: \S/);

    await chairPickSession(chair);
  });

  it('[E2E-CON-2] Họp kín and Bế mạc are not offered before the sitting opens; they are after', async () => {
    const toolbar = chairToolbar(chair);
    await visible(toolbar.getByRole('button', { name: 'Khai mạc phiên họp', exact: true }));
    expect(await toolbar.getByRole('button', { name: 'Họp kín', exact: true }).count()).toBe(0);
    expect(await toolbar.getByRole('button', { name: 'Bế mạc', exact: true }).count()).toBe(0);
    await chairPress(toolbar, 'Khai mạc phiên họp', { title: 'Khai mạc phiên họp?', submit: 'Khai mạc phiên họp' });
    await visible(toolbar.getByRole('button', { name: 'Họp kín', exact: true }));
    await visible(toolbar.getByRole('button', { name: 'Bế mạc', exact: true }));
    // The phase is in the pinned toolbar itself, not only in the header that scrolls away.
    await visible(toolbar.getByText('Đang họp', { exact: false }));
  });

  it('[E2E-CON-3] "Mời phát biểu trực tiếp": a searchable picker defaulting to delegates; "+1 phút" named as it reads; the log shows actual time and overrun', async () => {
    await chairTab(chair, 'Phát biểu');
    const give = chair.getByRole('region', { name: 'Mời phát biểu trực tiếp' });
    expect(await give.getByRole('radio', { name: 'Đại biểu' }).isChecked()).toBe(true);
    expect(await give.locator('select option').filter({ hasText: nameOf(5).name }).count()).toBe(0);

    const d5 = nameOf(5);
    const search = give.getByRole('combobox', { name: 'Tìm đại biểu (tên, ghế, tổ)' });
    // A seat and a name without diacritics narrow 85 delegates to one.
    await search.fill(`${d5.seat.toLowerCase()} ${plain(d5.name.split(' ').at(-1)!)}`);
    const options = give.getByRole('listbox').getByRole('option');
    await expect.poll(() => options.count()).toBe(1);
    await textMatches(options.first(), d5.name);
    // The group alone finds its members, and only them ("số 1" is not "số 12").
    await search.fill(plain(d5.group));
    const members = observer.view!.roll!.filter((r) => r.group === d5.group).length;
    await expect.poll(() => options.count()).toBe(Math.min(members, 8));
    for (const text of await options.allInnerTexts()) expect(normalize(text)).toMatch(new RegExp(`· ${escapeRe(d5.group)}$`));
    await search.fill(`${d5.seat} ${plain(d5.name)}`);
    await expect.poll(() => options.count()).toBe(1);
    await search.press('ArrowDown');
    await search.press('Enter');
    await textMatches(give.getByText(/^Đã chọn:/), `Đã chọn: ${d5.seat} · ${d5.name} — ${d5.group}`);
    await give.getByRole('button', { name: 'Mời phát biểu', exact: true }).click();

    const speaker = chair.getByRole('region', { name: 'Người đang phát biểu' });
    await visible(speaker.getByText(d5.name));
    await speaker.getByRole('button', { name: '+1 phút', exact: true }).click();
    await visible(speaker.getByText(/đã gia hạn 1:00/));
    await visible(speaker.getByRole('button', { name: '+3 phút', exact: true }));
    await chairPress(speaker, 'Dừng phát biểu');
    await gone(speaker.getByText(d5.name));

    // A 10-second turn, run past its time: the log shows the time allowed, the time taken and the overrun.
    const d7 = nameOf(7);
    await run('floor.give', { speechId: 's-over', speaker: { kind: 'delegate', id: delegateId(7) }, purpose: 'speech', limitSec: 10 });
    await visible(speaker.getByRole('alert').filter({ hasText: 'QUÁ GIỜ' }), 60_000);
    await expect.poll(() => timerSeconds(speaker.getByRole('timer')), { timeout: 60_000, interval: 200 }).toBeLessThanOrEqual(-2);
    await chairPress(speaker, 'Dừng phát biểu');

    const log = chair.locator('details', { has: chair.getByText('Nhật ký phát biểu') });
    if ((await log.getAttribute('open')) === null) await log.locator('summary').click();
    const row = log.getByRole('row', { name: new RegExp(escapeRe(d7.name)) });
    await visible(row);
    const [, , , allowed, actual, overrun] = await cellsOf(row);
    expect(allowed).toBe('0:10');
    expect(overrun).toMatch(/^\d+:\d{2} QUÁ GIỜ$/);
    expect(seconds(actual!) - seconds(allowed!)).toBe(seconds(overrun!));
    expect(seconds(overrun!)).toBeGreaterThanOrEqual(2);
    const d5row = await cellsOf(log.getByRole('row', { name: new RegExp(escapeRe(d5.name)) }));
    expect(d5row[5]).toBe('—');
  });

  it('[E2E-CON-4] questioning: "Thêm nhóm vấn đề" is a button, "Mời hỏi" is named as it reads; a deadline typed dd/mm/yyyy in an English browser', async () => {
    await run('agenda.goTo', { itemId: 'bn-kh12-05' });
    const respondent = observer.view!.officials.find((o) => o.respondent)!;
    await chairTab(chair, 'Chất vấn');
    const add = chair.getByRole('button', { name: 'Thêm nhóm vấn đề', exact: true });
    expect(await add.getAttribute('aria-expanded')).toBe('false');
    await add.click();
    expect(await add.getAttribute('aria-expanded')).toBe('true');
    const form = chair.getByRole('form', { name: 'Thêm nhóm vấn đề' });
    await form.getByLabel('Nhóm vấn đề').fill('Giải phóng mặt bằng khu công nghiệp');
    await form.getByRole('checkbox', { name: new RegExp(escapeRe(respondent.fullName)) }).check();
    await form.getByRole('button', { name: 'Thêm nhóm', exact: true }).click();
    await chair.getByRole('button', { name: /^Mở nhóm/ }).click();
    await observer.until((v) => v.questioning?.activeGroup !== null && v.questioning?.activeGroup !== undefined, 'the group open');
    const groupId = observer.view!.questioning!.activeGroup!.groupId;
    await run('question.submit', { questionId: 'q1', respondentId: respondent.id, groupId, text: 'Bao giờ bàn giao mặt bằng?' }, delegate(3));
    await run('question.submit', { questionId: 'q2', respondentId: respondent.id, groupId, text: 'Tiền bồi thường trả khi nào?' }, delegate(4));

    const call = chair.getByRole('button', { name: `Mời hỏi: ${nameOf(3).name}`, exact: true });
    await visible(call);
    expect(normalize(await call.innerText())).toBe('Mời hỏi');
    await call.click();
    const speaker = chair.getByRole('region', { name: 'Người đang phát biểu' });
    await visible(speaker.getByText(nameOf(3).name));
    await chairPress(speaker, 'Dừng phát biểu');
    await chair.getByRole('button', { name: `Mời trả lời: ${respondent.fullName}`, exact: true }).click();
    await visible(speaker.getByText(respondent.fullName));

    await chair.getByRole('button', { name: 'Ghi lời hứa', exact: true }).click();
    const dialog = chair.getByRole('dialog', { name: 'Ghi lời hứa / cam kết' });
    await dialog.getByLabel('Nội dung lời hứa').fill('Bàn giao mặt bằng khu công nghiệp trước quý II');
    const deadline = dialog.getByLabel('Thời hạn (không bắt buộc)');
    expect(await deadline.getAttribute('type')).not.toBe('date');
    expect(await deadline.getAttribute('placeholder')).toBe('dd/mm/yyyy');
    // The US order is refused in words, and the dialog will not save it.
    await deadline.fill('12/31/2026');
    await visible(dialog.getByText('Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm (dd/mm/yyyy).'));
    await deadline.fill('31/12/2026');
    await gone(dialog.getByText(/^Ngày không hợp lệ/));
    await dialog.getByRole('button', { name: 'Lưu lời hứa' }).click();
    await gone(dialog);
    await observer.until((v) => (v.commitments ?? []).some((c) => c.deadline === '2026-12-31'), 'the commitment with its ISO deadline');
    await visible(chair.getByRole('cell', { name: '31/12/2026', exact: true }));
    await chairPress(speaker, 'Dừng phát biểu');
  });

  it('[E2E-CON-5] a vote says how it closes; the revote dialog asks for its reason in a sentence and may change threshold, duration and closing', async () => {
    await chairTab(chair, 'Biểu quyết');
    await chair.getByRole('button', { name: /Tạo biểu quyết/ }).click();
    const dialog = chair.getByRole('dialog', { name: 'Thiết lập biểu quyết' });
    await dialog.getByLabel('Nội dung biểu quyết').fill('Thông qua chương trình giám sát năm 2029');
    expect(await dialog.getByRole('radio', { name: 'Tự động kết thúc khi hết giờ' }).isChecked()).toBe(true);
    await visible(dialog.getByText('Hết thời gian, máy chủ tự kết thúc và kiểm phiếu; chủ tọa vẫn có thể kết thúc sớm.'));
    await dialog.getByRole('radio', { name: 'Chủ tọa bấm kết thúc (không hẹn giờ)' }).check();
    expect(await dialog.getByLabel('Thời gian biểu quyết (giây)').isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Bắt đầu biểu quyết' }).click();
    await gone(dialog);
    const card = chairPollCard(chair);
    await visible(card.getByText('Chủ tọa kết thúc — không hẹn giờ'));
    const first = await observer.until((v) => v.poll?.status === 'open', 'the poll open');
    expect(first.poll!.closesAt).toBeNull();
    await chairPress(card, 'Kết thúc biểu quyết', { title: 'Kết thúc biểu quyết', submit: 'Kết thúc biểu quyết' });
    await observer.until((v) => v.poll?.status === 'counted', 'the poll counted');

    await chair.getByRole('tabpanel').getByRole('button', { name: 'Biểu quyết lại', exact: true }).click();
    const revote = chair.getByRole('dialog', { name: 'Biểu quyết lại?' });
    await visible(revote.getByText('Hãy nhập lý do biểu quyết lại: lý do được ghi vào biên bản và hiện cùng kết quả.'));
    expect(await revote.getByText('Lý do', { exact: true }).count()).toBe(0);
    await revote.getByLabel('Lý do biểu quyết lại').fill('Hệ thống của tổ 3 mất kết nối khi biểu quyết');
    await gone(revote.getByText(/^Hãy nhập lý do/));
    await revote.getByLabel('Điều kiện thông qua').selectOption({ label: 'Ít nhất hai phần ba tổng số đại biểu' });
    await revote.getByRole('radio', { name: 'Tự động kết thúc khi hết giờ' }).check();
    await revote.getByLabel('Thời gian biểu quyết (giây)').fill('600');
    await revote.getByRole('button', { name: 'Biểu quyết lại', exact: true }).click();
    await gone(revote);

    const second = await observer.until((v) => v.poll?.round === 2 && v.poll.status === 'open', 'round 2 open');
    expect(second.poll!.rule).toBe('at-least-two-thirds');
    expect(second.poll!.revoteReason).toBe('Hệ thống của tổ 3 mất kết nối khi biểu quyết');
    expect(second.poll!.closesAt! - second.poll!.openedAt).toBe(600_000);
    // The hall's clock (UTC+7, no daylight saving), computed here rather than by the console's formatter.
    const local = new Date(second.poll!.closesAt! + 7 * 3600_000);
    const closesAt = [local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    await visible(card.getByText(`Tự động kết thúc khi hết giờ (lúc ${closesAt})`));
    await visible(card.getByText(/Ít nhất hai phần ba tổng số đại biểu/));
    await chairPress(card, 'Kết thúc biểu quyết', { title: 'Kết thúc biểu quyết', submit: 'Kết thúc biểu quyết' });
    await observer.until((v) => v.poll?.round === 2 && v.poll.status === 'counted', 'round 2 counted');
  });

  it('[E2E-CON-6] the toolbar stays in view when the desk scrolls, after a dialog', async () => {
    await chairTab(chair, 'Điểm danh');
    await chair.keyboard.press('?');
    const help = chair.getByRole('dialog', { name: /Phím tắt/ });
    await visible(help);
    await chair.keyboard.press('Escape');
    await gone(help);
    const scrollable = await chair.evaluate(() => document.scrollingElement!.scrollHeight - window.innerHeight);
    expect(scrollable).toBeGreaterThan(400);
    await chair.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
    await expect.poll(() => chair.evaluate(() => window.scrollY)).toBeGreaterThan(400);
    for (const name of ['Tạm nghỉ', 'Họp kín', 'Bế mạc']) {
      const box = await chairToolbar(chair).getByRole('button', { name, exact: true }).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.y, name).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height, name).toBeLessThanOrEqual(900);
    }
    await screenshot(chair, 'e2e-console-toolbar-scrolled');
  });

  it('[E2E-CON-7] Bế mạc lists the agenda items not taken up, the votes not announced, the questions not answered', async () => {
    await chair.getByRole('button', { name: 'Bế mạc', exact: true }).click();
    const dialog = chair.getByRole('dialog', { name: 'Xác nhận bế mạc kỳ họp' });
    await visible(dialog);
    const list = dialog.getByRole('group', { name: 'Việc chưa hoàn thành' });
    const items = list.getByRole('region', { name: /^Nội dung chương trình chưa tiến hành/ });
    await visible(items.getByText('Nghị quyết xác nhận kết quả lấy phiếu tín nhiệm', { exact: true }));
    await visible(items.getByText('Bế mạc kỳ họp', { exact: true }));
    expect(await items.getByText('Khai mạc kỳ họp', { exact: true }).count()).toBe(0);
    await visible(list.getByRole('region', { name: 'Biểu quyết chưa công bố kết quả (1)' }).getByText('Thông qua chương trình giám sát năm 2029 — đã kiểm phiếu, chưa công bố'));
    const questions = list.getByRole('region', { name: 'Câu hỏi chất vấn chưa được trả lời (1)' });
    await visible(questions.getByText(new RegExp(`^${escapeRe(nameOf(4).name)} → .*Tiền bồi thường trả khi nào\\?$`)));
    await screenshot(chair, 'e2e-console-adjourn');
    await dialog.getByRole('button', { name: 'Bế mạc', exact: true }).click();
    await gone(dialog);
    await observer.until((v) => v.phase === 'adjourned', 'the session adjourned');
  });

  it('[E2E-CON-8] Biên bản / Hồ sơ: the secretary edits the draft, the chair approves it, the PDF reads back; committee, register, exports, statistics', async () => {
    secretary = await consolePage('thuky.bn');
    await chairPickSession(secretary);
    await openTab(secretary, 'Biên bản / Hồ sơ');
    const sec = secretary.getByRole('region', { name: 'Biên bản', exact: true });
    await visible(sec.getByLabel('Chọn biên bản'));
    await sec.getByLabel('Chọn biên bản').selectOption('session');
    await sec.getByLabel('Số biên bản').fill('07/BB-HĐND');
    await sec.getByLabel('Địa điểm họp').fill('Hội trường Trung tâm Hội nghị tỉnh Bắc Ninh');
    await sec.getByLabel('Phần mở đầu').fill('Kỳ họp diễn ra trang trọng, đúng chương trình đã thông qua.');
    await visible(sec.getByText('Có thay đổi chưa lưu.'));
    // The secretary drafts; only the chair approves.
    expect(await sec.getByRole('button', { name: /^Phê duyệt/ }).count()).toBe(0);
    await sec.getByRole('button', { name: 'Lưu dự thảo' }).click();
    await visible(secretary.getByText('Đã lưu dự thảo.'));
    await gone(sec.getByText('Có thay đổi chưa lưu.'));
    await screenshot(secretary, 'e2e-console-records-secretary');

    await openTab(chair, 'Biên bản / Hồ sơ');
    const mins = chair.getByRole('region', { name: 'Biên bản', exact: true });
    await mins.getByLabel('Chọn biên bản').selectOption('session');
    await expect.poll(() => mins.getByLabel('Số biên bản').inputValue()).toBe('07/BB-HĐND');
    await mins.getByRole('button', { name: 'Phê duyệt phiên bản 1', exact: true }).click();
    const approve = chair.getByRole('dialog', { name: 'Phê duyệt biên bản?' });
    await approve.getByRole('button', { name: 'Phê duyệt phiên bản 1', exact: true }).click();
    await gone(approve);
    const journaled = await observer.until((v) => (v.paperwork?.approvals ?? []).some((a) => a.minutesKey === 'session'), 'minutes.approve in the journal');
    const approval = journaled.paperwork!.approvals.find((a) => a.minutesKey === 'session')!;
    const versions = mins.getByRole('table', { name: 'Các phiên bản đã phê duyệt' });
    await visible(versions.getByText(approval.sha256, { exact: true }));
    await visible(versions.getByText(approval.publicSha256, { exact: true }));
    await visible(mins.getByRole('button', { name: 'Phê duyệt phiên bản 2', exact: true }));

    const pdf = await downloaded(chair, versions.getByRole('button', { name: 'PDF bản đầy đủ — tải phiên bản 1', exact: true }));
    expect(pdf.name).toMatch(/\.pdf$/);
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = normalize(execFileSync('pdftotext', ['-enc', 'UTF-8', pdf.path, '-']).toString('utf8'));
    for (const want of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', '07/BB-HĐND', 'Hội trường Trung tâm Hội nghị tỉnh Bắc Ninh', 'Kỳ họp diễn ra trang trọng, đúng chương trình đã thông qua.', 'BIÊN BẢN']) {
      expect(text, want).toContain(want);
    }
    const docx = await downloaded(chair, mins.getByRole('button', { name: 'DOCX bản công khai — tải dự thảo', exact: true }));
    expect(docx.name).toMatch(/\.docx$/);
    expect(docx.bytes.subarray(0, 2).toString()).toBe('PK');
    await screenshot(chair, 'e2e-console-records-minutes');
    const findings = await axeSerious(chair, 'records');
    expect(findings, JSON.stringify(findings, null, 1)).toEqual([]);

    // The counting committee, kept by the secretary through the journal.
    const nav = secretary.getByRole('navigation', { name: 'Biên bản và hồ sơ kỳ họp' });
    await nav.getByRole('button', { name: 'Ban kiểm phiếu' }).click();
    const committee = secretary.getByRole('region', { name: 'Ban kiểm phiếu', exact: true });
    const find = committee.getByRole('combobox', { name: 'Tìm đại biểu (tên, ghế, tổ)' });
    for (const n of [10, 11, 12]) {
      await find.fill(`${nameOf(n).seat} ${plain(nameOf(n).name)}`);
      await find.press('ArrowDown');
      await find.press('Enter');
      await committee.getByRole('button', { name: '+ Thêm thành viên' }).click();
    }
    await committee.getByRole('button', { name: 'Lưu Ban kiểm phiếu' }).click();
    const withCommittee = await observer.until((v) => (v.paperwork?.committee.length ?? 0) === 3, 'the committee journaled');
    expect(withCommittee.paperwork!.committee).toEqual([
      { delegateId: delegateId(10), role: 'head' },
      { delegateId: delegateId(11), role: 'member' },
      { delegateId: delegateId(12), role: 'member' },
    ]);

    // The commitment recorded in the hall, followed up by the secretary.
    await nav.getByRole('button', { name: 'Sổ theo dõi lời hứa' }).click();
    const register = secretary.getByRole('region', { name: /^Sổ theo dõi lời hứa/ });
    const row = register.getByRole('row', { name: /Bàn giao mặt bằng khu công nghiệp trước quý II/ });
    await visible(row.getByText('Đang thực hiện'));
    await row.getByRole('button', { name: /^Cập nhật/ }).click();
    const follow = secretary.getByRole('dialog', { name: 'Cập nhật việc thực hiện lời hứa' });
    await follow.getByLabel('Trạng thái').selectOption('done');
    await follow.getByLabel('Nội dung cập nhật').fill('Đã bàn giao 120 ha cho chủ đầu tư');
    await follow.getByLabel(/^Minh chứng/).fill('Biên bản bàn giao số 15/BB-UBND');
    await follow.getByRole('button', { name: 'Lưu cập nhật' }).click();
    await gone(follow);
    await visible(row.getByText('Đã hoàn thành'));
    await visible(row.getByText(/Đã bàn giao 120 ha cho chủ đầu tư/));
    await observer.until((v) => (v.commitments ?? []).some((c) => (c.updates ?? []).some((u) => u.status === 'done' && u.evidence === 'Biên bản bàn giao số 15/BB-UBND')), 'the follow-up journaled');

    // Exports and statistics.
    await nav.getByRole('button', { name: 'Xuất dữ liệu' }).click();
    const xlsx = await downloaded(secretary, secretary.getByRole('button', { name: 'Bảng tính XLSX (mọi bảng)' }));
    expect(xlsx.name).toMatch(/\.xlsx$/);
    expect(xlsx.bytes.subarray(0, 2).toString()).toBe('PK');
    const csv = await downloaded(secretary, secretary.getByRole('button', { name: 'CSV: Điểm danh' }));
    expect(csv.name).toMatch(/\.csv$/);
    expect(csv.bytes.toString('utf8')).toContain(nameOf(1).name);
    await nav.getByRole('button', { name: 'Thống kê' }).click();
    const stats = secretary.getByRole('region', { name: 'Thống kê', exact: true });
    await visible(stats.getByRole('img', { name: 'Thời gian từng phiên họp (phút)' }).locator('canvas'));
    await visible(stats.getByRole('img', { name: 'Đại biểu phát biểu, chất vấn nhiều nhất' }).locator('canvas'));
    await visible(stats.getByRole('rowheader', { name: respondentName() }));
    await screenshot(secretary, 'e2e-console-records-statistics');
  });
});

function respondentName() {
  return observer.view!.officials.find((o) => o.respondent)!.fullName;
}
