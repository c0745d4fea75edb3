/** Sign-in for staff (password), delegates (personal code or a one-time QR link) and hall displays (device token). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import QRCode from 'qrcode';
import type { AuthService, ClientInfo, Issuer } from '../auth/service.ts';
import type { Catalog } from '../store/types.ts';
import { requireRole } from '../plugins/auth.ts';
import { errorMessages } from '@hall/core';
import type { FastifyRequest } from 'fastify';

const LoginBody = z.strictObject({
  kind: z.enum(['password', 'code', 'device']),
  id: z.string().trim().min(1).max(128),
  secret: z.string().min(1).max(1024),
});

/** The caller's address (after TRUST_PROXY) and what its browser calls itself: recorded with each signed-in device. */
export const clientOf = (request: FastifyRequest): ClientInfo => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

/** After requireRole: the caller is signed in, so its role is not 'public'. */
export const issuerOf = (request: FastifyRequest): Issuer => ({ sub: request.claims.sub, role: request.claims.role as Issuer['role'] });

const routes: FastifyPluginAsyncZod<{ auth: AuthService; catalog: Catalog; publicUrl: string | undefined }> = async (app, { auth, catalog, publicUrl }) => {
  const answer = async (result: Awaited<ReturnType<AuthService['login']>>, reply: import('fastify').FastifyReply) => {
    if (result.ok) return reply.send({ ok: true, token: result.token, claims: result.claims });
    if (result.code === 'THROTTLED') reply.header('retry-after', String(result.retryAfterSec ?? 60));
    return reply.status(result.code === 'THROTTLED' ? 429 : 401).send(result);
  };

  app.post('/api/auth/login', { schema: { tags: ['auth'], body: LoginBody } }, async (request, reply) => {
    const { kind, id, secret } = request.body;
    return answer(await auth.login(kind, id, secret, clientOf(request)), reply);
  });

  app.post('/api/auth/link', { schema: { tags: ['auth'], body: z.strictObject({ token: z.string().min(10).max(200) }) } }, async (request, reply) =>
    answer(await auth.redeemLoginLink(request.body.token, clientOf(request)), reply),
  );

  app.get('/api/auth/me', { schema: { tags: ['auth'] } }, async (request) => ({ ok: true, claims: request.claims }));

  // The secretary prints or shows a QR code that signs one delegate in once, for 10 minutes. Staff could use it to sign
  // in as the delegate themselves, so it is audited with the issuer, the token says `issuedBy`, and the delegate's
  // tablet is told that their account signed in elsewhere.
  app.post(
    '/api/auth/qr/:accountId',
    { schema: { tags: ['auth'], params: z.object({ accountId: z.string().min(1).max(128) }) }, onRequest: requireRole('admin', 'secretary', 'chair') },
    async (request, reply) => {
      const account = await catalog.getAccount(request.params.accountId);
      const allowed = account?.role === 'delegate' && (request.claims.role === 'admin' || account.councilIds.some((c) => request.claims.councilIds.includes(c)));
      if (!account || !allowed) return reply.status(404).send({ ok: false, code: 'NOT_FOUND', message: errorMessages.NOT_FOUND.vi });
      const token = await auth.issueLoginLink(account.id, issuerOf(request), clientOf(request));
      const base = publicUrl ?? `${request.protocol}://${request.host}`;
      const url = `${base}/delegate/#login=${token}`;
      return { ok: true, url, svg: await QRCode.toString(url, { type: 'svg', margin: 1 }) };
    },
  );
};
export default routes;
