/**
 * HTTP side of the broadcast:
 *  - `/hls/<sessionId>/…` — the HLS tree, with headers a CDN can follow: playlists revalidated every second
 *    (`max-age=1`: shorter than a segment, so a CDN collapses thousands of players into one origin request per
 *    second), segments and init files immutable for a year (their names never repeat, see media/src/hls.ts);
 *  - `/media/…` — the camera, viewer and HLS pages built from media/src/web (`/camera` redirects to the camera);
 *  - `GET /api/media/status` — which backend runs and why, ingest health and viewer counts per session;
 *  - `POST|DELETE /api/media/sessions/<id>/rtp-ingest` — staff open RTP ports for an encoder (a new source; the
 *    program stays where it is) and get the exact ffmpeg output options back (README "Encoder settings"), or close
 *    every encoder source;
 *  - `POST /api/media/sessions/<id>/program` — staff choose the program source (switched at its next keyframe);
 *  - `PUT /api/media/sessions/<id>/program` — the chair's manual override: one source (a camera, an encoder, the
 *    remote speaker `remote`) stays on the program whatever the floor, or `auto` returns to the rules (media/src/
 *    program.ts: the remote speaker while they publish, else the hall's choice made with POST).
 *  - `DELETE /api/media/sessions/<id>/sources/<sourceId>` — staff end an encoder source (the program falls back to
 *    the newest source still sending, e.g. the camera).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import fastifyStatic from '@fastify/static';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REMOTE_SPEAKER_SOURCE, SourceId, programShown, type BroadcastStats, type MediaHub, type VideoCodec } from './lib.ts';
import { ID_CHARS, PATH_ID } from '@hall/core';
import { requireRole } from '../plugins/auth.ts';
import { can } from '../auth/service.ts';
import type { SessionRegistry } from '../runtime/registry.ts';
import type { BroadcastFollower } from './broadcast-follower.ts';

/** `<session>/[<rung>/]<file>` under /hls/; the session part is core's id (`PATH_ID`). */
const HLS_PATH = new RegExp(`^/?[${ID_CHARS}]{1,64}/([A-Za-z0-9_-]+/)?[A-Za-z0-9_.-]+\\.(m3u8|m4s|mp4)$`);

const distWeb = fileURLToPath(new URL('../../../media/dist-web/', import.meta.url));

export const PLAYLIST_CACHE = 'public, max-age=1, stale-while-revalidate=1';
export const SEGMENT_CACHE = 'public, max-age=31536000, immutable';

/** An ingest is healthy when packets arrived in the last 3 s. */
const HEALTHY_MS = 3000;

export interface MediaRoutesOptions {
  hub: MediaHub;
  follower: BroadcastFollower;
  hlsRoot: string;
  backendReason: string;
  registry: SessionRegistry;
  videoCodec: VideoCodec;
}

