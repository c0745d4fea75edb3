/**
 * Records over HTTP against a real Hall (embedded store, demo seed): a sitting of the Tiên Du council is run through
 * the session runtime (secret ballots sealed and counted by the server), then its minutes, exports and public record
 * are read back in the formats people get — DOCX unzipped, PDF through Debian's pdftotext, XLSX through exceljs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import ExcelJS from 'exceljs';
import { documentText, type Actor, type Command, type MinutesDoc } from '@hall/core';
import { login, startHall, TestClient, type RunningHall } from '../support/hall.ts';

const SID = 'td-kh10';
const CLOSED_SUBJECT = 'Nhân sự họp kín XYZ';
const CLOSED_GUEST = 'Khách Mời Phiên Kín';
const chair: Actor = { role: 'chair', id: 'chutoa.td' };
const secretary: Actor = { role: 'secretary', id: 'thuky.td' };
const d = (n: number): Actor => ({ role: 'delegate', id: `td-d${String(n).padStart(3, '0')}` });

let h: RunningHall;
let tokens: Record<'chair' | 'secretary' | 'other', string>;
const tmp = mkdtempSync(path.join(tmpdir(), 'hall-records-'));

async function run(type: Command['type'], payload: object, by: Actor = chair) {
  const ack = await h.hall.sessions.submit({ sessionId: SID, commandId: `t-${randomBytes(9).toString('base64url')}`, type, payload } as Command, by);
  expect(ack, `${type} by ${by.id}`).toMatchObject({ ok: true });
}

const api = async (url: string, token?: string, init: RequestInit = {}) =>
  fetch(`${h.baseUrl}${url}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) } });
const json = async (url: string, token?: string, init: RequestInit = {}) => {
  const res = await api(url, token, init);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const bytes = async (url: string, token?: string) => {
  const res = await api(url, token);
  expect(res.status, url).toBe(200);
  return { res, buf: Buffer.from(await res.arrayBuffer()) };
};

/** pdftotext (Debian poppler-utils) must exist: a machine without it fails here, loudly. */
function pdfText(buf: Buffer): string {
  const file = path.join(tmp, `${randomBytes(6).toString('hex')}.pdf`);
  writeFileSync(file, buf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}
const squash = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  h = await startHall();
  tokens = {
    chair: await login(h.baseUrl, 'password', 'chutoa.td', 'demo123'),
    secretary: await login(h.baseUrl, 'password', 'thuky.td', 'demo123'),
    other: await login(h.baseUrl, 'password', 'chutoa.bn', 'demo123'),
  };
  await run('session.openCheckIn', {});
  for (let i = 1; i <= 20; i++) await run('attendance.checkIn', { delegateId: d(i).id, channel: 'hall' }, d(i));
  await run('attendance.set', { delegateId: 'td-d021', status: 'absentExcused', note: 'Đi công tác' }, secretary);
  await run('session.start', {});
  await run('floor.give', { speechId: 's1', speaker: { kind: 'official', id: 'td-o01' }, purpose: 'presentation' });
  await run('floor.stop', {});
  await run('poll.open', { pollId: 'p1', subject: 'Thông qua Nghị quyết dự toán ngân sách xã', kind: 'motion', mode: 'electronic' });
  for (let i = 1; i <= 18; i++) await run('ballot.cast', { pollId: 'p1', choice: i <= 15 ? 'yes' : 'no' }, d(i));
  await run('poll.close', { pollId: 'p1' });
  await run('poll.announce', { pollId: 'p1' });
  await run('sitting.setClosed', { closed: true });
  await run('floor.give', { speechId: 's-kin', speaker: { kind: 'guest', name: CLOSED_GUEST }, purpose: 'explanation' });
  await run('floor.stop', {});
  await run('poll.open', { pollId: 'p-kin', subject: CLOSED_SUBJECT, kind: 'motion', mode: 'secret' });
  for (let i = 1; i <= 6; i++) await run('ballot.cast', { pollId: 'p-kin', choice: i <= 4 ? 'yes' : 'no' }, d(i));
  await run('poll.close', { pollId: 'p-kin' });
  await run('poll.announce', { pollId: 'p-kin' });
  await run('sitting.setClosed', { closed: false });
  await run('agenda.goTo', { itemId: 'td-kh10-04' });
  await run('questioning.addGroup', { groupId: 'g1', topic: 'Đất đai và môi trường', respondentIds: ['td-o01'] }, secretary);
  await run('question.submit', { questionId: 'q1', respondentId: 'td-o01', groupId: 'g1', text: 'Khi nào hoàn thành đường liên xã?' }, d(3));
  await run('questioning.openGroup', { groupId: 'g1' });
  await run('questioning.call', { questionId: 'q1', speechId: 's-q1' });
  await run('floor.stop', {});
  await run('questioning.answer', { respondentId: 'td-o01', speechId: 's-a1' });
  await run('floor.stop', {});
  await run('commitment.record', { commitmentId: 'c1', respondentId: 'td-o01', questionId: 'q1', content: 'Hoàn thành đường liên xã trong quý IV', deadline: '2029-03-31' }, secretary);
  await run('questioning.closeGroup', {});
  await run('session.adjourn', {});
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('[RECS] minutes, exports and the public record over HTTP', () => {
  it('[RECS-1] the secretary edits the draft; the DOCX has the Decree 30 structure and the journal text', async () => {
    const put = await json(`/api/records/sessions/${SID}/minutes/sitting-1/draft`, tokens.secretary, {
      method: 'PUT',
      body: JSON.stringify({ number: '07/BB-HĐND', place: 'Tiên Du', venue: 'Hội trường UBND xã Tiên Du', chairName: 'Nguyễn Văn Chủ', secretaryName: 'Lê Thị Thư', opening: 'Phiên họp đủ điều kiện tiến hành.', closing: 'Biên bản đã được thông qua tại phiên họp.' }),
    });
    expect(put).toMatchObject({ status: 200, body: { ok: true } });
    const { body } = await json(`/api/records/sessions/${SID}/minutes/sitting-1`, tokens.secretary);
    expect(body.text).toMatchObject({ number: '07/BB-HĐND', venue: 'Hội trường UBND xã Tiên Du' });
    expect(body.updatedBy).toBe('thuky.td');
    const { res, buf } = await bytes(`/api/records/sessions/${SID}/minutes/sitting-1/file?format=docx`, tokens.secretary);
    expect(res.headers.get('content-type')).toContain('wordprocessingml');
    const xml = await (await JSZip.loadAsync(buf)).file('word/document.xml')!.async('string');
    const texts = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('\n');
    for (const line of ['HỘI ĐỒNG NHÂN DÂN', 'XÃ TIÊN DU', 'Số: 07/BB-HĐND', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'BIÊN BẢN', 'I. THỜI GIAN, ĐỊA ĐIỂM', 'Phiên họp đủ điều kiện tiến hành.', 'THƯ KÝ', 'CHỦ TỌA', 'Lê Thị Thư', 'Nguyễn Văn Chủ', 'THÔNG QUA', CLOSED_SUBJECT]) {
      expect(texts, line).toContain(line);
    }
    expect(texts).toMatch(/Tiên Du, ngày \d\d tháng \d{1,2} năm \d{4}/);
    expect(texts).toContain('Tham gia biểu quyết: 18 (72,00%); tán thành: 15 (60,00%); không tán thành: 3 (12,00%); không biểu quyết: 0 (0,00%).');
    // A4, margins 20/20/30/15 mm, Times New Roman.
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toMatch(/<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"/);
    const styles = await (await JSZip.loadAsync(buf)).file('word/styles.xml')!.async('string');
    expect(styles).toContain('Times New Roman');
    expect((xml.match(/<w:tbl>/g) ?? []).length).toBeGreaterThanOrEqual(4);
  });

  it('[RECS-2] the PDF embeds a Vietnamese font and pdftotext reads back the expected Vietnamese', async () => {
    const { body } = await json(`/api/records/sessions/${SID}/minutes/sitting-1`, tokens.secretary);
    const doc = body.document as MinutesDoc;
    const { buf } = await bytes(`/api/records/sessions/${SID}/minutes/sitting-1/file?format=pdf`, tokens.secretary);
    const text = squash(pdfText(buf));
    const fonts = execFileSync('pdffonts', [path.join(tmp, writePdf(buf))], { encoding: 'utf8' });
    expect(fonts).toMatch(/Tinos/);
    expect(fonts).not.toMatch(/ no +no /);
    const expected = documentText({ ...doc, blocks: doc.blocks.filter((b) => b.kind !== 'table') });
    for (const line of expected.filter((l) => l.trim() !== '')) expect(text, line).toContain(squash(line));
    // Table cells wrap inside narrow columns: compare them without white space.
    const dense = text.replace(/\s/g, '');
    for (const table of doc.blocks.filter((b) => b.kind === 'table')) {
      for (const cell of (table as { rows: string[][] }).rows.flat().filter((c) => c.length > 0 && c.length < 20)) expect(dense, cell).toContain(cell.replace(/\s/g, ''));
    }
  });

  it('[RECS-3] only the chair approves; the approved text is immutable, its SHA-256 is in the journal, later changes are a new version', async () => {
    const url = `/api/records/sessions/${SID}/minutes/sitting-1/approve`;
    expect((await json(url, tokens.secretary, { method: 'POST' })).status).toBe(403);
    expect((await json(url, tokens.other, { method: 'POST' })).status).toBe(403);
    const first = await json(url, tokens.chair, { method: 'POST' });
    expect(first.status).toBe(200);
    const approval = first.body.approval as { sha256: string; publicSha256: string; version: number };
    expect(approval.version).toBe(1);
    const journal = await h.hall.store.journal.read(SID);
    const record = journal.at(-1)!;
    expect(record.seq).toBe(first.body.seq);
    expect(record.event).toMatchObject({ type: 'minutes.approve', minutesKey: 'sitting-1', version: 1, sha256: approval.sha256, publicSha256: approval.publicSha256, by: { role: 'chair', id: 'chutoa.td' } });
    const stored = await h.hall.store.catalog.getMinutesVersion(SID, approval.sha256);
    expect(createHash('sha256').update(stored!, 'utf8').digest('hex')).toBe(approval.sha256);
    expect((await h.hall.store.journal.verify(SID)).ok).toBe(true);

    const v1 = squash(pdfText((await bytes(`/api/records/sessions/${SID}/minutes/sitting-1/file?version=1`, tokens.chair)).buf));
    await json(`/api/records/sessions/${SID}/minutes/sitting-1/draft`, tokens.secretary, { method: 'PUT', body: JSON.stringify({ number: '07/BB-HĐND', closing: 'Bổ sung sau khi phê duyệt.' }) });
    const v1again = squash(pdfText((await bytes(`/api/records/sessions/${SID}/minutes/sitting-1/file?version=1`, tokens.chair)).buf));
    expect(v1again).toBe(v1);
    expect(v1).not.toContain('Bổ sung sau khi phê duyệt.');
    const second = await json(url, tokens.chair, { method: 'POST' });
    expect(second.body.approval.version).toBe(2);
    expect(squash(pdfText((await bytes(`/api/records/sessions/${SID}/minutes/sitting-1/file?version=latest`, tokens.chair)).buf))).toContain('Bổ sung sau khi phê duyệt.');

    // The command cannot be sent over the socket: a client could name the hash of nothing stored.
    const client = await TestClient.connect(h.baseUrl, tokens.chair, SID, { join: false });
    const ack = await client.send('minutes.approve', { minutesKey: 'session', version: 1, sha256: 'a'.repeat(64), publicSha256: 'b'.repeat(64), throughSeq: 1 } as never);
    expect(ack).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    client.close();
  });

  it('[RECS-4] XLSX read back with exceljs: attendance, results with DOMAIN percentages, the named list; CSV in UTF-8 with a BOM', async () => {
    const { res, buf } = await bytes(`/api/records/sessions/${SID}/export?format=xlsx`, tokens.chair);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Điểm danh', 'Kết quả biểu quyết', 'Danh sách biểu quyết', 'Phát biểu', 'Chất vấn', 'Lời hứa', 'Thời gian theo phiên', 'Đại biểu', 'Người trả lời chất vấn']);
    const rows = (name: string) => wb.getWorksheet(name)!.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1));
    expect(rows('Điểm danh')).toHaveLength(26);
    expect(rows('Điểm danh').find((r) => r[1] === 'td-d021')).toEqual([1, 'td-d021', expect.any(String), expect.any(String), 'Vắng mặt có lý do', 'Đi công tác']);
    const p1 = rows('Kết quả biểu quyết').find((r) => r[0] === 'p1')!;
    expect(p1.slice(8, 13)).toEqual(['18 (72,00%)', '15 (60,00%)', '3 (12,00%)', '0 (0,00%)', 'THÔNG QUA']);
    expect(rows('Danh sách biểu quyết')).toHaveLength(19);
    const csv = (await bytes(`/api/records/sessions/${SID}/export?format=csv&table=results`, tokens.chair)).buf;
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('Thông qua Nghị quyết dự toán ngân sách xã');
  });

  it('[RECS-5] a closed-sitting part never appears in any public output', async () => {
    // Staff see it in the internal edition.
    const internal = await bytes(`/api/records/sessions/${SID}/export?format=json`, tokens.chair);
    expect(internal.buf.toString('utf8')).toContain(CLOSED_SUBJECT);
    expect(await h.hall.store.catalog.getMinutesVersion(SID, (await json(`/api/records/sessions/${SID}`, tokens.chair)).body.minutes[1].approvals[0].publicSha256)).not.toContain(CLOSED_GUEST);

    const outputs: [string, string][] = [];
    const text = async (url: string, token?: string) => outputs.push([url, (await bytes(url, token)).buf.toString('utf8')]);
    await text(`/api/public/sessions/${SID}`);
    await text(`/api/public/sessions/${SID}/export?format=json`);
    await text(`/api/public/sessions/${SID}/export?format=csv&table=results`);
    await text(`/api/public/sessions/${SID}/export?format=csv&table=speeches`);
    await text(`/api/public/commitments?councilId=tien-du`);
    await text(`/api/public/search?q=${encodeURIComponent('nhan su hop kin')}`);
    await text(`/api/public/search?q=${encodeURIComponent('Khách Mời')}`);
    await text(`/api/records/sessions/${SID}/export?format=json&edition=public`, tokens.chair);
    outputs.push(['public minutes pdf', pdfText((await bytes(`/api/public/sessions/${SID}/minutes/sitting-1/file?format=pdf`)).buf)]);
    const docx = (await bytes(`/api/public/sessions/${SID}/minutes/sitting-1/file?format=docx`)).buf;
    outputs.push(['public minutes docx', await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string')]);
    outputs.push(['staff public-edition pdf', pdfText((await bytes(`/api/records/sessions/${SID}/minutes/session/file?edition=public`, tokens.chair)).buf)]);
    const xlsx = new ExcelJS.Workbook();
    await xlsx.xlsx.load((await bytes(`/api/public/sessions/${SID}/export?format=xlsx`)).buf as never);
    outputs.push(['public xlsx', JSON.stringify(xlsx.worksheets.map((w) => w.getSheetValues()))]);
    for (const [url, out] of outputs) {
      expect(out, url).not.toContain(CLOSED_SUBJECT);
      expect(out, url).not.toContain(CLOSED_GUEST);
      expect(out, url).not.toContain('Đi công tác');
    }
    // … while the public parts are there.
    expect(outputs[0]![1]).toContain('Thông qua Nghị quyết dự toán ngân sách xã');
    expect(squash(outputs.find(([u]) => u === 'public minutes pdf')![1])).toContain('Phần họp kín từ');
    const search = JSON.parse(outputs[5]![1]) as { results: unknown[] };
    expect(search.results).toEqual([]);
    const found = await json(`/api/public/search?q=${encodeURIComponent('duong lien xa')}`);
    expect(found.body.results).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'question', sessionId: SID })]));
  });

  it('[RECS-6] follow-ups after the adjournment are journaled and attributed; the register shows them, publicly too', async () => {
    const upd = await json(`/api/records/sessions/${SID}/commitments/c1/updates`, tokens.secretary, { method: 'POST', body: JSON.stringify({ status: 'done', note: 'Đã thông xe', evidence: 'Báo cáo 15/BC-UBND' }) });
    expect(upd.status).toBe(200);
    const rec = (await h.hall.store.journal.read(SID)).find((r) => r.seq === upd.body.seq)!;
    expect(rec.event).toMatchObject({ type: 'commitment.update', commitmentId: 'c1', status: 'done', by: { role: 'secretary', id: 'thuky.td' } });
    const bad = await json(`/api/records/sessions/${SID}/commitments/nope/updates`, tokens.secretary, { method: 'POST', body: JSON.stringify({ status: 'done', note: 'x' }) });
    expect(bad).toMatchObject({ status: 409, body: { code: 'REJECTED', reason: 'UNKNOWN_COMMITMENT' } });
    const staff = await json('/api/records/councils/tien-du/commitments', tokens.chair);
    expect(staff.body.commitments).toEqual([expect.objectContaining({ commitmentId: 'c1', status: 'done', lastUpdate: expect.any(String) })]);
    const pub = await json('/api/public/commitments?councilId=tien-du');
    expect(pub.body.commitments[0].updates[0]).toMatchObject({ note: 'Đã thông xe', by: '' });
  });

  it('[RECS-7] staff routes need staff of the council; public routes need nothing; bad input is a clear error', async () => {
    expect((await json(`/api/records/sessions/${SID}`)).status).toBe(401);
    expect((await json(`/api/records/sessions/${SID}`, tokens.other)).status).toBe(403);
    expect((await json('/api/records/sessions/nope', tokens.chair)).status).toBe(404);
    expect((await json(`/api/records/sessions/${SID}/minutes/sitting-9`, tokens.chair))).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await json(`/api/records/sessions/${SID}/minutes/..%2Fx`, tokens.chair)).status).toBe(400);
    expect((await json(`/api/public/sessions/${SID}/minutes/session/file`)).status).toBe(404);
    const bad = await json(`/api/records/sessions/${SID}/minutes/session/draft`, tokens.secretary, { method: 'PUT', body: JSON.stringify({ number: 5 }) });
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION' } });
    const councils = await json('/api/public/councils');
    expect(councils.body.councils.map((c: { id: string }) => c.id)).toEqual(['bac-ninh', 'tien-du']);
  });
});

function writePdf(buf: Buffer): string {
  const name = `${randomBytes(6).toString('hex')}.pdf`;
  writeFileSync(path.join(tmp, name), buf);
  return name;
}
