/**
 * Records for staff (`/api/records/*`): minutes drafts and their approval, DOCX/PDF of minutes and count minutes,
 * exports (XLSX, CSV, open-data JSON, internal or public edition), the commitments register with follow-ups, written
 * answers, and marking documents public. Authorized like the admin routes: admins, and the chair and secretary of the
 * session's council. Approving is the chair's alone (and the machine checks the role again).
 *
 * Follow-ups and written answers are journaled commands of the session that recorded the commitment or question
 * (`commitment.update`, `question.writtenAnswered`), sent here because the register spans sessions while a console
 * joins one: attributed, timed and hash-chained like every other act of the session.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CommitmentProgress, Id, MinutesDraftText, MinutesKey, minutesKeys, openCommitmentsByRespondent, sessionStatistics, type CommandAck, type Edition } from '@hall/core';
import type { AuditLog } from '../auth/audit.ts';
import { auditWrites } from './audited.ts';
import { requireRole } from '../plugins/auth.ts';
import type { Claims } from '../auth/service.ts';
import { HttpError, assertCouncilAccess, installErrorHandler, notFound, serialize } from './admin.ts';
import { NoSuchMinutesError, RecordNotFoundError, type RecordsService } from '../records/service.ts';
import { exportFile, renderMinutes, sendFile, tableNames } from '../records/outputs.ts';
import type { Catalog } from '../store/types.ts';

export const RecordErrorBody = z.object({ ok: z.literal(false), code: z.string(), reason: z.string().optional(), message: z.string(), issues: z.array(z.string()).optional() });
export const recordErrors = { 400: RecordErrorBody, 401: RecordErrorBody, 403: RecordErrorBody, 404: RecordErrorBody, 409: RecordErrorBody, 503: RecordErrorBody } as const;

export const MSG = {
  sessionNotFound: 'Không tìm thấy kỳ họp',
  minutesNotFound: 'Không có biên bản này (phiên họp chưa diễn ra, hoặc cuộc bỏ phiếu kín chưa công bố kết quả)',
  versionNotFound: 'Không có phiên bản biên bản này',
  notApproved: 'Biên bản chưa được chủ tọa phê duyệt',
  documentNotFound: 'Không tìm thấy tài liệu',
} as const;

/** A refused or failed journaled command as an HTTP answer: the ack's own code and reason kept for programs. */
class AckError extends HttpError {
  constructor(private readonly ack: Extract<CommandAck, { ok: false }>) {
    const status = ack.code === 'FORBIDDEN' ? 403 : ack.code === 'UNAVAILABLE' || ack.code === 'OUTCOME_UNKNOWN' ? 503 : ack.code === 'NOT_FOUND' ? 404 : 409;
    super(status, status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : 'CONFLICT', ack.message);
  }

  override body() {
    return { ok: false as const, code: this.ack.code as never, ...(this.ack.reason ? { reason: this.ack.reason } : {}), message: this.ack.message };
  }
}

/** Maps the records service's own errors to 404s with Vietnamese messages. */
export async function recordCall<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    if (err instanceof RecordNotFoundError) throw notFound(MSG.sessionNotFound);
    if (err instanceof NoSuchMinutesError) throw notFound(MSG.minutesNotFound);
    throw err;
  }
}

const Ok = z.literal(true);
const SessionParams = z.object({ id: Id });
const MinutesParams = z.object({ id: Id, key: MinutesKey });
export const EditionQuery = z.enum(['internal', 'public']).default('internal');
const FileQuery = z.object({
  format: z.enum(['docx', 'pdf']).default('pdf'),
  edition: EditionQuery,
  /** `draft` (default: the current draft), `latest` approved, or a version number. */
  version: z.union([z.enum(['draft', 'latest']), z.coerce.number().int().min(1)]).default('draft'),
});
export const ExportQuery = z.object({
  format: z.enum(['xlsx', 'csv', 'json']).default('xlsx'),
  table: z.enum(tableNames as [string, ...string[]]).optional(),
});
const Approval = z.object({ minutesKey: z.string(), version: z.number(), sha256: z.string(), publicSha256: z.string(), throughSeq: z.number(), at: z.number(), by: z.string() });
const MinutesDoc = z.object({}).passthrough().describe('Biên bản (định dạng trung lập: tiêu đề, khối nội dung, chữ ký)');

const STAFF = ['admin', 'chair', 'secretary'] as const;

