/**
 * Setting a council up without touching JSON (the admin app, /admin/):
 *
 *  - `POST /api/admin/councils/:id/delegates/import` — the delegate list from an XLSX or CSV file (at most 2 MB and
 *    500 rows; records/sheet-import.ts reads it without trusting it). The whole file is checked first and answered
 *    row by row; a file refused as a whole says why in a stable `reason`; nothing is imported unless every row is clean (`apply: true` and no
 *    error). Importing replaces the council's list and gives every new delegate an account with a random personal
 *    code, which only a printed login card ever shows.
 *  - `GET /api/admin/councils/:id/delegates/export?format=xlsx|csv` — the same columns back, so an export re-imports.
 *  - `POST /api/admin/councils/:id/cards` — QR login cards (PDF, one A6 page per delegate: name, seat, group, delegate
 *    id, a fresh personal code and a QR code that signs the tablet in). Printing sets new codes: the old ones stop
 *    working, which is the only way a code can be shown again (codes are stored hashed). `mode: 'lost'` (default)
 *    also signs out every device of those delegates; `mode: 'reprint'` leaves signed-in tablets alone (CardsBody).
 *  - `POST /api/admin/accounts/:id/reset` — a new password, device token or personal code, shown once; the
 *    account's devices are signed out.
 *
 * Admins only; every change is audited (routes/audited.ts) without the secrets.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Council, Delegate, Id, errorMessages, foldVietnamese, type Table } from '@hall/core';
import type { Account, Catalog } from '../store/types.ts';
import type { AuthService } from '../auth/service.ts';
import type { AuditLog } from '../auth/audit.ts';
import { hashSecret } from '../auth/secrets.ts';
import { requireRole } from '../plugins/auth.ts';
import { renderCsv, renderXlsx } from '../records/sheets.ts';
import { MAX_SHEET_FILE_BYTES, readSheetFile, SheetFileError, sheetFileTooLarge, type SheetRead } from '../records/sheet-import.ts';
import { mm, renderPdfDefinition } from '../records/pdf.ts';
import { conflict, installErrorHandler, invalid, notFound, serialize } from './admin.ts';
import { auditWrites } from './audited.ts';
import { clientOf, issuerOf } from './auth.ts';

/** The columns of the delegate sheet, as exported and as recognised on import (any case, with or without diacritics). */
export const DELEGATE_COLUMNS = {
  id: { title: 'Mã đại biểu', aliases: ['ma dai bieu', 'ma', 'id'] },
  fullName: { title: 'Họ và tên', aliases: ['ho va ten', 'ho ten', 'full name', 'fullname', 'name'] },
  group: { title: 'Tổ đại biểu', aliases: ['to dai bieu', 'to', 'group'] },
  seat: { title: 'Ghế', aliases: ['ghe', 'so ghe', 'seat'] },
  status: { title: 'Tình trạng', aliases: ['tinh trang', 'status'] },
} as const;
type Column = keyof typeof DELEGATE_COLUMNS;

const STATUS_WORDS: Record<string, Delegate['status']> = {
  '': 'sitting',
  'dang la dai bieu': 'sitting',
  'duong nhiem': 'sitting',
  sitting: 'sitting',
  khuyet: 'vacant',
  'con khuyet': 'vacant',
  vacant: 'vacant',
};
const STATUS_TITLE: Record<Delegate['status'], string> = { sitting: 'Đương nhiệm', vacant: 'Khuyết' };

/** Lower case, no diacritics, single spaces: how headers and status words are compared. */
const fold = (s: string) => foldVietnamese(s).replace(/\s+/g, ' ').trim();

export interface ImportRow {
  /** The row's number in the spreadsheet (the header is row 1). */
  row: number;
  delegate: Delegate | null;
  errors: { column: string; message: string }[];
}

export interface ImportReport {
  valid: boolean;
  /** File-level problems (unreadable file, missing columns, no rows). */
  fileErrors: string[];
  rows: ImportRow[];
  errorCount: number;
}

