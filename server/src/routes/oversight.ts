/**
 * The province oversight dashboard's API (Thường trực HĐND tỉnh): every council, its sessions with their live glance,
 * each session's compliance checks, and the commitments register across councils. Read-only.
 *
 * Who sees what: `oversight` accounts and admins every council; a council's chair and secretary only their own
 * (a commune's staff never see another commune). Live changes are pushed over Socket.IO (`oversight:watch`, then
 * `oversight:glance`; realtime/gateway.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id, glanceOf, type SessionGlance } from '@hall/core';
import type { Catalog } from '../store/types.ts';
import type { Sessions } from '../runtime/sessions.ts';
import type { RecordsService } from '../records/service.ts';
import { canSee, type Claims } from '../auth/service.ts';
import { requireRole } from '../plugins/auth.ts';
import { forbidden, installErrorHandler, notFound } from './admin.ts';

const WATCHERS = ['admin', 'oversight', 'chair', 'secretary'] as const;

const routes: FastifyPluginAsyncZod<{ catalog: Catalog; sessions: Sessions; records: RecordsService }> = async (app, { catalog, sessions, records }) => {
  installErrorHandler(app);
  const watchers = requireRole(...WATCHERS);
  const visible = (claims: Claims) => (councilId: string) => canSee(claims, councilId);

  /** A running session's glance; scheduled and adjourned ones are told by their catalog status alone. */
  const glance = async (sessionId: string): Promise<SessionGlance | null> => {
    try {
      return glanceOf(await sessions.view(sessionId, 'wall', null));
    } catch (err) {
      app.log.warn({ err, sessionId }, 'oversight: no glance of a live session');
      return null;
    }
  };

  app.get('/api/oversight/councils', { schema: { tags: ['oversight'] }, onRequest: watchers }, async (request) => {
    const sees = visible(request.claims);
    const councils = (await catalog.listCouncils()).filter((c) => sees(c.id));
    const shown = new Set(councils.map((c) => c.id));
    const all = (await catalog.listSessions()).filter((s) => shown.has(s.councilId));
    const glances = new Map(await Promise.all(all.filter((s) => s.status === 'live').map(async (s) => [s.id, await glance(s.id)] as const)));
    return {
      ok: true as const,
      today: records.today(),
      councils: councils
        // The province council first, then communes by name (Vietnamese collation).
        .sort((a, b) => (a.level === b.level ? a.name.localeCompare(b.name, 'vi') : a.level === 'province' ? -1 : 1))
        .map((c) => ({
          id: c.id,
          name: c.name,
          level: c.level,
          delegates: c.delegates.filter((d) => d.status === 'sitting').length,
          vacancies: c.delegates.filter((d) => d.status === 'vacant').length,
          groups: new Set(c.delegates.map((d) => d.group).filter(Boolean)).size,
          sessions: all
            .filter((s) => s.councilId === c.id)
            .sort((a, b) => a.date.localeCompare(b.date))
            .map((s) => ({ id: s.id, title: s.title, date: s.date, status: s.status, glance: glances.get(s.id) ?? null })),
        })),
    };
  });

  app.get('/api/oversight/sessions/:id', { schema: { tags: ['oversight'], params: z.object({ id: Id }) }, onRequest: watchers }, async (request) => {
    const session = await catalog.getSession(request.params.id);
    if (!session) throw notFound('Không tìm thấy kỳ họp');
    if (!canSee(request.claims, session.councilId)) throw forbidden();
    const model = await records.model(session.id);
    return {
      ok: true as const,
      session: { id: session.id, title: session.title, date: session.date, status: session.status, councilId: session.councilId, councilName: model.council.name },
      glance: session.status === 'live' ? await glance(session.id) : null,
      compliance: await records.compliance(session.id),
      polls: model.polls.map((p) => ({ pollId: p.pollId, subject: p.subject, mode: p.mode, status: p.status, presentAtClose: p.presentAtClose, totalDelegates: p.totalDelegates })),
    };
  });

  app.get('/api/oversight/commitments', { schema: { tags: ['oversight'] }, onRequest: watchers }, async (request) => {
    const sees = visible(request.claims);
    const ids = (await catalog.listCouncils()).map((c) => c.id).filter(sees);
    return { ok: true as const, register: await records.register(ids, 'internal') };
  });
};

export default routes;
