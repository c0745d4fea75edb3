/**
 * The broadcast follows the session, end to end on a real Hall (werift hub, ffmpeg encoder and packager, Node WebRTC
 * viewers): who may publish and watch, on air → HLS with CDN-ready headers and status, closed sitting → the public
 * path gets no video, off air → HLS ends, and the recording gets chapters from the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { DEMO_DEVICE_TOKEN, DEMO_STAFF_PASSWORD, demoDelegateCode } from '../../src/seed/demo.ts';
import { login, TestClient } from '../support/hall.ts';
import { mediaSocket, startMediaHall, type LogLine, type MediaHall } from './support.ts';
import { NodeViewer } from '../../../media/test/node-viewer.ts';
import { ffmpegTestSource, ffprobe, killTestProcesses, ownUdpSockets, waitUntil } from '../../../media/test/support.ts';
import { runningFfmpeg } from '../../src/media/lib.ts';
import type { ChildProcess } from 'node:child_process';

const SESSION = 'td-kh10';
let h: MediaHall;
let chair: TestClient;
let source: ChildProcess | null = null;
const sockets: Socket[] = [];
const viewers: NodeViewer[] = [];
let udpBefore: Set<string>;
const logLines: LogLine[] = [];

const socketFor = (token: string | null) => mediaSocket(h.baseUrl, token, sockets);

async function watch(token: string | null) {
  const r = await NodeViewer.join(await socketFor(token), SESSION);
  if (r.viewer) viewers.push(r.viewer);
  return r;
}

const get = (p: string) => fetch(`${h.baseUrl}${p}`);
const status = async () => (await (await get('/api/media/status')).json()) as {
  backend: string;
  reason: string;
  sessions: { sessionId: string; onAir: boolean; closedSitting: boolean; ingest: { healthy: boolean; videoKbps: number } | null; viewers: number; hls: string | null; outputs: { kind: string; running: boolean; state: string; problem: string | null; reason: string | null }[] }[];
};
const mine = async () => (await status()).sessions.find((s) => s.sessionId === SESSION);
const hlsDir = () => path.join(h.media.config.hlsRoot, SESSION);
const mediaPlaylist = async () => {
  const dirs = (await fs.readdir(hlsDir(), { withFileTypes: true })).filter((d) => d.isDirectory());
  return path.join(hlsDir(), dirs[0]!.name, 'index.m3u8');
};

beforeAll(async () => {
  udpBefore = new Set(ownUdpSockets().map((s) => s.inode));
  h = await startMediaHall({}, logLines);
  chair = await TestClient.connect(h.baseUrl, await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD), SESSION);
  await chair.must('session.openCheckIn', {});
  for (let i = 1; i <= 25; i++) await chair.must('attendance.checkIn', { delegateId: `td-d${String(i).padStart(3, '0')}`, channel: 'hall' });
  await chair.must('session.start', {});
  await chair.must('agenda.goTo', { itemId: 'td-kh10-04' });
}, 180_000);

afterAll(async () => {
  try {
    source?.kill('SIGKILL');
    for (const v of viewers) await v.close().catch(() => undefined);
    for (const s of sockets) s.disconnect();
    chair?.close();
    await h?.close();
  } finally {
    await killTestProcesses();
    for (const p of runningFfmpeg()) p.child.kill('SIGKILL');
  }
  expect(runningFfmpeg()).toHaveLength(0);
  await waitUntil('UDP sockets released', () => ownUdpSockets().filter((s) => !udpBefore.has(s.inode)), (left) => left.length === 0, 10_000);
}, 60_000);

describe('broadcast follows the session', () => {
  it('[MEDIA-1] status names the backend; only chair/secretary/display may publish; the public may not watch off air', { timeout: 30_000 }, async () => {
    const st = await status();
    expect(st.backend).toBe('werift');
    const cam = await fetch(`${h.baseUrl}/camera?session=${SESSION}`, { redirect: 'manual' });
    expect(cam.status).toBe(302);
    expect(cam.headers.get('location')).toBe(`/media/camera.html?session=${SESSION}`);
    expect(st.reason).toMatch(/werift/);
    const delegate = await socketFor(await login(h.baseUrl, 'code', 'td-d001', demoDelegateCode('td-d001')!));
    const offer = { type: 'offer', sdp: 'v=0\r\nnot really an sdp\r\n' };
    expect(await delegate.timeout(5000).emitWithAck('media:signal', { sessionId: SESSION, role: 'publisher', message: offer })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const anon = await socketFor(null);
    expect(await anon.timeout(5000).emitWithAck('media:signal', { sessionId: SESSION, role: 'publisher', message: offer })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    // A display account passes authorization (the SDP itself is then refused by the hub).
    const wall = await socketFor(await login(h.baseUrl, 'device', 'wall.td', DEMO_DEVICE_TOKEN));
    expect(await wall.timeout(5000).emitWithAck('media:signal', { sessionId: SESSION, role: 'publisher', message: offer })).toMatchObject({ ok: false, code: 'BAD_SIGNAL' });
    const info = await anon.timeout(5000).emitWithAck('media:info', { sessionId: SESSION });
    expect(info).toMatchObject({ ok: true, backend: 'werift', flavor: 'sdp', canPublish: false, onAir: false, webrtc: false, hls: null });
    const { ack } = await watch(null);
    expect(ack).toMatchObject({ ok: false, code: 'OFF_AIR' });
  });

  it('[MEDIA-2] staff open an RTP ingest over HTTP; on air: HLS is written with CDN cache headers, the public watches over WebRTC', async () => {
    const url = `${h.baseUrl}/api/media/sessions/${SESSION}/rtp-ingest`;
    const post = (token: string | null) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: '{}' });
    expect((await post(null)).status).toBe(401);
    expect((await post(await login(h.baseUrl, 'code', 'td-d002', demoDelegateCode('td-d002')!))).status).toBe(403);
    expect((await post(await login(h.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD))).status).toBe(403);
    const res = await post(await login(h.baseUrl, 'password', 'thuky.td', DEMO_STAFF_PASSWORD));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { endpoints: { kind: 'video' | 'audio'; ip: string; port: number; rtcpPort: number; payloadType: number; ssrc: number }[]; ffmpeg: Record<string, string> };
    expect(body.ffmpeg.video).toMatch(/^-payload_type 96 -ssrc \d+ -f rtp "rtp:\/\/127\.0\.0\.1:\d+\?rtcpport=\d+&pkt_size=1200"$/);
    const out = (kind: 'video' | 'audio') => {
      const e = body.endpoints.find((x) => x.kind === kind)!;
      return ['-payload_type', String(e.payloadType), '-ssrc', String(e.ssrc), '-f', 'rtp', `rtp://${e.ip}:${e.port}?rtcpport=${e.rtcpPort}&pkt_size=1200`];
    };
    source = ffmpegTestSource({ video: out('video'), audio: out('audio') });
    await waitUntil('ingest healthy', mine, (s) => !!s?.ingest?.healthy);
    await chair.must('broadcast.start', {});
    await chair.must('floor.give', { speechId: 'sp-media-1', speaker: { kind: 'official', id: await firstOfficial() }, purpose: 'presentation' });

    const master = await waitUntil('master playlist', () => get(`/hls/${SESSION}/master.m3u8`), (r) => r.ok, 30_000);
    expect(master.headers.get('cache-control')).toMatch(/max-age=1\b/);
    expect(master.headers.get('content-type')).toMatch(/mpegurl/);
    const playlistFile = await waitUntil('segments', async () => (await fs.readFile(await mediaPlaylist(), 'utf8').catch(() => '')), (t) => /\.m4s/.test(t), 30_000);
    const rel = path.relative(hlsDir(), path.dirname(await mediaPlaylist()));
    const segment = /^(p[0-9a-z]+_\d+\.m4s)$/m.exec(playlistFile)![1]!;
    const seg = await get(`/hls/${SESSION}/${rel}/${segment}`);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get(`/hls/${SESSION}/.hls-${SESSION}-0.sdp`)).status).toBe(404);
    expect((await get(`/hls/..%2f..%2fdata/token-secret`)).status).toBeGreaterThanOrEqual(400);

    const { viewer, ack } = await watch(null);
    expect(ack.ok).toBe(true);
    await waitUntil('public viewer gets video', () => viewer!.packets.video, (n) => n > 50, 60_000);
    const { viewer: chairViewer } = await watch(await login(h.baseUrl, 'password', 'thuky.td', DEMO_STAFF_PASSWORD));
    await waitUntil('secretary viewer gets video', () => chairViewer!.packets.video, (n) => n > 50, 60_000);
    const s = (await mine())!;
    expect(s).toMatchObject({ onAir: true, closedSitting: false, viewers: 2, hls: `/hls/${SESSION}/master.m3u8` });
    expect(s.outputs.map((o) => o.kind).sort()).toEqual(['hls', 'recording']);
    // Each output's true state is in the status the chair's card reads.
    const running = await waitUntil('outputs report running', mine, (x) => !!x && x.outputs.length === 2 && x.outputs.every((o) => o.state === 'running'), 60_000);
    expect(running!.outputs.map((o) => [o.running, o.problem, o.reason])).toEqual([
      [true, null, null],
      [true, null, null],
    ]);
  }, 120_000);

  it('[MEDIA-6] sources: a second encoder does not take the program; staff choose and close sources; only staff preview a source', async () => {
    const secretary = await login(h.baseUrl, 'password', 'thuky.td', DEMO_STAFF_PASSWORD);
    const call = (method: string, p: string, token: string | null, body?: object) =>
      fetch(`${h.baseUrl}/api/media/sessions/${SESSION}${p}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const before = (await mine()) as unknown as { programSourceId: string; sources: { id: string; kind: string; program: boolean }[] };
    expect(before.sources).toHaveLength(1);
    const first = before.programSourceId;
    const opened = await call('POST', '/rtp-ingest', secretary, { label: 'Bộ mã hoá dự phòng', audio: false });
    expect(opened.status).toBe(200);
    const { sourceId } = (await opened.json()) as { sourceId: string };
    const after = (await mine()) as unknown as typeof before & { sources: { id: string; label: string | null; program: boolean }[] };
    // The encoder that is already on the air stays on the air.
    expect(after.programSourceId).toBe(first);
    expect(after.sources.map((x) => [x.id, x.program])).toEqual([
      [first, true],
      [sourceId, false],
    ]);
    expect(after.sources[1]).toMatchObject({ label: 'Bộ mã hoá dự phòng', kind: 'rtp' });

    // Only staff preview a source that is not on the air.
    const anon = await socketFor(null);
    const offer = { type: 'offer', sdp: 'v=0\r\nnot really an sdp\r\n' };
    expect(await anon.timeout(5000).emitWithAck('media:signal', { sessionId: SESSION, role: 'viewer', source: sourceId, message: offer })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const delegate = await socketFor(await login(h.baseUrl, 'code', 'td-d003', demoDelegateCode('td-d003')!));
    expect(await delegate.timeout(5000).emitWithAck('media:signal', { sessionId: SESSION, role: 'viewer', source: sourceId, message: offer })).toMatchObject({ ok: false, code: 'FORBIDDEN' });

    expect((await call('POST', '/program', null, { sourceId })).status).toBe(401);
    expect((await call('POST', '/program', secretary, { sourceId: 'rtp-nope' })).status).toBe(404);
    expect((await call('POST', '/program', secretary, { sourceId: '../x' })).status).toBe(400);
    // The chosen encoder sends nothing yet: the switch waits for its keyframe, the program keeps the picture it has.
    const chosen = await call('POST', '/program', secretary, { sourceId });
    expect(chosen.status).toBe(200);
    expect(await chosen.json()).toMatchObject({ ok: true, programSourceId: first, pendingProgramSourceId: sourceId });
    // Choosing the one on the air again cancels the pending switch.
    expect(await (await call('POST', '/program', secretary, { sourceId: first })).json()).toMatchObject({ programSourceId: first, pendingProgramSourceId: null });

    // The chair's override: a source held on the program whatever the floor, then back to the automatic rules.
    expect((await call('PUT', '/program', secretary, { source: 'rtp-nope' })).status).toBe(404);
    expect((await call('PUT', '/program', secretary, { source: '../x' })).status).toBe(400);
    const held = await call('PUT', '/program', secretary, { source: sourceId });
    expect(held.status, await held.clone().text()).toBe(200);
    expect(await held.json()).toMatchObject({ ok: true, choice: sourceId, shown: 'hall', pendingProgramSourceId: sourceId });
    expect((await mine()) as unknown).toMatchObject({ program: { choice: sourceId, shown: 'hall', remoteLive: false } });
    const auto = await call('PUT', '/program', secretary, { source: 'auto' });
    expect(await auto.json()).toMatchObject({ ok: true, choice: 'auto', programSourceId: first, pendingProgramSourceId: null });

    expect((await call('DELETE', `/sources/${sourceId}`, await login(h.baseUrl, 'code', 'td-d002', demoDelegateCode('td-d002')!))).status).toBe(403);
    const closed = await call('DELETE', `/sources/${sourceId}`, secretary);
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ ok: true, programSourceId: first });
    expect((await call('DELETE', `/sources/${sourceId}`, secretary)).status).toBe(404);
    expect(((await mine()) as unknown as typeof before).sources.map((x) => x.id)).toEqual([first]);
    // The viewers of MEDIA-2 kept receiving the program throughout.
    const n = viewers[0]!.packets.video;
    await waitUntil('program still flowing', () => viewers[0]!.packets.video, (x) => x > n + 20, 60_000);
  }, 60_000);

  it('[MEDIA-3] a closed sitting: public viewers dropped and refused, HLS ended, staff keep watching; the recording chapters come from the journal, per part', async () => {
    const [publicViewer, staffViewer] = viewers;
    await chair.must('sitting.setClosed', { closed: true });
    await waitUntil('public told', () => publicViewer!.ended, (r) => r === 'closedSitting', 10_000);
    const frozen = publicViewer!.packets.video;
    const staffBefore = staffViewer!.packets.video;
    await waitUntil('staff keep receiving', () => staffViewer!.packets.video, (n) => n > staffBefore + 10, 30_000);
    expect(publicViewer!.packets.video - frozen).toBeLessThan(5);
    expect(await fs.readFile(await mediaPlaylist(), 'utf8')).toContain('#EXT-X-ENDLIST');
    const { ack } = await watch(null);
    expect(ack).toMatchObject({ ok: false, code: 'CLOSED_SITTING' });
    const anon = await socketFor(null);
    expect(await anon.timeout(5000).emitWithAck('media:info', { sessionId: SESSION })).toMatchObject({ ok: true, onAir: false, webrtc: false, hls: null });
    const s = (await mine())!;
    expect(s).toMatchObject({ onAir: false, closedSitting: true, hls: null, outputs: [] });

    const recDir = path.join(h.media.config.recordingsRoot, SESSION);
    const files = await fs.readdir(recDir);
    const mkv = files.find((f) => f.endsWith('.mkv'))!;
    expect(mkv).toMatch(/^td-kh10-phien1-\d{8}-\d{6}\.mkv$/);
    expect((await ffprobe(path.join(recDir, mkv))).streams.some((x) => x.codec_type === 'video')).toBe(true);
    // The parts manifest lists every part the supervisor wrote, each with where its ffmpeg started on the wall clock.
    const manifest = JSON.parse(await fs.readFile(path.join(recDir, mkv.replace(/\.mkv$/, '.parts.json')), 'utf8')) as { parts: { file: string; startedAt: number; endedAt: number | null }[] };
    expect(manifest.parts.map((p) => p.file).sort()).toEqual(files.filter((f) => f.endsWith('.mkv')).sort());
    expect(manifest.parts[0]!.startedAt).toBeLessThanOrEqual(manifest.parts.at(-1)!.endedAt!);
    // Chapters are computed from the journal when asked, per part: no whole-period file that could disagree with them.
    expect(files.filter((f) => f.endsWith('.vtt'))).toEqual([]);
    const chairToken = await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD);
    const res = await fetch(`${h.baseUrl}/api/media/recordings/${SESSION}/${mkv}/chapters.vtt`, { headers: { authorization: `Bearer ${chairToken}` } });
    expect(res.status).toBe(200);
    const chapters = await res.text();
    expect(chapters.startsWith('WEBVTT')).toBe(true);
    expect(chapters).toMatch(/00:00:00\.000 --> /);
    expect(chapters).toContain('Mục 4: Chất vấn và trả lời chất vấn');
  }, 60_000);

  it('[MEDIA-4] back on air then off air: HLS restarts under new file names; off air drops the public before the outputs stop; HLS ends (ENDLIST, no new segments)', async () => {
    await chair.must('sitting.setClosed', { closed: false });
    await chair.must('broadcast.start', {});
    const playlist = await waitUntil('new period playlist', async () => (await fs.readFile(await mediaPlaylist().catch(() => ''), 'utf8').catch(() => '')), (t) => /\.m4s/.test(t) && !t.includes('ENDLIST'), 30_000);
    expect(playlist).toMatch(/^p[0-9a-z]+_\d+\.m4s$/m);
    const { viewer: publicViewer } = await watch(null);
    await waitUntil('public viewer gets video', () => publicViewer!.packets.video, (n) => n > 20, 30_000);
    const since = Date.now();
    await chair.must('broadcast.stop', {});
    await waitUntil('public told', () => publicViewer!.ended, (r) => r === 'offAir', 15_000);
    await waitUntil('ENDLIST', async () => fs.readFile(await mediaPlaylist(), 'utf8'), (t) => t.includes('#EXT-X-ENDLIST'), 15_000);
    // Off air, the public is dropped first and the outputs stop afterwards (ffmpeg may take seconds to finish).
    const stopped = await waitUntil('outputs stopped', () => logLines.filter((l) => l.time >= since && ['viewers dropped', 'broadcast outputs stopped'].includes(l.msg)).map((l) => l.msg), (m) => m.length === 2, 15_000);
    expect(stopped).toEqual(['viewers dropped', 'broadcast outputs stopped']);
    const count = async () => (await fs.readdir(path.dirname(await mediaPlaylist()))).filter((f) => f.endsWith('.m4s')).length;
    const n = await count();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await count()).toBe(n);
    expect((await mine())!.outputs).toEqual([]);
    expect(runningFfmpeg()).toHaveLength(0);
  }, 60_000);

  it('[MEDIA-5] the archive: recordings with parts and chapters over HTTP; a recording with a closed part is staff-only; /api/media/* is in OpenAPI', async () => {
    type Listed = { recordings: { id: string; public: boolean; startedAt: number; endedAt: number; parts: { url: string; chaptersUrl: string; durationSec: number; startedAt: number }[]; chapters: { title: string; kind: string; start: number; part: number; partOffsetSec: number }[] }[] };
    const chairToken = await login(h.baseUrl, 'password', 'chutoa.td', DEMO_STAFF_PASSWORD);
    const list = async (token: string | null, kind = '') =>
      (await (await fetch(`${h.baseUrl}/api/media/recordings?sessionId=${SESSION}${kind}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json()) as Listed;
    // Two on-air periods: the first ended by the closed sitting (MEDIA-3), the second on and off air in public (MEDIA-4).
    const staff = await waitUntil('both recordings finished', () => list(chairToken), (l) => l.recordings?.length === 2, 30_000);
    expect(staff.recordings.map((r) => r.public)).toEqual([false, true]);
    const pub = await list(null);
    expect(pub.recordings.map((r) => r.id)).toEqual([staff.recordings[1]!.id]);
    // Another council's chair sees what the public sees.
    expect((await list(await login(h.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD))).recordings.map((r) => r.id)).toEqual([staff.recordings[1]!.id]);

    const first = staff.recordings[0]!;
    expect(first.parts.length).toBeGreaterThan(0);
    expect(first.parts[0]!.durationSec).toBeGreaterThan(0);
    // Chapters: the item and the speaker of MEDIA-2, placed inside the part, in the part's own time.
    expect(first.chapters.map((c) => c.title).join('\n')).toContain('Mục 4: Chất vấn và trả lời chất vấn');
    expect(first.chapters.some((c) => c.kind === 'speaker')).toBe(true);
    for (const c of first.chapters) {
      const part = first.parts[c.part]!;
      expect(c.partOffsetSec).toBeGreaterThanOrEqual(0);
      expect(c.partOffsetSec).toBeLessThanOrEqual(part.durationSec);
      expect(first.startedAt + c.start).toBeGreaterThanOrEqual(part.startedAt);
    }
    const vtt = await fetch(`${h.baseUrl}${first.parts[0]!.chaptersUrl}`, { headers: { authorization: `Bearer ${chairToken}` } });
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(await vtt.text()).toMatch(/^WEBVTT[\s\S]*00:00:00\.000 --> /);

    // The staff-only recording is not there for the public, exactly like one that does not exist.
    expect((await fetch(`${h.baseUrl}${first.parts[0]!.url}`)).status).toBe(404);
    expect((await fetch(`${h.baseUrl}${first.parts[0]!.chaptersUrl}`)).status).toBe(404);
    const own = await fetch(`${h.baseUrl}${first.parts[0]!.url}`, { headers: { authorization: `Bearer ${chairToken}`, range: 'bytes=0-99' } });
    expect(own.status).toBe(206);
    expect((await own.arrayBuffer()).byteLength).toBe(100);
    const open = await fetch(`${h.baseUrl}${pub.recordings[0]!.parts[0]!.url}`);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toMatch(/^video\/webm/);
    expect((await open.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect((await fetch(`${h.baseUrl}/api/media/recordings/${SESSION}/..%2F..%2Fdata%2Ftoken-secret`)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${h.baseUrl}/api/media/recordings?sessionId=nope`)).status).toBe(404);

    const doc = (await (await fetch(`${h.baseUrl}/docs/json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/media/status', '/api/media/recordings', '/api/media/recordings/{sessionId}/{file}', '/api/media/sessions/{sessionId}/program', '/api/media/sessions/{sessionId}/rtp-ingest']) expect(Object.keys(doc.paths)).toContain(p);
  }, 90_000);
});

async function firstOfficial(): Promise<string> {
  const record = await h.hall.store.catalog.getSession(SESSION);
  const council = await h.hall.store.catalog.getCouncil(record!.councilId);
  return council!.officials[0]!.id;
}
