/**
 * Administration over HTTP: councils (with their delegates and officials), sessions and their agendas, accounts.
 *
 * Who may do what:
 *  - councils and accounts: admins write; chair and secretary may read the councils they belong to;
 *  - sessions: admins any, chair and secretary those of their own council (`can(claims, councilId)`).
 *
 * Every error is `{ ok: false, code, message }` with a stable code (VALIDATION, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED,
 * CONFLICT) and a Vietnamese message; validation errors add `issues`. Handlers throw `HttpError` and this plugin's
 * error handler answers; anything else goes on to the app's error handler (INTERNAL, logged).
 *
 * A session machine freezes its own copy of the council and the agenda the first time it opens (SessionSetup,
 * saved as the snapshot at seq 0), so catalog edits never change a running sitting: agenda edits are refused once
 * the session is live or adjourned, and also once a machine exists for it (its snapshot is in the journal) — an
 * edit accepted then would silently never reach the hall.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AgendaItem, Council, Delegate, DelegateStatus, Id, errorMessages, type ErrorCode } from '@hall/core';
import type { Account, SessionRecord, Store } from '../store/types.ts';
import { requireRole } from '../plugins/auth.ts';
import { can, type AuthService, type Claims } from '../auth/service.ts';
import { clientOf, issuerOf } from './auth.ts';
import { hashSecret, MAX_SECRET_LENGTH } from '../auth/secrets.ts';
import type { AuditLog } from '../auth/audit.ts';
import { auditWrites } from './audited.ts';

// ---------------------------------------------------------------------------------------------------------------
// Errors shared by the admin and document routes

export const HttpErrorCode = z.enum(['VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'CONFLICT']);
export type HttpErrorCode = z.infer<typeof HttpErrorCode>;

export const ErrorBody = z.object({
  ok: z.literal(false),
  code: HttpErrorCode,
  message: z.string(),
  issues: z.array(z.string()).optional(),
});

/** Error responses every admin route may give (for the OpenAPI document and the serializer). */
export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly issues?: string[],
  ) {
    super(message);
  }

  body() {
    return { ok: false as const, code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

export const notFound = (message: string = errorMessages.NOT_FOUND.vi) => new HttpError(404, 'NOT_FOUND', message);
export const forbidden = (message: string = errorMessages.FORBIDDEN.vi) => new HttpError(403, 'FORBIDDEN', message);
export const invalid = (message: string, issues?: string[]) => new HttpError(400, 'VALIDATION', message, issues);
export const conflict = (message: string) => new HttpError(409, 'CONFLICT', message);

/**
 * Answers `HttpError`s and schema validation errors itself (same body as the app's handler, so a bare Fastify in a
 * test behaves like the real app); everything else is passed to the parent handler.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err instanceof HttpError) return reply.status(err.statusCode).send(err.body());
    const validation = validationBody(err);
    if (validation) return reply.status(400).send(validation);
    throw err;
  });
}

/** The 400 body of a request its route's schema refused (which field, why), or null for any other error. */
export function validationBody(err: unknown) {
  if (!hasZodFastifySchemaValidationErrors(err)) return null;
  return {
    ok: false as const,
    code: 'VALIDATION' as const,
    message: errorMessages.VALIDATION.vi,
    issues: err.validation.map((v) => `${v.instancePath || '(root)'}: ${v.message}`),
  };
}

/** The body of a refusal with core's Vietnamese message for its code. */
export const errorBody = (code: ErrorCode) => ({ ok: false as const, code, message: errorMessages[code].vi });

/**
 * The stable code of an HTTP status that no handler of ours chose (Fastify's own: a body too large, a URL that does
 * not decode, a file outside an app's folder): a program reads the code, a person the Vietnamese message beside it.
 */
export function codeOfStatus(status: number): 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'RATE_LIMITED' | 'VALIDATION' | 'INTERNAL' {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  return status >= 400 && status < 500 ? 'VALIDATION' : 'INTERNAL';
}

/**
 * Runs read-modify-write tasks on one catalog entry one at a time (within this process), so two admins adding a
 * delegate, or an upload and an agenda edit, do not overwrite each other's change.
 */
const tails = new Map<string, Promise<unknown>>();
export function serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
  const run = (tails.get(key) ?? Promise.resolve()).then(task, task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}

/** Staff of a council may act in it; admins in every council. */
export function assertCouncilAccess(claims: Claims, councilId: string): void {
  if (!can(claims, councilId)) throw forbidden();
}

/** JSON with object keys sorted, to compare stored documents with parsed bodies regardless of key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const duplicates = (ids: string[]) => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

// ---------------------------------------------------------------------------------------------------------------
// Schemas

const Ok = z.literal(true);
const IdParams = z.object({ id: Id });
const DelegateParams = z.object({ id: Id, delegateId: Id });

const Agenda = z.array(AgendaItem).max(100);

const SessionBody = z.strictObject({
  id: Id,
  councilId: Id,
  title: z.string().trim().min(1).max(300),
  date: z.iso.date(),
  agenda: Agenda.default([]),
});

const SessionView = z.object({
  id: z.string(),
  councilId: z.string(),
  title: z.string(),
  date: z.string(),
  agenda: z.array(AgendaItem),
  status: z.enum(['scheduled', 'live', 'adjourned']),
});

const DelegatePatch = z
  .strictObject({
    fullName: Delegate.shape.fullName.optional(),
    group: Delegate.shape.group.unwrap().optional(),
    seat: Delegate.shape.seat.unwrap().optional(),
    status: DelegateStatus.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'Cần ít nhất một trường để sửa (fullName, group, seat, status)' });

const AccountRole = z.enum(['admin', 'chair', 'secretary', 'delegate', 'display', 'oversight']);

const AccountBody = z
  .strictObject({
    id: Id,
    role: AccountRole,
    displayName: z.string().trim().min(1).max(200),
    councilIds: z.array(Id).max(500).default([]),
    delegateId: Id.optional(),
    /** Plaintext password, delegate code or device token; hashed here and never stored or echoed. Optional on update. */
    secret: z.string().min(6).max(MAX_SECRET_LENGTH).optional(),
    /** Absent keeps the current state; `false` re-enables a disabled account. */
    disabled: z.boolean().optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.role === 'admin' || a.role === 'oversight') && a.councilIds.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['councilIds'], message: 'Tài khoản quản trị và giám sát dùng được mọi hội đồng; để trống councilIds' });
    }
    if (a.role !== 'admin' && a.role !== 'oversight' && a.councilIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['councilIds'], message: 'Cần ít nhất một hội đồng' });
    }
    if (a.role === 'delegate' && !a.delegateId) {
      ctx.addIssue({ code: 'custom', path: ['delegateId'], message: 'Tài khoản đại biểu cần delegateId' });
    }
    if (a.role !== 'delegate' && a.delegateId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['delegateId'], message: 'Chỉ tài khoản đại biểu có delegateId' });
    }
    if (duplicates(a.councilIds).length > 0) ctx.addIssue({ code: 'custom', path: ['councilIds'], message: 'Hội đồng bị lặp' });
  });

