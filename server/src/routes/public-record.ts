/**
 * The public record (`/api/public/*`, no login): councils, their sessions, each session's public record (agenda,
 * public documents, announced results with named lists for public votes, questioning and answers, commitments,
 * statistics), approved minutes in their public edition, exports of the public edition, the commitments register
 * and a search. Everything comes from core's `publicRecord`: closed parts (họp kín) never reach this plugin.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import MiniSearch from 'minisearch';
import { Id, MinutesKey, foldVietnamese, minutesKeys, sessionStatistics, type SessionRecordModel } from '@hall/core';
import { installErrorHandler, notFound } from './admin.ts';
import type { Catalog } from '../store/types.ts';
import type { RecordsService } from '../records/service.ts';
import { exportFile, renderMinutes, sendFile } from '../records/outputs.ts';
import { ExportQuery, MSG, recordCall, recordErrors } from './records.ts';

const Ok = z.literal(true);

/** Folds Vietnamese diacritics so "chat van" finds "chất vấn" and "Dat dai" finds "Đất đai". */
export const fold = foldVietnamese;

interface SearchDoc {
  id: string;
  kind: 'session' | 'item' | 'poll' | 'question' | 'commitment';
  title: string;
  text: string;
  sessionId: string;
  sessionTitle: string;
  councilId: string;
  councilName: string;
}

function searchDocs(m: SessionRecordModel, date: string): SearchDoc[] {
  const where = { sessionId: m.sessionId, sessionTitle: m.title, councilId: m.council.id, councilName: m.council.name };
  return [
    { id: `s:${m.sessionId}`, kind: 'session' as const, title: m.title, text: `${m.council.name} ${date}`, ...where },
    ...m.agenda.map((i) => ({ id: `i:${m.sessionId}:${i.id}`, kind: 'item' as const, title: i.title, text: '', ...where })),
    ...m.polls.map((p) => ({ id: `p:${m.sessionId}:${p.pollId}`, kind: 'poll' as const, title: p.subject, text: p.revoteReason ?? '', ...where })),
    ...m.questions.map((q) => ({ id: `q:${m.sessionId}:${q.questionId}`, kind: 'question' as const, title: q.text || `${q.asker} → ${q.respondent}`, text: `${q.asker} ${q.respondent} ${q.respondentPost}`, ...where })),
    ...m.commitments.map((c) => ({ id: `c:${m.sessionId}:${c.commitmentId}`, kind: 'commitment' as const, title: c.content, text: `${c.respondent} ${c.respondentPost}`, ...where })),
  ];
}

