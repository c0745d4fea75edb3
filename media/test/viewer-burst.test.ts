/**
 * Viewers joining together: 50 werift viewers whose offers all reach the hub within one second must all connect and
 * receive video, with the hub on a port range as production runs it (MEDIA_RTC_PORTS). Before the port pool, viewers
 * given the same port by werift's probe-and-rebind never connected (negotiation timed out, sockets leaked); a dozen
 * Chromium viewer pages opened at once must all decode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { WeriftHub } from '../src/werift-hub.ts';
import { isLoopback } from '../src/rtp-util.ts';
import { NodeViewer } from './node-viewer.ts';
import type { Browser, Page } from 'playwright-core';
import { ffmpegTestSource, killTestProcesses, launchBrowser, ownUdpSockets, pageStats, startServer, tmpDir, waitUntil, type TestServer } from './support.ts';

const COUNT = Number(process.env.BURST_VIEWERS ?? 50);
const PAGES = Number(process.env.BURST_PAGES ?? 12);

describe('werift: a burst of viewers', () => {
  let hub: WeriftHub;
  let server: TestServer;
  let udpBefore: Set<string>;
  const sockets: Socket[] = [];
  const viewers: NodeViewer[] = [];
  let browser: Browser | undefined;

  beforeAll(async () => {
    udpBefore = new Set(ownUdpSockets().map((s) => s.inode));
    // Production sets MEDIA_RTC_PORTS so a firewall can open the range: the burst must work with a range too.
    const base = 40000 + 200 * Math.floor(Math.random() * 40);
    hub = await WeriftHub.create({ maxViewers: 500, announcedAddresses: ['127.0.0.1'], acceptRemoteAddress: isLoopback, rtcPortRange: [base, base + 199] });
    server = await startServer(hub, await tmpDir('burst'));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(viewers.map((v) => v.close().catch(() => undefined)));
    for (const s of sockets) s.disconnect();
    await server?.close();
    await hub?.close();
    await killTestProcesses();
    await waitUntil('UDP sockets released', () => ownUdpSockets().filter((s) => !udpBefore.has(s.inode)), (left) => left.length === 0, 20_000);
  }, 120_000);

  it(`[HUB-8] ${COUNT} viewers whose offers arrive within one second all connect and receive video`, async () => {
    await hub.createBroadcast('burst');
    const ingest = await hub.ingestRtp('burst', { audio: false });
    ffmpegTestSource({ video: ingest.ffmpegOutput('video') });
    await waitUntil('rtp packets', () => hub.stats('burst')?.ingest?.video.packets ?? 0, (n) => n > 20, 30_000);
    for (let i = 0; i < COUNT; i++) {
      const s = io(server.url, { transports: ['websocket'], auth: { token: 'chair' } });
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => (s.connected ? undefined : new Promise<void>((r) => s.once('connect', () => r())))));
    // Each viewer gathers first (on its own), then all offers are sent together.
    const prepared = await Promise.all(sockets.map((s) => NodeViewer.prepare(s, 'burst')));
    const joined = await Promise.all(prepared.map((p) => p.send()));
    for (const j of joined) if (j.viewer) viewers.push(j.viewer);
    expect(joined.map((j) => (j.ack.ok ? 'ok' : `${j.ack.code}: ${j.ack.message}`))).toEqual(Array(COUNT).fill('ok'));
    const states = await waitUntil(
      'every viewer connected with video',
      () => viewers.map((v) => `${v.pc.connectionState}:${v.packets.video > 0}`),
      (all) => all.every((x) => x === 'connected:true'),
      180_000,
      500,
    );
    expect(states.filter((x) => x === 'connected:true')).toHaveLength(COUNT);
    expect(hub.stats('burst')!.viewers).toBe(COUNT);
  }, 900_000);

  it(`[HUB-9] ${PAGES} Chromium viewer pages opened at once all decode frames`, async () => {
    browser = await launchBrowser();
    const context = await browser.newContext();
    // Loading a dozen pages at once on a loaded 2-core machine: navigation may take minutes.
    context.setDefaultNavigationTimeout(180_000);
    // Pages are created first, then all navigate at once: their offers reach the hub within a second.
    const pages: Page[] = await Promise.all(Array.from({ length: PAGES }, () => context.newPage()));
    await Promise.all(pages.map((p) => p.goto(`${server.url}/media/viewer.html?session=burst&token=chair`)));
    const frames = await waitUntil(
      'every page decodes frames',
      () => Promise.all(pages.map(async (p) => (await pageStats(p).catch(() => null))?.framesDecoded ?? 0)),
      (all) => all.every((n) => n > 0),
      180_000,
      1000,
    );
    expect(frames.filter((n) => n > 0)).toHaveLength(PAGES);
    await context.close();
  }, 900_000);
});
