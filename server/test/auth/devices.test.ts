/**
 * [DEV] Staff acting as a delegate (issue 10 item 8): a QR login issued by a secretary is audited with the issuer,
 * the token minted from it says `issuedBy`, the delegate's tablet is told it signed in elsewhere, and the delegate
 * (or an admin) sees and revokes devices — a revoked token is refused over HTTP and Socket.IO at once, on every
 * node, and after a restart.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '@hall/core';
import { CODE, dropRedisPrefix, loginHttp, newRedisPrefix, PASSWORD, REDIS_URL, startTestApp, testAccounts, type TestApp } from '../support/app.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const sockets: Client[] = [];
afterAll(() => {
  for (const s of sockets) s.disconnect();
});

/** A connected socket that records its notices and how it ended. */
async function connect(baseUrl: string, token: string) {
  const socket: Client = io(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  const notices: { code: string; message: string }[] = [];
  const ended: string[] = [];
  socket.on('server:notice', (n) => notices.push(n));
  socket.on('disconnect', (reason) => ended.push(reason));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, notices, ended };
}

/** Resolves with the connect_error's data, or rejects if the connection is accepted. */
function refusal(baseUrl: string, token: string): Promise<{ code?: string; scope?: string; message?: string }> {
  const socket: Client = io(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connection was accepted')));
    socket.once('connect_error', (err) => resolve((err as Error & { data?: object }).data ?? { message: err.message }));
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const get = (baseUrl: string, path: string, token?: string) =>
  fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
const del = (baseUrl: string, path: string, token: string) =>
  fetch(`${baseUrl}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
const post = (baseUrl: string, path: string, token: string, body?: unknown) =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

const tokenOf = async (baseUrl: string, kind: 'password' | 'code', id: string, secret: string, userAgent = 'test-agent') => {
  const r = await loginHttp(baseUrl, kind, id, secret, { 'user-agent': userAgent });
  if (!r.body.token) throw new Error(`login ${id}: ${r.status} ${r.body.message}`);
  return r.body.token;
};

const linkToken = (url: string) => new URL(url).hash.replace(/^#login=/, '');

describe('one node (embedded store)', () => {
  let app: TestApp;
  let admin: string;
  let secretary: string;
  beforeAll(async () => {
    app = await startTestApp();
    admin = await tokenOf(app.baseUrl, 'password', 'admin', PASSWORD);
    secretary = await tokenOf(app.baseUrl, 'password', 'thuky.bn', PASSWORD);
  }, 60_000);
  afterAll(async () => app?.close());

  it('[DEV-1] a QR login issued by the secretary is audited with the issuer and visible to the admin only; the token says issuedBy', async () => {
    const tablet = await connect(app.baseUrl, await tokenOf(app.baseUrl, 'code', 'bn-d001', CODE, 'Tablet of bn-d001'));

    const qr = await post(app.baseUrl, '/api/auth/qr/bn-d001', secretary);
    expect(qr.status).toBe(200);
    const issued = await get(app.baseUrl, '/api/admin/audit', admin);
    expect(issued.status).toBe(200);
    expect(issued.body.entries[0]).toMatchObject({ action: 'login.issued', actor: { sub: 'thuky.bn', role: 'secretary' }, target: 'bn-d001', councilIds: ['bac-ninh'] });

    const redeemed = await fetch(`${app.baseUrl}/api/auth/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'The secretary laptop' },
      body: JSON.stringify({ token: linkToken(qr.body.url) }),
    }).then((r) => r.json() as Promise<{ ok: boolean; token: string; claims: { sub: string; issuedBy?: string; jti: string } }>);
    expect(redeemed.ok).toBe(true);
    expect(redeemed.claims).toMatchObject({ sub: 'bn-d001', issuedBy: 'thuky.bn' });

    // The delegate's tablet is told at once, naming who issued the code.
    await until('the signed-in-elsewhere notice', () => tablet.notices.length > 0);
    expect(tablet.notices[0]).toEqual({ code: 'SIGNED_IN_ELSEWHERE', message: 'Đã đăng nhập trên thiết bị khác (bằng mã QR do thuky.bn cấp)' });

    const log = (await get(app.baseUrl, '/api/admin/audit?limit=2', admin)).body.entries;
    expect(log[0]).toMatchObject({ action: 'login.redeemed', target: 'bn-d001', issuedBy: 'thuky.bn', jti: redeemed.claims.jti });
    // Nobody but the admin reads the log, and nobody unauthenticated learns anything about its parameters.
    expect((await get(app.baseUrl, '/api/admin/audit', secretary)).status).toBe(403);
    const anonymous = await get(app.baseUrl, '/api/admin/audit?limit=banana');
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toMatch(/limit|issues/);
  }, 60_000);

  it('[DEV-2] a delegate sees their devices (with the QR issuer) and revokes one: refused over HTTP, its socket closed, reconnect refused; the other device goes on', async () => {
    const mine = await tokenOf(app.baseUrl, 'code', 'bn-d002', CODE, 'Delegate tablet');
    const qr = await post(app.baseUrl, '/api/auth/qr/bn-d002', secretary);
    const stolen = (await fetch(`${app.baseUrl}/api/auth/link`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Unknown laptop' }, body: JSON.stringify({ token: linkToken(qr.body.url) }) }).then((r) => r.json())) as { token: string; claims: { jti: string } };
    const thief = await connect(app.baseUrl, stolen.token);
    const tablet = await connect(app.baseUrl, mine);

    const listed = await get(app.baseUrl, '/api/auth/devices', mine);
    expect(listed.status).toBe(200);
    expect(listed.body.devices).toHaveLength(2);
    const [own, other] = listed.body.devices as { jti: string; via: string; current: boolean; issuedBy?: string; userAgent?: string }[];
    expect(own).toMatchObject({ via: 'code', current: true, userAgent: 'Delegate tablet' });
    expect(other).toMatchObject({ via: 'link', current: false, issuedBy: 'thuky.bn', userAgent: 'Unknown laptop', jti: stolen.claims.jti });

    // Someone else's device id is not found (ids of other accounts' tokens are not confirmed).
    expect((await del(app.baseUrl, `/api/auth/devices/${other!.jti}`, secretary)).status).toBe(404);

    expect((await del(app.baseUrl, `/api/auth/devices/${other!.jti}`, mine)).status).toBe(200);
    await until('the revoked socket to be closed', () => thief.ended.length > 0);
    expect(thief.notices.at(-1)).toEqual({ code: 'DEVICE_REVOKED', message: 'Thiết bị này đã bị đăng xuất' });
    expect((await get(app.baseUrl, '/api/auth/me', stolen.token)).status).toBe(401);
    expect(await refusal(app.baseUrl, stolen.token)).toMatchObject({ code: 'UNAUTHENTICATED' });
    // The delegate's own tablet is untouched.
    expect(tablet.socket.connected).toBe(true);
    expect((await get(app.baseUrl, '/api/auth/me', mine)).status).toBe(200);
    expect((await get(app.baseUrl, '/api/auth/devices', mine)).body.devices.map((d: { jti: string }) => d.jti)).toEqual([own!.jti]);

    const audit = (await get(app.baseUrl, '/api/admin/audit?limit=1', admin)).body.entries[0];
    expect(audit).toMatchObject({ action: 'device.revoked', actor: { sub: 'bn-d002', role: 'delegate' }, target: 'bn-d002', jti: other!.jti });
  }, 60_000);

  it('[DEV-3] an admin lists and revokes any device; disabling an account signs all its devices out', async () => {
    const one = await tokenOf(app.baseUrl, 'code', 'bn-d003', CODE);
    const two = await tokenOf(app.baseUrl, 'code', 'bn-d003', CODE);
    const socketTwo = await connect(app.baseUrl, two);
    const listed = await get(app.baseUrl, '/api/admin/accounts/bn-d003/devices', admin);
    expect(listed.body.devices).toHaveLength(2);
    expect((await get(app.baseUrl, '/api/admin/accounts/bn-d003/devices', secretary)).status).toBe(403);
    expect((await del(app.baseUrl, `/api/admin/devices/${listed.body.devices[0].jti}`, admin)).status).toBe(200);
    expect((await get(app.baseUrl, '/api/auth/me', one)).status).toBe(401);
    expect((await get(app.baseUrl, '/api/auth/me', two)).status).toBe(200);

    expect((await post(app.baseUrl, '/api/admin/accounts/bn-d003/disable', admin)).status).toBe(200);
    expect((await get(app.baseUrl, '/api/auth/me', two)).status).toBe(401);
    await until('the disabled account\'s socket to be closed', () => socketTwo.ended.length > 0);
  }, 60_000);
});

