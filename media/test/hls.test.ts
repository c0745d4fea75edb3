/** The packager's pure parts: ladder choice, ffmpeg arguments, ending playlists. */
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LADDER, chooseLadder, endPlaylists, hlsArgs, assertSafeId } from '../src/hls.ts';
import { tmpDir } from './support.ts';

describe('HLS packager', () => {
  it('[HLS-1] no upscaling: a 360p source gets one 360p rung, 1080p gets the full ladder, unknown is capped by ih', () => {
    expect(chooseLadder(DEFAULT_LADDER, { width: 640, height: 360 }).map((r) => r.rung.name)).toEqual(['360p']);
    expect(chooseLadder(DEFAULT_LADDER, { width: 1920, height: 1080 }).map((r) => r.rung.name)).toEqual(['720p', '360p']);
    expect(chooseLadder(DEFAULT_LADDER, { width: 320, height: 240 }).map((r) => r.rung.name)).toEqual(['240p']);
    expect(chooseLadder(DEFAULT_LADDER, null).every((r) => !r.exact)).toBe(true);
  });

  it('[HLS-2] fMP4, short segments, forced keyframes, per-period file names', () => {
    const args = hlsArgs('/t/tap.sdp', '/out/s1', { segmentSec: 1, listSize: 10, ladder: DEFAULT_LADDER, preset: 'ultrafast', audioKbps: 96 }, { width: 1280, height: 720 }, true, false, 'pabc');
    const joined = args.join(' ');
    expect(joined).toContain('-hls_segment_type fmp4');
    expect(joined).toContain('-hls_time 1');
    expect(joined).toContain('-force_key_frames expr:gte(t,n_forced*1)');
    expect(joined).toContain('-var_stream_map v:0,a:0,name:720p v:1,a:1,name:360p');
    expect(joined).toContain('init_pabc.mp4');
    expect(joined).toContain(path.join('/out/s1', '%v', 'pabc_%05d.m4s'));
    expect(joined).not.toContain('append_list');
  });

  it('[HLS-3] endPlaylists appends ENDLIST once, to media playlists only', async () => {
    const dir = await tmpDir('endlist');
    await fs.mkdir(path.join(dir, '360p'));
    await fs.writeFile(path.join(dir, '360p', 'index.m3u8'), '#EXTM3U\n#EXTINF:1.0,\np_00001.m4s\n');
    await fs.writeFile(path.join(dir, 'master.m3u8'), '#EXTM3U\n');
    expect(await endPlaylists(dir)).toBe(1);
    expect(await endPlaylists(dir)).toBe(0);
    expect(await fs.readFile(path.join(dir, '360p', 'index.m3u8'), 'utf8')).toMatch(/#EXT-X-ENDLIST\n$/);
    expect(await fs.readFile(path.join(dir, 'master.m3u8'), 'utf8')).not.toContain('ENDLIST');
    await fs.rm(dir, { recursive: true });
  });

  it('[HLS-4] session ids that could escape the HLS directory are refused', () => {
    expect(() => assertSafeId('../etc')).toThrow();
    expect(() => assertSafeId('a/b')).toThrow();
    expect(assertSafeId('bn-kh12')).toBe('bn-kh12');
  });
});

describe('RTMP push', () => {
  it('[HLS-5] the program is pushed over RTMP (ffmpeg plays the RTMP server) and the push stops with the outputs', async () => {
    const { WeriftHub } = await import('../src/werift-hub.ts');
    const { ProgramOutputs } = await import('../src/hls.ts');
    const { runningFfmpeg } = await import('../src/ffmpeg.ts');
    const { ffmpegTestSource, spawnFfmpeg, killTestProcesses, ffprobe, waitUntil } = await import('./support.ts');
    const { createServer } = await import('node:net');
    const dir = await tmpDir('rtmp');
    const hub = await WeriftHub.create({});
    try {
      await hub.createBroadcast('r1');
      const ingest = await hub.ingestRtp('r1');
      ffmpegTestSource({ video: ingest.ffmpegOutput('video'), audio: ingest.ffmpegOutput('audio') });
      // A free TCP port for the RTMP listener (the kernel picks; we release it for ffmpeg).
      const port = await new Promise<number>((resolve) => {
        const srv = createServer().listen(0, '127.0.0.1', () => {
          const p = (srv.address() as { port: number }).port;
          srv.close(() => resolve(p));
        });
      });
      const received = path.join(dir, 'received.flv');
      // The "TV station": an RTMP server that writes what it receives.
      const station = spawnFfmpeg(['-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/hall`, '-c', 'copy', '-f', 'flv', received]);
      // Let the listener bind first; a push that finds nobody is restarted by the supervisor, but with back-off.
      await new Promise((r) => setTimeout(r, 1500));
      const outputs = await ProgramOutputs.start({ hub, broadcastId: 'r1', hlsRoot: null, recordingFile: null, rtmp: [{ name: 'station', url: `rtmp://127.0.0.1:${port}/live/hall`, videoKbps: 500 }] });
      await waitUntil('flv growing', () => fs.stat(received).then((s) => s.size, () => 0), (n) => n > 100_000, 45_000);
      await outputs.stop();
      await new Promise<void>((r) => (station.exitCode !== null ? r() : station.once('exit', () => r())));
      const probe = await ffprobe(received);
      expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
      expect(runningFfmpeg()).toHaveLength(0);
    } finally {
      await killTestProcesses();
      await hub.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
