/**
 * HTTP authentication: `Authorization: Bearer <token>` → `request.claims` (anonymous public claims otherwise), and
 * `requireRole(...)` for routes. Wrapped with fastify-plugin so the decoration is visible to every route plugin.
 *
 * Order matters: routes put `requireRole` in their `onRequest` hooks, which run after this plugin's (global hooks
 * first) and before the body is parsed or validated. An unauthenticated caller gets 401 and a wrong role 403 without
 * a word about the route's schema — and without the server parsing a megabyte of body for them.
 */
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorMessages } from '@hall/core';
import type { AuthService, Claims } from '../auth/service.ts';
import type { Role } from '../store/types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    claims: Claims;
  }
}

export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.claims.role === 'public') {
      return reply.status(401).send({ ok: false, code: 'UNAUTHENTICATED', message: errorMessages.UNAUTHENTICATED.vi });
    }
    if (!roles.includes(request.claims.role)) {
      return reply.status(403).send({ ok: false, code: 'FORBIDDEN', message: errorMessages.FORBIDDEN.vi });
    }
  };
}

export default fp<{ auth: AuthService }>(async (app, { auth }) => {
  app.decorateRequest('claims', null as unknown as Claims);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (!header) {
      request.claims = auth.publicClaims();
      return;
    }
    // authenticate also refuses a revoked (signed-out) token.
    const claims = header.startsWith('Bearer ') ? await auth.authenticate(header.slice(7)) : null;
    if (!claims) return reply.status(401).send({ ok: false, code: 'UNAUTHENTICATED', message: errorMessages.UNAUTHENTICATED.vi });
    request.claims = claims;
  });
}, { name: 'hall-auth' });
