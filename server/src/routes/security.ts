/**
 * Signed-in devices and the audit log over HTTP.
 *
 *  - `GET /api/auth/devices`, `DELETE /api/auth/devices/:jti`: any signed-in account lists and signs out its own
 *    devices (a delegate who sees a sign-in they do not recognise — e.g. from a QR code staff issued — ends it).
 *  - `GET /api/admin/accounts/:id/devices`, `DELETE /api/admin/devices/:jti`: an admin does the same for any account.
 *  - `GET /api/admin/audit`: the admin reads who issued logins for whom and who revoked what, newest first.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id } from '@hall/core';
import type { AuthService } from '../auth/service.ts';
import type { AuditLog } from '../auth/audit.ts';
import type { Device } from '../auth/devices.ts';
import { requireRole } from '../plugins/auth.ts';
import { errorResponses, installErrorHandler, notFound } from './admin.ts';
import { clientOf, issuerOf } from './auth.ts';

const Jti = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const DeviceView = z.object({
  jti: z.string(),
  accountId: z.string(),
  via: z.enum(['password', 'code', 'device', 'link']),
  issuedBy: z.string().optional(),
  at: z.number(),
  exp: z.number(),
  userAgent: z.string().optional(),
  ip: z.string().optional(),
  /** The device asking (its own token). */
  current: z.boolean(),
});

const AuditView = z.object({
  id: z.string(),
  at: z.number(),
  action: z.string(),
  actor: z.object({ sub: z.string(), role: z.string() }),
  target: z.string(),
  councilIds: z.array(z.string()),
  jti: z.string().optional(),
  issuedBy: z.string().optional(),
  ip: z.string().optional(),
  what: z.string().optional(),
  detail: z.string().optional(),
});

const DEVICE_NOT_FOUND = 'Không tìm thấy thiết bị đăng nhập này';

const routes: FastifyPluginAsyncZod<{ auth: AuthService; audit: AuditLog }> = async (app, { auth, audit }) => {
  installErrorHandler(app);
  const signedIn = requireRole('admin', 'chair', 'secretary', 'delegate', 'display', 'oversight');
  const adminOnly = requireRole('admin');
  const view = (current: string | undefined) => (d: Device) => ({
    jti: d.jti,
    accountId: d.accountId,
    via: d.via,
    ...(d.issuedBy !== undefined ? { issuedBy: d.issuedBy } : {}),
    at: d.at,
    exp: d.exp,
    ...(d.userAgent !== undefined ? { userAgent: d.userAgent } : {}),
    ...(d.ip !== undefined ? { ip: d.ip } : {}),
    current: d.jti === current,
  });

  app.get(
    '/api/auth/devices',
    { schema: { tags: ['auth'], response: { 200: z.object({ ok: z.literal(true), devices: z.array(DeviceView) }), ...errorResponses } }, onRequest: signedIn },
    async (request) => ({ ok: true as const, devices: (await auth.devicesOf(request.claims.sub)).map(view(request.claims.jti)) }),
  );

  app.delete(
    '/api/auth/devices/:jti',
    { schema: { tags: ['auth'], params: z.object({ jti: Jti }), response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } }, onRequest: signedIn },
    async (request) => {
      const device = await auth.device(request.params.jti);
      // Someone else's device is "not found", not "forbidden": ids of other accounts' tokens are not confirmed.
      if (!device || device.accountId !== request.claims.sub) throw notFound(DEVICE_NOT_FOUND);
      await auth.revoke(device, issuerOf(request), clientOf(request));
      return { ok: true as const };
    },
  );

  app.get(
    '/api/admin/accounts/:id/devices',
    { schema: { tags: ['admin'], params: z.object({ id: Id }), response: { 200: z.object({ ok: z.literal(true), devices: z.array(DeviceView) }), ...errorResponses } }, onRequest: adminOnly },
    async (request) => ({ ok: true as const, devices: (await auth.devicesOf(request.params.id)).map(view(request.claims.jti)) }),
  );

  app.delete(
    '/api/admin/devices/:jti',
    { schema: { tags: ['admin'], params: z.object({ jti: Jti }), response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } }, onRequest: adminOnly },
    async (request) => {
      const device = await auth.device(request.params.jti);
      if (!device) throw notFound(DEVICE_NOT_FOUND);
      await auth.revoke(device, issuerOf(request), clientOf(request));
      return { ok: true as const };
    },
  );

  app.get(
    '/api/admin/audit',
    {
      schema: {
        tags: ['admin'],
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), before: z.string().max(64).optional(), councilId: Id.optional() }),
        response: { 200: z.object({ ok: z.literal(true), entries: z.array(AuditView) }), ...errorResponses },
      },
      onRequest: adminOnly,
    },
    async (request) => {
      const { limit, before, councilId } = request.query;
      const entries = await audit.list({ limit, ...(before !== undefined ? { before } : {}) });
      return { ok: true as const, entries: councilId === undefined ? entries : entries.filter((e) => e.councilIds.includes(councilId)) };
    },
  );
};

export default routes;
