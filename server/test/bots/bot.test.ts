/**
 * BotDelegate against a stand-in server (plain http + Socket.IO, no session machine): login, handshake token, join,
 * keeping the newest view, and retries with the same commandId that resolve once.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientToServerEvents, CommandAck, ServerToClientEvents, SessionView } from '@hall/core';
import { Server } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotDelegate, CommandTimeoutError, JoinError, LoginError, ServerUnreachableError, isTransientFailure, withRetries } from '../../src/bots/bot.ts';
import { runSwarm } from '../../src/bots/swarm.ts';

const view = (seq: number, extra: Partial<SessionView> = {}) => ({ sessionId: 's1', seq, phase: 'checkIn', poll: null, polls: [], ...extra }) as unknown as SessionView;

interface Fake {
  url: string;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  http: HttpServer;
  /** Every command received, in order. */
  commands: { commandId: string; type: string; payload: unknown }[];
  /** How many times to ignore a commandId before acking it. */
  drop: Map<string, number>;
  dropNext: number;
  /** Answers to give the next commands instead of handling them (a retryable code: nothing applied). */
  answerNext: CommandAck[];
  /** How many of the next commands cut the connection instead of answering (the command is not applied). */
  cutNext: number;
  /** Logins to answer 429 (a busy server) before accepting them, and joins to answer UNAVAILABLE. */
  busyLogins: number;
  busyJoins: number;
}

let fake: Fake;

