/**
 * [E2E-12c] A hybrid sitting in Chromium with two fake cameras (issue 12 item 11), on an in-process Hall with the
 * werift hub. The council's rules profile allows remote participation. The hall camera page publishes 800×450; a
 * delegate checks in online from their tablet and sees the hall. The chair gives that delegate the floor: the tablet
 * sends its camera and microphone (640×360), and the hall wall (`?video=1`) and the public /live/ page switch to
 * them while the delegate keeps seeing the hall (the remote speaker is one more source of the session's program);
 * the chair pins the hall camera and returns to automatic; when the floor ends the program is the hall again and the
 * tablet stops sending.
 *
 * The two pictures are told apart by their size (the fake device draws the same pattern for both). Every wait is on a
 * state, with timeouts sized for a loaded 2-core machine.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_DEVICE_TOKEN } from '../../server/src/seed/demo.ts';
import { login, type TestClient } from '../../server/test/support/hall.ts';
import { screenshot } from '../support/browser.ts';
import { delegateId, delegateLogin, dumpPages, newPage, SESSION, visible } from '../support/e2e.ts';
import { closeOnAirSitting, startOnAirSitting, type MediaHall } from '../support/media.ts';

const MEDIA_TIMEOUT = 120_000;
const REMOTE = 61;

let h: MediaHall;
let browser: Browser;
let chairBot: TestClient;
let bots: Map<number, TestClient>;
let camera: Page;
let tablet: Page;
let wall: Page;
let live: Page;
let udpBefore: Set<string>;

/** Width of the picture a page's video element decodes now (0 when none). */
const width = (page: Page, selector: string) => page.evaluate((sel) => (document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0, selector);

/**
 * Chromium's encoder scales a loaded machine's camera down by WebRTC's steps (3/4, 1/2, 3/8, 1/4): a picture is the
 * source's at any of them. The two sources' sets (800: 600, 400, 300, 200; 640: 480, 320, 240, 160) never meet.
 */
const SCALES = [1, 3 / 4, 1 / 2, 3 / 8, 1 / 4];
const fromSource = (seen: number, source: number) => SCALES.some((k) => Math.round(source * k) === seen);

async function shows(page: Page, selector: string, want: number, what: string) {
  await expect.poll(async () => fromSource(await width(page, selector), want), { timeout: MEDIA_TIMEOUT, interval: 250, message: what }).toBe(true);
}

beforeAll(async () => {
  ({ h, browser, chairBot, bots, udpBefore } = await startOnAirSitting(async (hall) => {
    // The council has decided to allow remote participation (docs/rules.md: off by default, not confirmed in law).
    const council = (await hall.hall.store.catalog.getCouncil('bac-ninh'))!;
    await hall.hall.store.catalog.putCouncil({ ...council, profile: { ...council.profile, remoteParticipation: true } });
  }));
}, 180_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await dumpPages({ camera, tablet, wall, live });
});

afterAll(() => closeOnAirSitting({ h, browser, chairBot, bots, udpBefore }), 60_000);