const routes: FastifyPluginAsync<MediaRoutesOptions> = async (app, { hub, follower, hlsRoot, backendReason, registry, videoCodec }) => {
  mkdirSync(hlsRoot, { recursive: true });
  await app.register(fastifyStatic, {
    root: hlsRoot,
    prefix: '/hls/',
    decorateReply: false,
    index: false,
    list: false,
    cacheControl: false,
    // Dot-files are the packager's SDP files: never served.
    dotfiles: 'deny',
    allowedPath: (pathname) => HLS_PATH.test(pathname) && PATH_ID.test(pathname.replace(/^\//, '').split('/')[0]!),
    setHeaders(reply, file) {
      const ext = path.extname(file);
      reply.header('cache-control', ext === '.m3u8' ? PLAYLIST_CACHE : SEGMENT_CACHE);
      if (ext === '.m3u8') reply.header('content-type', 'application/vnd.apple.mpegurl');
      if (ext === '.m4s') reply.header('content-type', 'video/iso.segment');
      // Players on other origins (the CDN's, an embed on the council's site) may fetch the stream.
      reply.header('access-control-allow-origin', '*');
    },
  });

  if (existsSync(path.join(distWeb, 'camera.html'))) {
    await app.register(fastifyStatic, { root: distWeb, prefix: '/media/', decorateReply: false, index: false, cacheControl: true, maxAge: '1h' });
  } else {
    app.get('/media/*', async (_req, reply) => reply.status(404).type('text/plain; charset=utf-8').send('Trang media chưa được dựng: pnpm --filter @hall/media build (media pages not built)'));
  }
  app.get('/camera', async (req, reply) => reply.redirect(`/media/camera.html${req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''}`));
  app.get('/camera/', async (req, reply) => reply.redirect(`/media/camera.html${req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''}`));

  const staff = requireRole('admin', 'chair', 'secretary');
  /** The session exists and the caller belongs to its council; answers the error itself otherwise. */
  const sessionFor = async (req: { params: unknown; claims: Parameters<typeof can>[0] }, reply: { status: (n: number) => { send: (b: unknown) => unknown } }) => {
    const id = (req.params as { sessionId: string }).sessionId;
    if (!PATH_ID.test(id)) return void reply.status(400).send({ ok: false, code: 'VALIDATION', message: 'Mã kỳ họp không hợp lệ.' });
    const room = await registry.get(id).catch(() => null);
    if (!room) return void reply.status(404).send({ ok: false, code: 'NOT_FOUND', message: 'Không tìm thấy kỳ họp.' });
    if (!can(req.claims, room.snapshot.context.council.id)) return void reply.status(403).send({ ok: false, code: 'FORBIDDEN', message: 'Bạn không có quyền thực hiện thao tác này.' });
    return id;
  };
  // The body is optional; when sent it is an object (`null` is not "no options").
  // `source`: the encoder's address; RTP from anywhere else is dropped (default: the first sender is kept).
  const IngestBody = z
    .strictObject({ audio: z.boolean().optional(), label: z.string().trim().min(1).max(80).optional(), source: z.ipv4().optional() })
    .optional();
  app.post('/api/media/sessions/:sessionId/rtp-ingest', { schema: { tags: ['media'], body: IngestBody }, onRequest: staff }, async (req, reply) => {
    const id = await sessionFor(req, reply);
    if (!id) return reply;
    const body = req.body as z.infer<typeof IngestBody>;
    await hub.createBroadcast(id, { videoCodec });
    const ingest = await hub.ingestRtp(id, {
      audio: body?.audio !== false,
      ...(body?.label ? { label: body.label } : {}),
      ...(body?.source ? { source: body.source } : {}),
    });
    req.log.info({ sessionId: id, sourceId: ingest.sourceId, source: body?.source ?? null, actor: req.claims.sub }, 'rtp ingest opened');
    return {
      ok: true,
      sourceId: ingest.sourceId,
      endpoints: ingest.endpoints,
      ffmpeg: Object.fromEntries(ingest.endpoints.map((e) => [e.kind, ingest.ffmpegOutput(e.kind).map((a) => (/[\s&?]/.test(a) ? `"${a}"` : a)).join(' ')])),
    };
  });
  app.delete('/api/media/sessions/:sessionId/rtp-ingest', { schema: { tags: ['media'] }, onRequest: staff }, async (req, reply) => {
    const id = await sessionFor(req, reply);
    if (!id) return reply;
    const rtp = (hub.stats(id)?.sources ?? []).filter((s) => s.kind === 'rtp');
    for (const s of rtp) await hub.stopIngest(id, s.id);
    req.log.info({ sessionId: id, sources: rtp.map((s) => s.id), actor: req.claims.sub }, 'rtp ingests closed');
    return { ok: true, closed: rtp.map((s) => s.id) };
  });

  const ProgramBody = z.strictObject({ sourceId: SourceId });
  app.post('/api/media/sessions/:sessionId/program', { schema: { tags: ['media'], body: ProgramBody }, onRequest: staff }, async (req, reply) => {
    const id = await sessionFor(req, reply);
    if (!id) return reply;
    const { sourceId } = req.body as z.infer<typeof ProgramBody>;
    if (!hub.stats(id)?.sources.some((s) => s.id === sourceId)) return reply.status(404).send({ ok: false, code: 'NO_SOURCE', message: 'Nguồn hình không còn tồn tại.' });
    await hub.setProgram(id, sourceId);
    req.log.info({ sessionId: id, sourceId, actor: req.claims.sub }, 'program source chosen');
    return { ok: true, programSourceId: hub.stats(id)?.programSourceId ?? null, pendingProgramSourceId: hub.stats(id)?.pendingProgramSourceId ?? null };
  });

  app.delete('/api/media/sessions/:sessionId/sources/:sourceId', { schema: { tags: ['media'] }, onRequest: staff }, async (req, reply) => {
    const id = await sessionFor(req, reply);
    if (!id) return reply;
    const sourceId = (req.params as { sourceId: string }).sourceId;
    const source = SourceId.safeParse(sourceId).success ? hub.stats(id)?.sources.find((s) => s.id === sourceId) : undefined;
    if (!source) return reply.status(404).send({ ok: false, code: 'NO_SOURCE', message: 'Nguồn hình không còn tồn tại.' });
    // A camera page is ended where it runs (it would publish again by itself); only encoder ports are closed here.
    if (source.kind !== 'rtp') return reply.status(409).send({ ok: false, code: 'CAMERA_SOURCE', message: 'Máy quay được tắt trên chính trang máy quay.' });
    await hub.stopIngest(id, sourceId);
    req.log.info({ sessionId: id, sourceId, actor: req.claims.sub }, 'rtp ingest closed');
    return { ok: true, programSourceId: hub.stats(id)?.programSourceId ?? null };
  });

  const PinBody = z.strictObject({ source: z.union([z.literal('auto'), SourceId]) });
  app.put('/api/media/sessions/:sessionId/program', { schema: { tags: ['media'], body: PinBody }, onRequest: staff }, async (req, reply) => {
    const id = await sessionFor(req, reply);
    if (!id) return reply;
    const { source } = req.body as z.infer<typeof PinBody>;
    const pinned = source === 'auto' ? null : source;
    if (pinned !== null && !hub.stats(id)?.sources.some((s) => s.id === pinned)) return reply.status(404).send({ ok: false, code: 'NO_SOURCE', message: 'Nguồn hình không còn tồn tại.' });
    if (hub.hasBroadcast(id)) await hub.pinProgram(id, pinned);
    req.log.info({ sessionId: id, choice: source, actor: req.claims.sub }, 'program override');
    const b = hub.stats(id);
    return { ok: true, ...programOf(b), programSourceId: b?.programSourceId ?? null, pendingProgramSourceId: b?.pendingProgramSourceId ?? null };
  });

  app.get('/api/media/status', { schema: { tags: ['media'] } }, async () => {
    const stats = hub.hubStats();
    const now = Date.now();
    const following = new Map(follower.status().map((s) => [s.sessionId, s]));
    const ids = new Set([...stats.broadcasts.map((b) => b.id), ...following.keys()]);
    return {
      backend: stats.backend,
      reason: backendReason,
      flavor: hub.flavor,
      maxViewers: stats.maxViewers,
      viewers: stats.viewers,
      sessions: [...ids].map((sessionId) => {
        const b = stats.broadcasts.find((x) => x.id === sessionId);
        const f = following.get(sessionId);
        const last = b?.ingest?.video.lastPacketAt ?? null;
        const ago = (at: number | null) => (at === null ? null : now - at);
        return {
          sessionId,
          onAir: f?.onAir ?? false,
          closedSitting: f?.closedSitting ?? false,
          ingest: b?.ingest
            ? {
                kind: b.ingest.kind,
                since: b.ingest.since,
                healthy: last !== null && now - last < HEALTHY_MS,
                lastPacketAgoMs: last === null ? null : now - last,
                videoKbps: b.ingest.video.bitrateKbps,
                audioKbps: b.ingest.audio?.bitrateKbps ?? null,
                width: b.ingest.video.width ?? null,
                height: b.ingest.video.height ?? null,
                frameRate: b.ingest.video.frameRate ?? null,
                rejectedPackets: b.ingest.rejectedPackets ?? 0,
              }
            : null,
          sources: (b?.sources ?? []).map((s) => ({
            id: s.id,
            kind: s.kind,
            label: s.label,
            since: s.since,
            program: s.id === b?.programSourceId,
            pending: s.id === b?.pendingProgramSourceId,
            healthy: s.video.lastPacketAt !== null && now - s.video.lastPacketAt < HEALTHY_MS,
            lastPacketAgoMs: ago(s.video.lastPacketAt),
            videoKbps: s.video.bitrateKbps,
            width: s.video.width ?? null,
            height: s.video.height ?? null,
            frameRate: s.video.frameRate ?? null,
            rejectedPackets: s.rejectedPackets ?? 0,
          })),
          programSourceId: b?.programSourceId ?? null,
          viewers: b?.viewers ?? 0,
          viewersByAudience: b?.viewersByAudience ?? {},
          hls: f?.hls ?? null,
          // Each output's true state (OutputStatus in media/src/wire.ts): state, problem code, Vietnamese reason.
          outputs: f?.outputs ?? [],
          recording: f?.recording ?? null,
          program: programOf(b),
        };
      }),
    };
  });
};

/**
 * What the program shows for people: `shown` the remote speaker or the hall, `choice` the chair's override (a source
 * id) or `auto`, `remoteLive` whether a remote speaker publishes.
 */
function programOf(b: BroadcastStats | null | undefined) {
  return {
    shown: programShown(b),
    choice: b?.pinnedProgramSourceId ?? 'auto',
    remoteLive: !!b?.sources.some((s) => s.id === REMOTE_SPEAKER_SOURCE),
  };
}

export default routes;