beforeEach(async () => {
  const http = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/auth/login') {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (f.busyLogins > 0) {
        f.busyLogins--;
        res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, code: 'RATE_LIMITED', message: 'Quá nhiều yêu cầu' }));
        return;
      }
      const { kind, id, secret } = JSON.parse(body) as { kind: string; id: string; secret: string };
      const ok = kind === 'code' && secret === `code-${id}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { ok: true, token: `tok-${id}` } : { ok: false, code: 'AUTH_FAILED', message: 'Sai mã' }));
    });
  });
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io' });
  const f: Fake = { url: '', io, http, commands: [], drop: new Map(), dropNext: 0, answerNext: [], cutNext: 0, busyLogins: 0, busyJoins: 0 };
  const acks = new Map<string, CommandAck>();
  let seq = 10;
  io.use((socket, next) => (String(socket.handshake.auth.token).startsWith('tok-') ? next() : next(Object.assign(new Error('no'), { data: { code: 'UNAUTHENTICATED' } }))));
  io.on('connection', (socket) => {
    socket.on('session:join', (req, ack) => {
      if (f.busyJoins > 0) {
        f.busyJoins--;
        ack({ ok: false, code: 'UNAVAILABLE', message: 'Máy chủ đang bận' } as never);
        return;
      }
      void socket.join(req.sessionId);
      ack({ ok: true, view: view(seq), serverTime: Date.now() });
    });
    socket.on('session:command', (raw, ack) => {
      const c = raw as Fake['commands'][number];
      f.commands.push(c);
      if (f.dropNext > 0) {
        f.dropNext--;
        return; // the ack is "lost"
      }
      const answer = f.answerNext.shift();
      if (answer) return ack(answer);
      if (f.cutNext > 0) {
        f.cutNext--;
        return void socket.disconnect(); // "io server disconnect": the bot connects again, as a tablet does
      }
      const known = acks.get(c.commandId);
      if (known) return ack({ ...known, duplicate: true } as CommandAck);
      const result: CommandAck = { ok: true, seq: ++seq };
      acks.set(c.commandId, result);
      ack(result);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  f.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  fake = f;
});

afterEach(async () => {
  fake.io.close();
  await new Promise((r) => fake.http.close(r));
});

describe('BotDelegate', () => {
  it('[BOT-21] logs in with the code, connects with the token and joins (view from the ack)', async () => {
    const bot = await BotDelegate.login(fake.url, 'bn-d001', 'code-bn-d001');
    expect(bot.token).toBe('tok-bn-d001');
    await bot.connect();
    const v = await bot.join('s1');
    expect(v.seq).toBe(10);
    expect(bot.view?.seq).toBe(10);
    bot.close();
    await expect(BotDelegate.login(fake.url, 'bn-d001', 'wrong')).rejects.toMatchObject({ name: 'LoginError', status: 401, code: 'AUTH_FAILED' });
    await expect(BotDelegate.login(fake.url, 'bn-d001', 'wrong')).rejects.toBeInstanceOf(LoginError);
  });

  it('[BOT-22] an unreachable server is a clear bilingual error', async () => {
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise((r) => spare.close(r)); // nothing listens there now
    await expect(BotDelegate.login(url, 'bn-d001', 'code-bn-d001')).rejects.toBeInstanceOf(ServerUnreachableError);
    await expect(BotDelegate.login(url, 'bn-d001', 'code-bn-d001')).rejects.toThrow(/Không kết nối được máy chủ .*ECONNREFUSED.* Cannot reach the server/);
  });

  it('[BOT-23] keeps the view with the highest seq and resolves waitForView', async () => {
    const bot = await BotDelegate.login(fake.url, 'bn-d002', 'code-bn-d002');
    await bot.connect();
    await bot.join('s1');
    const waiting = bot.waitForView((v) => v.phase === 'inProgress', 2000);
    fake.io.to('s1').emit('session:view', view(12, { phase: 'inProgress' }));
    fake.io.to('s1').emit('session:view', view(11)); // late, older: ignored
    expect((await waiting).seq).toBe(12);
    await new Promise((r) => setTimeout(r, 50));
    expect(bot.view?.seq).toBe(12);
    expect(bot.view?.phase).toBe('inProgress');
    await expect(bot.waitForView((v) => v.phase === 'adjourned', 50)).rejects.toThrow(/timed out/);
    bot.close();
  });

  it('[BOT-24] a lost ack is retried with the SAME commandId and resolves once with the original ack', async () => {
    const bot = await BotDelegate.login(fake.url, 'bn-d003', 'code-bn-d003');
    await bot.connect();
    await bot.join('s1');
    fake.dropNext = 2;
    const ack = await bot.vote('p1', 'yes', { timeoutMs: 100, attempts: 5 });
    expect(ack).toEqual({ ok: true, seq: 11 });
    expect(fake.commands).toHaveLength(3);
    expect(new Set(fake.commands.map((c) => c.commandId)).size).toBe(1);
    expect(fake.commands[0]).toMatchObject({ type: 'ballot.cast', sessionId: 's1', payload: { pollId: 'p1', choice: 'yes' } });
    expect(bot.stats).toMatchObject({ commands: 1, retries: 2 });

    // A retry whose first attempt did land gets the server's original ack back (deduped, counted once).
    fake.commands.length = 0;
    const first = await bot.checkIn('hall', { commandId: 'fixed-command-id-01', timeoutMs: 500 });
    const again = await bot.checkIn('hall', { commandId: 'fixed-command-id-01', timeoutMs: 500 });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(fake.commands.map((c) => c.payload)).toEqual([
      { delegateId: 'bn-d003', channel: 'hall' },
      { delegateId: 'bn-d003', channel: 'hall' },
    ]);

    // Every attempt lost: a timeout error naming the command id.
    fake.dropNext = 3;
    await expect(bot.requestFloor('speech', 'rq-1', { timeoutMs: 50, attempts: 3 })).rejects.toBeInstanceOf(CommandTimeoutError);
    bot.close();
  });

  it('[BOT-28] keeps retrying the same commandId past a handful of attempts until the answer is definitive', async () => {
    const bot = await BotDelegate.login(fake.url, 'bn-d005', 'code-bn-d005');
    await bot.connect({ reconnectionDelayMs: 20, reconnectionDelayMaxMs: 50 });
    await bot.join('s1');
    // A failover on a loaded machine: lost acks, "not yet" answers and dropped connections, more of them than the four
    // attempts the bot used to allow. None of them is an answer about the ballot; the bot must not report one.
    fake.dropNext = 3;
    const unknown = { ok: false, code: 'OUTCOME_UNKNOWN', message: 'Chưa rõ kết quả' } as CommandAck;
    const unavailable = { ok: false, code: 'UNAVAILABLE', message: 'Máy chủ đang bận' } as CommandAck;
    fake.answerNext = [unknown, unavailable, unknown];
    fake.cutNext = 2;
    const ack = await bot.vote('p1', 'yes', { timeoutMs: 100 });
    expect(ack).toMatchObject({ ok: true });
    expect(fake.commands).toHaveLength(9);
    expect(new Set(fake.commands.map((c) => c.commandId)).size).toBe(1);

    // The patience is the bound: past it, no definitive answer is an unknown outcome, never a refusal.
    fake.commands.length = 0;
    fake.dropNext = 1_000;
    await expect(bot.requestFloor('speech', 'rq-2', { timeoutMs: 50, patienceMs: 400 })).rejects.toThrow(/may or may not have been recorded/);
    expect(fake.commands.length).toBeGreaterThan(1);
    bot.close();
  });

  it('[BOT-25] reconnects after a network drop or a server goodbye, joins again and keeps getting views', async () => {
    let joins = 0;
    fake.io.on('connection', (socket) => socket.on('session:join', () => joins++));
    const bot = await BotDelegate.login(fake.url, 'bn-d004', 'code-bn-d004');
    await bot.connect({ reconnectionDelayMs: 20, reconnectionDelayMaxMs: 50 });
    await bot.join('s1');
    expect(joins).toBe(1);

    for (const s of await fake.io.fetchSockets()) (s as unknown as { conn: { close(): void } }).conn.close(); // network drop
    await expect.poll(() => joins, { timeout: 3000 }).toBe(2);
    fake.io.to('s1').emit('session:view', view(20));
    await bot.waitForView((v) => v.seq === 20, 2000);

    fake.io.disconnectSockets(); // server goodbye ("io server disconnect")
    await expect.poll(() => joins, { timeout: 3000 }).toBe(3);
    fake.io.to('s1').emit('session:view', view(21));
    await bot.waitForView((v) => v.seq === 21, 2000);
    expect(bot.stats.reconnects).toBe(2);
    bot.close();
  });
});

describe('bot swarm retries', () => {
  it('[BOT-26] logins refused as busy (429) and joins answered UNAVAILABLE are tried again until every bot is in', async () => {
    fake.busyLogins = 5;
    fake.busyJoins = 4;
    const ids = ['bn-d001', 'bn-d002', 'bn-d003', 'bn-d004', 'bn-d005', 'bn-d006'];
    const stop = new AbortController();
    const lines: string[] = [];
    const summary = await runSwarm({
      baseUrl: fake.url,
      sessionId: 's1',
      delegateIds: ids,
      codeFor: (id) => `code-${id}`,
      vote: 'yes',
      checkIn: false,
      requestFloor: 0,
      waitForPolls: 0,
      seed: 3,
      delayMs: 0,
      loginConcurrency: 3,
      joinAttempts: 12,
      signal: stop.signal,
      onReady: () => stop.abort(),
      log: (line) => lines.push(line),
    });
    expect(summary).toMatchObject({ requested: 6, loggedIn: 6, joined: 6, joinRetries: 9 });
    expect(summary.errors).toEqual([]);
    expect(lines.filter((l) => l.startsWith('login retry'))).toHaveLength(5);
    expect(lines.filter((l) => l.startsWith('join retry'))).toHaveLength(4);
  });

  it('[BOT-27] a refusal about who the bot is (wrong code, forbidden session) is not retried; the last error surfaces', async () => {
    expect(isTransientFailure(new LoginError('x', 401, 'AUTH_FAILED', 'Sai mã'))).toBe(false);
    expect(isTransientFailure(new LoginError('x', 429, 'RATE_LIMITED', '…'))).toBe(true);
    expect(isTransientFailure(new LoginError('x', 503, 'UNAVAILABLE', '…'))).toBe(true);
    expect(isTransientFailure(new JoinError('s', 'FORBIDDEN', '…'))).toBe(false);
    expect(isTransientFailure(new JoinError('s', 'UNAVAILABLE', '…'))).toBe(true);
    expect(isTransientFailure(new ServerUnreachableError('http://x', 'ECONNREFUSED'))).toBe(true);
    let calls = 0;
    const refused = withRetries(
      async () => {
        calls++;
        throw new LoginError('x', 401, 'AUTH_FAILED', 'Sai mã');
      },
      { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, random: () => 0 },
    );
    await expect(refused).rejects.toBeInstanceOf(LoginError);
    expect(calls).toBe(1);
    calls = 0;
    const busy = withRetries(
      async () => {
        calls++;
        throw new JoinError('s', 'UNAVAILABLE', 'bận');
      },
      { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, random: () => 0 },
    );
    await expect(busy).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(calls).toBe(3);
  });
});
