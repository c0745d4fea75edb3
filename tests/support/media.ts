/**
 * Broadcast helpers of the browser tests: a Hall with the werift hub and the media files in a temp dir (the server's
 * own `startMediaHall`: `buildApp(config, { mediaEnv })` with MEDIA_BACKEND=werift and the x264 `ultrafast` preset,
 * the right one for a loaded 2-core machine), the media pages (camera) built when missing, and the ffmpeg clean-up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runningFfmpeg, stopAllFfmpeg } from '../../server/src/media/lib.ts';

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
