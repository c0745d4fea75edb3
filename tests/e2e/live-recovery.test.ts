/**
 * Broadcast faults in Chromium, on an in-process Hall with the werift hub and the ffmpeg HLS packager (issue 12):
 *
 * [E2E-12a] The public player never lies. The hall encoder (ffmpeg sending VP8 over RTP into the hub) stalls while
 *   its ingest stays open (SIGSTOP): the /live/ page covers the frozen frame with “Mất tín hiệu”, drops the
 *   “● TRỰC TIẾP” badge and hides the overlays; frames again (SIGCONT) → it plays live again. Then the viewer's WebRTC path
 *   breaks (the hub drops the peer and refuses new ones, as a network that blocks UDP would): the page falls back to
 *   HLS, whose overlays wait the HLS latency (a speaker given the floor shows no sooner than the page's delay after
 *   the view came); once WebRTC works again the page returns to it by itself.
 * [E2E-12b] The camera page republishes by itself: after the server drops its ingest, after the server closes its
 *   connection; a second device publishing the same camera takes over at once, the first page says so (Vietnamese
 *   first), waits and offers to take the camera back (one press does); when the device holding the camera closes,
 *   the waiting page takes over by itself.
 *
 * Every wait is on a state (page hooks, the DOM, the hub's stats), with timeouts sized for a loaded 2-core box.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { ffmpegTestSource, killTestProcesses } from '../../media/test/support.ts';
import { DEMO_DEVICE_TOKEN } from '../../server/src/seed/demo.ts';
import { MediaError, type MediaHub } from '../../server/src/media/lib.ts';
import { login, type TestClient } from '../../server/test/support/hall.ts';
import { screenshot } from '../support/browser.ts';
import { dumpPages, newPage, SESSION, visible } from '../support/e2e.ts';
import { closeOnAirSitting, startOnAirSitting, type MediaHall } from '../support/media.ts';

const MEDIA_TIMEOUT = 120_000;

interface LiveHook {
  player?: { phase: string; tech: string | null; hlsReason: string | null; latencyMs: number | null };
  delayMs?: number;
  arrivals?: { seq: number; at: number }[];
  speakerSeen?: { name: string; at: number; delayMs: number; tech: string | null };
}
interface CameraHook {
  publishing?: boolean;
  republished?: number;
  lost?: string | null;
  status?: string;
}

let h: MediaHall;
let browser: Browser;
let chairBot: TestClient;
let bots: Map<number, TestClient>;
let deviceToken: string;
let camera: Page;
let camera2: Page | undefined;
let live: Page;
let udpBefore: Set<string>;

const liveHook = (page: Page) => page.evaluate(() => (window as unknown as { hallLive?: LiveHook }).hallLive ?? {}) as Promise<LiveHook>;
const cameraHook = (page: Page) => page.evaluate(() => (window as unknown as { hallMedia?: CameraHook }).hallMedia ?? {}) as Promise<CameraHook>;

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeout = MEDIA_TIMEOUT): Promise<T> {
  await expect.poll(async () => ok(await read()), { timeout, interval: 250, message: what }).toBe(true);
  return read();
}

const player = (page: Page) => page.getByRole('region', { name: 'Khung phát video kỳ họp' });
const hub = (): MediaHub => h.media.hub;
const ingest = () => hub().stats(SESSION)?.ingest ?? null;

/**
 * Camera pages are sources of their own; one replaces another only under the same source name, which the page keeps
 * in sessionStorage — as a duplicated tab (or a second PC set up like the first) does.
 */
async function openCamera(sourceName = 'cam-main'): Promise<Page> {
  const page = await newPage(browser, 'desktop');
  await page.addInitScript((name) => sessionStorage.setItem('hall.cameraSource', name), sourceName);
  await page.goto(`${h.baseUrl}/camera?session=${SESSION}&token=${encodeURIComponent(deviceToken)}&source=clock&fps=25`);
  await until('camera publishing', () => cameraHook(page), (c) => c.publishing === true);
  return page;
}

beforeAll(async () => {
  ({ h, browser, chairBot, bots, udpBefore } = await startOnAirSitting());
  deviceToken = await login(h.baseUrl, 'device', 'wall.bn', DEMO_DEVICE_TOKEN);
}, 180_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await dumpPages({ camera, camera2, live });
});

