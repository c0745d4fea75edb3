/**
 * Hybrid sittings on a real Hall (werift hub): who may publish as the remote speaker (media role `speaker`). Only a
 * delegate attending remotely who holds the floor, in a council whose rules profile allows remote participation;
 * never a delegate in the hall, another remote delegate, the public, or anyone once the floor moved on — and with the
 * profile off nobody can even attend remotely. Authorization is told apart from the hub's own check by the answer to
 * a message that passes the schema but is no WebRTC offer: FORBIDDEN (refused by policy) vs BAD_SIGNAL (authorized,
 * then refused by the hub).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { DEMO_STAFF_PASSWORD, demoDelegateCode } from '../../src/seed/demo.ts';
import { login, TestClient } from '../support/hall.ts';
import { mediaSocket, startMediaHall, type MediaHall } from './support.ts';

const SESSION = 'td-kh10';
const offer = { type: 'offer', sdp: 'v=0\r\nnot really an sdp\r\n' };
let h: MediaHall;
let chair: TestClient;
const sockets: Socket[] = [];

async function delegateSocket(id: string): Promise<Socket> {
  return mediaSocket(h.baseUrl, await login(h.baseUrl, 'code', id, demoDelegateCode(id)!), sockets);
}

const speak = (s: Socket) => s.timeout(10_000).emitWithAck('media:signal', { sessionId: SESSION, role: 'speaker', message: offer });

beforeAll(async () => {
  h = await startMediaHall();
  // Tiên Du has decided to allow remote participation; Bắc Ninh keeps the default (off).
  const council = (await h.hall.store.catalog.getCouncil('tien-du'))!;
  await h.hall.store.catalog.putCouncil({ ...council, profile: { ...council.profile, remoteParticipation: true } });
  chair = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD), SESSION);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  chair?.close();
  await h?.close();
}, 60_000);

describe('remote speaker', () => {
  it('[MEDIA-7] only the remote delegate holding the floor may publish as the speaker, and only while the profile allows it', { timeout: 120_000 }, async () => {
    // Profile off (the default, Bắc Ninh): remote attendance itself is refused.
    const bnChair = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD), 'bn-kh12');
    await bnChair.must('session.openCheckIn', {});
    expect(await bnChair.send('attendance.checkIn', { delegateId: 'bn-d001', channel: 'remote' })).toMatchObject({ ok: false, reason: 'REMOTE_NOT_ALLOWED' });
    bnChair.close();

    await chair.must('session.openCheckIn', {});
    for (let i = 1; i <= 23; i++) await chair.must('attendance.checkIn', { delegateId: `td-d${String(i).padStart(3, '0')}`, channel: 'hall' });
    await chair.must('attendance.checkIn', { delegateId: 'td-d024', channel: 'remote' });
    await chair.must('attendance.checkIn', { delegateId: 'td-d025', channel: 'remote' });
    await chair.must('session.start', {});

    const remote = await delegateSocket('td-d025');
    const otherRemote = await delegateSocket('td-d024');
    const inHall = await delegateSocket('td-d001');
    const anon = await mediaSocket(h.baseUrl, null, sockets);

    // Nobody holds the floor: nobody may speak.
    expect(await speak(remote)).toMatchObject({ ok: false, code: 'FORBIDDEN' });

    // A delegate in the hall holds the floor: still nobody (they are seen by the hall camera).
    await chair.must('floor.give', { speechId: 'rs-1', speaker: { kind: 'delegate', id: 'td-d001' }, purpose: 'speech' });
    expect(await speak(inHall)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await speak(remote)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await chair.must('floor.stop', {});

    // The remote delegate holds the floor: they pass authorization; another remote delegate and the public do not.
    await chair.must('floor.give', { speechId: 'rs-2', speaker: { kind: 'delegate', id: 'td-d025' }, purpose: 'speech' });
    expect(await speak(remote)).toMatchObject({ ok: false, code: 'BAD_SIGNAL' });
    expect(await speak(otherRemote)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await anon.timeout(10_000).emitWithAck('media:signal', { sessionId: SESSION, role: 'speaker', message: offer })).toMatchObject({ ok: false, code: 'FORBIDDEN' });

    await expect.poll(() => h.media.follower.remote.size, { timeout: 30_000 }).toBe(1);

    // The floor moves on: refused again, and nothing is kept about the former speaker.
    await chair.must('floor.stop', {});
    expect(await speak(remote)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await expect.poll(() => h.media.follower.remote.size, { timeout: 30_000 }).toBe(0);
    const status = (await (await fetch(`${h.baseUrl}/api/media/status`)).json()) as { sessions: { sessionId: string; program: unknown }[] };
    expect(status.sessions.find((s) => s.sessionId === SESSION)?.program).toEqual({ shown: 'hall', choice: 'auto', remoteLive: false });
  });
});
