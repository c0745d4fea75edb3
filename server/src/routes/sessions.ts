/** Read-only session directory: the apps list sessions to pick from; the public sees only the public fields. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorMessages } from '@hall/core';
import type { Catalog } from '../store/types.ts';
import type { Sessions } from '../runtime/sessions.ts';
import { audienceOf } from '../realtime/gateway.ts';
import { can, canSee } from '../auth/service.ts';

const routes: FastifyPluginAsyncZod<{ catalog: Catalog; sessions: Sessions }> = async (app, { catalog, sessions }) => {
  app.get('/api/sessions', { schema: { tags: ['sessions'], querystring: z.object({ councilId: z.string().max(64).optional() }) } }, async (request) => {
    const councils = new Map((await catalog.listCouncils()).map((c) => [c.id, c]));
    const sessions = await catalog.listSessions(request.query.councilId);
    return {
      ok: true,
      sessions: sessions.map((s) => ({
        id: s.id,
        title: s.title,
        date: s.date,
        status: s.status,
        councilId: s.councilId,
        councilName: councils.get(s.councilId)?.name ?? s.councilId,
        mine: request.claims.role !== 'public' && can(request.claims, s.councilId),
      })),
    };
  });

  // The same view a socket would get, for clients that poll or for a quick look with curl.
  app.get('/api/sessions/:id/view', { schema: { tags: ['sessions'], params: z.object({ id: z.string().min(1).max(64) }) } }, async (request, reply) => {
    const record = await catalog.getSession(request.params.id);
    if (!record) return reply.status(404).send({ ok: false, code: 'NOT_FOUND', message: errorMessages.NOT_FOUND.vi });
    const claims = request.claims;
    if (claims.role !== 'public' && !canSee(claims, record.councilId)) {
      return reply.status(403).send({ ok: false, code: 'FORBIDDEN', message: errorMessages.FORBIDDEN.vi });
    }
    const audience = audienceOf(claims);
    return { ok: true, view: await sessions.view(record.id, audience, audience === 'delegate' ? (claims.delegateId ?? null) : null) };
  });

  // A committee poll's bulletin board (docs/committee-ballots.md): public like the poll's result, checked by `pnpm verify -- --poll`.
  app.get(
    '/api/sessions/:id/polls/:pollId/board',
    { schema: { tags: ['sessions'], params: z.object({ id: z.string().min(1).max(64), pollId: z.string().min(1).max(64) }) } },
    async (request, reply) => {
      const record = await catalog.getSession(request.params.id);
      const board = record ? await sessions.board(record.id, request.params.pollId) : null;
      if (!board) return reply.status(404).send({ ok: false, code: 'NOT_FOUND', message: errorMessages.NOT_FOUND.vi });
      return { ok: true, board };
    },
  );
};
export default routes;
