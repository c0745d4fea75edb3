/**
 * [AS] Setting a council up without JSON: delegate import from XLSX/CSV with a row-by-row report (nothing imported
 * until clean), export that re-imports, QR login cards (one PDF page per delegate, codes that sign in), account
 * resets, the audit of every admin change; and [OV] the oversight API: who sees which council, live glances.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, SessionGlance, ServerToClientEvents } from '@hall/core';
import { DEMO_ADMIN_PASSWORD, DEMO_STAFF_PASSWORD } from '../../src/seed/demo.ts';
import { login, startHall, TestClient, type RunningHall } from '../support/hall.ts';

let h: RunningHall;
let admin: string;

const api = async (method: string, url: string, token: string | null, body?: unknown) => {
  const res = await fetch(`${h.baseUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, json: type.includes('json') ? ((await res.json()) as Record<string, any>) : null, bytes: type.includes('json') ? null : Buffer.from(await res.arrayBuffer()) };
};

async function xlsx(rows: (string | number)[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Đại biểu');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
}

const HEADER = ['Mã đại biểu', 'Họ và tên', 'Tổ đại biểu', 'Ghế', 'Tình trạng'];
const good = () => [HEADER, ...Array.from({ length: 6 }, (_, i) => [`hp-d${i + 1}`, `Nguyễn Văn ${['An', 'Bình', 'Cường', 'Dũng', 'Em', 'Phúc'][i]}`, `Tổ ${1 + (i % 2)}`, `A0${i + 1}`, i === 5 ? 'Khuyết' : 'Đương nhiệm'])];

beforeAll(async () => {
  h = await startHall();
  admin = await login(h.baseUrl, 'password', 'admin', DEMO_ADMIN_PASSWORD);
  const created = await api('PUT', '/api/admin/councils/hoa-phu', admin, { id: 'hoa-phu', name: 'HĐND xã Hòa Phú', level: 'commune', delegates: [] });
  expect(created.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('[AS-1] delegate import', () => {
  it('a file with bad rows is reported row by row and nothing is imported', async () => {
    const rows = good();
    rows[2] = ['hp-d1', '', 'Tổ 1', 'A01', 'đương nhiệm']; // id of row 2 again, no name, seat of row 2 again
    rows[4] = ['bad id!', 'Trần Thị Hoa', 'Tổ 2', 'A09', 'nghỉ'];
    rows.push(['bn-d001', 'Người khác', 'Tổ 1', 'B01', '']); // a delegate account of another council
    const res = await api('POST', '/api/admin/councils/hoa-phu/delegates/import', admin, { format: 'xlsx', data: await xlsx(rows), apply: true });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ ok: false, code: 'VALIDATION', imported: 0 });
    const byRow = Object.fromEntries(res.json!.report.rows.filter((r: any) => r.errors.length).map((r: any) => [r.row, r.errors.map((e: any) => e.column)]));
    expect(byRow).toEqual({ 3: ['Mã đại biểu', 'Họ và tên', 'Ghế'], 5: ['Mã đại biểu', 'Tình trạng'], 8: ['Mã đại biểu'] });
    expect(res.json!.issues).toContain('Dòng 3, cột Mã đại biểu: Mã "hp-d1" trùng với dòng 2');
    const council = await h.hall.store.catalog.getCouncil('hoa-phu');
    expect(council!.delegates).toEqual([]);
    expect(await h.hall.store.catalog.getAccount('hp-d1')).toBeNull();
  });

  it('a file without the required columns names them', async () => {
    const res = await api('POST', '/api/admin/councils/hoa-phu/delegates/import', admin, { format: 'xlsx', data: await xlsx([['Tên', 'Ghế'], ['A', 'B']]) });
    expect(res.json!.report.fileErrors).toEqual(['Thiếu cột "Mã đại biểu" ở dòng tiêu đề (dòng 1)', 'Thiếu cột "Họ và tên" ở dòng tiêu đề (dòng 1)']);
    expect(res.json!.report.valid).toBe(false);
  });

  it('a clean file is checked, then imported with accounts; the export imports back unchanged (CSV)', async () => {
    const data = await xlsx(good());
    const check = await api('POST', '/api/admin/councils/hoa-phu/delegates/import', admin, { format: 'xlsx', data });
    expect(check.json).toMatchObject({ ok: true, imported: 0, report: { valid: true, errorCount: 0 } });
    expect((await h.hall.store.catalog.getCouncil('hoa-phu'))!.delegates).toEqual([]);
    const done = await api('POST', '/api/admin/councils/hoa-phu/delegates/import', admin, { format: 'xlsx', data, apply: true });
    expect(done.json).toMatchObject({ ok: true, imported: 6 });
    const council = (await h.hall.store.catalog.getCouncil('hoa-phu'))!;
    expect(council.delegates.map((d) => [d.id, d.seat, d.status])).toEqual([
      ['hp-d1', 'A01', 'sitting'],
      ['hp-d2', 'A02', 'sitting'],
      ['hp-d3', 'A03', 'sitting'],
      ['hp-d4', 'A04', 'sitting'],
      ['hp-d5', 'A05', 'sitting'],
      ['hp-d6', 'A06', 'vacant'],
    ]);
    expect(await h.hall.store.catalog.getAccount('hp-d1')).toMatchObject({ role: 'delegate', councilIds: ['hoa-phu'], delegateId: 'hp-d1' });

    const csv = await api('GET', '/api/admin/councils/hoa-phu/delegates/export?format=csv', admin);
    expect(csv.type).toContain('text/csv');
    expect(csv.bytes!.toString('utf8')).toContain('Nguyễn Văn Phúc');
    const again = await api('POST', '/api/admin/councils/hoa-phu/delegates/import', admin, { format: 'csv', data: csv.bytes!.toString('base64') });
    expect(again.json!.report.valid).toBe(true);
    expect(again.json!.report.rows.map((r: any) => r.delegate)).toEqual(council.delegates);
  });
});

describe('[AS-1b] hostile delegate files are refused whole, with a stable reason', () => {
  const importFile = (format: 'xlsx' | 'csv', bytes: Buffer) => api('POST', '/api/admin/councils/hoa-phu/delegates/import', admin, { format, data: bytes.toString('base64') });

  it('a zip bomb (a 64 MB worksheet deflated to a few kB) is refused before it is unpacked', async () => {
    const zip = await JSZip.loadAsync(Buffer.from(await xlsx(good()), 'base64'));
    const sheet = (await zip.file('xl/worksheets/sheet1.xml')!.async('string')).replace('<sheetData>', `<sheetData>${' '.repeat(64 * 1024 * 1024)}`);
    zip.file('xl/worksheets/sheet1.xml', sheet);
    const bomb = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
    expect(bomb.length).toBeLessThan(512 * 1024);
    const res = await importFile('xlsx', bomb);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ ok: false, code: 'VALIDATION', reason: 'FILE_UNPACKS_TOO_LARGE', imported: 0 });
    expect(res.json!.message).toMatch(/giải nén ra quá 16 MB/);
  }, 120_000);

  it('a sheet of thousands of rows stops at the limit of 500', async () => {
    const rows = [HEADER, ...Array.from({ length: 3000 }, (_, i) => [`hp-x${i}`, `Đại biểu ${i}`, 'Tổ 1', `X${i}`, ''])];
    const res = await importFile('xlsx', Buffer.from(await xlsx(rows), 'base64'));
    expect(res.json).toMatchObject({ ok: true, imported: 0, report: { valid: false, fileErrors: ['Tệp có hơn 500 dòng đại biểu, nhiều nhất 500'] } });
  }, 60_000);

  it('a file of the wrong type, or over 2 MB, says so', async () => {
    const before = (await h.hall.store.catalog.getCouncil('hoa-phu'))!.delegates;
    const notXlsx = await importFile('xlsx', Buffer.from('%PDF-1.4 not a spreadsheet'));
    expect(notXlsx.status).toBe(400);
    expect(notXlsx.json).toMatchObject({ ok: false, code: 'VALIDATION', reason: 'FILE_WRONG_TYPE' });
    expect(notXlsx.json!.message).toMatch(/không phải bảng tính XLSX/);
    const xlsxAsCsv = await importFile('csv', Buffer.from(await xlsx(good()), 'base64'));
    expect(xlsxAsCsv.json).toMatchObject({ ok: false, reason: 'FILE_WRONG_TYPE' });
    const zipWithoutSheet = await new JSZip().file('hello.txt', 'xin chào').generateAsync({ type: 'nodebuffer' });
    expect((await importFile('xlsx', zipWithoutSheet)).json).toMatchObject({ ok: false, reason: 'FILE_WRONG_TYPE' });
    const justOver = await importFile('xlsx', Buffer.alloc(2 * 1024 * 1024 + 1, 1));
    expect(justOver.status).toBe(400);
    expect(justOver.json).toMatchObject({ ok: false, code: 'VALIDATION', reason: 'FILE_TOO_LARGE', message: 'Tệp lớn quá 2 MB' });
    // Far over: refused by the body limit before the JSON is even parsed, with the same answer.
    const huge = await importFile('xlsx', Buffer.alloc(6 * 1024 * 1024, 1));
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ ok: false, code: 'VALIDATION', reason: 'FILE_TOO_LARGE', message: 'Tệp lớn quá 2 MB' });
    // The server is still there, and nothing was imported.
    expect((await h.hall.store.catalog.getCouncil('hoa-phu'))!.delegates).toEqual(before);
  }, 60_000);
});

describe('[AS-2] QR login cards', () => {
  it('one PDF page per sitting delegate with name and seat, and the printed code signs the delegate in', async () => {
    const res = await api('POST', '/api/admin/councils/hoa-phu/cards', admin, {});
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/pdf');
    const dir = mkdtempSync(path.join(tmpdir(), 'hall-cards-'));
    const file = path.join(dir, 'cards.pdf');
    writeFileSync(file, res.bytes!);
    expect(execFileSync('pdfinfo', [file]).toString()).toMatch(/Pages:\s+5\n/);
    const pages = execFileSync('pdftotext', ['-layout', file, '-']).toString().split('\f');
    expect(pages[0]).toContain('Nguyễn Văn An');
    expect(pages[0]).toContain('Ghế: A01');
    expect(pages[4]).toContain('Nguyễn Văn Em');
    expect(pages.join('')).not.toContain('Nguyễn Văn Phúc'); // vacant: no card
    const code = /Mã cá nhân: (\d{3} \d{3})/.exec(pages[1]!)![1]!;
    const token = await login(h.baseUrl, 'code', 'hp-d2', code);
    expect(token).toMatch(/\./);
  });

  const cardCode = (pdf: Buffer) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hall-cards-')), 'card.pdf');
    writeFileSync(file, pdf);
    return /Mã cá nhân: (\d{3} \d{3})/.exec(execFileSync('pdftotext', [file, '-']).toString())![1]!;
  };
  /** 401 once the token is revoked; a delegate's live token is only forbidden the admin API. */
  const tokenStatus = async (token: string) => (await api('GET', '/api/admin/sessions', token)).status;

  it('a reprint sets a new code: the old card stops working, tablets signed in stay signed in', async () => {
    const old = cardCode((await api('POST', '/api/admin/councils/hoa-phu/cards', admin, { delegateIds: ['hp-d3'], mode: 'reprint' })).bytes!);
    const tablet = await login(h.baseUrl, 'code', 'hp-d3', old);
    const reprint = await api('POST', '/api/admin/councils/hoa-phu/cards', admin, { delegateIds: ['hp-d3'], mode: 'reprint' });
    expect(reprint.type).toBe('application/pdf');
    await expect(login(h.baseUrl, 'code', 'hp-d3', old)).rejects.toThrow(/401/);
    expect(await tokenStatus(tablet)).toBe(403);
    await login(h.baseUrl, 'code', 'hp-d3', cardCode(reprint.bytes!));
  });

  it('a lost card (the default) also signs out every device signed in as the delegate, and says so in the audit', async () => {
    const old = cardCode((await api('POST', '/api/admin/councils/hoa-phu/cards', admin, { delegateIds: ['hp-d4'] })).bytes!);
    const tablet = await login(h.baseUrl, 'code', 'hp-d4', old);
    const phone = await login(h.baseUrl, 'code', 'hp-d4', old);
    const other = await login(h.baseUrl, 'code', 'hp-d2', cardCode((await api('POST', '/api/admin/councils/hoa-phu/cards', admin, { delegateIds: ['hp-d2'] })).bytes!));
    const lost = await api('POST', '/api/admin/councils/hoa-phu/cards', admin, { delegateIds: ['hp-d4'], mode: 'lost' });
    expect(lost.type).toBe('application/pdf');
    await expect(login(h.baseUrl, 'code', 'hp-d4', old)).rejects.toThrow(/401/);
    expect(await tokenStatus(tablet)).toBe(401);
    expect(await tokenStatus(phone)).toBe(401);
    expect(await tokenStatus(other)).toBe(403); // another delegate keeps their tablet
    const fresh = await login(h.baseUrl, 'code', 'hp-d4', cardCode(lost.bytes!));
    expect(await tokenStatus(fresh)).toBe(403);
    const audit = await api('GET', '/api/admin/audit?limit=50&councilId=hoa-phu', admin);
    const details = audit.json!.entries.filter((e: any) => e.what === 'POST /api/admin/councils/:id/cards').map((e: any) => e.detail);
    expect(details).toContain('in 1 thẻ đăng nhập (mất thẻ), đặt mã cá nhân mới, đăng xuất 2 thiết bị');
    expect(details).toContain('in lại 1 thẻ đăng nhập, đặt mã cá nhân mới, giữ thiết bị đang đăng nhập');
  });
});

