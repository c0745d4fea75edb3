/**
 * Broadcast helpers of the browser tests: a Hall with the werift hub and the media files in a temp dir (the server's
 * own `startMediaHall`: `buildApp(config, { mediaEnv })` with MEDIA_BACKEND=werift and the x264 `ultrafast` preset,
 * the right one for a loaded 2-core machine), the media pages (camera) built when missing, and the ffmpeg clean-up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { runningFfmpeg, stopAllFfmpeg } from '../../server/src/media/lib.ts';
import type { TestClient } from '../../server/test/support/hall.ts';
import { ownUdpSockets } from '../../media/test/support.ts';
import { launch } from './browser.ts';
import { checkInAll, connectChair, connectDelegates, range } from './e2e.ts';
import { startMediaHall, type MediaHall } from '../../server/test/media/support.ts';

export { startMediaHall, type MediaHall } from '../../server/test/media/support.ts';
/** UDP sockets of this process (the werift hub's), by inode: none may outlive the Hall. */
export { ownUdpSockets } from '../../media/test/support.ts';

const mediaRoot = fileURLToPath(new URL('../../media/', import.meta.url));

/** Newest modification time under a directory (ms). */
function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** The server serves /media/camera.html only if media/dist-web exists when it starts: build it when missing or older than its sources. */
export function ensureMediaPages() {
  const built = path.join(mediaRoot, 'dist-web', 'camera.html');
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(newest(path.join(mediaRoot, 'src', 'web')), statSync(path.join(mediaRoot, 'src', 'wire.ts')).mtimeMs)) return;
  execFileSync('npx', ['vite', 'build'], { cwd: mediaRoot, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

/** Every ffmpeg the server started (HLS ladder, recording, RTMP): none may outlive a test file. Returns how many are left. */
export async function stopStrayFfmpeg() {
  await stopAllFfmpeg(2000).catch(() => undefined);
  for (const p of runningFfmpeg()) p.child.kill('SIGKILL');
  return runningFfmpeg().length;
}

/** A media Hall whose province sitting is in progress and on air: a chair bot, 60 delegate bots checked in, Chromium. */
export interface OnAirSitting {
  h: MediaHall;
  browser: Browser;
  chairBot: TestClient;
  bots: Map<number, TestClient>;
  /** This process's UDP sockets before the Hall started: none of the Hall's may outlive it. */
  udpBefore: Set<string>;
}

/**
 * The same sitting in progress but still off air, for a test that puts it on air itself. `prepare` runs on the fresh
 * Hall before any session room opens (e.g. to change a council's rules profile).
 */
export async function startMediaSitting(prepare?: (h: MediaHall) => Promise<void>): Promise<OnAirSitting> {
  const s: Partial<OnAirSitting> = { udpBefore: new Set(ownUdpSockets().map((x) => x.inode)) };
  try {
    ensureMediaPages();
    const h = (s.h = await startMediaHall());
    await prepare?.(h);
    s.browser = await launch();
    const chairBot = (s.chairBot = await connectChair(h.baseUrl));
    await chairBot.must('session.openCheckIn', {});
    // Over the 2/3 quorum of 85, to open the sitting.
    s.bots = await connectDelegates(h.baseUrl, range(1, 60));
    await checkInAll(s.bots.values());
    await chairBot.must('session.start', {});
    return s as OnAirSitting;
  } catch (e) {
    // The caller never gets the parts of a failed start to close: release them here, and report the start's error.
    await releaseOnAirSitting(s).catch(() => undefined);
    throw e;
  }
}

export async function startOnAirSitting(prepare?: (h: MediaHall) => Promise<void>): Promise<OnAirSitting> {
  const s = await startMediaSitting(prepare);
  try {
    await s.chairBot.must('broadcast.start', {});
  } catch (e) {
    await releaseOnAirSitting(s).catch(() => undefined);
    throw e;
  }
  return s;
}

/** Closes whatever part of a sitting was opened, then stops any ffmpeg left; returns how many had to be stopped. */
async function releaseOnAirSitting(s: Partial<OnAirSitting>): Promise<number> {
  let stray = 0;
  try {
    for (const b of s.bots?.values() ?? []) b.close();
    s.chairBot?.close();
    await s.browser?.close();
    await s.h?.close();
  } finally {
    stray = await stopStrayFfmpeg();
  }
  return stray;
}

/** Closes what `startOnAirSitting` opened; then no ffmpeg and no UDP socket of this process may be left. */
export async function closeOnAirSitting(s: Partial<OnAirSitting>) {
  expect(await releaseOnAirSitting(s)).toBe(0);
  const udpLeft = () => ownUdpSockets().filter((x) => !s.udpBefore?.has(x.inode));
  for (const end = Date.now() + 15_000; udpLeft().length > 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 200));
  expect(udpLeft()).toEqual([]);
}
