/**
 * [E2E-PUB] The public record in Chromium at 360 px (a phone) and 1280 px: a sitting of the Tiên Du council is run
 * through the real runtime (a public vote, a closed part with a secret vote, questioning with an overdue commitment),
 * the chair approves the minutes over HTTP, and a visitor with no login browses councils → session → results, named
 * list, questioning, minutes, charts, the register (overdue highlighted) and search — never seeing the closed part,
 * never scrolling sideways on a phone. A deep link opens directly; print hides the navigation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { Actor, Command } from '@hall/core';
import { login, startHall, type RunningHall } from '../../server/test/support/hall.ts';
import { launch, screenshot } from '../support/browser.ts';
import { dumpPages, STATE_TIMEOUT, visible } from '../support/e2e.ts';

const SID = 'td-kh10';
const PUBLIC_SUBJECT = 'Thông qua Nghị quyết dự toán ngân sách xã năm 2029';
const CLOSED_SUBJECT = 'Nhân sự họp kín không công bố';
const chair: Actor = { role: 'chair', id: 'chutoa.td' };
const secretary: Actor = { role: 'secretary', id: 'thuky.td' };
const d = (n: number): Actor => ({ role: 'delegate', id: `td-d${String(n).padStart(3, '0')}` });

let h: RunningHall;
let browser: Browser;

async function run(type: Command['type'], payload: object, by: Actor = chair) {
  const ack = await h.hall.sessions.submit({ sessionId: SID, commandId: `e-${randomBytes(9).toString('base64url')}`, type, payload } as Command, by);
  if (!ack.ok) throw new Error(`${type}: ${ack.code} ${ack.reason ?? ''}`);
}

beforeAll(async () => {
  h = await startHall();
  await run('session.openCheckIn', {});
  for (let i = 1; i <= 20; i++) await run('attendance.checkIn', { delegateId: d(i).id, channel: 'hall' }, d(i));
  await run('session.start', {});
  await run('poll.open', { pollId: 'p1', subject: PUBLIC_SUBJECT, kind: 'motion', mode: 'electronic' });
  for (let i = 1; i <= 18; i++) await run('ballot.cast', { pollId: 'p1', choice: i <= 16 ? 'yes' : 'no' }, d(i));
  await run('poll.close', { pollId: 'p1' });
  await run('poll.announce', { pollId: 'p1' });
  await run('sitting.setClosed', { closed: true });
  await run('poll.open', { pollId: 'p-kin', subject: CLOSED_SUBJECT, kind: 'motion', mode: 'secret' });
  for (let i = 1; i <= 5; i++) await run('ballot.cast', { pollId: 'p-kin', choice: 'yes' }, d(i));
  await run('poll.close', { pollId: 'p-kin' });
  await run('poll.announce', { pollId: 'p-kin' });
  await run('sitting.setClosed', { closed: false });
  await run('agenda.goTo', { itemId: 'td-kh10-04' });
  await run('questioning.addGroup', { groupId: 'g1', topic: 'Giao thông nông thôn', respondentIds: ['td-o01'] }, secretary);
  await run('question.submit', { questionId: 'q1', respondentId: 'td-o01', groupId: 'g1', text: 'Khi nào hoàn thành đường liên xã?' }, d(3));
  await run('questioning.openGroup', { groupId: 'g1' });
  await run('questioning.call', { questionId: 'q1', speechId: 's-q1' });
  await run('floor.stop', {});
  await run('questioning.answer', { respondentId: 'td-o01', speechId: 's-a1' });
  await run('floor.stop', {});
  await run('commitment.record', { commitmentId: 'c1', respondentId: 'td-o01', questionId: 'q1', content: 'Hoàn thành đường liên xã trước Tết', deadline: '2020-01-31' }, secretary);
  await run('questioning.closeGroup', {});
  await run('session.adjourn', {});
  const token = await login(h.baseUrl, 'password', 'chutoa.td', 'demo123');
  const res = await fetch(`${h.baseUrl}/api/records/sessions/${SID}/minutes/session/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`approve: ${res.status} ${await res.text()}`);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function visit(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', isMobile: width < 500, hasTouch: width < 500 });
  context.setDefaultTimeout(STATE_TIMEOUT);
  return context.newPage();
}

const noSideways = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth);

describe.each([360, 1280])('[E2E-PUB] the public record at %i px', (width) => {
  it('[E2E-PUB-1] councils → session: results with the named list, questioning, minutes, charts; no closed part; no sideways scroll', async () => {
    const page = await visit(width);
    try {
      await page.goto(`${h.baseUrl}/public/`);
      await page.getByRole('link', { name: 'HĐND xã Tiên Du' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'HĐND xã Tiên Du' }));
      await page.getByRole('link', { name: /Kỳ họp thứ Mười, HĐND xã Tiên Du/ }).click();
      await visible(page.getByRole('heading', { level: 3, name: PUBLIC_SUBJECT }));
      expect(page.url()).toBe(`${h.baseUrl}/public/sessions/${SID}`);
      const poll = page.locator('#poll-p1');
      await expect(poll.innerText()).resolves.toMatch(/THÔNG QUA/);
      await expect(poll.innerText()).resolves.toContain('16 (64,00%)');
      await poll.getByText('Danh sách biểu quyết của từng đại biểu (18)').click();
      await visible(poll.locator('details table'));
      expect(await poll.locator('details tr').count()).toBe(18);
      await visible(page.getByText('Khi nào hoàn thành đường liên xã?'));
      await visible(page.getByRole('link', { name: 'PDF' }));
      expect(await page.locator('#statistics canvas').count()).toBeGreaterThanOrEqual(2);
      const text = await page.locator('body').innerText();
      expect(text).not.toContain(CLOSED_SUBJECT);
      expect(text).toContain('Phần họp kín: nội dung không công bố.');
      expect(await noSideways(page)).toBe(true);
      await screenshot(page, `public-session-${width}`);
      // The minutes link serves the approved public edition.
      const pdf = await page.request.get(await page.getByRole('link', { name: 'PDF' }).getAttribute('href').then((href) => `${h.baseUrl}${href}`));
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      // Print keeps the record and drops the navigation.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.pr-header').isVisible()).toBe(false);
      expect(await page.getByRole('heading', { level: 3, name: PUBLIC_SUBJECT }).isVisible()).toBe(true);
    } catch (err) {
      await dumpPages({ public: page });
      throw err;
    } finally {
      await page.context().close();
    }
  });

  it('[E2E-PUB-2] a shared link opens directly; the register highlights the overdue commitment; search ignores diacritics', async () => {
    const page = await visit(width);
    try {
      await page.goto(`${h.baseUrl}/public/commitments?council=tien-du`);
      const item = page.locator('.pr-commitment--overdue').first();
      await visible(item);
      await expect(item.innerText()).resolves.toContain('Hoàn thành đường liên xã trước Tết');
      await expect(item.locator('.pr-badge').innerText()).resolves.toBe('Quá hạn');
      expect(await noSideways(page)).toBe(true);
      await page.getByRole('searchbox').fill('duong lien xa');
      await page.getByRole('searchbox').press('Enter');
      await visible(page.getByRole('heading', { level: 1, name: /duong lien xa/ }));
      await visible(page.getByRole('link', { name: 'Khi nào hoàn thành đường liên xã?' }));
      await page.getByRole('searchbox').fill('hop kin khong cong bo');
      await page.getByRole('searchbox').press('Enter');
      await visible(page.getByText('Không tìm thấy kết quả.'));
      await screenshot(page, `public-search-${width}`);
    } catch (err) {
      await dumpPages({ public: page });
      throw err;
    } finally {
      await page.context().close();
    }
  });
});