const MAX_ROWS = 500;

/**
 * Checks every row of a delegate sheet: required columns, valid ids, no id or seat twice, a known status, ids not
 * already used by an account of another council or role (`accountClash`, looked up beforehand by the caller).
 */
export function checkDelegateSheet(sheet: SheetRead, accountClash: (id: string) => string | null = () => null): ImportReport {
  const fileErrors: string[] = [];
  const [head, ...filled] = sheet.rows;
  const header = head?.cells ?? [];
  const index = {} as Record<Column, number>;
  const folded = header.map(fold);
  for (const [key, col] of Object.entries(DELEGATE_COLUMNS) as [Column, (typeof DELEGATE_COLUMNS)[Column]][]) {
    index[key] = folded.findIndex((h) => (col.aliases as readonly string[]).includes(h));
  }
  for (const key of ['id', 'fullName'] as const) {
    if (index[key] < 0) fileErrors.push(`Thiếu cột "${DELEGATE_COLUMNS[key].title}" ở dòng tiêu đề (dòng ${head?.row ?? 1})`);
  }
  if (fileErrors.length === 0 && filled.length === 0) fileErrors.push('Tệp không có dòng đại biểu nào');
  if (sheet.truncated || filled.length > MAX_ROWS) fileErrors.push(`Tệp có hơn ${MAX_ROWS} dòng đại biểu, nhiều nhất ${MAX_ROWS}`);
  if (fileErrors.length) return { valid: false, fileErrors, rows: [], errorCount: fileErrors.length };

  const get = (cells: string[], key: Column) => (index[key] >= 0 ? (cells[index[key]] ?? '') : '');
  const idRows = new Map<string, number>();
  const seatRows = new Map<string, number>();
  const rows: ImportRow[] = filled.map(({ cells, row }) => {
    const errors: ImportRow['errors'] = [];
    const say = (key: Column, message: string) => errors.push({ column: DELEGATE_COLUMNS[key].title, message });
    const id = get(cells, 'id');
    const fullName = get(cells, 'fullName').replace(/\s+/g, ' ');
    const group = get(cells, 'group');
    const seat = get(cells, 'seat');
    const statusWord = fold(get(cells, 'status'));
    if (!id) say('id', 'Thiếu mã đại biểu');
    else if (!Id.safeParse(id).success || id === '.' || id === '..') say('id', `Mã "${id}" không hợp lệ (chỉ chữ không dấu, số, _ . : -; tối đa 64 ký tự)`);
    else if (idRows.has(id)) say('id', `Mã "${id}" trùng với dòng ${idRows.get(id)}`);
    else {
      idRows.set(id, row);
      const clash = accountClash(id);
      if (clash) say('id', clash);
    }
    if (!fullName) say('fullName', 'Thiếu họ và tên');
    else if (fullName.length > 120) say('fullName', 'Họ và tên dài quá 120 ký tự');
    if (group.length > 120) say('group', 'Tên tổ dài quá 120 ký tự');
    if (seat.length > 16) say('seat', 'Số ghế dài quá 16 ký tự');
    else if (seat && seatRows.has(seat)) say('seat', `Ghế "${seat}" trùng với dòng ${seatRows.get(seat)}`);
    else if (seat) seatRows.set(seat, row);
    const status = STATUS_WORDS[statusWord];
    if (!status) say('status', `Tình trạng "${get(cells, 'status')}" không rõ (Đương nhiệm hoặc Khuyết)`);
    const delegate = errors.length === 0 ? Delegate.parse({ id, fullName, group, seat, status }) : null;
    return { row, delegate, errors };
  });
  const errorCount = rows.reduce((n, r) => n + r.errors.length, 0);
  return { valid: errorCount === 0, fileErrors: [], rows, errorCount };
}

export function delegateTable(council: Council): Table {
  return {
    name: 'delegates',
    title: 'Đại biểu',
    columns: Object.values(DELEGATE_COLUMNS).map((c) => c.title),
    rows: council.delegates.map((d) => [d.id, d.fullName, d.group, d.seat, STATUS_TITLE[d.status]]),
  };
}

