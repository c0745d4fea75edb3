/**
 * The admin and document routes inside the whole app (buildApp): real login, the app's error handler, helmet
 * headers and the OpenAPI document.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hall } from '../../src/app.ts';
import { testConfig } from '../support/app.ts';
import { hashSecret } from '../../src/auth/secrets.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { agenda, council, minimalPdf, pdfUpload } from './helpers.ts';

let hall: Hall;
let dataDir: string;
let adminToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hall-http-'));
  const config = testConfig(dataDir, {
    tokenSecret: 'app-test-token-secret-0123456789abcdefgh',
    ballotSecret: 'app-test-ballot-secret-0123456789abcdefgh',
    nodeId: 'node-test',
  });
  const store = createMemoryStore();
  await store.catalog.putAccount({ id: 'admin', role: 'admin', displayName: 'Quản trị', councilIds: [], secretHash: await hashSecret('admin-pass-123') });
  hall = await buildApp(config, { store, logger: false });
  await hall.app.ready();
  const login = await hall.app.inject({ method: 'POST', url: '/api/auth/login', payload: { kind: 'password', id: 'admin', secret: 'admin-pass-123' } });
  expect(login.statusCode).toBe(200);
  adminToken = login.json().token;
});

afterAll(async () => {
  await hall?.app.close();
  await rm(dataDir, { recursive: true, force: true });
});

const auth = (token = adminToken) => ({ authorization: `Bearer ${token}` });

describe('admin and documents in the whole app', () => {
  it('[HTTP-24] login → council → session → account → chair uploads a PDF → a delegate downloads it', async () => {
    const { app } = hall;
    const put = (url: string, payload: object, token?: string) => app.inject({ method: 'PUT', url, payload, headers: auth(token) });

    expect((await put('/api/admin/councils/quang-ninh', council('quang-ninh', 'HĐND tỉnh Quảng Ninh', 'province', ['qn-d001', 'qn-d002']))).statusCode).toBe(201);
    expect((await put('/api/admin/sessions/qn-k1', { id: 'qn-k1', councilId: 'quang-ninh', title: 'Kỳ họp thứ nhất', date: '2029-03-01', agenda: agenda() })).statusCode).toBe(201);
    expect((await put('/api/admin/accounts/chutoa.qn', { id: 'chutoa.qn', role: 'chair', displayName: 'Chủ tọa QN', councilIds: ['quang-ninh'], secret: 'chair-pass-1' })).statusCode).toBe(201);
    const delegate = await put('/api/admin/accounts/qn-d001', { id: 'qn-d001', role: 'delegate', displayName: 'Đại biểu 1', councilIds: ['quang-ninh'], delegateId: 'qn-d001', secret: '300001' });
    expect(delegate.statusCode).toBe(201);
    expect(delegate.payload).not.toMatch(/secretHash|scrypt/);

    const chair = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { kind: 'password', id: 'chutoa.qn', secret: 'chair-pass-1' } })).json().token as string;
    const del = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { kind: 'code', id: 'qn-d001', secret: '300 001' } })).json().token as string;
    expect(chair).toBeTruthy();
    expect(del).toBeTruthy();

    const pdf = minimalPdf('Quang Ninh');
    const body = pdfUpload(pdf, [{ name: 'title', data: 'Dự thảo nghị quyết' }]);
    const up = await app.inject({ method: 'POST', url: '/api/sessions/qn-k1/items/i2/documents', payload: body.payload, headers: { ...body.headers, ...auth(chair) } });
    expect(up.statusCode).toBe(201);
    const id = up.json().document.id as string;

    const down = await app.inject({ method: 'GET', url: `/api/documents/${id}`, headers: auth(del) });
    expect(down.statusCode).toBe(200);
    expect(down.rawPayload.equals(pdf)).toBe(true);
    expect(down.headers['etag']).toBe(`"${createHash('sha256').update(pdf).digest('hex')}"`);
    expect(down.headers['x-content-type-options']).toBe('nosniff');
    const cached = await app.inject({ method: 'GET', url: `/api/documents/${id}`, headers: { ...auth(del), 'if-none-match': down.headers['etag'] as string } });
    expect(cached.statusCode).toBe(304);

    // The delegate may read but not administer.
    expect((await put('/api/admin/sessions/qn-k1/agenda', { agenda: [] }, del)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/admin/accounts' })).statusCode).toBe(401);
  });

  it('[HTTP-25] validation errors go through the same body shape in the whole app', async () => {
    const r = await hall.app.inject({ method: 'PUT', url: '/api/admin/councils/bad', payload: { id: 'bad', delegates: 'none' }, headers: auth() });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ ok: false, code: 'VALIDATION', message: 'Dữ liệu gửi lên không hợp lệ' });
    expect(r.json().issues.length).toBeGreaterThan(0);
  });

  it('[HTTP-28] answers Fastify makes itself (no route, a URL that does not decode, a parameter past the router\'s limit, a path out of a served folder) have our body: a stable code and a Vietnamese message', async () => {
    const { app } = hall;
    const body = (code: string, message: string) => ({ ok: false, code, message });
    const missing = await app.inject({ method: 'GET', url: '/api/khong-co' });
    expect([missing.statusCode, missing.json()]).toEqual([404, body('NOT_FOUND', 'Không tìm thấy')]);
    const undecodable = await app.inject({ method: 'GET', url: '/api/public/sessions/%E0%A4%A' });
    expect([undecodable.statusCode, undecodable.json()]).toEqual([400, body('VALIDATION', 'Dữ liệu gửi lên không hợp lệ')]);
    const tooLong = await app.inject({ method: 'GET', url: `/api/public/sessions/${'a'.repeat(5000)}` });
    expect([tooLong.statusCode, tooLong.json()]).toEqual([400, body('VALIDATION', 'Dữ liệu gửi lên không hợp lệ')]);

    // `..` reaches the static file plugin only over a real socket (inject normalizes the URL): it refuses with 403,
    // which used to go out as INTERNAL "system error" — it is FORBIDDEN, and no file's bytes.
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const raw = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.get(`${address}/hls/../../../../../../etc/passwd`, { path: '/hls/../../../../../../etc/passwd' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    expect(raw.status).toBe(403);
    expect(JSON.parse(raw.text)).toEqual(body('FORBIDDEN', 'Bạn không có quyền thực hiện thao tác này'));
  });

  it('[HTTP-26] the OpenAPI document lists the admin and document routes', async () => {
    const r = await hall.app.inject({ method: 'GET', url: '/docs/json' });
    expect(r.statusCode).toBe(200);
    const paths = Object.keys(r.json().paths);
    for (const p of ['/api/admin/councils/{id}', '/api/admin/councils/{id}/delegates/{delegateId}', '/api/admin/sessions/{id}/agenda', '/api/admin/accounts/{id}/disable', '/api/sessions/{sessionId}/items/{itemId}/documents', '/api/documents/{id}']) {
      expect(paths, p).toContain(p);
    }
  });
});