const AccountView = z.object({
  id: z.string(),
  role: AccountRole,
  displayName: z.string(),
  councilIds: z.array(z.string()),
  delegateId: z.string().optional(),
  disabled: z.boolean(),
});
type AccountView = z.infer<typeof AccountView>;

/** The only shape an account leaves the server in: never the secret hash. */
const viewAccount = (a: Account): AccountView => ({
  id: a.id,
  role: a.role,
  displayName: a.displayName,
  councilIds: [...a.councilIds],
  ...(a.delegateId !== undefined ? { delegateId: a.delegateId } : {}),
  disabled: a.disabled === true,
});

// ---------------------------------------------------------------------------------------------------------------
// Messages

const MSG = {
  councilNotFound: 'Không tìm thấy hội đồng',
  sessionNotFound: 'Không tìm thấy kỳ họp',
  accountNotFound: 'Không tìm thấy tài khoản',
  delegateNotFound: 'Không tìm thấy đại biểu trong hội đồng',
  idMismatch: 'Mã trong đường dẫn và mã trong nội dung không khớp',
  started: 'Kỳ họp đã bắt đầu, không thể sửa chương trình',
  frozen: 'Chương trình kỳ họp đã được chốt khi kỳ họp được mở trên hệ thống, không thể sửa',
  moveStarted: 'Kỳ họp đã bắt đầu, không thể chuyển sang hội đồng khác',
  deleteLive: 'Kỳ họp đang diễn ra, không thể xóa',
  idUsed: 'Mã kỳ họp này đã có nhật ký của một kỳ họp trước, hãy dùng mã khác',
  councilHasSessions: 'Hội đồng còn kỳ họp, hãy xóa các kỳ họp trước',
  delegateExists: 'Mã đại biểu đã có trong hội đồng',
  secretRequired: 'Tài khoản mới cần mật khẩu hoặc mã đăng nhập (secret)',
  self: 'Không thể xóa, khóa hoặc hạ quyền tài khoản bạn đang dùng',
} as const;

