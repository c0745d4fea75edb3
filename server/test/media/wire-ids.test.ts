/**
 * Hostile session ids on the `media:*` wire, on a real Hall (werift hub): the hub, the outputs and the HLS URLs build
 * paths from a session id, so an id that core's rule (`PATH_ID`) refuses — `..`, `.`, a slash — must be answered
 * with the stable VALIDATION refusal before any of them sees it, and the server keeps serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { DEMO_STAFF_PASSWORD } from '../../src/seed/demo.ts';
import { login } from '../support/hall.ts';
import { mediaSocket, startMediaHall, type MediaHall } from './support.ts';

const SESSION = 'td-kh10';
const HOSTILE = ['..', '.', '../td-kh10', 'td-kh10/..', 'a\\b', ''];
let h: MediaHall;
const sockets: Socket[] = [];

beforeAll(async () => {
  h = await startMediaHall();
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await h?.close();
}, 60_000);

describe('media wire ids', () => {
  it("[MEDIA-9] a session id core's rule refuses ('..', '.', a slash) gets VALIDATION on every media event; nothing crashes", { timeout: 60_000 }, async () => {
    const chair = await mediaSocket(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD), sockets);
    const offer = { type: 'offer', sdp: 'v=0\r\nnot really an sdp\r\n' };
    for (const sessionId of HOSTILE) {
      expect(await chair.timeout(5000).emitWithAck('media:info', { sessionId })).toMatchObject({ ok: false, code: 'VALIDATION', message: 'Yêu cầu không hợp lệ.' });
      expect(await chair.timeout(5000).emitWithAck('media:signal', { sessionId, role: 'publisher', message: offer })).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect(await chair.timeout(5000).emitWithAck('media:signal', { sessionId, role: 'viewer', message: offer })).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect(await chair.timeout(5000).emitWithAck('media:leave', { sessionId })).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect(await chair.timeout(5000).emitWithAck('media:keyframe', { sessionId })).toMatchObject({ ok: false, code: 'VALIDATION' });
    }
    // No broadcast was made for any of them, and the same socket and the server still answer.
    expect(HOSTILE.some((id) => h.media.hub.hasBroadcast(id))).toBe(false);
    expect(chair.connected).toBe(true);
    expect(await chair.timeout(5000).emitWithAck('media:info', { sessionId: SESSION })).toMatchObject({ ok: true, sessionId: SESSION, canPublish: true });
    expect((await fetch(`${h.baseUrl}/api/media/status`)).status).toBe(200);
  });
});