describe('[AS-3] resets and the audit', () => {
  it('a reset password works, signs the old devices out, and every admin change is in the audit without secrets', async () => {
    const before = await login(h.baseUrl, 'password', 'thuky.td', DEMO_STAFF_PASSWORD);
    const reset = await api('POST', '/api/admin/accounts/thuky.td/reset', admin);
    expect(reset.json).toMatchObject({ ok: true, role: 'secretary', signedOut: 1 });
    expect((await api('GET', '/api/admin/sessions', before)).status).toBe(401);
    await login(h.baseUrl, 'password', 'thuky.td', reset.json!.secret);
    const audit = await api('GET', '/api/admin/audit?limit=50', admin);
    const mine = audit.json!.entries.filter((e: any) => e.action === 'admin.action');
    const whats = mine.map((e: any) => e.what);
    expect(whats).toContain('PUT /api/admin/councils/:id');
    expect(whats).toContain('POST /api/admin/councils/:id/delegates/import');
    expect(whats).toContain('POST /api/admin/councils/:id/cards');
    expect(whats).toContain('POST /api/admin/accounts/:id/reset');
    // Refused changes (the bad file) are not recorded as done; checks (apply: false) are not changes either.
    expect(mine.filter((e: any) => e.what === 'POST /api/admin/councils/:id/delegates/import').map((e: any) => e.detail)).toEqual(['nhập 6 đại biểu từ tệp XLSX']);
    expect(mine.every((e: any) => e.actor.sub === 'admin' && typeof e.at === 'number')).toBe(true);
    expect(JSON.stringify(audit.json)).not.toContain(reset.json!.secret);
    const filtered = await api('GET', '/api/admin/audit?limit=50&councilId=hoa-phu', admin);
    expect(filtered.json!.entries.length).toBeGreaterThan(0);
    expect(filtered.json!.entries.every((e: any) => e.councilIds.includes('hoa-phu'))).toBe(true);
  });
});

