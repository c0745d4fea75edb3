/**
 * Session documents (tờ trình, dự thảo nghị quyết, báo cáo): PDF upload per agenda item, download, list, delete.
 *
 *  - Upload and delete: admin, or chair/secretary of the session's council.
 *  - Read (list, download): any signed-in account of the session's council — delegates and hall displays too. Not
 *    the public: documents of a public sitting are public records, but publishing them is a separate decision.
 *  - Only PDF, recognised by its `%PDF-` header (a declared mime type is whatever the browser guessed), up to
 *    `maxDocumentBytes` (50 MB by default).
 *
 * Multipart parsing is registered inside this plugin, so no other route accepts multipart bodies.
 */
import { createHash, randomBytes } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DocumentRef, Id, errorMessages } from '@hall/core';
import type { Catalog, DocumentMeta, SessionRecord } from '../store/types.ts';
import { requireRole } from '../plugins/auth.ts';
import type { Claims } from '../auth/service.ts';
import type { AuditLog } from '../auth/audit.ts';
import { auditWrites } from './audited.ts';
import { ErrorBody, HttpError, assertCouncilAccess, conflict, errorResponses, installErrorHandler, invalid, notFound, serialize } from './admin.ts';

export const DEFAULT_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

export interface DocumentRoutesOptions {
  catalog: Catalog;
  /** Where uploads and deletions are written down (routes/audited.ts). */
  audit?: AuditLog;
  /** Largest accepted upload in bytes (default 50 MB); injectable so tests need not send 50 MB. */
  maxDocumentBytes?: number;
}

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
/** What browsers and tools declare for a PDF; the bytes decide, but a file declared as something else is refused. */
const PDF_DECLARED = new Set(['application/pdf', 'application/x-pdf', 'application/octet-stream', '']);
const MAX_REFS_PER_ITEM = 200; // AgendaItem.documents .max(200) in core

const DocumentMetaView = z.object({
  id: z.string(),
  title: z.string(),
  mime: z.string(),
  size: z.number(),
  sha256: z.string(),
  sessionId: z.string().optional(),
  itemId: z.string().optional(),
  /** Marked public (PUT /api/records/documents/:id/public): shown on the public record. */
  public: z.boolean().optional(),
});

const Title = DocumentRef.shape.title;

const MSG = {
  sessionNotFound: 'Không tìm thấy kỳ họp',
  itemNotFound: 'Không tìm thấy nội dung này trong chương trình kỳ họp',
  documentNotFound: 'Không tìm thấy tài liệu',
  notMultipart: 'Cần gửi tệp dạng multipart/form-data, trường "file"',
  noFile: 'Chưa có tệp trong trường "file"',
  oneFile: 'Chỉ gửi một tệp, trong trường "file"',
  notPdf: 'Chỉ chấp nhận tệp PDF',
  tooMany: `Nội dung này đã có tối đa ${MAX_REFS_PER_ITEM} tài liệu`,
} as const;

const tooLargeMessage = (max: number) => `Tệp quá lớn (tối đa ${formatSize(max)})`;
const formatSize = (bytes: number) =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} kB` : `${bytes} byte`;

/** A download name for `filename*=` (RFC 8187): the title with characters that mean something in a path removed. */
export function contentDisposition(title: string): string {
  // eslint-disable-next-line no-control-regex
  let name = title.normalize('NFC').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim() || 'tai-lieu';
  if (!/\.pdf$/i.test(name)) name += '.pdf';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename*=UTF-8''${encoded}`;
}