describe('hybrid sitting', () => {
  it('[E2E-12c] a remote delegate given the floor is on the wall and the public program, sees the hall, and the chair can override', { timeout: 600_000 }, async () => {
    const base = h.baseUrl;
    const deviceToken = await login(base, 'device', 'wall.bn', DEMO_DEVICE_TOKEN);
    const chairToken = await login(base, 'password', 'chutoa.bn', 'demo123');
    const setProgram = async (source: string) => {
      const res = await fetch(`${base}/api/media/sessions/${SESSION}/program`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${chairToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };

    // Fake camera 1: the hall.
    camera = await newPage(browser, 'desktop');
    await camera.goto(`${base}/camera?session=${SESSION}&token=${encodeURIComponent(deviceToken)}&w=800&h=450`);
    await expect.poll(() => camera.evaluate(() => (window as unknown as { hallMedia?: { publishing?: boolean } }).hallMedia?.publishing === true), { timeout: MEDIA_TIMEOUT }).toBe(true);

    // The hall wall with the program picture, and the public page.
    wall = await newPage(browser, 'wall');
    await wall.goto(`${base}/wall/?session=${SESSION}&video=1`);
    await wall.getByLabel('Tên thiết bị').fill('wall.bn');
    await wall.getByLabel('Mã thiết bị').fill(DEMO_DEVICE_TOKEN);
    await wall.getByRole('button', { name: 'Đăng nhập' }).click();
    live = await newPage(browser, 'desktop');
    await live.goto(`${base}/live/?session=${SESSION}`);
    await shows(wall, '.player video', 800, 'the wall shows the hall');
    await shows(live, '.player video', 800, 'the public page shows the hall');

    // The remote delegate checks in online on their tablet (fake camera 2) and sees the hall.
    tablet = await newPage(browser, 'tablet');
    await delegateLogin(tablet, base, REMOTE);
    await tablet.getByRole('button', { name: 'Điểm danh trực tuyến' }).click();
    const stage = tablet.getByRole('region', { name: 'Tham dự trực tuyến' });
    await visible(stage, MEDIA_TIMEOUT);
    await shows(tablet, '.remote__hall video', 800, 'the tablet shows the hall');
    await visible(stage.getByText('Khi chủ tọa mời bạn phát biểu', { exact: false }));

    // The chair gives the floor to the remote delegate: their tablet sends, the wall and the public page show them.
    await chairBot.must('floor.give', { speechId: 'e2e12c-sp-1', speaker: { kind: 'delegate', id: delegateId(REMOTE) }, purpose: 'speech' });
    await visible(stage.getByText('Hội trường đang thấy và nghe bạn', { exact: true }), MEDIA_TIMEOUT);
    await shows(live, '.player video', 640, 'the public page switched to the remote speaker');
    await shows(wall, '.player video', 640, 'the wall switched to the remote speaker');
    // The speaker still sees the hall (not themselves) and their own preview.
    await shows(tablet, '.remote__hall video', 800, 'the speaker sees the hall');
    await shows(tablet, '.remote__self video', 640, 'the speaker sees their own preview');
    const status = await (await fetch(`${base}/api/media/status`)).json();
    expect(status.sessions.find((s: { sessionId: string }) => s.sessionId === SESSION).program).toMatchObject({ shown: 'remote', choice: 'auto', remoteLive: true });
    await screenshot(tablet, 'hybrid-tablet-speaking');
    await screenshot(wall, 'hybrid-wall-remote-speaker');

    // The chair overrides: the hall camera pinned on the program while the remote delegate still has the floor; then
    // automatic. The remote speaker is one more source of the session's program, beside the hall camera.
    const sources: { id: string }[] = status.sessions.find((s: { sessionId: string }) => s.sessionId === SESSION).sources;
    expect(sources.map((x) => x.id)).toContain('remote');
    const hallCamera = sources.find((x) => x.id !== 'remote')!.id;
    await setProgram(hallCamera);
    await shows(live, '.player video', 800, 'override: the hall');
    await setProgram('auto');
    await expect.poll(() => h.media.hub.stats(SESSION)?.programSourceId, { timeout: MEDIA_TIMEOUT }).toBe('remote');
    await shows(live, '.player video', 640, 'automatic: the remote speaker again');

    // The floor ends: the hall is back on the program and the tablet stops sending.
    await chairBot.must('floor.stop', {});
    await shows(live, '.player video', 800, 'the hall again after the floor');
    await shows(wall, '.player video', 800, 'the wall shows the hall again');
    await expect.poll(() => tablet.evaluate(() => (window as unknown as { hallRemote?: { publishing?: boolean } }).hallRemote?.publishing), { timeout: MEDIA_TIMEOUT }).toBe(false);
    expect(await tablet.locator('.remote__self').count()).toBe(0);
    await expect.poll(() => h.media.hub.stats(SESSION)?.sources.map((x) => x.id).includes('remote'), { timeout: MEDIA_TIMEOUT }).toBe(false);
    expect(h.media.hub.stats(SESSION)?.programSourceId).toBe(hallCamera);
  });
});
