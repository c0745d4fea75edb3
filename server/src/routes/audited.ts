/**
 * Every administration change is written to the audit log (who, what, when), for the admin to read in the admin app
 * (GET /api/admin/audit). One hook per route plugin rather than a line in every handler: a route added later is
 * audited without anyone remembering to. Only changes that succeeded are written — a refusal changed nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../auth/audit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a handler to file the entry under the right councils and say what changed. */
    auditNote?: { councilIds?: string[]; detail?: string; target?: string; skip?: boolean };
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The council a route names in its path or body, when the handler did not say. */
function councilsOf(request: FastifyRequest): string[] {
  const url = request.routeOptions.url ?? '';
  const params = (request.params ?? {}) as Record<string, unknown>;
  if (url.startsWith('/api/admin/councils/:id') && typeof params.id === 'string') return [params.id];
  const body = request.body as { councilId?: unknown; councilIds?: unknown } | null | undefined;
  if (body && typeof body.councilId === 'string') return [body.councilId];
  if (body && Array.isArray(body.councilIds)) return body.councilIds.filter((c): c is string => typeof c === 'string');
  return [];
}

function targetOf(request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const named = [params.delegateId, params.itemId, params.id, params.accountId, params.sessionId, params.jti].filter((p): p is string => typeof p === 'string');
  return named.length ? named.reverse().join('/') : '-';
}

export function auditWrites(app: FastifyInstance, audit: AuditLog | undefined): void {
  if (!audit) return;
  // onSend, not onResponse: the line is written before the admin is told the change is done, so a crash in between
  // cannot leave a confirmed change that nobody's name is on.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!WRITES.has(request.method) || reply.statusCode >= 400) return payload;
    const claims = request.claims;
    if (!claims || claims.role === 'public') return payload;
    const note = request.auditNote ?? {};
    // A POST that only checked something (a dry-run import) changed nothing.
    if (note.skip) return payload;
    try {
      await audit.append({
        at: Date.now(),
        action: 'admin.action',
        actor: { sub: claims.sub, role: claims.role },
        target: note.target ?? targetOf(request),
        councilIds: note.councilIds ?? councilsOf(request),
        what: `${request.method} ${request.routeOptions.url ?? request.url}`,
        ...(note.detail ? { detail: note.detail } : {}),
        ...(request.ip ? { ip: request.ip } : {}),
      });
    } catch (err) {
      // The change is done and answered; a lost audit line is logged loudly rather than undoing it.
      request.log.error({ err, what: request.routeOptions.url }, 'audit append failed');
    }
    return payload;
  });
}