describe('[OV-1] oversight: who sees which council', () => {
  it('oversight sees every council; a commune chair only their own, and is refused another commune', async () => {
    const oversight = await login(h.baseUrl, 'password', 'giamsat', DEMO_STAFF_PASSWORD);
    const chairTd = await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD);
    const all = await api('GET', '/api/oversight/councils', oversight);
    expect(all.json!.councils.map((c: any) => c.id).sort()).toEqual(['bac-ninh', 'hoa-phu', 'tien-du']);
    expect(all.json!.councils[0].id).toBe('bac-ninh');
    const own = await api('GET', '/api/oversight/councils', chairTd);
    expect(own.json!.councils.map((c: any) => c.id)).toEqual(['tien-du']);
    expect((await api('GET', '/api/oversight/sessions/bn-kh12', chairTd)).status).toBe(403);
    expect((await api('GET', '/api/oversight/sessions/td-kh10', chairTd)).status).toBe(200);
    const register = await api('GET', '/api/oversight/commitments', chairTd);
    expect(register.json!.register.commitments.every((c: any) => c.councilId === 'tien-du')).toBe(true);
    // Oversight reads, never acts: the admin API and commands are not theirs.
    expect((await api('GET', '/api/admin/councils', oversight)).status).toBe(403);
    const client = await TestClient.connect(h.baseUrl, oversight, 'td-kh10');
    expect(client.view?.audience).toBe('wall');
    const ack = await client.send('session.openCheckIn', {});
    expect(ack).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    client.socket.disconnect();
  }, 60_000);
});

