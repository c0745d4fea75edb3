/**
 * Test support for the media package: a small signaling server (http + Socket.IO + the real `media:*` handlers with a
 * permissive policy) that also serves the built media pages and an HLS directory, headless Chromium with a fake
 * camera, ffmpeg sources and probes, and checks that nothing (ffmpeg, UDP sockets) outlives a test.
 */
import http from 'node:http';
import { promises as fs, readdirSync, readlinkSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { Server } from 'socket.io';
import { chromium, type Browser, type Page } from 'playwright-core';
import { attachMediaSignaling, type MediaSignaling } from '../src/signaling.ts';
import type { MediaHub } from '../src/hub.ts';
import type { MediaState } from '../src/wire.ts';

export const mediaRoot = fileURLToPath(new URL('../', import.meta.url));
export const distWeb = path.join(mediaRoot, 'dist-web');
const run = promisify(execFile);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // The machine has only loopback to talk on: let WebRTC use it.
  '--allow-loopback-in-peer-connection',
  // Pages in the background must keep decoding and painting at full rate.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

export interface TestServer {
  url: string;
  io: Server;
  signaling: MediaSignaling;
  hlsRoot: string;
  /** Per-session state the permissive policy reports (tests flip onAir/closed). */
  state: Map<string, { onAir: boolean; closed: boolean }>;
  close(): Promise<void>;
}

/**
 * Audience = the `token` a page passes (chair, wall, public…; none = public). Publishers: chair, secretary, wall.
 * Public viewers only when on air and not closed — the same rule the Hall server applies.
 */
export async function startServer(hub: MediaHub, hlsRoot: string): Promise<TestServer> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const base = url.pathname.startsWith('/hls/') ? hlsRoot : distWeb;
    const rel = url.pathname.startsWith('/hls/') ? url.pathname.slice(5) : url.pathname.replace(/^\/media\//, '/');
    const file = path.join(base, path.normalize(rel));
    if (!file.startsWith(base)) return void res.writeHead(403).end();
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const io = new Server(server, { serveClient: false });
  const state = new Map<string, { onAir: boolean; closed: boolean }>();
  const audienceOf = (socket: { handshake: { auth: unknown } }) => ((socket.handshake.auth as { token?: string }).token || 'public');
  const stateFor = (sessionId: string, audience: string): MediaState => {
    const s = state.get(sessionId) ?? { onAir: true, closed: false };
    const stats = hub.stats(sessionId);
    const webrtc = audience === 'public' ? s.onAir && !s.closed : audience === 'wall' ? !s.closed : true;
    return { sessionId, onAir: s.onAir, live: !!stats?.ingest, webrtc, hls: `/hls/${sessionId}/master.m3u8` };
  };
  const signaling = attachMediaSignaling(io, {
    hub,
    log: { info() {}, warn() {}, error: (o, m) => console.error(m, o) },
    policy: {
      async authorize(socket, sessionId, role) {
        const audience = audienceOf(socket);
        if (role === 'publisher') return ['chair', 'secretary', 'wall'].includes(audience) ? { ok: true, audience } : { ok: false, code: 'FORBIDDEN', message: 'no' };
        const st = stateFor(sessionId, audience);
        if (!st.webrtc) return { ok: false, code: state.get(sessionId)?.closed ? 'CLOSED_SITTING' : 'OFF_AIR', message: 'not now' };
        return { ok: true, audience };
      },
      async state(socket, sessionId) {
        const audience = audienceOf(socket);
        return { audience, canPublish: ['chair', 'secretary', 'wall'].includes(audience), state: stateFor(sessionId, audience) };
      },
      ensureBroadcast: (sessionId) => hub.createBroadcast(sessionId),
      hlsUrl: (sessionId) => `/hls/${sessionId}/master.m3u8`,
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    signaling,
    hlsRoot,
    state,
    async close() {
      signaling.detach();
      io.local.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[page error]', url, e.message));
  await page.goto(url);
  return page;
}

export async function waitUntil<T>(what: string, get: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

export type VideoStats = { framesDecoded: number; frameWidth: number; frameHeight: number; bytesReceived: number } | null;
export const pageStats = (page: Page) => page.evaluate(async () => {
  const m = (globalThis as unknown as { hallMedia: { stats?: () => Promise<unknown> } }).hallMedia;
  return (m.stats ? await m.stats() : null) as { framesDecoded: number; frameWidth: number; frameHeight: number; bytesReceived: number } | null;
});
export const pageState = <T = unknown>(page: Page, key: string) =>
  page.evaluate((k) => (globalThis as unknown as { hallMedia: Record<string, unknown> }).hallMedia[k], key) as Promise<T>;

// ---------- ffmpeg ----------

const children = new Set<ChildProcess>();

/** Spawns ffmpeg for a test source; killed by `killTestProcesses()` whatever happens. */
export function spawnFfmpeg(args: string[]): ChildProcess {
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
  child.on('exit', (code) => {
    children.delete(child);
    if (code && code !== 255) console.error(`[ffmpeg exited ${code}] ${err}`);
  });
  children.add(child);
  return child;
}

export async function killTestProcesses() {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}

/** A VP8 (+ Opus) test card sent over RTP into an ingest, paced in real time. */
export function ffmpegTestSource(output: { video: string[]; audio?: string[] }, size = '640x360', fps = 20): ChildProcess {
  return spawnFfmpeg([
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${fps}`,
    ...(output.audio ? ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    '-map',
    '0:v',
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '600k',
    '-g',
    String(fps),
    '-error-resilient',
    '1',
    ...output.video,
    ...(output.audio ? ['-map', '1:a', '-c:a', 'libopus', '-b:a', '48k', ...output.audio] : []),
  ]);
}

export async function ffprobe(file: string): Promise<{ streams: { codec_type: string; codec_name: string; width?: number }[]; format: { duration?: string } }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]);
  return JSON.parse(stdout);
}

// ---------- leak checks ----------

/** Inodes of the UDP sockets this process holds (from /proc/self/fd) with their local ports (from /proc/net/udp). */
export function ownUdpSockets(): { inode: string; port: number }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // fd closed while listing
    }
  }
  const out: { inode: string; port: number }[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const inode = cols[9]!;
      if (inodes.has(inode)) out.push({ inode, port: parseInt(cols[1]!.split(':')[1]!, 16) });
    }
  }
  return out;
}

/** Whether anything at all is bound to these UDP ports on this machine (ffmpeg's tap ports after it exits). */
export function udpPortsBound(ports: number[]): number[] {
  const bound = new Set<number>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 2) bound.add(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports.filter((p) => bound.has(p));
}

export async function tmpDir(name: string) {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  return mkdtemp(path.join(tmpdir(), `hall-media-${name}-`));
}

/** CPU seconds (user+system) this process used so far. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
