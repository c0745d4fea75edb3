/**
 * [E2E-ADM] The admin app in Chromium: an IT officer sets a commune council up alone — a bad XLSX is reported row by
 * row and nothing is imported, the corrected file is imported; the rules editor flags a value that departs from the
 * law; a session gets an agenda with a PDF marked public; QR login cards print as a PDF with one page per delegate
 * (read back with pdftotext) and a delegate signs in from a card; the audit shows who did what.
 * [E2E-OV] The province oversight dashboard with HALL_SEED=province: 100 councils, live when a commune session
 * changes phase; a commune's staff see their own council only.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Actor, Command } from '@hall/core';
import { DEMO_ADMIN_PASSWORD, DEMO_STAFF_PASSWORD } from '../../server/src/seed/demo.ts';
import { provinceCommunes, seedProvince } from '../../server/src/seed/province.ts';
import { minimalPdf } from '../../server/test/http/helpers.ts';
import { startHall, type RunningHall } from '../../server/test/support/hall.ts';
import { launch, screenshot } from '../support/browser.ts';
import { dumpPages, gone, newPage, STATE_TIMEOUT, textMatches, visible } from '../support/e2e.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function staffLogin(page: Page, baseUrl: string, user: string, password: string) {
  await page.goto(`${baseUrl}/admin/`);
  await page.getByLabel('Tên đăng nhập').fill(user);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await visible(page.getByRole('button', { name: 'Đăng xuất' }));
}

async function xlsxFile(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Đại biểu');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const NAMES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em', 'Vũ Thị Phương'];
const HEADER = ['Mã đại biểu', 'Họ và tên', 'Tổ đại biểu', 'Ghế', 'Tình trạng'];
const goodRows = () => [HEADER, ...NAMES.map((name, i) => [`hp-d${i + 1}`, name, `Tổ ${1 + (i % 2)}`, `A0${i + 1}`, i === 5 ? 'Khuyết' : 'Đương nhiệm'])];
const SESSION_TITLE = 'Kỳ họp thứ Nhất, HĐND xã Hòa Phú, nhiệm kỳ 2026-2031';

describe('[E2E-ADM] setting a council up in the admin app', () => {
  let h: RunningHall;
  let page: Page;

  beforeAll(async () => {
    h = await startHall();
    page = await newPage(browser, 'desktop');
  }, 180_000);

  afterAll(async () => {
    await page?.context().close();
    await h?.close();
  });

  it('[E2E-ADM-1] a bad XLSX is reported row by row and nothing is imported; the corrected file imports', async () => {
    try {
      await staffLogin(page, h.baseUrl, 'admin', DEMO_ADMIN_PASSWORD);
      await visible(page.getByRole('heading', { name: 'Các hội đồng nhân dân' }));
      const form = page.getByRole('form', { name: 'Tạo hội đồng' });
      await form.getByLabel('Mã hội đồng').fill('hoa-phu');
      await form.getByLabel('Tên hội đồng').fill('HĐND xã Hòa Phú');
      await form.getByLabel('Cấp').selectOption('commune');
      await form.getByRole('button', { name: 'Tạo hội đồng' }).click();
      await visible(page.getByRole('heading', { level: 1, name: 'HĐND xã Hòa Phú' }));

      const bad = goodRows();
      bad[2] = ['hp-d1', '', 'Tổ 1', 'A01', 'Đương nhiệm'];
      bad[4] = ['hp d4', 'Phạm Thị Dung', 'Tổ 2', 'A04', 'nghỉ'];
      await page.getByLabel('Tệp danh sách đại biểu').setInputFiles({ name: 'dai-bieu-loi.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await xlsxFile(bad) });
      await textMatches(page.getByRole('alert').filter({ hasText: 'Chưa nhập đại biểu nào' }), /Tệp có 5 lỗi/);
      const report = page.getByRole('region', { name: 'Nhập từ tệp XLSX hoặc CSV' });
      const rows = report.getByRole('row');
      await expect.poll(() => rows.count()).toBe(6); // header + 5 errors
      await expect(report.getByRole('row', { name: /^3 Mã đại biểu Mã "hp-d1" trùng với dòng 2$/ }).count()).resolves.toBe(1);
      await expect(report.getByRole('row', { name: /^3 Họ và tên Thiếu họ và tên$/ }).count()).resolves.toBe(1);
      await expect(report.getByRole('row', { name: /^5 Tình trạng/ }).count()).resolves.toBe(1);
      await expect(report.getByRole('button', { name: /^Nhập/ }).count()).resolves.toBe(0);
      expect((await h.hall.store.catalog.getCouncil('hoa-phu'))!.delegates).toEqual([]);
      await screenshot(page, 'admin-import-errors');

      await page.getByLabel('Tệp danh sách đại biểu').setInputFiles({ name: 'dai-bieu.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await xlsxFile(goodRows()) });
      await visible(page.getByText('Tệp hợp lệ: 6 đại biểu.'));
      await page.getByRole('button', { name: 'Nhập 6 đại biểu' }).click();
      await visible(page.getByText('Đã nhập 6 đại biểu.'));
      await textMatches(page.getByText(/đương nhiệm, \d+ khuyết/), '5 đương nhiệm, 1 khuyết, 2 tổ đại biểu');
      await visible(page.getByRole('cell', { name: 'Vũ Thị Phương' }));
      expect((await h.hall.store.catalog.getCouncil('hoa-phu'))!.delegates.map((d) => d.fullName)).toEqual(NAMES);

      // The rules editor: a value that departs from the law is flagged beside it, and the flag goes with the default.
      await page.getByRole('link', { name: 'Quy chế' }).click();
      const quorum = page.getByLabel('Số đại biểu tối thiểu để họp và biểu quyết (theo luật)');
      await quorum.selectOption('more-than-half');
      const warning = page.getByRole('note').filter({ hasText: 'Khác mặc định theo luật (mặc định: Ít nhất hai phần ba tổng số đại biểu)' });
      await visible(warning);
      await page.getByLabel('Thời gian phát biểu', { exact: true }).fill('300');
      await visible(page.getByRole('note').filter({ hasText: 'Khác mặc định theo luật (mặc định: 420)' }));
      await page.getByRole('button', { name: 'Lưu' }).click();
      await visible(page.getByText('Đã lưu'));
      const stored = (await h.hall.store.catalog.getCouncil('hoa-phu'))!.profile;
      expect([stored.quorumRule, stored.speechLimits.speech]).toEqual(['more-than-half', 300]);
      await warning.getByRole('button', { name: 'Về mặc định' }).click();
      await gone(warning);
    } catch (err) {
      await dumpPages({ admin: page });
      throw err;
    }
  }, 300_000);

  it('[E2E-ADM-2] a session with an agenda and a PDF marked public', async () => {
    await page.getByRole('link', { name: 'Kỳ họp' }).click();
    const form = page.getByRole('form', { name: 'Tạo kỳ họp' });
    await form.getByLabel('Mã kỳ họp').fill('hp-kh1');
    await form.getByLabel('Tên kỳ họp').fill(SESSION_TITLE);
    await form.getByLabel('Ngày khai mạc').fill('2028-12-20');
    await form.getByRole('button', { name: 'Tạo kỳ họp' }).click();
    await visible(page.getByRole('heading', { level: 1, name: SESSION_TITLE }));
    const addItem = page.getByRole('form', { name: 'Thêm nội dung' });
    await addItem.getByLabel('Tên nội dung').fill('Khai mạc kỳ họp');
    await addItem.getByLabel('Loại nội dung').selectOption('ceremony');
    await addItem.getByRole('button', { name: 'Thêm nội dung' }).click();
    await visible(page.getByText('Khai mạc kỳ họp'));
    await addItem.getByLabel('Tên nội dung').fill('Nghị quyết về dự toán ngân sách xã năm 2029');
    await addItem.getByLabel('Loại nội dung').selectOption('resolution');
    await addItem.getByRole('button', { name: 'Thêm nội dung' }).click();
    const upload = page.getByRole('form', { name: 'Tải tài liệu PDF lên nội dung 2' });
    await visible(upload);
    await upload.getByLabel('Tên tài liệu').fill('Dự thảo Nghị quyết dự toán ngân sách 2029');
    await upload.getByLabel('PDF').setInputFiles({ name: 'du-thao.pdf', mimeType: 'application/pdf', buffer: minimalPdf('Du thao nghi quyet') });
    await upload.getByRole('button', { name: 'Tải tài liệu PDF lên nội dung 2' }).click();
    const doc = page.getByRole('listitem').filter({ hasText: 'Dự thảo Nghị quyết dự toán ngân sách 2029' }).last();
    await textMatches(doc, /Không công khai/);
    await doc.getByRole('button', { name: 'Công khai tài liệu' }).click();
    await visible(doc.getByRole('button', { name: 'Bỏ công khai' }));
    const session = (await h.hall.store.catalog.getSession('hp-kh1'))!;
    expect(session.agenda.map((i) => [i.title, i.kind, i.documents.map((d) => d.title)])).toEqual([
      ['Khai mạc kỳ họp', 'ceremony', []],
      ['Nghị quyết về dự toán ngân sách xã năm 2029', 'resolution', ['Dự thảo Nghị quyết dự toán ngân sách 2029']],
    ]);
    const docs = await h.hall.store.catalog.listDocuments('hp-kh1');
    expect(docs.map((d) => d.public)).toEqual([true]);
    await screenshot(page, 'admin-session-agenda');
  }, 300_000);

  it('[E2E-ADM-3] QR login cards: one PDF page per delegate with name and seat; a delegate signs in from a card', async () => {
    await page.goto(`${h.baseUrl}/admin/councils/hoa-phu/delegates`);
    const download = page.waitForEvent('download', { timeout: STATE_TIMEOUT * 3 });
    await page.getByRole('button', { name: 'In thẻ đăng nhập QR' }).click();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-e2e-cards-')), 'the.pdf');
    await (await download).saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    expect(execFileSync('pdfinfo', [file]).toString()).toMatch(/Pages:\s+5\n/);
    const pages = execFileSync('pdftotext', ['-layout', file, '-']).toString().split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(5);
    NAMES.slice(0, 5).forEach((name, i) => {
      expect(pages[i]).toContain(name);
      expect(pages[i]).toContain(`Ghế: A0${i + 1}`);
      expect(pages[i]).toContain(`Mã đại biểu: hp-d${i + 1}`);
    });
    // The card's QR code opens the delegate app with the delegate id and the printed code (what a scan does).
    const code = /Mã cá nhân: (\d{3}) (\d{3})/.exec(pages[1]!)!;
    const tablet = await newPage(browser, 'tablet');
    try {
      await tablet.goto(`${h.baseUrl}/delegate/#card=hp-d2~${code[1]}${code[2]}`);
      await visible(tablet.getByRole('heading', { level: 1, name: SESSION_TITLE }));
      expect(new URL(tablet.url()).hash).toBe('');
      await screenshot(tablet, 'admin-card-signed-in');
    } catch (err) {
      await dumpPages({ tablet });
      throw err;
    } finally {
      await tablet.context().close();
    }
  }, 300_000);

  it('[E2E-ADM-4] the audit shows who changed what, and the frozen setup is explained once the session started', async () => {
    await page.getByRole('link', { name: 'Nhật ký quản trị' }).click();
    const table = page.getByRole('table', { name: 'Nhật ký quản trị' });
    await visible(table);
    for (const what of ['PUT /api/admin/councils/:id', 'POST /api/admin/councils/:id/delegates/import', 'PUT /api/admin/sessions/:id/agenda', 'POST /api/sessions/:sessionId/items/:itemId/documents', 'POST /api/admin/councils/:id/cards']) {
      await visible(table.getByText(what, { exact: true }).first());
    }
    await visible(table.getByText('nhập 6 đại biểu từ tệp XLSX'));
    const chair: Actor = { role: 'chair', id: 'chutoa.td' };
    // The session opens (any first command freezes its setup); the admin app says why nothing changes under it.
    await h.hall.store.catalog.putAccount({ ...(await h.hall.store.catalog.getAccount('chutoa.td'))!, councilIds: ['tien-du', 'hoa-phu'] });
    const ack = await h.hall.sessions.submit({ sessionId: 'hp-kh1', commandId: `e-${randomBytes(9).toString('base64url')}`, type: 'session.openCheckIn', payload: {} } as Command, chair);
    expect(ack.ok).toBe(true);
    await page.goto(`${h.baseUrl}/admin/sessions/hp-kh1`);
    await visible(page.getByRole('note').filter({ hasText: 'chương trình đã được chốt khi kỳ họp mở trên hệ thống' }));
    await expect(page.getByRole('form', { name: 'Thêm nội dung' }).count()).resolves.toBe(0);
    await page.goto(`${h.baseUrl}/admin/councils/hoa-phu/delegates`);
    await visible(page.getByRole('note').filter({ hasText: `Kỳ họp “${SESSION_TITLE}” đã bắt đầu` }));
  }, 300_000);
});

describe('[E2E-OV] the province oversight dashboard (HALL_SEED=province)', () => {
  let h: RunningHall;
  let page: Page;
  const first = provinceCommunes()[0]!;

  beforeAll(async () => {
    h = await startHall();
    // The councils, sessions and staff of the whole province; delegate accounts are not needed here (and are 2,210 scrypt hashes).
    await seedProvince(h.hall.store, { delegateAccounts: false });
    page = await newPage(browser, 'desktop');
  }, 300_000);

  afterAll(async () => {
    await page?.context().close();
    await h?.close();
  });

  it('[E2E-OV-1] shows 100 councils and follows a commune session live as it changes phase', async () => {
    try {
      await staffLogin(page, h.baseUrl, 'giamsat', DEMO_STAFF_PASSWORD);
      await visible(page.getByRole('heading', { name: 'Giám sát các kỳ họp' }));
      await textMatches(page.getByRole('status').filter({ hasText: 'hội đồng' }), /^100 hội đồng · 100 kỳ họp sắp diễn ra · 0 đang họp · 0 đã bế mạc/);
      await visible(page.getByText('● Cập nhật trực tiếp'));
      const table = page.getByRole('table', { name: 'Hội đồng' });
      await expect.poll(() => table.locator('tbody tr').count()).toBe(100);
      const row = table.locator(`tr[data-council="${first.council.id}"]`);
      await textMatches(row, /Sắp diễn ra/);

      const chair: Actor = { role: 'chair', id: `chutoa.${first.plan.prefix}` };
      const run = async (type: Command['type'], payload: object) => {
        const ack = await h.hall.sessions.submit({ sessionId: first.session.id, commandId: `e-${randomBytes(9).toString('base64url')}`, type, payload } as Command, chair);
        if (!ack.ok) throw new Error(`${type}: ${ack.code}`);
      };
      await run('session.openCheckIn', {});
      await textMatches(row, new RegExp(`Điểm danh 0/${first.council.delegates.length}`));
      for (const d of first.council.delegates.slice(0, 18)) await run('attendance.set', { delegateId: d.id, status: 'present' });
      await run('session.start', {});
      await run('agenda.goTo', { itemId: first.session.agenda[2]!.id });
      await run('poll.open', { pollId: 'p1', subject: 'Thông qua dự toán ngân sách xã', kind: 'motion', mode: 'hands' });
      await textMatches(row, /Đang họp 18\//);
      await textMatches(row, /Nghị quyết về dự toán thu, chi ngân sách xã năm 2029/);
      await textMatches(row, /Thông qua dự toán ngân sách xã/);
      await textMatches(page.getByRole('status').filter({ hasText: 'hội đồng' }), /99 kỳ họp sắp diễn ra · 1 đang họp/);
      await screenshot(page, 'oversight-dashboard');

      // The session's page: compliance checks and the read-only live view.
      await row.getByRole('link').click();
      await visible(page.getByRole('heading', { name: 'Kiểm tra tuân thủ' }));
      await textMatches(page.getByTestId('live-phase'), 'Đang họp');
      await visible(page.getByText('Biên bản kỳ họp đã phê duyệt: Chưa xong'));
    } catch (err) {
      await dumpPages({ admin: page });
      throw err;
    }
  }, 300_000);

  it("[E2E-OV-2] a commune's chair sees their own council only, and not another commune's session", async () => {
    const other = provinceCommunes()[1]!;
    const commune = await newPage(browser, 'desktop');
    try {
      await staffLogin(commune, h.baseUrl, `chutoa.${other.plan.prefix}`, DEMO_STAFF_PASSWORD);
      await visible(commune.getByRole('heading', { name: 'Giám sát các kỳ họp' }));
      const table = commune.getByRole('table', { name: 'Hội đồng' });
      await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
      await textMatches(table.locator('tbody tr'), other.council.name);
      await commune.goto(`${h.baseUrl}/admin/oversight/sessions/${first.session.id}`);
      await textMatches(commune.getByRole('alert'), /không có quyền/i);
      await expect(commune.getByText(first.council.name).count()).resolves.toBe(0);
    } catch (err) {
      await dumpPages({ commune });
      throw err;
    } finally {
      await commune.context().close();
    }
  }, 300_000);
});