describe('restart (embedded store)', () => {
  it('[DEV-4] a revocation survives a restart of the server on the same data directory', async () => {
    const first = await startTestApp();
    const dataDir = (first.hall.store as unknown as { dataDir: string }).dataDir;
    const token = await tokenOf(first.baseUrl, 'code', 'bn-d001', CODE);
    const [device] = (await get(first.baseUrl, '/api/auth/devices', token)).body.devices;
    expect((await del(first.baseUrl, `/api/auth/devices/${device.jti}`, token)).status).toBe(200);
    await first.hall.app.close();
    const second = await startTestApp({ dataDir }, { accounts: [] });
    try {
      expect((await get(second.baseUrl, '/api/auth/me', token)).status).toBe(401);
    } finally {
      await second.close();
      await rm(path.dirname(dataDir), { recursive: true, force: true });
    }
  }, 60_000);
});

describe('cluster (Redis)', () => {
  const prefix = newRedisPrefix();
  afterAll(async () => dropRedisPrefix(prefix));

  it('[DEV-5] revoking on one node closes the device\'s socket on another and every node refuses its token; the audit log is shared', async () => {
    const a = await startTestApp({ redisUrl: REDIS_URL, redisPrefix: prefix, nodeId: 'dev-a' }, { accounts: await testAccounts() });
    const b = await startTestApp({ redisUrl: REDIS_URL, redisPrefix: prefix, nodeId: 'dev-b' }, { accounts: [] });
    try {
      const delegate = await tokenOf(a.baseUrl, 'code', 'bn-d001', CODE);
      const onB = await connect(b.baseUrl, delegate);
      // Signing in on node a is announced to the delegate's socket on node b.
      const secretary = await tokenOf(b.baseUrl, 'password', 'thuky.bn', PASSWORD);
      const qr = await post(b.baseUrl, '/api/auth/qr/bn-d001', secretary);
      await fetch(`${a.baseUrl}/api/auth/link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: linkToken(qr.body.url) }) });
      await until('the notice across nodes', () => onB.notices.some((n) => n.code === 'SIGNED_IN_ELSEWHERE'));

      const jti = (await get(a.baseUrl, '/api/auth/devices', delegate)).body.devices.find((d: { current: boolean }) => d.current).jti;
      expect((await del(a.baseUrl, `/api/auth/devices/${jti}`, delegate)).status).toBe(200);
      await until('the socket on the other node to be closed', () => onB.ended.length > 0);
      expect((await get(b.baseUrl, '/api/auth/me', delegate)).status).toBe(401);
      expect(await refusal(b.baseUrl, delegate)).toMatchObject({ code: 'UNAUTHENTICATED' });

      const admin = await tokenOf(b.baseUrl, 'password', 'admin', PASSWORD);
      const actions = (await get(b.baseUrl, '/api/admin/audit', admin)).body.entries.map((e: { action: string }) => e.action);
      expect(actions).toEqual(['device.revoked', 'login.redeemed', 'login.issued']);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);
});
