/**
 * HLS from realistic sources with Debian 12's ffmpeg 5.1 (issue 12 §1): a 1280×720 25 fps and a 1920×1080 30 fps feed
 * over RTP (a clip looped by a relay ffmpeg) and a 1280×720 25 fps browser camera page (Chromium's fake camera playing
 * a Y4M file), each for at least 60 s of media. For each: every ladder rung is written, segments last about the
 * target, MEDIA-SEQUENCE advances, ffprobe reads the source's frame rate (not 90k), and hls.js plays past 30 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WeriftHub } from '../src/werift-hub.ts';
import { DEFAULT_LADDER, ProgramOutputs, chooseLadder } from '../src/hls.ts';
import { runningFfmpeg } from '../src/ffmpeg.ts';
import {
  cleanUpMedia,
  fakeCameraFile,
  launchBrowser,
  launchBrowserWithCameraFile,
  loopedRtpSource,
  openPage,
  pageState,
  parsePlaylist,
  probeSegment,
  sourceClip,
  startServer,
  tmpDir,
  waitUntil,
  type TestServer,
} from './support.ts';

/** Media the packager must have written before the checks (segments of 1 s). */
const MEDIA_SECONDS = 60;
const LONG = 420_000;

let hub: WeriftHub;
let server: TestServer;
let dir: string;
const browsers: Browser[] = [];

beforeAll(async () => {
  hub = await WeriftHub.create({});
  dir = await tmpDir('hls-sources');
  server = await startServer(hub, path.join(dir, 'hls'));
}, 60_000);

afterAll(async () => {
  await cleanUpMedia(dir, async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await server?.close();
    await hub?.close();
  });
  expect(runningFfmpeg()).toHaveLength(0);
}, 60_000);

/**
 * Packages broadcast `id` (its ingest already flowing) and checks the HLS tree while an hls.js page plays it.
 * `expectSize`/`expectFps`: what the source sends.
 */
async function packageAndCheck(id: string, browser: Browser, expectSize: { width: number; height: number }, expectFps: number) {
  // A browser camera starts small and grows with its bandwidth estimate: wait for the full size (and the rate).
  const want = { ...expectSize, fps: expectFps };
  const measured = await waitUntil('the hub sees the source size and rate', () => hub.stats(id)?.ingest?.video, (v) => !!v && v.width === want.width && v.height === want.height && v.frameRate === want.fps, 180_000, 500);
  expect({ width: measured!.width, height: measured!.height, fps: measured!.frameRate }).toEqual(want);
  const rungs = chooseLadder(DEFAULT_LADDER, expectSize).map((r) => r.rung);
  // Taller than 360p: the full two-rung ladder (the case ffmpeg 5.1 refused before).
  expect(rungs.map((r) => r.name)).toEqual(['720p', '360p']);
  const outputs = await ProgramOutputs.start({ hub, broadcastId: id, hlsRoot: server.hlsRoot, recordingFile: null, hls: { preset: 'ultrafast', segmentSec: 1 } });
  let player: Page | null = null;
  try {
    const root = path.join(server.hlsRoot, id);
    const read = (rung: string) => fs.readFile(path.join(root, rung, 'index.m3u8'), 'utf8').then(parsePlaylist, () => null);
    const first = await waitUntil('first segments', () => read(rungs[0]!.name), (p) => !!p && p.segments.length >= 2, 90_000);
    player = await openPage(browser, `${server.url}/media/hls.html?session=${id}`);
    const currentTime = () => player!.evaluate(() => (globalThis as unknown as { hallMedia: { currentTime: () => number } }).hallMedia.currentTime());
    await waitUntil('hls.js plays past 30 s', currentTime, (t) => t > 30, LONG - 120_000, 1000);
    // At least a minute of media: the sequence number of the newest segment counts them (1 s each).
    const last = await waitUntil(`${MEDIA_SECONDS} s of media`, () => read(rungs[0]!.name), (p) => !!p && p.sequence + p.segments.length >= MEDIA_SECONDS, LONG - 120_000, 1000);
    expect(last!.sequence).toBeGreaterThan(first!.sequence);
    expect(await pageState<string[]>(player, 'errors')).toEqual([]);

    const master = await fs.readFile(path.join(root, 'master.m3u8'), 'utf8');
    for (const rung of rungs) {
      expect(master).toContain(`${rung.name}/index.m3u8`);
      const p = (await read(rung.name))!;
      expect(p.target).toBe(1);
      expect(p.segments.length).toBeGreaterThanOrEqual(5);
      // Every segment but the newest lasts the target (±20 %): keyframes on the segment grid, a constant rate.
      for (const d of p.durations.slice(0, -1)) {
        expect(d).toBeGreaterThan(0.8);
        expect(d).toBeLessThan(1.2);
      }
      const probe = await probeSegment(path.join(root, rung.name, p.init!), path.join(root, rung.name, p.segments[p.segments.length - 2]!));
      expect(probe.height).toBe(rung.height);
      expect(Math.round(probe.fps)).toBe(expectFps);
      expect(probe.frames).toBeGreaterThanOrEqual(expectFps - 2);
    }
    console.log(`[${id}] ${MEDIA_SECONDS}+ s packaged; hls.js at ${(await currentTime()).toFixed(1)} s`);
  } finally {
    await player?.close().catch(() => undefined);
    await outputs.stop();
  }
  for (const rung of rungs) expect((await fs.readFile(path.join(server.hlsRoot, id, rung.name, 'index.m3u8'), 'utf8')).endsWith('#EXT-X-ENDLIST\n')).toBe(true);
}

