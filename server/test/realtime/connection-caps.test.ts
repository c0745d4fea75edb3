/**
 * [CAP] Connection caps (issue 10 item 9): one token may not open hundreds of sockets, one address neither, and the
 * command allowance belongs to the token — more sockets buy no more commands. Refusals are connect_errors with the
 * stable code TOO_MANY_CONNECTIONS and a Vietnamese message.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, CommandAck, ServerToClientEvents } from '@hall/core';
import { DEFAULT_LIMITS } from '../../src/config.ts';
import { CODE, loginHttp, startTestApp, type TestApp } from '../support/app.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
let open: Client[] = [];
afterEach(() => {
  for (const s of open) s.disconnect();
  open = [];
});

/** Connects; resolves with the socket, or with the refusal's data. */
function connect(baseUrl: string, token: string | null): Promise<{ socket: Client } | { refused: { code?: string; scope?: string; message?: string } }> {
  const socket: Client = io(baseUrl, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err) => resolve({ refused: (err as Error & { data?: object }).data ?? {} }));
  });
}

async function until(what: string, check: () => boolean) {
  const end = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('with the default limits', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = (await loginHttp(app.baseUrl, 'code', 'bn-d001', CODE)).body.token!;
  }, 60_000);
  afterAll(async () => app?.close());

  it('[CAP-1] one delegate token holds at most a handful of sockets; the next is refused with TOO_MANY_CONNECTIONS; a closed one frees its slot', async () => {
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await connect(app.baseUrl, token));
    const accepted = results.filter((r) => 'socket' in r);
    expect(accepted).toHaveLength(DEFAULT_LIMITS.socketsPerToken);
    const refused = results.find((r) => 'refused' in r) as { refused: { code: string; scope: string; message: string } };
    expect(refused.refused).toEqual({
      code: 'TOO_MANY_CONNECTIONS',
      scope: 'token',
      message: 'Tài khoản này đang mở quá nhiều kết nối; hãy đóng bớt các cửa sổ hoặc thiết bị khác',
    });
    // Another account from the same address is not affected.
    const other = (await loginHttp(app.baseUrl, 'code', 'bn-d002', CODE)).body.token!;
    expect('socket' in (await connect(app.baseUrl, other))).toBe(true);
    (accepted[0] as { socket: Client }).socket.disconnect();
    await until('the slot to be given back', () => app.hall.io.of('/').sockets.size === DEFAULT_LIMITS.socketsPerToken);
    expect('socket' in (await connect(app.baseUrl, token))).toBe(true);
  }, 60_000);

  it('[CAP-2] the command allowance is the token\'s: eight sockets firing at once get no more than one socket would', async () => {
    await until('the previous test\'s sockets to be gone', () => app.hall.io.of('/').sockets.size === 0);
    const sockets: Client[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.socketsPerToken; i++) {
      const r = await connect(app.baseUrl, token);
      if (!('socket' in r)) throw new Error('could not open the sockets');
      sockets.push(r.socket);
    }
    const perSocket = DEFAULT_LIMITS.commandRate * 2; // one socket's burst
    const started = performance.now();
    const acks = await Promise.all(
      sockets.flatMap((s, i) =>
        Array.from({ length: perSocket }, (_, n) =>
          s.timeout(30_000).emitWithAck('session:command', { sessionId: 'no-such-session', commandId: `cap-${i}-${n}-xxxx`, type: 'floor.yield', payload: {} }) as Promise<CommandAck>,
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const served = acks.filter((a) => !(!a.ok && a.code === 'RATE_LIMITED')).length;
    // One burst plus what the bucket refilled while the commands were arriving — whatever this machine's speed.
    expect(served).toBeLessThanOrEqual(perSocket + Math.ceil(seconds * DEFAULT_LIMITS.commandRate) + 1);
    expect(acks.filter((a) => !a.ok && a.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(0);
  }, 60_000);
});

describe('per address', () => {
  it('[CAP-3] one address holds at most socketsPerIp sockets, public viewers included; the refusal says so', async () => {
    const app = await startTestApp({ limits: { ...DEFAULT_LIMITS, socketsPerIp: 10 } });
    try {
      const results = [];
      for (let i = 0; i < 12; i++) results.push(await connect(app.baseUrl, null));
      expect(results.filter((r) => 'socket' in r)).toHaveLength(10);
      expect((results[10] as { refused: object }).refused).toEqual({ code: 'TOO_MANY_CONNECTIONS', scope: 'ip', message: 'Có quá nhiều kết nối từ mạng này; vui lòng thử lại sau' });
    } finally {
      await app.close();
    }
  }, 60_000);
});