/** A six-digit personal code, never starting with 0 (spreadsheets and people drop leading zeros). */
const newCode = () => String(randomInt(100_000, 1_000_000));
const groupedCode = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

/** The longest base64 text of a file of at most MAX_SHEET_FILE_BYTES. */
const BASE64_MAX = Math.ceil(MAX_SHEET_FILE_BYTES / 3) * 4;

const ImportBody = z.strictObject({
  format: z.enum(['xlsx', 'csv']),
  /** The file, base64. */
  data: z.string().min(1),
  /** false (default): only check. true: check, and import when every row is clean. */
  apply: z.boolean().default(false),
});

const CardsBody = z.strictObject({
  delegateIds: z.array(Id).min(1).max(500).optional(),
  /**
   * `lost` (default): the earlier card may be in someone else's hands, so every device signed in as the delegate is
   * signed out too. `reprint`: a worn card or a batch printed mid-sitting; tablets in use stay signed in (signing a
   * whole hall out in the middle of a vote would stop it), only the earlier card stops working.
   */
  mode: z.enum(['lost', 'reprint']).default('lost'),
});

const MSG = {
  councilNotFound: 'Không tìm thấy hội đồng',
  accountNotFound: 'Không tìm thấy tài khoản',
  notClean: 'Tệp còn lỗi, chưa nhập đại biểu nào. Sửa các dòng được báo rồi gửi lại.',
  noDelegates: 'Hội đồng chưa có đại biểu nào đang đương nhiệm',
  otherAccount: (id: string) => `Mã ${id} đang là tài khoản khác (không phải đại biểu của hội đồng này)`,
} as const;

