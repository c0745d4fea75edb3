/**
 * The server closes an adjourned sitting's room once nobody uses or follows it (HALL_ROOM_IDLE_MS), through real
 * sockets: a screen still open keeps it, and whoever comes back later finds the sitting as it was, from the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF_PASSWORD } from '../../src/seed/demo.ts';
import { login, startHall, TestClient, type RunningHall } from '../support/hall.ts';

const SESSION = 'bn-kh12';
let h: RunningHall;

beforeAll(async () => {
  h = await startHall({ HALL_ROOM_IDLE_MS: '1000' });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const isOpen = async () => (await h.hall.registry.openRooms()).some((room) => room.sessionId === SESSION);
/** Waits (bounded by checks, not by a clock assertion) until the room's presence is `open`. */
async function until(open: boolean) {
  for (let k = 0; k < 600 && (await isOpen()) !== open; k++) await new Promise((r) => setTimeout(r, 100));
  return isOpen();
}

describe('[RETIRE-APP] adjourned sittings leave the server', () => {
  it('[RETIRE-APP-1] kept while a wall shows it; closed once everyone left; reopened as it was, a retried command answered from the journal', async () => {
    const token = await login(h.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD);
    const chair = await TestClient.connect(h.baseUrl, token, SESSION);
    const wall = await TestClient.connect(h.baseUrl, null, SESSION);
    await chair.must('session.openCheckIn', {});
    const adjournId = 'retire-app-adjourn-1';
    const adjourned = await chair.send('session.adjourn', {}, adjournId);
    expect(adjourned).toMatchObject({ ok: true });
    chair.close();

    // Several retire sweeps pass (one a second here) while the public page is open: the room stays.
    await new Promise((r) => setTimeout(r, 3500));
    expect(await isOpen()).toBe(true);
    wall.close();
    expect(await until(false)).toBe(false);

    const back = await TestClient.connect(h.baseUrl, token, SESSION);
    expect(await isOpen()).toBe(true);
    expect(back.view!.phase).toBe('adjourned');
    expect(back.view!.seq).toBe((adjourned as { seq: number }).seq);
    expect(await back.send('session.adjourn', {}, adjournId)).toEqual({ ...adjourned, duplicate: true });
    back.close();
  }, 120_000);
});
