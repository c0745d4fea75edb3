/**
 * [ORDER] Authenticate and authorize before validating (issue 10 item 10): an unauthenticated call to a protected
 * route gets 401 and a wrong role 403, with nothing about the route's schema — whatever the body and parameters.
 * [NULL] `null` is not an empty object: a socket command with `payload: null` and an HTTP body of `null` are
 * refused with VALIDATION.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessages } from '@hall/core';
import type { RouteInfo } from '../../src/app.ts';
import { CODE, loginHttp, PASSWORD, startTestApp, type TestApp } from '../support/app.ts';
import { TestClient } from '../support/hall.ts';

let app: TestApp;
let admin: string;
let delegate: string;
let chair: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = (await loginHttp(app.baseUrl, 'password', 'admin', PASSWORD)).body.token!;
  chair = (await loginHttp(app.baseUrl, 'password', 'chutoa.bn', PASSWORD)).body.token!;
  delegate = (await loginHttp(app.baseUrl, 'code', 'bn-d001', CODE)).body.token!;
}, 60_000);
afterAll(async () => app?.close());

/** Every parameter filled with something no schema accepts, so a route that validated first would say so. */
const badUrl = (url: string) => url.replace(/:[A-Za-z]+/g, 'Not%20an%20id!').replace(/\*$/, 'x');

const call = async (route: RouteInfo, token: string | null, body: string | undefined) => {
  const res = await fetch(`${app.baseUrl}${badUrl(route.url)}?limit=banana&councilId=%00`, {
    method: route.method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, text: await res.text() };
};

/** Routes that need a signed-in caller (of some role): everything under /api/admin, and the staff and member routes elsewhere. */
const protectedRoutes = () =>
  app.hall.routes.filter(
    (r) =>
      r.method !== 'HEAD' &&
      !r.url.startsWith('/api/public/') &&
      (r.url.startsWith('/api/admin/') ||
        r.url.startsWith('/api/records/') ||
        r.url.startsWith('/api/auth/qr/') ||
        r.url.startsWith('/api/auth/devices') ||
        r.url.startsWith('/api/documents/') ||
        r.url.includes('/documents') ||
        r.url.startsWith('/api/media/sessions/')),
  );

describe('authorization comes before validation', () => {
  it('[ORDER-1] every protected route answers an unauthenticated caller 401 with no schema detail, whatever the body', async () => {
    const routes = protectedRoutes();
    expect(routes.filter((r) => r.url.startsWith('/api/admin/')).length).toBeGreaterThanOrEqual(15);
    for (const route of routes) {
      for (const body of [undefined, '{"unexpected":true,"id":42}', '{not json', 'null']) {
        if (body !== undefined && route.method === 'GET') continue;
        const { status, text } = await call(route, null, body);
        expect({ route: `${route.method} ${route.url}`, body, status }).toEqual({ route: `${route.method} ${route.url}`, body, status: 401 });
        expect(JSON.parse(text)).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: errorMessages.UNAUTHENTICATED.vi });
      }
    }
  }, 120_000);

  it('[ORDER-2] a signed-in caller of the wrong role gets 403 with no schema detail', async () => {
    const adminOnly = protectedRoutes().filter((r) => r.url.startsWith('/api/admin/'));
    for (const route of adminOnly) {
      const { status, text } = await call(route, delegate, route.method === 'GET' ? undefined : '{"unexpected":true}');
      expect({ route: `${route.method} ${route.url}`, status }).toEqual({ route: `${route.method} ${route.url}`, status: 403 });
      expect(JSON.parse(text)).toEqual({ ok: false, code: 'FORBIDDEN', message: errorMessages.FORBIDDEN.vi });
    }
  }, 120_000);

  it('[ORDER-3] the right caller still gets the validation detail', async () => {
    const res = await fetch(`${app.baseUrl}/api/admin/accounts/x`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"unexpected":true}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, code: 'VALIDATION', issues: expect.any(Array) });
  });
});

describe('null is not an empty object', () => {
  it('[NULL-1] a socket command with payload null is refused with VALIDATION and changes nothing; an absent payload still means none', async () => {
    await app.hall.store.catalog.putCouncil({
      id: 'bac-ninh',
      name: 'HĐND tỉnh Bắc Ninh',
      level: 'province',
      delegates: [{ id: 'bn-d001', fullName: 'Đại biểu 1', group: 'Tổ 1', seat: 'A01', status: 'sitting' }],
    } as never);
    await app.hall.store.catalog.putSession({ id: 'bn-null', councilId: 'bac-ninh', title: 'Kỳ họp', date: '2028-12-08', agenda: [], status: 'scheduled' });
    const c = await TestClient.connect(app.baseUrl, chair, 'bn-null');
    try {
      const refused = await c.sendRaw({ sessionId: 'bn-null', commandId: 'null-payload-1', type: 'session.openCheckIn', payload: null });
      expect(refused).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect(await app.hall.store.journal.lastSeq('bn-null')).toBe(0);
      expect(await c.sendRaw({ sessionId: 'bn-null', commandId: 'null-payload-2', type: 'session.openCheckIn' })).toMatchObject({ ok: true });
    } finally {
      c.close();
    }
  }, 60_000);

  it('[NULL-2] every route that takes a body refuses a JSON null with VALIDATION (the right caller, so only the body is wrong)', async () => {
    const withBody = app.hall.routes.filter((r) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH');
    expect(withBody.length).toBeGreaterThan(5);
    for (const route of withBody) {
      // Upload takes multipart, not JSON: a JSON body of any kind is refused as a wrong content type (415) — also VALIDATION.
      const url = route.url.replace(':accountId', 'bn-d001').replace(':sessionId', 'bn-null').replace(':itemId', 'i1').replace(/:id\b/, 'bn-null').replace(':delegateId', 'bn-d001');
      // The records API's writers are the council's chair and secretary (admins read): the chair, so the role passes.
      const token = route.url.startsWith('/api/records/') ? chair : admin;
      const res = await fetch(`${app.baseUrl}${url}`, { method: route.method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: 'null' });
      const body = (await res.json()) as { code?: string; ok?: boolean };
      // Routes without a body (login-link issuing, disabling an account) ignore it; none may read null as {}.
      if (!route.body) continue;
      expect({ route: `${route.method} ${route.url}`, status: res.status, code: body.code }).toEqual({ route: `${route.method} ${route.url}`, status: 400, code: 'VALIDATION' });
    }
    const ingest = app.hall.routes.find((r) => r.url === '/api/media/sessions/:sessionId/rtp-ingest' && r.method === 'POST');
    expect(ingest?.body).toBe(true);
  }, 120_000);
});