const routes: FastifyPluginAsyncZod<{ records: RecordsService; catalog: Catalog; now: () => number }> = async (app, { records, catalog, now }) => {
  installErrorHandler(app);
  let index: { signature: string; search: MiniSearch<SearchDoc> } | null = null;

  const publicSession = async (id: string) => {
    const session = await recordCall(() => records.session(id));
    return { session, model: await recordCall(() => records.publicModel(id)) };
  };

  app.get(
    '/api/public/councils',
    {
      schema: {
        tags: ['public'],
        summary: 'Các hội đồng nhân dân và số kỳ họp',
        response: { 200: z.object({ ok: Ok, councils: z.array(z.object({ id: z.string(), name: z.string(), level: z.string(), term: z.string(), sessions: z.number() })) }) },
      },
    },
    async () => {
      const sessions = await catalog.listSessions();
      const councils = await catalog.listCouncils();
      return {
        ok: true as const,
        councils: councils.map((c) => ({ id: c.id, name: c.name, level: c.level, term: c.term, sessions: sessions.filter((s) => s.councilId === c.id).length })),
      };
    },
  );

  app.get(
    '/api/public/councils/:id',
    {
      schema: {
        tags: ['public'],
        summary: 'Một hội đồng: thành phần công khai (chức danh), các kỳ họp',
        params: z.object({ id: Id }),
        response: {
          200: z.object({
            ok: Ok,
            council: z.object({ id: z.string(), name: z.string(), level: z.string(), term: z.string(), delegates: z.number(), officials: z.array(z.object({ id: z.string(), fullName: z.string(), post: z.string() })) }),
            sessions: z.array(z.object({ id: z.string(), title: z.string(), date: z.string(), status: z.string() })),
          }),
          ...recordErrors,
        },
      },
    },
    async (request) => {
      const c = await catalog.getCouncil(request.params.id);
      if (!c) throw notFound('Không tìm thấy hội đồng');
      const sessions = (await catalog.listSessions(c.id)).sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
      return {
        ok: true as const,
        council: { id: c.id, name: c.name, level: c.level, term: c.term, delegates: c.delegates.filter((d) => d.status === 'sitting').length, officials: c.officials.map((o) => ({ id: o.id, fullName: o.fullName, post: o.post })) },
        sessions: sessions.map((s) => ({ id: s.id, title: s.title, date: s.date, status: s.status })),
      };
    },
  );

  app.get(
    '/api/public/sessions/:id',
    {
      schema: {
        tags: ['public'],
        summary: 'Hồ sơ công khai của kỳ họp: chương trình, tài liệu công khai, kết quả biểu quyết, chất vấn, lời hứa, thống kê, biên bản đã phê duyệt (không có phần họp kín)',
        params: z.object({ id: Id }),
        response: { 200: z.object({}).passthrough(), ...recordErrors },
      },
    },
    async (request) => {
      const { session, model } = await publicSession(request.params.id);
      const documents = (await catalog.listDocuments(session.id)).filter((d) => d.public === true);
      return {
        ok: true as const,
        today: records.today(),
        session: { id: session.id, title: session.title, date: session.date, status: session.status, councilId: session.councilId },
        record: model,
        statistics: sessionStatistics(model, records.today()),
        minutes: minutesKeys(model)
          .map((k) => {
            const approved = model.approvals.filter((a) => a.minutesKey === k.key).at(-1);
            return { key: k.key, title: k.title, approved: approved ? { version: approved.version, publicSha256: approved.publicSha256, at: approved.at } : null };
          })
          .filter((m) => m.approved !== null),
        documents: documents.map((d) => ({ id: d.id, title: d.title, itemId: d.itemId ?? null, size: d.size, url: `/api/public/documents/${d.id}` })),
      };
    },
  );

  app.get(
    '/api/public/sessions/:id/minutes/:key/file',
    {
      schema: {
        tags: ['public'],
        summary: 'Biên bản đã phê duyệt, bản công khai (DOCX hoặc PDF); mặc định phiên bản mới nhất',
        params: z.object({ id: Id, key: MinutesKey }),
        querystring: z.object({ format: z.enum(['docx', 'pdf']).default('pdf'), version: z.union([z.literal('latest'), z.coerce.number().int().min(1)]).default('latest') }),
        response: recordErrors,
      },
    },
    async (request, reply) => {
      const { id, key } = request.params;
      const approved = await recordCall(() => records.approvedDocument(id, key, request.query.version, 'public'));
      if (!approved) throw notFound(MSG.notApproved);
      return sendFile(reply, await renderMinutes(approved.doc, request.query.format), request.query.format, `bien-ban-${id}-${key}-v${approved.approval.version}`);
    },
  );

  app.get(
    '/api/public/sessions/:id/export',
    {
      schema: { tags: ['public'], summary: 'Dữ liệu mở của kỳ họp (bản công khai): XLSX, CSV hoặc JSON', params: z.object({ id: Id }), querystring: ExportQuery, response: recordErrors },
    },
    async (request, reply) => {
      const { model } = await publicSession(request.params.id);
      const { format, table } = request.query;
      const bytes = await exportFile(model, 'public', format, table as never, records.today(), now());
      return sendFile(reply, bytes, format, `du-lieu-mo-${request.params.id}${table ? `-${table}` : ''}`);
    },
  );

  app.get(
    '/api/public/commitments',
    {
      schema: {
        tags: ['public'],
        summary: 'Sổ theo dõi lời hứa (công khai) và câu hỏi trả lời bằng văn bản, mọi hội đồng hoặc một hội đồng',
        querystring: z.object({ councilId: Id.optional() }),
        response: { 200: z.object({ ok: Ok, today: z.string(), commitments: z.array(z.object({}).passthrough()), written: z.array(z.object({}).passthrough()) }) },
      },
    },
    async (request) => {
      const register = await records.register(request.query.councilId ? [request.query.councilId] : null, 'public');
      return { ok: true as const, today: register.today, commitments: register.commitments as never[], written: register.written as never[] };
    },
  );

  app.get(
    '/api/public/search',
    {
      schema: {
        tags: ['public'],
        summary: 'Tìm trong hồ sơ công khai (không phân biệt dấu): kỳ họp, nội dung, biểu quyết, câu hỏi chất vấn, lời hứa',
        querystring: z.object({ q: z.string().trim().min(1).max(200), councilId: Id.optional() }),
        response: { 200: z.object({ ok: Ok, results: z.array(z.object({ kind: z.string(), title: z.string(), sessionId: z.string(), sessionTitle: z.string(), councilId: z.string(), councilName: z.string() })) }), ...recordErrors },
      },
    },
    async (request) => {
      const sessions = await catalog.listSessions();
      // The index is rebuilt only when some session's journal has moved on.
      const seqs = await Promise.all(sessions.map(async (s) => `${s.id}:${s.title}:${await records.journalSeq(s.id)}`));
      const signature = seqs.join('|');
      if (!index || index.signature !== signature) {
        const search = new MiniSearch<SearchDoc>({
          fields: ['title', 'text'],
          storeFields: ['kind', 'title', 'sessionId', 'sessionTitle', 'councilId', 'councilName'],
          processTerm: (term) => fold(term),
          searchOptions: { prefix: true, fuzzy: 0.15, combineWith: 'AND', boost: { title: 2 } },
        });
        for (const s of sessions) search.addAll(searchDocs(await records.publicModel(s.id), s.date));
        index = { signature, search };
      }
      const hits = index.search.search(request.query.q).filter((h) => !request.query.councilId || h.councilId === request.query.councilId);
      return {
        ok: true as const,
        results: hits.slice(0, 50).map((h) => ({ kind: h.kind as string, title: h.title as string, sessionId: h.sessionId as string, sessionTitle: h.sessionTitle as string, councilId: h.councilId as string, councilName: h.councilName as string })),
      };
    },
  );

  app.get(
    '/api/public/documents/:id',
    { schema: { tags: ['public'], summary: 'Tải một tài liệu đã được đánh dấu công khai (PDF)', params: z.object({ id: Id }), response: recordErrors } },
    async (request, reply) => {
      const doc = await catalog.getDocument(request.params.id);
      if (!doc || doc.meta.public !== true) throw notFound(MSG.documentNotFound);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(`${doc.meta.title}.pdf`)}`).send(doc.bytes as never);
    },
  );
};

export default routes;
