/**
 * The kit against the real server (buildApp, embedded store, demo seed): log in over HTTP, join over Socket.IO, a
 * chair's command changes the delegate's view, `can()` agrees with the server, and a server-side disconnect of every
 * socket (what a restart does) is survived — reconnect, re-join, and a command sent meanwhile is delivered once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHall, type RunningHall } from '../../server/test/support/hall.ts';
import { can } from '../src/can.ts';
import { HallClient, type ConnectionState } from '../src/client.ts';
import { until } from './support/fake-hall.ts';

const SESSION = 'bn-kh12';
let h: RunningHall;
const clients: HallClient[] = [];

function client(token: string) {
  const c = new HallClient({ baseUrl: h.baseUrl, token, reconnectionDelayMs: 100, reconnectionDelayMaxMs: 500, ackTimeoutMs: 3000 });
  clients.push(c);
  c.connect();
  return c;
}

beforeAll(async () => {
  h = await startHall();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await h?.close();
});

describe('[KIT-INT] against the real server', () => {
  it('[KIT-INT-1] login, join, check in, and survive a server-side disconnect', async () => {
    const d = await HallClient.login(h.baseUrl, 'code', 'bn-d001', '100001');
    expect(d.claims).toMatchObject({ role: 'delegate', delegateId: 'bn-d001' });
    const c = await HallClient.login(h.baseUrl, 'password', 'chutoa.bn', 'demo123');
    await expect(HallClient.login(h.baseUrl, 'code', 'bn-d001', '000000')).rejects.toMatchObject({ code: 'AUTH_FAILED', message: 'Sai mã đại biểu hoặc mã cá nhân' });

    const delegate = client(d.token);
    const chair = client(c.token);
    expect(delegate.actor).toEqual({ role: 'delegate', id: 'bn-d001' });
    expect(chair.actor).toEqual({ role: 'chair', id: 'chutoa.bn' });

    const first = await delegate.join(SESSION);
    expect(first).toMatchObject({ audience: 'delegate', sessionId: SESSION, phase: 'scheduled' });
    expect(first.me?.attendance).toBe('unknown');
    await chair.join(SESSION);
    await until(() => delegate.rttMs !== null, 'clock sync');
    expect(Math.abs(delegate.clockOffsetMs)).toBeLessThan(1000);

    const checkIn = { delegateId: 'bn-d001', channel: 'hall' } as const;
    expect(can(delegate.view, delegate.actor, 'attendance.checkIn', checkIn, delegate.serverNow())).toMatchObject({ ok: false, reason: 'WRONG_STATE' });
    expect(can(chair.view, chair.actor, 'session.openCheckIn', {}, chair.serverNow())).toEqual({ ok: true });

    const open = chair.send('session.openCheckIn', {});
    expect(await open.done).toMatchObject({ state: 'recorded' });
    await until(() => delegate.view?.phase === 'checkIn', 'the delegate sees the roll call open', 5000);
    expect(can(delegate.view, delegate.actor, 'attendance.checkIn', checkIn, delegate.serverNow())).toEqual({ ok: true });
    // a delegate can only act for themself — the server agrees with can()
    expect(can(delegate.view, delegate.actor, 'attendance.checkIn', { delegateId: 'bn-d002', channel: 'hall' })).toMatchObject({ reason: 'NOT_YOURSELF' });
    const refused = await delegate.send('attendance.checkIn', { delegateId: 'bn-d002', channel: 'hall' }).done;
    expect(refused).toMatchObject({ state: 'refused', code: 'FORBIDDEN', reason: 'NOT_YOURSELF', message: 'Đại biểu chỉ được thao tác cho chính mình' });

    const mine = delegate.send('attendance.checkIn', checkIn);
    expect(await mine.done).toMatchObject({ state: 'recorded' });
    // Their own part came with the ack, so they see themself present at once; the hall's count with the next push.
    expect(delegate.view?.me?.attendance).toBe('present');
    await until(() => delegate.view?.attendance?.present === 1, 'the delegate sees the hall count them', 5000);

    // What a restart does to every connection: the server closes them ("io server disconnect").
    const states: ConnectionState[] = [];
    delegate.onConnection((s) => states.push(s));
    const seqBefore = delegate.view!.seq;
    h.hall.io.local.disconnectSockets(true);
    await until(() => chair.connection !== 'connected' && delegate.connection !== 'connected', 'both clients notice', 5000);

    // Sent while disconnected: not recorded yet, delivered after the reconnect, applied once.
    const correction = chair.send('attendance.set', { delegateId: 'bn-d002', status: 'absentExcused', note: 'Đi công tác' });
    expect(correction.status).toEqual({ state: 'sending' });

    await until(() => chair.connection === 'connected' && delegate.connection === 'connected', 'both reconnect', 10_000);
    expect(await correction.done).toMatchObject({ state: 'recorded', seq: seqBefore + 1 });
    await until(() => delegate.view?.attendance?.absentExcused === 1, 'the delegate sees the correction', 5000);
    expect(delegate.view?.seq).toBe(seqBefore + 1);
    expect(states).toEqual(['reconnecting', 'connected']);
    expect(delegate.stats.reconnects).toBe(1);

    // and keeps working after the reconnect
    const again = delegate.send('floor.request', { requestId: 'r-int-1', purpose: 'speech' });
    expect(await again.done).toMatchObject({ state: 'refused', reason: 'WRONG_STATE' });
    const stillPresent = delegate.send('attendance.checkIn', checkIn);
    expect(await stillPresent.done).toMatchObject({ state: 'recorded' });
  }, 60_000);

  it('[KIT-INT-2] a bad token is unauthorized; the public joins read-only with no snapshot to ask', async () => {
    const bad = client('bm90LWEtdG9rZW4.x');
    await until(() => bad.connection === 'unauthorized', 'refusal', 5000);

    const anon = new HallClient({ baseUrl: h.baseUrl, token: null });
    clients.push(anon);
    anon.connect();
    const view = await anon.join(SESSION);
    expect(view.audience).toBe('public');
    expect(view.snapshot).toBeUndefined();
    expect(anon.actor).toBeNull();
    expect(can(view, anon.actor, 'floor.request', { requestId: 'x1', purpose: 'speech' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const cmd = anon.send('floor.request', { requestId: 'r-anon-1', purpose: 'speech' });
    expect(await cmd.done).toMatchObject({ state: 'refused', code: 'UNAUTHENTICATED' });
    expect(anon.connection).toBe('unauthorized');
  }, 30_000);
});