const routes: FastifyPluginAsyncZod<{ records: RecordsService; catalog: Catalog; now: () => number; audit?: AuditLog }> = async (app, { records, catalog, now, audit }) => {
  auditWrites(app, audit);
  installErrorHandler(app);
  const staffOnly = requireRole(...STAFF);
  const writers = requireRole('chair', 'secretary');
  const staffWriters = requireRole('chair', 'secretary', 'admin');
  const chairOnly = requireRole('chair');

  /** The session after checking the caller is staff of its council. */
  const sessionFor = async (claims: Claims, id: string) => {
    const session = await recordCall(() => records.session(id));
    assertCouncilAccess(claims, session.councilId);
    return session;
  };
  const actorOf = (claims: Claims) => ({ role: claims.role as 'chair' | 'secretary', id: claims.sub });
  const submitted = (ack: CommandAck) => {
    if (!ack.ok) throw new AckError(ack);
    return ack.seq;
  };

  app.get(
    '/api/records/sessions/:id',
    {
      schema: {
        tags: ['records'],
        summary: 'Hồ sơ kỳ họp (nội bộ): các biên bản, phiên bản đã phê duyệt, số liệu thống kê',
        params: SessionParams,
        response: { 200: z.object({ ok: Ok, today: z.string(), throughSeq: z.number(), minutes: z.array(z.object({ key: z.string(), title: z.string(), approvals: z.array(Approval), draftUpdatedAt: z.number().nullable() })), statistics: z.object({}).passthrough(), committee: z.array(z.object({ delegateId: z.string(), role: z.string(), name: z.string() })) }), ...recordErrors },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      await sessionFor(request.claims, request.params.id);
      const model = await recordCall(() => records.model(request.params.id));
      const drafts = new Map((await catalog.listMinutesDrafts(request.params.id)).map((d) => [d.key, d.updatedAt]));
      return {
        ok: true as const,
        today: records.today(),
        throughSeq: model.throughSeq,
        minutes: minutesKeys(model).map((k) => ({ ...k, approvals: model.approvals.filter((a) => a.minutesKey === k.key), draftUpdatedAt: drafts.get(k.key) ?? null })),
        statistics: sessionStatistics(model, records.today()) as never,
        committee: model.committee,
      };
    },
  );

  app.get(
    '/api/records/sessions/:id/minutes/:key',
    {
      schema: {
        tags: ['records'],
        summary: 'Dự thảo biên bản: phần thư ký soạn, bản dự thảo hiện tại, các phiên bản đã phê duyệt',
        params: MinutesParams,
        querystring: z.object({ edition: EditionQuery }),
        response: { 200: z.object({ ok: Ok, key: z.string(), text: MinutesDraftText, updatedAt: z.number().nullable(), updatedBy: z.string().nullable(), document: MinutesDoc, approvals: z.array(Approval) }), ...recordErrors },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { id, key } = request.params;
      await sessionFor(request.claims, id);
      const document = await recordCall(() => records.draftDocument(id, key, request.query.edition as Edition));
      const draft = await records.draftText(id, key);
      return { ok: true as const, key, ...draft, document: document as never, approvals: await records.approvals(id, key) };
    },
  );

  app.put(
    '/api/records/sessions/:id/minutes/:key/draft',
    {
      schema: {
        tags: ['records'],
        summary: 'Thư ký sửa phần văn bản tự do của dự thảo biên bản (số, địa danh, địa điểm, chủ tọa, thư ký, mở đầu, diễn biến từng nội dung, kết luận)',
        params: MinutesParams,
        body: MinutesDraftText,
        response: { 200: z.object({ ok: Ok }), ...recordErrors },
      },
      onRequest: writers,
    },
    async (request) => {
      const { id, key } = request.params;
      await sessionFor(request.claims, id);
      await serialize(`minutes:${id}:${key}`, () => recordCall(() => records.saveDraft(id, key, request.body, request.claims.sub)));
      return { ok: true as const };
    },
  );

  app.post(
    '/api/records/sessions/:id/minutes/:key/approve',
    {
      schema: {
        tags: ['records'],
        summary: 'Chủ tọa phê duyệt dự thảo hiện tại: lưu bản không đổi, ghi SHA-256 vào nhật ký (minutes.approve)',
        params: MinutesParams,
        response: { 200: z.object({ ok: Ok, seq: z.number(), approval: Approval.omit({ at: true, by: true }) }), ...recordErrors },
      },
      onRequest: chairOnly,
    },
    async (request) => {
      const { id, key } = request.params;
      await sessionFor(request.claims, id);
      const { ack, approval } = await serialize(`minutes:${id}:${key}`, () => recordCall(() => records.approve(id, key, actorOf(request.claims))));
      return { ok: true as const, seq: submitted(ack), approval };
    },
  );

  app.get(
    '/api/records/sessions/:id/minutes/:key/file',
    {
      schema: {
        tags: ['records'],
        summary: 'Biên bản dạng DOCX hoặc PDF: dự thảo hiện tại hoặc một phiên bản đã phê duyệt; bản nội bộ hoặc công khai',
        params: MinutesParams,
        querystring: FileQuery,
        response: recordErrors,
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const { id, key } = request.params;
      const { format, edition, version } = request.query;
      await sessionFor(request.claims, id);
      let doc;
      let suffix = 'du-thao';
      if (version === 'draft') doc = await recordCall(() => records.draftDocument(id, key, edition as Edition));
      else {
        const approved = await recordCall(() => records.approvedDocument(id, key, version, edition as Edition));
        if (!approved) throw notFound(version === 'latest' ? MSG.notApproved : MSG.versionNotFound);
        doc = approved.doc;
        suffix = `v${approved.approval.version}`;
      }
      return sendFile(reply, await renderMinutes(doc, format), format, `bien-ban-${id}-${key}-${suffix}${edition === 'public' ? '-cong-khai' : ''}`);
    },
  );

  app.get(
    '/api/records/sessions/:id/export',
    {
      schema: {
        tags: ['records'],
        summary: 'Xuất dữ liệu kỳ họp: điểm danh, kết quả, danh sách biểu quyết, phát biểu, chất vấn, lời hứa, thống kê (XLSX, CSV, JSON dữ liệu mở)',
        params: SessionParams,
        querystring: ExportQuery.extend({ edition: EditionQuery }),
        response: recordErrors,
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format, table, edition } = request.query;
      await sessionFor(request.claims, id);
      const model = await recordCall(() => records.modelFor(id, edition as Edition));
      const bytes = await exportFile(model, edition as Edition, format, table as never, records.today(), now());
      return sendFile(reply, bytes, format, `ho-so-${id}${table ? `-${table}` : ''}${edition === 'public' ? '-cong-khai' : ''}`);
    },
  );

  app.post(
    '/api/records/sessions/:id/commitments/:commitmentId/updates',
    {
      schema: {
        tags: ['records'],
        summary: 'Thư ký cập nhật việc thực hiện lời hứa (trạng thái, nội dung, minh chứng) — ghi vào nhật ký kỳ họp đã ghi lời hứa',
        params: z.object({ id: Id, commitmentId: Id }),
        body: z.strictObject({ status: CommitmentProgress, note: z.string().trim().min(1).max(2000), evidence: z.string().trim().max(500).optional() }),
        response: { 200: z.object({ ok: Ok, seq: z.number() }), ...recordErrors },
      },
      onRequest: writers,
    },
    async (request) => {
      const { id, commitmentId } = request.params;
      await sessionFor(request.claims, id);
      const updateId = `u-${now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
      const ack = await records.submit(id, 'commitment.update', { commitmentId, updateId, ...request.body }, actorOf(request.claims));
      return { ok: true as const, seq: submitted(ack) };
    },
  );

  app.post(
    '/api/records/sessions/:id/questions/:questionId/written-answer',
    {
      schema: {
        tags: ['records'],
        summary: 'Ghi nhận câu hỏi đã được trả lời bằng văn bản (ghi chú, minh chứng)',
        params: z.object({ id: Id, questionId: Id }),
        body: z.strictObject({ note: z.string().trim().max(2000).optional(), evidence: z.string().trim().max(500).optional() }),
        response: { 200: z.object({ ok: Ok, seq: z.number() }), ...recordErrors },
      },
      onRequest: writers,
    },
    async (request) => {
      const { id, questionId } = request.params;
      await sessionFor(request.claims, id);
      const ack = await records.submit(id, 'question.writtenAnswered', { questionId, ...request.body }, actorOf(request.claims));
      return { ok: true as const, seq: submitted(ack) };
    },
  );

  app.get(
    '/api/records/councils/:id/commitments',
    {
      schema: {
        tags: ['records'],
        summary: 'Sổ theo dõi lời hứa và câu hỏi trả lời bằng văn bản của một hội đồng (mọi kỳ họp), và lời hứa chưa hoàn thành theo người trả lời',
        params: SessionParams,
        response: { 200: z.object({ ok: Ok, today: z.string(), commitments: z.array(z.object({}).passthrough()), written: z.array(z.object({}).passthrough()), openByRespondent: z.array(z.object({}).passthrough()) }), ...recordErrors },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      assertCouncilAccess(request.claims, request.params.id);
      const council = await catalog.getCouncil(request.params.id);
      if (!council) throw notFound('Không tìm thấy hội đồng');
      const register = await records.register([council.id], 'internal');
      return {
        ok: true as const,
        today: register.today,
        commitments: register.commitments as never[],
        written: register.written as never[],
        openByRespondent: openCommitmentsByRespondent(register, council.officials.map((o) => o.id)) as never[],
      };
    },
  );

  app.put(
    '/api/records/documents/:id/public',
    {
      schema: {
        tags: ['records'],
        summary: 'Đánh dấu tài liệu kỳ họp là công khai (hiện trên trang hồ sơ công khai) hoặc bỏ đánh dấu',
        params: SessionParams,
        body: z.strictObject({ public: z.boolean() }),
        response: { 200: z.object({ ok: Ok, public: z.boolean() }), ...recordErrors },
      },
      // Marking documents public is part of preparing a session: the admin app does it too.
      onRequest: staffWriters,
    },
    async (request) => {
      const result = await serialize(`document:${request.params.id}`, async () => {
        const doc = await catalog.getDocument(request.params.id);
        if (!doc || !doc.meta.sessionId) throw notFound(MSG.documentNotFound);
        await sessionFor(request.claims, doc.meta.sessionId);
        const meta = { ...doc.meta, ...(request.body.public ? { public: true } : {}) };
        if (!request.body.public) delete meta.public;
        await catalog.putDocument(meta, doc.bytes);
        return request.body.public;
      });
      return { ok: true as const, public: result };
    },
  );
};

export default routes;