describe('[OV-2] live glances and compliance', () => {
  it('a dashboard socket gets a glance when a session changes phase; the compliance checks follow the journal', async () => {
    type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
    const oversight = await login(h.baseUrl, 'password', 'giamsat', DEMO_STAFF_PASSWORD);
    const otherChair = await login(h.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD);
    const watch = async (token: string) => {
      const socket: Client = io(h.baseUrl, { auth: { token }, transports: ['websocket'], forceNew: true });
      const glances: SessionGlance[] = [];
      socket.on('oversight:glance', (g) => glances.push(g));
      expect(await socket.timeout(10_000).emitWithAck('oversight:watch')).toEqual({ ok: true });
      return { socket, glances };
    };
    const province = await watch(oversight);
    const bn = await watch(otherChair);
    const chair = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD), 'td-kh10');
    expect((await chair.send('session.openCheckIn', {})).ok).toBe(true);
    await expect.poll(() => province.glances.find((g) => g.sessionId === 'td-kh10')?.phase, { timeout: 30_000 }).toBe('checkIn');
    const listed = await api('GET', '/api/oversight/councils', oversight);
    const td = listed.json!.councils.find((c: any) => c.id === 'tien-du');
    expect(td.sessions[0]).toMatchObject({ id: 'td-kh10', status: 'live', glance: { phase: 'checkIn', total: 25, present: 0, quorumMet: false } });
    // Bắc Ninh's chair watches Bắc Ninh only: nothing of Tiên Du reaches them.
    expect(bn.glances.filter((g) => g.councilId !== 'bac-ninh')).toEqual([]);

    for (let n = 1; n <= 20; n++) expect((await chair.send('attendance.set', { delegateId: `td-d${String(n).padStart(3, '0')}`, status: 'present' })).ok).toBe(true);
    expect((await chair.send('session.start', {})).ok).toBe(true);
    expect((await chair.send('poll.open', { pollId: 'p1', subject: 'Thông qua chương trình', kind: 'motion', mode: 'hands' })).ok).toBe(true);
    await expect.poll(() => province.glances.filter((g) => g.sessionId === 'td-kh10').at(-1)?.poll?.subject, { timeout: 30_000 }).toBe('Thông qua chương trình');
    expect((await chair.send('poll.close', { pollId: 'p1', counts: { kind: 'motion', yes: 18, no: 1, abstain: 1 } })).ok).toBe(true);
    const detail = await api('GET', '/api/oversight/sessions/td-kh10', oversight);
    const checks = Object.fromEntries(detail.json!.compliance.checks.map((c: any) => [c.id, c.status]));
    expect(checks).toEqual({ quorum: 'ok', thresholds: 'ok', secretAnnounced: 'na', minutesApproved: 'pending', commitmentsOnTime: 'na' });
    province.socket.disconnect();
    bn.socket.disconnect();
    chair.socket.disconnect();
  }, 120_000);
});