/** True when the If-None-Match header names this entity tag (weak comparison, lists and `*` included). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return header.split(',').some((t) => bare(t) === bare(etag));
}

const newDocumentId = () => `doc-${randomBytes(12).toString('base64url')}`;

const routes: FastifyPluginAsyncZod<DocumentRoutesOptions> = async (app, { catalog, audit, maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES }) => {
  installErrorHandler(app);
  auditWrites(app, audit);
  await app.register(multipart, {
    limits: { fileSize: maxDocumentBytes, files: 1, fields: 4, parts: 6, fieldSize: 4096, headerPairs: 100 },
  });

  const staffOnly = requireRole('admin', 'chair', 'secretary');
  // Any signed-in account; council membership is checked per document.
  const signedIn = requireRole('admin', 'chair', 'secretary', 'delegate', 'display');

  const loadSession = async (claims: Claims, sessionId: string) => {
    const session = await catalog.getSession(sessionId);
    if (!session) throw notFound(MSG.sessionNotFound);
    assertCouncilAccess(claims, session.councilId);
    return session;
  };

  /**
   * The document and the session it belongs to, after checking the caller may act in that council. A document whose
   * session is gone (or that never had one) is reachable by admins only.
   */
  const loadDocument = async (claims: Claims, id: string) => {
    const doc = await catalog.getDocument(id);
    if (!doc) throw notFound(MSG.documentNotFound);
    const session = doc.meta.sessionId ? await catalog.getSession(doc.meta.sessionId) : null;
    if (session) assertCouncilAccess(claims, session.councilId);
    else if (claims.role !== 'admin') throw notFound(MSG.documentNotFound);
    return { ...doc, session };
  };

  /** Applies `change` to one agenda item of a still-scheduled session; a no-op once the session has started. */
  const editScheduledItem = (sessionId: string, itemId: string, change: (docs: DocumentRef[]) => DocumentRef[]) =>
    serialize(`session:${sessionId}`, async () => {
      // Re-read under the lock: the record may have changed while the upload was streaming.
      const session = await catalog.getSession(sessionId);
      if (!session || session.status !== 'scheduled') return false;
      let changed = false;
      const agenda = session.agenda.map((item) => {
        if (item.id !== itemId) return item;
        const documents = change(item.documents);
        changed = documents !== item.documents;
        return { ...item, documents };
      });
      if (changed) await catalog.putSession({ ...session, agenda } satisfies SessionRecord);
      return changed;
    });

  app.post(
    '/api/sessions/:sessionId/items/:itemId/documents',
    {
      schema: {
        tags: ['documents'],
        consumes: ['multipart/form-data'],
        params: z.object({ sessionId: Id, itemId: Id }),
        response: { 201: z.object({ ok: z.literal(true), document: DocumentMetaView, inAgenda: z.boolean() }), ...errorResponses, 413: ErrorBody, 415: ErrorBody },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const { sessionId, itemId } = request.params;
      const session = await loadSession(request.claims, sessionId);
      const item = session.agenda.find((i) => i.id === itemId);
      if (!item) throw notFound(MSG.itemNotFound);
      if (!request.isMultipart()) throw new HttpError(415, 'VALIDATION', MSG.notMultipart);
      if (session.status === 'scheduled' && item.documents.length >= MAX_REFS_PER_ITEM) throw conflict(MSG.tooMany);

      let file: { bytes: Buffer; filename: string; mimetype: string } | undefined;
      let title: string | undefined;
      let problem: HttpError | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file') {
              part.file.resume(); // drain it so the rest of the form can be read
              problem ??= invalid(MSG.oneFile);
              continue;
            }
            file = { bytes: await part.toBuffer(), filename: part.filename, mimetype: part.mimetype };
          } else if (part.fieldname === 'title') {
            title = String(part.value);
          }
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, 'VALIDATION', tooLargeMessage(maxDocumentBytes));
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new HttpError(413, 'VALIDATION', MSG.oneFile);
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== undefined && status >= 400 && status < 500) throw invalid(errorMessages.VALIDATION.vi);
        throw err;
      }
      if (problem) throw problem;
      if (!file) throw invalid(MSG.noFile);

      const { bytes } = file;
      const declared = file.mimetype.split(';')[0]!.trim().toLowerCase();
      if (!PDF_DECLARED.has(declared) || bytes.length < PDF_MAGIC.length || !bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
        throw new HttpError(415, 'VALIDATION', MSG.notPdf);
      }

      const fromName = file.filename.normalize('NFC').replace(/\.pdf$/i, '').trim().slice(0, 300);
      const parsedTitle = Title.safeParse((title?.normalize('NFC').trim() || fromName || 'Tài liệu').trim());
      if (!parsedTitle.success) throw invalid(errorMessages.VALIDATION.vi, ['title: tối đa 300 ký tự']);

      const meta: DocumentMeta = {
        id: newDocumentId(),
        title: parsedTitle.data,
        mime: 'application/pdf',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        sessionId,
        itemId,
      };
      await catalog.putDocument(meta, bytes);

      // A scheduled session's agenda is what the machine will freeze when it opens, so the reference goes there.
      // Once the session is live (or adjourned) its machine has its own copy of the agenda and this record no longer
      // feeds it: the document is stored and shows in GET /api/sessions/:sessionId/documents, which is where the
      // apps look for documents added during a sitting.
      const inAgenda = await editScheduledItem(sessionId, itemId, (docs) =>
        docs.length >= MAX_REFS_PER_ITEM ? docs : [...docs, { id: meta.id, title: meta.title, mime: meta.mime }],
      );
      request.log.info({ sessionId, itemId, documentId: meta.id, size: meta.size }, 'document uploaded');
      return reply.status(201).send({ ok: true, document: meta, inAgenda });
    },
  );

  app.get(
    '/api/sessions/:sessionId/documents',
    {
      schema: {
        tags: ['documents'],
        params: z.object({ sessionId: Id }),
        querystring: z.object({ itemId: Id.optional() }),
        response: { 200: z.object({ ok: z.literal(true), documents: z.array(DocumentMetaView) }), ...errorResponses },
      },
      onRequest: signedIn,
    },
    async (request) => {
      const session = await loadSession(request.claims, request.params.sessionId);
      const { itemId } = request.query;
      const documents = (await catalog.listDocuments(session.id)).filter((d) => itemId === undefined || d.itemId === itemId);
      return { ok: true as const, documents };
    },
  );

  app.get(
    '/api/documents/:id',
    { schema: { tags: ['documents'], params: z.object({ id: Id }), produces: ['application/pdf'], response: { 200: z.any().describe('Nội dung tệp PDF'), 304: z.any().describe('Không thay đổi (If-None-Match)'), ...errorResponses } }, onRequest: signedIn },
    async (request, reply) => {
      const { meta, bytes } = await loadDocument(request.claims, request.params.id);
      const etag = `"${meta.sha256}"`;
      reply.header('etag', etag).header('cache-control', 'private, max-age=3600');
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.status(304).send();
      return reply
        .header('content-type', meta.mime)
        .header('content-length', String(bytes.length))
        .header('content-disposition', contentDisposition(meta.title))
        .send(bytes);
    },
  );

  // Deleting is allowed at any time, so a wrongly uploaded file can be taken down during a sitting; a live
  // session's frozen agenda may then still name it and tablets get 404 for it.
  app.delete(
    '/api/documents/:id',
    { schema: { tags: ['documents'], params: z.object({ id: Id }), response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } }, onRequest: staffOnly },
    async (request) => {
      const { meta, session } = await loadDocument(request.claims, request.params.id);
      await catalog.deleteDocument(meta.id);
      if (session && meta.itemId) {
        await editScheduledItem(session.id, meta.itemId, (docs) => (docs.some((d) => d.id === meta.id) ? docs.filter((d) => d.id !== meta.id) : docs));
      }
      return { ok: true as const };
    },
  );
};

export default routes;
