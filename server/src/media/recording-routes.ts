/**
 * The broadcast archive over HTTP (recordings.ts does the reading):
 *  - `GET /api/media/recordings?sessionId=…[&kind=questioning]` — the recordings of a session with their parts and
 *    chapters (agenda item, speaker, question, vote), chapter times in the recording's and in each part's time;
 *  - `GET /api/media/recordings/<sessionId>/<file>` — a part (byte ranges, so a player can seek);
 *  - `GET /api/media/recordings/<sessionId>/<file>/chapters.vtt` — that part's chapters as WebVTT.
 * The public (no token, or a token of another council) gets only recordings outside every closed part; staff and
 * delegates of the session's council get all of them. Anything else is answered exactly like a recording that does
 * not exist (404), so the archive does not reveal that a closed sitting was recorded.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { PATH_ID } from '@hall/core';
import { can } from '../auth/service.ts';
import type { RecordsService } from '../records/service.ts';
import type { Catalog, Journal } from '../store/types.ts';
import { RECORDING_FILE, listRecordings, type Recording } from './recordings.ts';

export interface RecordingRoutesOptions {
  recordingsRoot: string;
  journal: Pick<Journal, 'read'>;
  catalog: Pick<Catalog, 'getSession' | 'getCouncil'>;
  /** The session's record model (closed parts), derived from the journal and cached by seq. */
  records: Pick<RecordsService, 'model'>;
}

const SESSION_ID = z.string().regex(PATH_ID);
const ListQuery = z.strictObject({ sessionId: SESSION_ID, kind: z.enum(['questioning', 'all']).default('all') });
const FileParams = z.strictObject({ sessionId: SESSION_ID, file: z.string().regex(RECORDING_FILE) });

const NOT_FOUND = { ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy bản ghi.' } as const;

/** What one caller may see of a session's archive: everything (its council's accounts) or the public part. */
function mayAll(req: FastifyRequest, councilId: string) {
  const claims = req.claims;
  return !!claims && claims.role !== 'public' && claims.role !== 'display' && can(claims, councilId);
}

const routes: FastifyPluginAsync<RecordingRoutesOptions> = async (app, { recordingsRoot, journal, catalog, records }) => {
  // sendFile (with Range) inside this plugin only; no routes of its own.
  await app.register(fastifyStatic, { root: recordingsRoot, serve: false, decorateReply: true, cacheControl: false, dotfiles: 'deny' });

  const archive = async (sessionId: string): Promise<{ councilId: string; recordings: Recording[] } | null> => {
    const session = await catalog.getSession(sessionId);
    if (!session) return null;
    const council = await catalog.getCouncil(session.councilId);
    if (!council) return null;
    const [entries, model] = await Promise.all([journal.read(sessionId, 1), records.model(sessionId)]);
    const setup = { council, agenda: session.agenda };
    const recordings = await listRecordings(recordingsRoot, sessionId, { setup, journal: entries, model }, { urlBase: '/api/media/recordings' });
    return { councilId: session.councilId, recordings };
  };

  const visible = async (req: FastifyRequest, sessionId: string) => {
    const a = await archive(sessionId);
    if (!a) return null;
    return mayAll(req, a.councilId) ? a.recordings : a.recordings.filter((r) => r.public);
  };

  app.get('/api/media/recordings', { schema: { tags: ['media'], summary: 'Bản ghi truyền hình của một kỳ họp, với các phần và chương', querystring: ListQuery } }, async (req, reply) => {
    const { sessionId, kind } = req.query as z.infer<typeof ListQuery>;
    const list = await visible(req, sessionId);
    if (!list) return reply.status(404).send({ ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy kỳ họp.' });
    const chosen = kind === 'questioning' ? list.filter((r) => r.questioning) : list;
    return { ok: true, recordings: chosen.map(({ chapterTracks: _tracks, ...r }) => ({ ...r, parts: r.parts.map((p) => ({ ...p, chaptersUrl: `${p.url}/chapters.vtt` })) })) };
  });

  const partOf = async (req: FastifyRequest) => {
    const { sessionId, file } = req.params as z.infer<typeof FileParams>;
    const list = await visible(req, sessionId);
    for (const r of list ?? []) {
      const index = r.parts.findIndex((p) => p.file === file);
      if (index >= 0) return { recording: r, index, sessionId, file };
    }
    return null;
  };

  app.get('/api/media/recordings/:sessionId/:file', { schema: { tags: ['media'], summary: 'Một phần của bản ghi (hỗ trợ Range)', params: FileParams } }, async (req, reply) => {
    const found = await partOf(req);
    if (!found) return reply.status(404).send(NOT_FOUND);
    // Matroska with VP8/Opus is what browsers play as WebM; a CDN may keep parts (their names never change).
    const type = found.file.endsWith('.mp4') ? 'video/mp4' : 'video/webm';
    reply.header('cache-control', found.recording.public ? 'public, max-age=3600' : 'private, no-store');
    reply.type(type);
    return reply.sendFile(`${found.sessionId}/${found.file}`, { contentType: false });
  });

  app.get('/api/media/recordings/:sessionId/:file/chapters.vtt', { schema: { tags: ['media'], summary: 'Chương của một phần bản ghi (WebVTT)', params: FileParams } }, async (req, reply) => {
    const found = await partOf(req);
    if (!found) return reply.status(404).send(NOT_FOUND);
    reply.header('cache-control', found.recording.public ? 'public, max-age=60' : 'private, no-store');
    return reply.type('text/vtt; charset=utf-8').send(found.recording.chapterTracks[found.index]);
  });
};

export default routes;
