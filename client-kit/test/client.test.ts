/**
 * HallClient against a fake socket: resync by seq, delivery of commands (at least once, counted once, recorded only
 * on an ok ack), the connection state union, the server clock, identity from the token, and HTTP login.
 */
import { personalOf, Refusal, sharedDelegateView, viewPatch, withoutCouncil, type CommandAck, type SessionView } from '@hall/core';
import { can } from '../src/can.ts';
import { chair, delegate, startedSession } from './support/fixtures.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HallClient, type CommandStatus, type ConnectionState } from '../src/client.ts';
import { HallError } from '../src/errors.ts';
import { NO_ACK } from './support/fake-socket.ts';
import { DELEGATE_TOKEN, FakeHall, fakeToken, makeClient, MemoryStorage, SESSION, sleep, stubView, until } from './support/fake-hall.ts';

const clients: HallClient[] = [];
function started(options: Parameters<typeof makeClient>[0] = {}, hall?: FakeHall) {
  const made = makeClient(options, hall);
  clients.push(made.client);
  return made;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  vi.unstubAllGlobals();
});

async function joined(options: Parameters<typeof makeClient>[0] = {}, hall?: FakeHall) {
  const made = started(options, hall);
  made.client.connect();
  const view = await made.client.join(SESSION);
  return { ...made, view };
}

describe('[KIT-ROUTE] the handshake names the session', () => {
  it('[KIT-ROUTE-1] joined before connecting, the first handshake names the session; a later join renames it for reconnections; leaving drops it', async () => {
    const { client, socket } = started();
    const joining = client.join(SESSION);
    client.connect();
    const query = socket().opts.query as Record<string, string>;
    expect(query).toEqual({ session: SESSION });
    await joining;
    client.join('other-session').catch(() => undefined);
    // The manager keeps this very object: its next handshake (a reconnection) says the new session.
    expect(socket().opts.query).toBe(query);
    expect(query).toEqual({ session: 'other-session' });
    client.leave();
    expect(query).toEqual({});
  });
});