const routes: FastifyPluginAsyncZod<{ catalog: Catalog; auth?: AuthService; audit?: AuditLog; publicUrl?: string }> = async (app, { catalog, auth, audit, publicUrl }) => {
  installErrorHandler(app);
  auditWrites(app, audit);
  const adminOnly = requireRole('admin');

  const loadCouncil = async (id: string) => {
    const council = await catalog.getCouncil(id);
    if (!council) throw notFound(MSG.councilNotFound);
    return council;
  };

  /** Why `id` cannot be this council's delegate account, or null. */
  const clashes = async (councilId: string, ids: string[]) => {
    const found = new Map<string, string>();
    for (const id of ids) {
      if (!Id.safeParse(id).success) continue;
      const account = await catalog.getAccount(id);
      if (account && (account.role !== 'delegate' || !account.councilIds.includes(councilId) || account.delegateId !== id)) found.set(id, MSG.otherAccount(id));
    }
    return found;
  };

  /** Accounts for delegates that have none, each with a random code nobody sees until cards are printed. */
  const ensureAccounts = async (council: Council, delegates: Delegate[], codes?: Map<string, string>) => {
    const accounts = await Promise.all(
      delegates.map(async (d) => {
        const existing = await catalog.getAccount(d.id);
        const code = codes?.get(d.id);
        if (existing && code === undefined && existing.displayName === d.fullName) return null;
        const account: Account = {
          id: d.id,
          role: 'delegate',
          displayName: d.fullName,
          councilIds: [council.id],
          delegateId: d.id,
          secretHash: code !== undefined ? await hashSecret(code) : (existing?.secretHash ?? (await hashSecret(newCode()))),
          ...(existing?.disabled ? { disabled: true } : {}),
        };
        return account;
      }),
    );
    for (const account of accounts) if (account) await catalog.putAccount(account);
  };

  /** A file refused as a whole (too large, unpacks too large, wrong type, unreadable): `reason` says which. */
  const fileRefusal = (error: SheetFileError) => {
    const report: ImportReport = { valid: false, fileErrors: [error.message], rows: [], errorCount: 1 };
    return { ok: false as const, code: 'VALIDATION' as const, reason: error.reason, message: error.message, imported: 0, report };
  };

  app.post(
    '/api/admin/councils/:id/delegates/import',
    {
      schema: { tags: ['admin'], params: z.object({ id: Id }), body: ImportBody },
      onRequest: adminOnly,
      // Room for the JSON around the file's base64; a larger body is answered as a file too large, not parsed.
      bodyLimit: BASE64_MAX + 64 * 1024,
      errorHandler: (err, _request, reply) => {
        if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send(fileRefusal(sheetFileTooLarge()));
        throw err;
      },
    },
    async (request, reply) => {
      const { format, data, apply } = request.body;
      if (!apply) request.auditNote = { skip: true };
      const councilId = request.params.id;
      await loadCouncil(councilId);
      let sheet: SheetRead;
      try {
        if (data.length > BASE64_MAX) throw sheetFileTooLarge();
        sheet = await readSheetFile(format, Buffer.from(data, 'base64'), MAX_ROWS);
      } catch (err) {
        if (err instanceof SheetFileError) return reply.status(400).send(fileRefusal(err));
        throw err;
      }
      const firstPass = checkDelegateSheet(sheet);
      const clash = await clashes(councilId, firstPass.rows.flatMap((r) => (r.delegate ? [r.delegate.id] : [])));
      const report = clash.size ? checkDelegateSheet(sheet, (id) => clash.get(id) ?? null) : firstPass;
      if (!report.valid) {
        // Row by row, for people; `issues` for programs. Nothing was imported.
        const issues = [...report.fileErrors, ...report.rows.flatMap((r) => r.errors.map((e) => `Dòng ${r.row}, cột ${e.column}: ${e.message}`))];
        return reply.status(apply ? 400 : 200).send({ ok: !apply, code: apply ? 'VALIDATION' : undefined, message: MSG.notClean, issues, imported: 0, report });
      }
      if (!apply) return { ok: true, imported: 0, report };
      const delegates = report.rows.map((r) => r.delegate!);
      const council = await serialize(`council:${councilId}`, async () => {
        const current = await loadCouncil(councilId);
        const next = Council.safeParse({ ...current, delegates });
        if (!next.success) throw invalid(errorMessages.VALIDATION.vi, next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        await catalog.putCouncil(next.data);
        return next.data;
      });
      await ensureAccounts(council, delegates);
      request.auditNote = { councilIds: [councilId], detail: `nhập ${delegates.length} đại biểu từ tệp ${format.toUpperCase()}` };
      return { ok: true, imported: delegates.length, report };
    },
  );

  app.get(
    '/api/admin/councils/:id/delegates/export',
    { schema: { tags: ['admin'], params: z.object({ id: Id }), querystring: z.strictObject({ format: z.enum(['xlsx', 'csv']).default('xlsx') }) }, onRequest: adminOnly },
    async (request, reply) => {
      const council = await loadCouncil(request.params.id);
      const { format } = request.query;
      const table = delegateTable(council);
      const body = format === 'xlsx' ? await renderXlsx([table], `Đại biểu — ${council.name}`) : await renderCsv(table);
      const type = format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8';
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="dai-bieu-${council.id}.${format}"`)
        .send(body);
    },
  );

  app.post(
    '/api/admin/councils/:id/cards',
    {
      schema: { tags: ['admin'], params: z.object({ id: Id }), body: CardsBody.optional() },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const council = await loadCouncil(request.params.id);
      const wanted = request.body?.delegateIds;
      const delegates = council.delegates.filter((d) => d.status === 'sitting' && (!wanted || wanted.includes(d.id)));
      if (delegates.length === 0) throw invalid(MSG.noDelegates);
      const clash = await clashes(council.id, delegates.map((d) => d.id));
      if (clash.size) throw conflict([...clash.values()].join('; '));
      const codes = new Map(delegates.map((d) => [d.id, newCode()] as const));
      await ensureAccounts(council, delegates, codes);
      // The new codes already stop the earlier card; a lost card also takes back what it signed in.
      const mode = request.body?.mode ?? 'lost';
      let signedOut = 0;
      if (mode === 'lost') for (const d of delegates) signedOut += (await auth?.revokeAll(d.id, issuerOf(request), clientOf(request))) ?? 0;
      const base = publicUrl ?? `${request.protocol}://${request.host}`;
      const pages = delegates.map((d, i) => {
        const code = codes.get(d.id)!;
        // The fragment never reaches a server log; the delegate app signs in with it and clears it (delegate-client).
        const url = `${base}/delegate/#card=${encodeURIComponent(d.id)}~${code}`;
        return {
          ...(i > 0 ? { pageBreak: 'before' } : {}),
          columns: [
            {
              width: '*',
              stack: [
                { text: council.name.toUpperCase(), bold: true, fontSize: 10 },
                { text: 'THẺ ĐĂNG NHẬP ĐẠI BIỂU', bold: true, fontSize: 10, margin: [0, 2, 0, 8] },
                { text: d.fullName, bold: true, fontSize: 17 },
                { text: `Ghế: ${d.seat || '—'}`, fontSize: 14, margin: [0, 6, 0, 0] },
                ...(d.group ? [{ text: d.group, fontSize: 11 }] : []),
                { text: `Mã đại biểu: ${d.id}`, fontSize: 11, margin: [0, 8, 0, 0] },
                { text: `Mã cá nhân: ${groupedCode(code)}`, fontSize: 11, bold: true },
              ],
            },
            { width: mm(42), stack: [{ qr: url, fit: mm(42), eccLevel: 'M' }] },
          ],
        };
      });
      const pdf = await renderPdfDefinition({
        pageSize: 'A6',
        pageOrientation: 'landscape',
        pageMargins: [mm(8), mm(8), mm(8), mm(8)],
        info: { title: `Thẻ đăng nhập đại biểu — ${council.name}`, creator: 'Hall — điều hành kỳ họp HĐND', producer: 'Hall' },
        footer: () => ({ text: 'Quét mã QR bằng máy tính bảng, hoặc mở /delegate/ và nhập mã đại biểu, mã cá nhân. Giữ thẻ cẩn thận.', fontSize: 7, margin: [mm(8), 0, mm(8), 0] }),
        content: pages,
      });
      request.auditNote = {
        councilIds: [council.id],
        detail:
          mode === 'lost'
            ? `in ${delegates.length} thẻ đăng nhập (mất thẻ), đặt mã cá nhân mới, đăng xuất ${signedOut} thiết bị`
            : `in lại ${delegates.length} thẻ đăng nhập, đặt mã cá nhân mới, giữ thiết bị đang đăng nhập`,
      };
      return reply
        .type('application/pdf')
        .header('x-signed-out', String(signedOut))
        .header('content-disposition', `attachment; filename="the-dang-nhap-${council.id}.pdf"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );

  app.post(
    '/api/admin/accounts/:id/reset',
    { schema: { tags: ['admin'], params: z.object({ id: Id }) }, onRequest: adminOnly },
    async (request) => {
      if (request.params.id === request.claims.sub) throw conflict('Đổi mật khẩu của chính bạn bằng một tài khoản quản trị khác');
      const result = await serialize(`account:${request.params.id}`, async () => {
        const account = await catalog.getAccount(request.params.id);
        if (!account) throw notFound(MSG.accountNotFound);
        const secret = account.role === 'delegate' ? newCode() : account.role === 'display' ? randomBytes(18).toString('base64url') : randomBytes(9).toString('base64url');
        await catalog.putAccount({ ...account, secretHash: await hashSecret(secret) });
        return { account, secret };
      });
      // Whoever held the old secret is signed out everywhere.
      const signedOut = (await auth?.revokeAll(result.account.id, issuerOf(request), clientOf(request))) ?? 0;
      request.auditNote = { councilIds: [...result.account.councilIds], detail: `đặt lại mã đăng nhập, đăng xuất ${signedOut} thiết bị` };
      return { ok: true as const, id: result.account.id, role: result.account.role, secret: result.secret, signedOut };
    },
  );
};

export default routes;