// ---------------------------------------------------------------------------------------------------------------

const STAFF = ['admin', 'chair', 'secretary'] as const;

const routes: FastifyPluginAsyncZod<{ store: Store; auth?: AuthService; audit?: AuditLog }> = async (app, { store, auth, audit }) => {
  auditWrites(app, audit);
  /** A disabled or deleted account's tokens stop working at once, not at their expiry. */
  const signOut = async (request: FastifyRequest, accountId: string) => {
    await auth?.revokeAll(accountId, issuerOf(request), clientOf(request));
  };
  const { catalog, journal } = store;
  installErrorHandler(app);

  const adminOnly = requireRole('admin');
  const staffOnly = requireRole(...STAFF);

  const loadCouncil = async (id: string) => {
    const council = await catalog.getCouncil(id);
    if (!council) throw notFound(MSG.councilNotFound);
    return council;
  };

  /** The session, after checking the caller is staff of its council (403 before 404 would leak nothing more). */
  const loadSession = async (claims: Claims, id: string) => {
    const session = await catalog.getSession(id);
    if (!session) throw notFound(MSG.sessionNotFound);
    assertCouncilAccess(claims, session.councilId);
    return session;
  };

  /** Why the agenda of this session can no longer change, or null if it still can. */
  const agendaLock = async (session: SessionRecord): Promise<string | null> => {
    if (session.status !== 'scheduled') return MSG.started;
    if ((await journal.loadSnapshot(session.id)) !== null || (await journal.lastSeq(session.id)) > 0) return MSG.frozen;
    return null;
  };

  const checkAgenda = (agenda: AgendaItem[]) => {
    const dup = duplicates(agenda.map((i) => i.id));
    if (dup.length) throw invalid(errorMessages.VALIDATION.vi, dup.map((id) => `agenda: nội dung ${id} bị lặp`));
    for (const item of agenda) {
      const docs = duplicates(item.documents.map((d) => d.id));
      if (docs.length) throw invalid(errorMessages.VALIDATION.vi, docs.map((id) => `agenda.${item.id}.documents: tài liệu ${id} bị lặp`));
    }
  };

  // ----- councils -------------------------------------------------------------------------------------------

  app.get(
    '/api/admin/councils',
    { schema: { tags: ['admin'], response: { 200: z.object({ ok: Ok, councils: z.array(Council) }), ...errorResponses } }, onRequest: staffOnly },
    async (request) => ({ ok: true as const, councils: (await catalog.listCouncils()).filter((c) => can(request.claims, c.id)) }),
  );

  app.get(
    '/api/admin/councils/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: z.object({ ok: Ok, council: Council }), ...errorResponses } }, onRequest: staffOnly },
    async (request) => {
      assertCouncilAccess(request.claims, request.params.id);
      return { ok: true as const, council: await loadCouncil(request.params.id) };
    },
  );

  // Create or replace the whole council document: delegates and officials included. Sessions already opened keep
  // the copy they froze; the change applies to sessions opened from now on.
  app.put(
    '/api/admin/councils/:id',
    {
      schema: {
        tags: ['admin'],
        params: IdParams,
        body: Council,
        response: { 200: z.object({ ok: Ok, council: Council, created: z.boolean() }), 201: z.object({ ok: Ok, council: Council, created: z.boolean() }), ...errorResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const council = request.body;
      if (council.id !== request.params.id) throw invalid(MSG.idMismatch);
      const issues = [
        ...duplicates(council.delegates.map((d) => d.id)).map((id) => `delegates: mã đại biểu ${id} bị lặp`),
        ...duplicates(council.officials.map((o) => o.id)).map((id) => `officials: mã ${id} bị lặp`),
      ];
      if (issues.length) throw invalid(errorMessages.VALIDATION.vi, issues);
      const created = await serialize(`council:${council.id}`, async () => {
        const existed = (await catalog.getCouncil(council.id)) !== null;
        await catalog.putCouncil(council);
        return !existed;
      });
      return reply.status(created ? 201 : 200).send({ ok: true, council, created });
    },
  );

  app.delete(
    '/api/admin/councils/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: z.object({ ok: Ok }), ...errorResponses } }, onRequest: adminOnly },
    async (request) => {
      const { id } = request.params;
      await loadCouncil(id);
      // Sessions keep a council id; removing the council under them would leave them impossible to open.
      if ((await catalog.listSessions(id)).length > 0) throw conflict(MSG.councilHasSessions);
      await serialize(`council:${id}`, () => catalog.deleteCouncil(id));
      return { ok: true as const };
    },
  );

  app.post(
    '/api/admin/councils/:id/delegates',
    { schema: { tags: ['admin'], params: IdParams, body: Delegate, response: { 201: z.object({ ok: Ok, delegate: Delegate }), ...errorResponses } }, onRequest: adminOnly },
    async (request, reply) => {
      const delegate = request.body;
      await serialize(`council:${request.params.id}`, async () => {
        const council = await loadCouncil(request.params.id);
        if (council.delegates.some((d) => d.id === delegate.id)) throw conflict(MSG.delegateExists);
        const next = Council.safeParse({ ...council, delegates: [...council.delegates, delegate] });
        if (!next.success) throw invalid(errorMessages.VALIDATION.vi, next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        await catalog.putCouncil(next.data);
      });
      return reply.status(201).send({ ok: true, delegate });
    },
  );

  // A seat whose holder left stays in the list as `vacant` (model.ts), so this is how a departure is recorded.
  app.patch(
    '/api/admin/councils/:id/delegates/:delegateId',
    { schema: { tags: ['admin'], params: DelegateParams, body: DelegatePatch, response: { 200: z.object({ ok: Ok, delegate: Delegate }), ...errorResponses } }, onRequest: adminOnly },
    async (request) => {
      const { id, delegateId } = request.params;
      const delegate = await serialize(`council:${id}`, async () => {
        const council = await loadCouncil(id);
        const index = council.delegates.findIndex((d) => d.id === delegateId);
        if (index < 0) throw notFound(MSG.delegateNotFound);
        const parsed = Delegate.safeParse({ ...council.delegates[index], ...request.body });
        if (!parsed.success) throw invalid(errorMessages.VALIDATION.vi, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        const updated = parsed.data;
        const delegates = council.delegates.map((d, i) => (i === index ? updated : d));
        await catalog.putCouncil({ ...council, delegates });
        return updated;
      });
      return { ok: true as const, delegate };
    },
  );

  // ----- sessions -------------------------------------------------------------------------------------------

  app.get(
    '/api/admin/sessions',
    {
      schema: { tags: ['admin'], querystring: z.object({ councilId: Id.optional() }), response: { 200: z.object({ ok: Ok, sessions: z.array(SessionView) }), ...errorResponses } },
      onRequest: staffOnly,
    },
    async (request) => {
      const { councilId } = request.query;
      if (councilId !== undefined) assertCouncilAccess(request.claims, councilId);
      const sessions = await catalog.listSessions(councilId);
      return { ok: true as const, sessions: sessions.filter((s) => can(request.claims, s.councilId)) };
    },
  );

  app.get(
    '/api/admin/sessions/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: z.object({ ok: Ok, session: SessionView }), ...errorResponses } }, onRequest: staffOnly },
    async (request) => ({ ok: true as const, session: await loadSession(request.claims, request.params.id) }),
  );

  app.put(
    '/api/admin/sessions/:id',
    {
      schema: {
        tags: ['admin'],
        params: IdParams,
        body: SessionBody,
        response: { 200: z.object({ ok: Ok, session: SessionView, created: z.boolean() }), 201: z.object({ ok: Ok, session: SessionView, created: z.boolean() }), ...errorResponses },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const body = request.body;
      if (body.id !== request.params.id) throw invalid(MSG.idMismatch);
      // Authorization before existence checks, so a chair cannot probe another council's data.
      assertCouncilAccess(request.claims, body.councilId);
      checkAgenda(body.agenda);
      const result = await serialize(`session:${body.id}`, async () => {
        const existing = await catalog.getSession(body.id);
        if (existing) assertCouncilAccess(request.claims, existing.councilId);
        if (!(await catalog.getCouncil(body.councilId))) throw invalid(`Hội đồng ${body.councilId} không tồn tại`, [`councilId: ${MSG.councilNotFound}`]);
        if (existing) {
          const lock = await agendaLock(existing);
          if (lock) {
            if (existing.councilId !== body.councilId) throw conflict(MSG.moveStarted);
            const stored = Agenda.safeParse(existing.agenda);
            if (canonicalJson(stored.success ? stored.data : existing.agenda) !== canonicalJson(body.agenda)) throw conflict(lock);
          }
        } else if ((await journal.loadSnapshot(body.id)) !== null || (await journal.lastSeq(body.id)) > 0) {
          // A journal left by a deleted session would be restored as this one's history.
          throw conflict(MSG.idUsed);
        }
        const session: SessionRecord = { ...body, status: existing?.status ?? 'scheduled' };
        await catalog.putSession(session);
        return { session, created: !existing };
      });
      return reply.status(result.created ? 201 : 200).send({ ok: true, ...result });
    },
  );

  app.put(
    '/api/admin/sessions/:id/agenda',
    {
      schema: {
        tags: ['admin'],
        params: IdParams,
        body: z.strictObject({ agenda: Agenda }),
        response: { 200: z.object({ ok: Ok, session: SessionView }), ...errorResponses },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      checkAgenda(request.body.agenda);
      const session = await serialize(`session:${request.params.id}`, async () => {
        const existing = await loadSession(request.claims, request.params.id);
        const lock = await agendaLock(existing);
        if (lock) throw conflict(lock);
        const next: SessionRecord = { ...existing, agenda: request.body.agenda };
        await catalog.putSession(next);
        return next;
      });
      return { ok: true as const, session };
    },
  );

  app.delete(
    '/api/admin/sessions/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: z.object({ ok: Ok }), ...errorResponses } }, onRequest: staffOnly },
    async (request) => {
      await serialize(`session:${request.params.id}`, async () => {
        const session = await loadSession(request.claims, request.params.id);
        if (session.status === 'live') throw conflict(MSG.deleteLive);
        // Its documents go with it: nobody could be authorized to read them once the session (and its council link) is gone.
        for (const doc of await catalog.listDocuments(session.id)) await catalog.deleteDocument(doc.id);
        await catalog.deleteSession(session.id);
      });
      return { ok: true as const };
    },
  );

  // ----- accounts -------------------------------------------------------------------------------------------

  app.get(
    '/api/admin/accounts',
    {
      schema: { tags: ['admin'], querystring: z.object({ councilId: Id.optional() }), response: { 200: z.object({ ok: Ok, accounts: z.array(AccountView) }), ...errorResponses } },
      onRequest: adminOnly,
    },
    async (request) => {
      const { councilId } = request.query;
      const accounts = await catalog.listAccounts();
      return { ok: true as const, accounts: accounts.filter((a) => councilId === undefined || a.councilIds.includes(councilId)).map(viewAccount) };
    },
  );

  app.get(
    '/api/admin/accounts/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: z.object({ ok: Ok, account: AccountView }), ...errorResponses } }, onRequest: adminOnly },
    async (request) => {
      const account = await catalog.getAccount(request.params.id);
      if (!account) throw notFound(MSG.accountNotFound);
      return { ok: true as const, account: viewAccount(account) };
    },
  );

  app.put(
    '/api/admin/accounts/:id',
    {
      schema: {
        tags: ['admin'],
        params: IdParams,
        body: AccountBody,
        response: { 200: z.object({ ok: Ok, account: AccountView, created: z.boolean() }), 201: z.object({ ok: Ok, account: AccountView, created: z.boolean() }), ...errorResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const body = request.body;
      if (body.id !== request.params.id) throw invalid(MSG.idMismatch);
      if (body.id === request.claims.sub && (body.role !== 'admin' || body.disabled === true)) throw conflict(MSG.self);

      const councils = await Promise.all(body.councilIds.map((id) => catalog.getCouncil(id)));
      const missing = body.councilIds.filter((_, i) => !councils[i]);
      if (missing.length) throw invalid(`Hội đồng không tồn tại: ${missing.join(', ')}`, missing.map((id) => `councilIds: ${id} không tồn tại`));
      if (body.role === 'delegate' && !councils.some((c) => c?.delegates.some((d) => d.id === body.delegateId))) {
        throw invalid(`Đại biểu ${body.delegateId} không có trong hội đồng của tài khoản`, [`delegateId: ${MSG.delegateNotFound}`]);
      }
      // Login strips spaces from a typed delegate code ("100 001"), so the stored code must not contain any either.
      const secret = body.secret === undefined ? undefined : body.role === 'delegate' ? body.secret.replace(/\s+/g, '') : body.secret;
      if (secret !== undefined && secret.length === 0) throw invalid(errorMessages.VALIDATION.vi, ['secret: không được để trống']);
      const newHash = secret === undefined ? undefined : await hashSecret(secret);

      const result = await serialize(`account:${body.id}`, async () => {
        const existing = await catalog.getAccount(body.id);
        const secretHash = newHash ?? existing?.secretHash;
        if (!secretHash) throw invalid(MSG.secretRequired, ['secret: bắt buộc khi tạo tài khoản']);
        const disabled = body.disabled ?? existing?.disabled ?? false;
        const account: Account = {
          id: body.id,
          role: body.role,
          displayName: body.displayName,
          councilIds: body.councilIds,
          ...(body.delegateId !== undefined ? { delegateId: body.delegateId } : {}),
          secretHash,
          ...(disabled ? { disabled: true } : {}),
        };
        await catalog.putAccount(account);
        return { account: viewAccount(account), created: !existing };
      });
      if (result.account.disabled) await signOut(request, body.id);
      return reply.status(result.created ? 201 : 200).send({ ok: true, ...result });
    },
  );

  app.delete(
    '/api/admin/accounts/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: z.object({ ok: Ok }), ...errorResponses } }, onRequest: adminOnly },
    async (request) => {
      if (request.params.id === request.claims.sub) throw conflict(MSG.self);
      const deleted = await serialize(`account:${request.params.id}`, () => catalog.deleteAccount(request.params.id));
      if (!deleted) throw notFound(MSG.accountNotFound);
      await signOut(request, request.params.id);
      return { ok: true as const };
    },
  );

  // Login refuses a disabled account, and its devices are signed out (their tokens revoked, their sockets closed).
  app.post(
    '/api/admin/accounts/:id/disable',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: z.object({ ok: Ok, account: AccountView }), ...errorResponses } }, onRequest: adminOnly },
    async (request) => {
      if (request.params.id === request.claims.sub) throw conflict(MSG.self);
      const account = await serialize(`account:${request.params.id}`, async () => {
        const existing = await catalog.getAccount(request.params.id);
        if (!existing) throw notFound(MSG.accountNotFound);
        const next: Account = { ...existing, disabled: true };
        await catalog.putAccount(next);
        return next;
      });
      await signOut(request, account.id);
      return { ok: true as const, account: viewAccount(account) };
    },
  );
};

export default routes;