describe('HLS from realistic sources (ffmpeg 5.1)', () => {
  /** A relay ffmpeg looping a clip of this size and rate into an RTP ingest, packaged and checked. */
  const fromRtp = async (id: string, size: '1280x720' | '1920x1080', fps: number) => {
    const browser = browsers[0] ?? (await launchBrowser());
    if (!browsers.includes(browser)) browsers.push(browser);
    await hub.createBroadcast(id);
    const ingest = await hub.ingestRtp(id);
    const source = loopedRtpSource(await sourceClip(size, fps), { video: ingest.ffmpegOutput('video'), audio: ingest.ffmpegOutput('audio') });
    try {
      const [width, height] = size.split('x').map(Number) as [number, number];
      await packageAndCheck(id, browser, { width, height }, fps);
    } finally {
      source.kill('SIGKILL');
      await hub.closeBroadcast(id);
    }
  };

  it('[HLS-10] RTP 1280×720 25 fps → a 720p + 360p ladder at 25 fps, 1 s segments, hls.js past 30 s', () => fromRtp('rtp720', '1280x720', 25), LONG + 600_000);

  it('[HLS-11] RTP 1920×1080 30 fps → a 720p + 360p ladder at 30 fps, 1 s segments, hls.js past 30 s', () => fromRtp('rtp1080', '1920x1080', 30), LONG + 600_000);

  it('[HLS-12] the browser camera page (fake camera playing a 1280×720 25 fps file) → the 720p + 360p ladder at 25 fps', async () => {
    const browser = await launchBrowserWithCameraFile(await fakeCameraFile('1280x720', 25));
    browsers.push(browser);
    await hub.createBroadcast('cam720');
    const camera = await openPage(browser, `${server.url}/media/camera.html?session=cam720&token=chair&w=1280&h=720&audio=0`);
    try {
      await waitUntil('camera publishing', () => pageState(camera, 'publishing'), (v) => v === true, 60_000);
      await packageAndCheck('cam720', browser, { width: 1280, height: 720 }, 25);
    } finally {
      await camera.close().catch(() => undefined);
      await hub.closeBroadcast('cam720');
    }
  }, LONG + 600_000);
});
