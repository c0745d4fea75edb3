/**
 * HTTP authentication: `Authorization: Bearer <token>` → `request.claims` (anonymous public claims otherwise), and
 * `requireRole(...)` for routes. Wrapped with fastify-plugin so the decoration is visible to every route plugin.
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
    const claims = header.startsWith('Bearer ') ? auth.verify(header.slice(7)) : null;
    if (!claims) return reply.status(401).send({ ok: false, code: 'UNAUTHENTICATED', message: errorMessages.UNAUTHENTICATED.vi });
    request.claims = claims;
  });
}, { name: 'hall-auth' });