describe('[KIT-VIEW] views and resync', () => {
  it('[KIT-VIEW-1] join resolves with the server view; the snapshot is stable until a newer view arrives', async () => {
    const { client, hall, socket, view } = await joined();
    expect(view).toBe(hall.current);
    expect(client.view).toBe(view);
    expect(client.view).toBe(client.view);
    expect(hall.joins).toEqual([{ sessionId: SESSION }]);
    const seen: (SessionView | null)[] = [];
    const off = client.subscribe((v) => seen.push(v));
    const next = stubView(11);
    socket().push('session:view', next);
    expect(client.view).toBe(next);
    off();
    socket().push('session:view', stubView(12));
    expect(seen).toEqual([next]);
  });

  it('[KIT-VIEW-8] a tablet completes pushed shared views with its own part and the council from the join answer', async () => {
    const live = startedSession(12, 10);
    const hall = new FakeHall();
    hall.current = live.view('delegate', 'd7');
    const { client, socket } = await joined({}, hall);
    const me = { role: 'delegate', id: 'd7' } as const;
    expect(can(client.view, me, 'floor.request', { requestId: 'r7', purpose: 'speech' }, live.clock + 1000)).toEqual({ ok: true });
    live.must(me, 'floor.request', { requestId: 'r7', purpose: 'speech' });
    // What the server pushes for this state: d7's part (it changed), then the hall's shared view without the council.
    socket().push('session:personal', personalOf(live.snapshot, live.seq, 'd7'));
    socket().push('session:view', withoutCouncil(sharedDelegateView(live.snapshot, live.seq)));
    expect(client.view).toEqual(live.view('delegate', 'd7'));
    expect(client.view?.me?.queuePosition).toBe(1);
    // The restored snapshot answers like the server: a second request while queued is refused.
    expect(can(client.view, me, 'floor.request', { requestId: 'r8', purpose: 'speech' }, live.clock + 1000)).toMatchObject({ ok: false });
    // Another delegate's request changes only the shared view; d7's part is not resent and still holds.
    live.must({ role: 'delegate', id: 'd3' }, 'floor.request', { requestId: 'r3', purpose: 'speech' });
    socket().push('session:view', withoutCouncil(sharedDelegateView(live.snapshot, live.seq)));
    expect(client.view).toEqual(live.view('delegate', 'd7'));
    expect(client.view?.queue).toHaveLength(2);
  });

  it('[KIT-VIEW-2] older pushed views are dropped, newer are taken (whole views may skip seqs)', async () => {
    const { client, socket } = await joined();
    const seen: number[] = [];
    client.subscribe((v) => seen.push(v!.seq));
    socket().push('session:view', stubView(11));
    socket().push('session:view', stubView(9)); // late, older: dropped
    socket().push('session:view', stubView(11)); // same seq: taken (same state)
    socket().push('session:view', stubView(15)); // 12..14 coalesced away: fine
    socket().push('session:view', stubView(14)); // older: dropped
    socket().push('session:view', stubView(7, 'another-session')); // not ours: ignored
    expect(seen).toEqual([11, 11, 15]);
    expect(client.view?.seq).toBe(15);
    expect(client.resyncs).toBe(0);
    expect(client.stats.dropped).toBe(2);
  });

  it('[KIT-VIEW-9] pushed patches become whole views; a patch that misses a push makes the client join again for a whole view', async () => {
    const live = startedSession(12, 10);
    const hall = new FakeHall();
    hall.current = live.view('chair');
    const { client, socket } = await joined({}, hall);
    const wire = () => withoutCouncil(live.view('chair'));
    const first = wire();
    socket().push('session:view', first);
    live.must(chair, 'poll.open', { pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic' });
    const second = wire();
    socket().push('session:patch', JSON.parse(JSON.stringify(viewPatch(first, second))));
    // The app sees the whole view, council included, as if the server had pushed it.
    expect(client.view).toEqual(JSON.parse(JSON.stringify(live.view('chair'))));
    live.must(delegate(1), 'ballot.cast', { pollId: 'p1', choice: 'yes' });
    const third = wire();
    live.must(delegate(2), 'ballot.cast', { pollId: 'p1', choice: 'no' });
    const fourth = wire();
    expect(hall.joins).toHaveLength(1);
    // The push of `third` never came: the patch from it does not fit what the client holds.
    hall.current = live.view('chair');
    socket().push('session:patch', JSON.parse(JSON.stringify(viewPatch(third, fourth))));
    expect(client.resyncs).toBe(1);
    await until(() => hall.joins.length === 2, 'the resync join');
    expect(hall.joins[1]).toEqual({ sessionId: SESSION, lastSeq: second.seq });
    await until(() => client.view?.seq === fourth.seq, 'the whole view of the resync');
    expect(client.view).toEqual(live.view('chair'));
  });

  it('[KIT-VIEW-3] after a reconnect the client re-joins with its last seq and takes the join view', async () => {
    const { client, hall, socket } = await joined();
    socket().push('session:view', stubView(20));
    expect(client.view?.seq).toBe(20);
    socket().drop();
    expect(client.connection).toBe('reconnecting');
    // The server restarted from its journal: its current state is the truth, even at a lower seq than we held.
    hall.current = stubView(18);
    socket().accept();
    await until(() => client.view?.seq === 18, 'the join view');
    expect(hall.joins.at(-1)).toEqual({ sessionId: SESSION, lastSeq: 20 });
    expect(client.connection).toBe('connected');
    expect(client.stats.reconnects).toBe(1);
    // pushes older than the join view are dropped again
    socket().push('session:view', stubView(17));
    expect(client.view?.seq).toBe(18);
  });

  it('[KIT-VIEW-4] a server-side disconnect (restart) is survived: the client reconnects by itself and re-joins', async () => {
    const { client, hall, socket } = await joined();
    const states: ConnectionState[] = [];
    client.onConnection((s) => states.push(s));
    const calls = socket().connectCalls;
    socket().serverDisconnect();
    expect(client.connection).toBe('reconnecting');
    hall.current = stubView(12);
    await until(() => client.connection === 'connected', 'reconnection');
    expect(socket().connectCalls).toBe(calls + 1);
    await until(() => client.view?.seq === 12, 're-join');
    expect(states).toEqual(['reconnecting', 'connected']);
  });

  it('[KIT-VIEW-5] a refused token makes the state unauthorized and the join fails with UNAUTHENTICATED', async () => {
    const { client, factory } = started();
    client.connect();
    const socket = factory.last();
    socket.autoAccept = false;
    const join = client.join(SESSION);
    socket.refuse('UNAUTHENTICATED', 'Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn');
    expect(client.connection).toBe('unauthorized');
    await expect(join).rejects.toMatchObject({ name: 'HallError', code: 'UNAUTHENTICATED' });
  });

  it('[KIT-VIEW-5b] notices reach their listeners; DEVICE_REVOKED signs the client out instead of reconnecting', async () => {
    const { client, socket } = await joined();
    const seen: string[] = [];
    client.onNotice((n) => seen.push(`${n.code}: ${n.message}`));
    socket().push('server:notice', { code: 'SIGNED_IN_ELSEWHERE', message: 'Đã đăng nhập trên thiết bị khác' });
    socket().push('server:notice', null);
    expect(seen).toEqual(['SIGNED_IN_ELSEWHERE: Đã đăng nhập trên thiết bị khác']);
    expect(client.connection).toBe('connected');
    const calls = socket().connectCalls;
    socket().push('server:notice', { code: 'DEVICE_REVOKED', message: 'Thiết bị này đã bị đăng xuất' });
    socket().serverDisconnect();
    expect(client.connection).toBe('unauthorized');
    await sleep(50);
    expect(socket().connectCalls).toBe(calls);
    expect(seen).toHaveLength(2);
  });

  it('[KIT-VIEW-6] the connection state moves through the union; close() is final and offline', async () => {
    const made = started();
    const states: ConnectionState[] = [];
    made.client.onConnection((s) => states.push(s));
    expect(made.client.connection).toBe('offline');
    made.client.connect();
    expect(made.client.connection).toBe('connecting');
    await until(() => made.client.connection === 'connected', 'connected');
    made.socket().drop();
    made.socket().accept();
    made.client.close();
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected', 'offline']);
    expect(made.socket().listeners('connect')).toBe(0);
  });

  it('[KIT-VIEW-7] after unauthorized, setToken signs in again and re-joins; another account’s pending commands are dropped', async () => {
    const { client, factory, hall } = await joined();
    factory.last().drop();
    const mine = client.send('floor.request', { requestId: 'r1', purpose: 'speech' });
    factory.last().refuse('UNAUTHENTICATED');
    expect(client.connection).toBe('unauthorized');
    const chairToken = fakeToken({ sub: 'chutoa.bn', role: 'chair', name: 'Chủ tọa' });
    client.setToken(chairToken);
    expect(client.actor).toEqual({ role: 'chair', id: 'chutoa.bn' });
    await expect(mine.done).resolves.toMatchObject({ state: 'refused', code: 'UNAUTHENTICATED' });
    await until(() => client.connection === 'connected' && hall.joins.length === 2, 're-join with the new token');
    const auth = factory.last().opts.auth as (cb: (data: object) => void) => void;
    let presented: object = {};
    auth((data) => (presented = data));
    // The handshake also says the client applies an ack's own part (the server then skips the repeated push).
    expect(presented).toEqual({ token: chairToken, ownPartInAck: true });
    expect(hall.applied).toHaveLength(0);
  });
});

describe('[KIT-CMD] commands', () => {
  it('[KIT-CMD-1] an ack timeout resends with the same commandId, and the command is recorded exactly once', async () => {
    const { client, hall, socket } = await joined();
    // The first ack is lost after the server applied the command (a Wi-Fi blip on the way back).
    hall.commandHook = (cmd, attempt) => {
      if (attempt === 1) {
        hall.apply(cmd);
        return NO_ACK;
      }
      return undefined;
    };
    const statuses: string[] = [];
    client.onCommand((c) => statuses.push(`${c.status.state}#${c.attempts}`));
    const cmd = client.send('attendance.checkIn', { delegateId: 'd7', channel: 'hall' });
    expect(cmd.status).toEqual({ state: 'sending' });
    expect(cmd.commandId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const final = await cmd.done;
    expect(final).toEqual({ state: 'recorded', seq: 11, duplicate: true });
    expect(cmd.attempts).toBe(2);
    const ids = socket()
      .emitted('session:command')
      .map((args) => (args[0] as { commandId: string }).commandId);
    expect(ids).toEqual([cmd.commandId, cmd.commandId]);
    expect(hall.applied).toHaveLength(1);
    expect(statuses).toEqual(['sending#0', 'sending#1', 'sending#2', 'recorded#2']);
    expect(client.pending()).toEqual([]);
  });

  it('[KIT-CMD-2] a command is never reported recorded without an ok ack: unanswered, it keeps sending', async () => {
    const { client, hall } = await joined();
    hall.commandHook = () => NO_ACK;
    const cmd = client.send('floor.request', { requestId: 'r1', purpose: 'speech' });
    await until(() => cmd.attempts >= 4, 'several attempts');
    expect(cmd.status).toEqual({ state: 'sending' });
    expect(client.pending()).toEqual([cmd]);
    expect(client.pending()).toBe(client.pending());
    hall.commandHook = null;
    await expect(cmd.done).resolves.toMatchObject({ state: 'recorded' });
    expect(hall.applied).toHaveLength(1);
  });

  it('[KIT-CMD-3] sent while offline: stays sending, nothing is emitted, and it is delivered after the reconnect', async () => {
    const { client, hall, socket } = await joined();
    socket().drop();
    const cmd = client.send('ballot.cast', { pollId: 'p1', choice: 'yes' });
    await sleep(60);
    expect(cmd.status.state).toBe('sending');
    expect(cmd.attempts).toBe(0);
    expect(socket().emitted('session:command')).toHaveLength(0);
    socket().accept();
    await expect(cmd.done).resolves.toEqual({ state: 'recorded', seq: 11 });
    expect(hall.applied.map((c) => c.commandId)).toEqual([cmd.commandId]);
    expect(hall.applied[0]).toMatchObject({ sessionId: SESSION, type: 'ballot.cast', payload: { pollId: 'p1', choice: 'yes' } });
  });

  it('[KIT-CMD-4] a connection lost mid-flight resends the same command after the reconnect', async () => {
    const { client, hall, socket } = await joined({ ackTimeoutMs: 5000 });
    hall.commandHook = (cmd, attempt) => (attempt === 1 ? (hall.apply(cmd), NO_ACK) : undefined);
    const cmd = client.send('floor.request', { requestId: 'r9', purpose: 'speech' });
    await until(() => cmd.attempts === 1, 'first attempt');
    socket().drop();
    socket().accept();
    await expect(cmd.done).resolves.toMatchObject({ state: 'recorded', duplicate: true });
    expect(hall.applied).toHaveLength(1);
    expect(cmd.attempts).toBe(2);
  });

  it('[KIT-CMD-5] a refusal carries the code, the reason and the server’s message', async () => {
    const { client, hall } = await joined();
    hall.commandHook = (): CommandAck => ({ ok: false, code: 'REJECTED', reason: 'NOT_PRESENT', message: Refusal.NOT_PRESENT.vi });
    const cmd = client.send('ballot.cast', { pollId: 'p1', choice: 'no' });
    const status = await cmd.done;
    expect(status).toEqual({ state: 'refused', code: 'REJECTED', reason: 'NOT_PRESENT', message: 'Đại biểu chưa điểm danh có mặt' });
    expect(cmd.status).toBe(status);
    expect(client.connection).toBe('connected');
  });

  it('[KIT-CMD-6] RATE_LIMITED is retried after a back-off instead of being reported', async () => {
    const { client, hall } = await joined();
    hall.commandHook = (_cmd, attempt) => (attempt <= 2 ? { ok: false, code: 'RATE_LIMITED', message: 'Thao tác quá nhanh' } : undefined);
    const seen: CommandStatus['state'][] = [];
    const cmd = client.send('floor.request', { requestId: 'r2', purpose: 'speech' });
    client.onCommand((c) => seen.push(c.status.state));
    await expect(cmd.done).resolves.toEqual({ state: 'recorded', seq: 11 });
    expect(cmd.attempts).toBe(3);
    expect(seen).not.toContain('refused');
  });

  it('[KIT-CMD-6b] UNAVAILABLE and OUTCOME_UNKNOWN are retried with the same commandId until the answer is definitive', async () => {
    const { client, hall, socket } = await joined();
    const answers: CommandAck[] = [
      { ok: false, code: 'UNAVAILABLE', message: 'Hệ thống lưu trữ tạm thời không sẵn sàng' },
      { ok: false, code: 'OUTCOME_UNKNOWN', message: 'Chưa xác nhận được' },
    ];
    hall.commandHook = (_cmd, attempt) => answers[attempt - 1];
    const seen: CommandStatus['state'][] = [];
    const cmd = client.send('ballot.cast', { pollId: 'p1', choice: 'yes' });
    client.onCommand((c) => seen.push(c.status.state));
    await expect(cmd.done).resolves.toMatchObject({ state: 'recorded' });
    expect(cmd.attempts).toBe(3);
    expect(seen).not.toContain('refused');
    const ids = socket()
      .emitted('session:command')
      .map((args) => (args[0] as { commandId: string }).commandId);
    expect(new Set(ids)).toEqual(new Set([cmd.commandId]));
    expect(ids).toHaveLength(3);
  });

  it('[KIT-CMD-7] UNAUTHENTICATED refuses the command and marks the connection unauthorized', async () => {
    const { client, hall } = await joined();
    hall.commandHook = () => ({ ok: false, code: 'UNAUTHENTICATED', message: 'Chưa đăng nhập' });
    const cmd = client.send('floor.request', { requestId: 'r3', purpose: 'speech' });
    await expect(cmd.done).resolves.toMatchObject({ state: 'refused', code: 'UNAUTHENTICATED' });
    expect(client.connection).toBe('unauthorized');
  });

  it('[KIT-CMD-8] a payload the server could not parse is refused locally and never sent', async () => {
    const { client, socket } = await joined();
    const cmd = client.send('poll.open', { pollId: 'bad id with spaces', subject: '' } as never);
    expect(cmd.status).toMatchObject({ state: 'refused', code: 'VALIDATION', message: 'Dữ liệu gửi lên không hợp lệ' });
    expect(socket().emitted('session:command')).toHaveLength(0);
  });

  it('[KIT-CMD-9] sending requires a joined session', () => {
    const { client } = started();
    expect(() => client.send('session.start', {})).toThrow(/join/);
  });

  it('[KIT-CMD-10] undelivered commands survive a reload through storage, for the same account only', async () => {
    const storage = new MemoryStorage();
    const first = await joined({ storage });
    first.socket().drop();
    const cmd = first.client.send('ballot.cast', { pollId: 'p1', choice: 'abstain' });
    first.client.close();
    expect(storage.getItem('hall.pendingCommands.v1')).toContain(cmd.commandId);

    // another account on the same tablet does not inherit it
    const other = started({ storage, token: fakeToken({ sub: 'bn-d008', role: 'delegate', delegateId: 'd8', name: 'B' }) });
    expect(other.client.pending()).toEqual([]);

    const hall = new FakeHall();
    const second = started({ storage }, hall);
    const [restored] = second.client.pending();
    expect(restored).toMatchObject({ commandId: cmd.commandId, type: 'ballot.cast', payload: { pollId: 'p1', choice: 'abstain' }, status: { state: 'sending' } });
    second.client.connect();
    await expect(restored!.done).resolves.toEqual({ state: 'recorded', seq: 11 });
    expect(hall.applied.map((c) => c.commandId)).toEqual([cmd.commandId]);
    await until(() => storage.getItem('hall.pendingCommands.v1') === null, 'storage cleared');
  });

  it('[KIT-CMD-11] a ballot ack carrying the voter\'s own part shows their choice before the command resolves, with no push', async () => {
    const live = startedSession(12, 10);
    live.must(chair, 'poll.open', { pollId: 'p1', subject: 'Nghị quyết', kind: 'motion', mode: 'electronic' });
    const hall = new FakeHall();
    hall.current = live.view('delegate', 'd7');
    const { client, socket } = await joined({}, hall);
    socket().push('session:view', withoutCouncil(sharedDelegateView(live.snapshot, live.seq)));
    expect(client.view?.poll?.mine).toEqual({ cast: false });
    // The server applies the ballot and answers with d7's part of the state it left; it pushes no part (the ack had it).
    hall.commandHook = () => {
      live.must(delegate(7), 'ballot.cast', { pollId: 'p1', choice: 'yes' });
      return { ok: true, seq: live.seq, personal: personalOf(live.snapshot, live.seq, 'd7') } satisfies CommandAck;
    };
    let shownWhenDone: unknown;
    const cmd = client.send('ballot.cast', { pollId: 'p1', choice: 'yes' });
    void cmd.done.then(() => (shownWhenDone = client.view?.poll?.mine));
    await expect(cmd.done).resolves.toEqual({ state: 'recorded', seq: live.seq });
    expect(shownWhenDone).toEqual({ cast: true, choice: 'yes' });
    // The shared view it completes is still the one pushed before the ballot (its count comes with the next push).
    expect(client.view?.poll?.castCount).toBe(0);
    expect(client.view?.me?.delegateId).toBe('d7');
  });
});

describe('[KIT-CLOCK] server clock', () => {
  it('[KIT-CLOCK-1] the offset comes from the round with the smallest round trip', async () => {
    let clientNow = 1_000_000;
    const trueOffset = 2000;
    // uplink/downlink delays per round: rtt 100 (estimate 2030), rtt 10 (estimate 2000), rtt 70 (estimate 1975)
    const legs = [
      [80, 20],
      [5, 5],
      [10, 60],
    ];
    let round = 0;
    const hall = new FakeHall();
    hall.serverClock = () => clientNow + trueOffset;
    hall.syncHook = () => {
      clientNow += legs[round]![0]!;
    };
    hall.afterSyncHook = () => {
      clientNow += legs[round]![1]!;
      round++;
    };
    const { client } = started({ now: () => clientNow }, hall);
    client.connect();
    await until(() => client.rttMs !== null, 'clock sync');
    expect(round).toBe(3);
    expect(client.rttMs).toBe(10);
    expect(client.clockOffsetMs).toBe(2000);
    expect(client.serverNow()).toBe(clientNow + 2000);
  });
});

describe('[KIT-AUTH] identity and login', () => {
  it('[KIT-AUTH-1] the actor comes from the token claims, as the gateway maps them', () => {
    const make = (claims: Record<string, unknown>) => new HallClient({ baseUrl: 'http://h', token: fakeToken(claims) });
    expect(new HallClient({ baseUrl: 'http://h', token: DELEGATE_TOKEN }).actor).toEqual({ role: 'delegate', id: 'd7' });
    expect(new HallClient({ baseUrl: 'http://h', token: DELEGATE_TOKEN }).claims?.name).toBe('Nguyễn Thị Hằng');
    expect(make({ sub: 'chutoa.bn', role: 'chair', name: 'Chủ tọa' }).actor).toEqual({ role: 'chair', id: 'chutoa.bn' });
    expect(make({ sub: 'thuky.bn', role: 'secretary', name: 'Thư ký' }).actor).toEqual({ role: 'secretary', id: 'thuky.bn' });
    expect(make({ sub: 'wall.bn', role: 'display', name: 'Màn hình' }).actor).toBeNull();
    expect(make({ sub: 'admin', role: 'admin', name: 'Quản trị' }).actor).toBeNull();
    expect(new HallClient({ baseUrl: 'http://h', token: null }).actor).toBeNull();
    expect(new HallClient({ baseUrl: 'http://h', token: 'garbage' }).actor).toBeNull();
  });

  it('[KIT-AUTH-2] login returns the token and claims; failures are HallErrors with the server’s Vietnamese words', async () => {
    const claims = { sub: 'bn-d001', role: 'delegate', delegateId: 'bn-d001', councilIds: ['bn'], name: 'A', exp: 1 };
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify({ ok: true, token: 'x.y', claims }), { status: 200 }))
      .mockResolvedValueOnce(new Response(JSON.stringify({ ok: false, code: 'AUTH_FAILED', message: 'Sai mã đại biểu hoặc mã cá nhân' }), { status: 401 }))
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ ok: false, code: 'THROTTLED', message: 'Đăng nhập sai quá nhiều lần, thử lại sau 42 giây', retryAfterSec: 42 }), { status: 429 }),
      )
      .mockResolvedValueOnce(new Response(JSON.stringify({ statusCode: 400, code: 'FST_ERR_VALIDATION', message: 'body must have property secret' }), { status: 400 }))
      .mockRejectedValueOnce(new TypeError('fetch failed'));
    vi.stubGlobal('fetch', fetchMock);

    await expect(HallClient.login('http://h/', 'code', 'bn-d001', '100001')).resolves.toEqual({ token: 'x.y', claims });
    expect(fetchMock.mock.calls[0]![0]).toBe('http://h/api/auth/login');
    expect(JSON.parse(fetchMock.mock.calls[0]![1].body as string)).toEqual({ kind: 'code', id: 'bn-d001', secret: '100001' });
    await expect(HallClient.login('http://h', 'code', 'bn-d001', 'x')).rejects.toMatchObject({ code: 'AUTH_FAILED', message: 'Sai mã đại biểu hoặc mã cá nhân', status: 401 });
    const throttled = await HallClient.login('http://h', 'code', 'bn-d001', 'x').catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(HallError);
    expect(throttled).toMatchObject({ code: 'THROTTLED', retryAfterSec: 42, message: 'Đăng nhập sai quá nhiều lần, thử lại sau 42 giây' });
    await expect(HallClient.login('http://h', 'code', 'bn-d001', '')).rejects.toMatchObject({ code: 'VALIDATION', message: 'Dữ liệu gửi lên không hợp lệ' });
    await expect(HallClient.redeemLink('http://h', 'qr-token-123')).rejects.toMatchObject({ code: 'NETWORK' });
    expect(fetchMock.mock.calls[4]![0]).toBe('http://h/api/auth/link');
  });
});