afterAll(async () => {
  await killTestProcesses();
  await closeOnAirSitting({ h, browser, chairBot, bots, udpBefore });
}, 60_000);

describe('broadcast faults', () => {
  it('[E2E-12a] a stalled picture shows “Mất tín hiệu”, a broken WebRTC falls back to HLS with delayed overlays, and WebRTC comes back', { timeout: 600_000 }, async () => {
    // The hall's encoder: a VP8 test card over RTP into the hub.
    await hub().createBroadcast(SESSION, { videoCodec: h.media.config.videoCodec });
    const rtp = await hub().ingestRtp(SESSION, { audio: false });
    const encoder: ChildProcess = ffmpegTestSource({ video: rtp.ffmpegOutput('video') }, '640x360', 25);
    live = await newPage(browser, 'desktop');
    await live.goto(`${h.baseUrl}/live/?session=${SESSION}`);
    await until('WebRTC playing', () => liveHook(live), (x) => x.player?.tech === 'webrtc' && x.player.phase === 'playing');
    await visible(player(live).getByText('● TRỰC TIẾP'));

    // The encoder stalls: no packets, the ingest stays open (so the hub still calls the feed live).
    encoder.kill('SIGSTOP');
    await visible(player(live).getByText('Mất tín hiệu', { exact: true }), MEDIA_TIMEOUT);
    expect(await player(live).getByText('● TRỰC TIẾP').count()).toBe(0);
    expect(await player(live).getAttribute('data-phase')).toBe('stale');
    await expect.poll(() => live.locator('.overlay').isVisible()).toBe(false);
    await screenshot(live, 'live-signal-lost');

    // Frames again: the page plays again (WebRTC, or HLS if the stall outlasted WebRTC's patience) and says live.
    encoder.kill('SIGCONT');
    await until('playing after the stall', () => liveHook(live), (x) => x.player?.phase === 'playing');
    await visible(player(live).getByText('● TRỰC TIẾP'));
    expect(await player(live).getByText('Mất tín hiệu', { exact: true }).count()).toBe(0);
    await until('back on WebRTC', () => liveHook(live), (x) => x.player?.tech === 'webrtc' && x.player.phase === 'playing');

    // WebRTC breaks for this viewer: the hub drops its peer and, like a network that blocks UDP, refuses new ones.
    const original = hub().signal.bind(hub());
    let blocked = true;
    hub().signal = async (id, peer, message) => {
      if (blocked && peer.role === 'viewer') throw new MediaError('BAD_SIGNAL', 'blocked by the test');
      return original(id, peer, message);
    };
    try {
      expect(await hub().removeViewers(SESSION, (p) => p.audience === 'public')).toBe(1);
      const onHls = await until('HLS stands in for WebRTC', () => liveHook(live), (x) => x.player?.tech === 'hls' && x.player.phase === 'playing', 180_000);
      expect(onHls.player!.hlsReason).toBe('webrtcFailed');
      await visible(player(live).getByText('● TRỰC TIẾP'));
      await visible(player(live).getByText(/^HLS · /));
      await until('overlays wait the HLS latency', () => liveHook(live), (x) => (x.delayMs ?? 0) >= 1000);

      // The chair gives the floor: on HLS the overlay shows the name no sooner than the page's delay after the view.
      await live.evaluate(() => {
        const w = window as unknown as { hallLive: LiveHook & { player?: { tech: string | null } } };
        const check = () => {
          const el = document.querySelector('.overlay .overlay__speaker .overlay__name');
          if (el && !w.hallLive.speakerSeen) w.hallLive.speakerSeen = { name: el.textContent ?? '', at: Date.now(), delayMs: w.hallLive.delayMs ?? 0, tech: w.hallLive.player?.tech ?? null };
        };
        new MutationObserver(check).observe(document.body, { childList: true, subtree: true, characterData: true });
        check();
      });
      const officials = (chairBot.view!.snapshot as { context: { council: { officials: { id: string }[] } } }).context.council.officials;
      const seq = await chairBot.must('floor.give', { speechId: 'e2e12-sp-1', speaker: { kind: 'official', id: officials[0]!.id }, purpose: 'presentation' });
      const seen = await until('the overlay shows the speaker', () => liveHook(live), (x) => !!x.speakerSeen);
      const arrived = seen.arrivals!.find((a) => a.seq >= seq)!;
      expect(arrived).toBeDefined();
      expect(seen.speakerSeen!.tech).toBe('hls');
      expect(seen.speakerSeen!.delayMs).toBeGreaterThanOrEqual(1000);
      expect(seen.speakerSeen!.at - arrived.at).toBeGreaterThanOrEqual(seen.speakerSeen!.delayMs);
      await screenshot(live, 'live-hls-fallback');
    } finally {
      blocked = false;
    }

    // WebRTC works again: the page goes back to it by itself, and its overlays follow WebRTC's shorter delay.
    await until('back to WebRTC', () => liveHook(live), (x) => x.player?.tech === 'webrtc' && x.player.phase === 'playing', 240_000);
    await visible(player(live).getByText(/^WebRTC · /));
    await visible(player(live).getByText('● TRỰC TIẾP'));
    await until('overlays follow the WebRTC delay', () => liveHook(live), (x) => (x.delayMs ?? 0) > 0 && (x.delayMs ?? 0) < 1500);
    hub().signal = original;
    encoder.kill('SIGKILL');
    await hub().stopIngest(SESSION);
  });

  it('[E2E-12b] the camera page notices it stopped publishing, says so, and publishes again by itself', { timeout: 600_000 }, async () => {
    camera = await openCamera();
    await until('the hub has the ingest', async () => ingest(), (i) => i?.kind === 'webrtc');

    // The server drops the camera's ingest (a hub restart of the producer): the page publishes again.
    const before = (await cameraHook(camera)).republished ?? 0;
    await hub().stopIngest(SESSION);
    const back = await until('republished after the ingest was dropped', () => cameraHook(camera), (c) => (c.republished ?? 0) > before && c.publishing === true);
    expect(back.status).toMatch(/^Đang phát hình/);
    await until('the hub has the ingest again', async () => ingest(), (i) => i?.kind === 'webrtc');

    // The server closes the camera's connection: the page reconnects and publishes again.
    const sockets = await h.hall.io.fetchSockets();
    const cameraSocket = sockets.find((s) => (s.data as { claims?: { role?: string } }).claims?.role === 'display');
    expect(cameraSocket).toBeDefined();
    cameraSocket!.disconnect(true);
    await until('republished after the connection closed', () => cameraHook(camera), (c) => (c.republished ?? 0) > (back.republished ?? 0) && c.publishing === true);
    await until('the hub has the ingest again', async () => ingest(), (i) => i?.kind === 'webrtc');

    // A second device opens the same camera (same source name): the newest publisher takes over at once, and the
    // first page says so in Vietnamese, waits (no tug of war) and offers to take the camera back …
    camera2 = await openCamera();
    await visible(camera.getByText(/^Một máy khác đã nhận phát hình thay máy này/), MEDIA_TIMEOUT);
    await visible(camera.getByRole('button', { name: /^Phát lại từ máy này/ }));
    const waiting = await cameraHook(camera);
    expect(waiting.publishing).toBe(false);
    expect(waiting.lost).toBe('replaced');
    await until('the second camera publishes', () => cameraHook(camera2!), (c) => c.publishing === true);
    await screenshot(camera, 'camera-replaced');
    // … which its operator does with one press: now the second page is the one waiting …
    const firstCount = waiting.republished ?? 0;
    await camera.getByRole('button', { name: /^Phát lại từ máy này/ }).click();
    await until('the first camera took the camera back', () => cameraHook(camera), (c) => (c.republished ?? 0) > firstCount && c.publishing === true);
    await visible(camera2.getByText(/^Một máy khác đã nhận phát hình thay máy này/), MEDIA_TIMEOUT);
    const second = await cameraHook(camera2);
    expect(second.lost).toBe('replaced');
    // … and when the first page closes, the second takes over by itself, without a press.
    await camera.close();
    await until('the second camera took over by itself', () => cameraHook(camera2!), (c) => (c.republished ?? 0) > (second.republished ?? 0) && c.publishing === true);
    await until('the hub has the ingest again', async () => ingest(), (i) => i?.kind === 'webrtc');
    await visible(camera2.getByText(/^Đang phát hình/));
    expect(await camera2.getByRole('button', { name: /^Phát lại từ máy này/ }).isVisible()).toBe(false);
  });
});
