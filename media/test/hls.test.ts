/** The packager's pure parts: ladder choice, ffmpeg arguments, ending playlists. */
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Id } from '@hall/core';
import { DEFAULT_LADDER, chooseLadder, endPlaylists, hlsArgs, assertSafeId, outputFps, recordingPart, type HlsOptions } from '../src/hls.ts';
import { FrameRateMeter } from '../src/rtp-util.ts';
import { tmpDir } from './support.ts';

describe('HLS packager', () => {
  it('[HLS-1] no upscaling: a 360p source gets one 360p rung, 1080p gets the full ladder, unknown is capped by ih', () => {
    expect(chooseLadder(DEFAULT_LADDER, { width: 640, height: 360 }).map((r) => r.rung.name)).toEqual(['360p']);
    expect(chooseLadder(DEFAULT_LADDER, { width: 1920, height: 1080 }).map((r) => r.rung.name)).toEqual(['720p', '360p']);
    expect(chooseLadder(DEFAULT_LADDER, { width: 320, height: 240 }).map((r) => r.rung.name)).toEqual(['240p']);
    expect(chooseLadder(DEFAULT_LADDER, null).every((r) => !r.exact)).toBe(true);
  });

  const opts: Required<HlsOptions> = { segmentSec: 1, listSize: 10, ladder: DEFAULT_LADDER, preset: 'ultrafast', audioKbps: 96, fps: 'auto', fallbackFps: 25, maxFps: 30 };

  it('[HLS-2] fMP4, short segments, forced keyframes on a constant frame rate, per-period file names', () => {
    const args = hlsArgs('/t/tap.sdp', '/out/s1', opts, { width: 1280, height: 720, fps: 25 }, true, false, 'pabc');
    const joined = args.join(' ');
    expect(joined).toContain('-hls_segment_type fmp4');
    expect(joined).toContain('-hls_time 1');
    expect(joined).toContain('-force_key_frames expr:gte(t,n_forced*1)');
    expect(joined).toContain('-g 25 -keyint_min 25');
    expect(joined).toContain('[0:v]fps=25,split=2');
    expect(joined).toContain('-var_stream_map v:0,a:0,name:720p v:1,a:1,name:360p');
    // ffmpeg 5.1 refuses a multi-variant fMP4 ladder whose init name lacks %v.
    expect(args[args.indexOf('-hls_fmp4_init_filename') + 1]).toBe('init_pabc_%v.mp4');
    expect(joined).toContain(path.join('/out/s1', '%v', 'pabc_%05d.m4s'));
    expect(joined).toContain('omit_endlist');
    expect(joined).not.toContain('append_list');
    const single = hlsArgs('/t/tap.sdp', '/out/s1', opts, { width: 640, height: 360, fps: 30 }, false, true, 'pabcr2');
    expect(single[single.indexOf('-hls_fmp4_init_filename') + 1]).toBe('init_pabcr2_360p.mp4');
    expect(single.join(' ')).toContain('[0:v]fps=30,split=1');
    expect(single.join(' ')).toContain('append_list');
  });

  it('[HLS-6] output frame rate: measured, halved above the cap, the fallback when unknown, fixed when configured', () => {
    expect(outputFps(opts, 25)).toBe(25);
    expect(outputFps(opts, 60)).toBe(30);
    expect(outputFps(opts, 50)).toBe(25);
    expect(outputFps(opts, null)).toBe(25);
    expect(outputFps({ ...opts, fps: 24 }, 30)).toBe(24);
  });

  it('[HLS-7] the frame rate is read from RTP timestamps despite jitter, dropped frames and reordering', () => {
    const meter = new FrameRateMeter();
    expect(meter.fps).toBeNull();
    let ts = 4_294_900_000; // wraps around 2^32 on the way
    for (let i = 0; i < 60; i++) {
      ts += i % 10 === 9 ? 7200 : 3600 + ((i % 3) - 1) * 90; // 25 fps, ±1 ms jitter, a dropped frame now and then
      meter.add(ts % 0x1_0000_0000);
      if (i % 7 === 0) meter.add((ts - 3600) % 0x1_0000_0000); // a late packet of the previous frame
      meter.add(ts % 0x1_0000_0000); // several packets per frame
    }
    expect(meter.fps).toBe(25);
    meter.reset();
    for (let i = 0; i < 30; i++) meter.add(i * 3000);
    expect(meter.fps).toBe(30);
  });

  it('[HLS-8] recording parts: the first keeps its name, the next ones are numbered', () => {
    expect(recordingPart('/r/s-phien1.mkv', 0)).toBe('/r/s-phien1.mkv');
    expect(recordingPart('/r/s-phien1.mkv', 1)).toBe('/r/s-phien1-part2.mkv');
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

  it('[HLS-4] session ids that could escape the HLS directory are refused; every id core accepts otherwise is served', () => {
    expect(() => assertSafeId('../etc')).toThrow();
    expect(() => assertSafeId('a/b')).toThrow();
    expect(() => assertSafeId('..')).toThrow();
    expect(() => assertSafeId('.')).toThrow();
    expect(assertSafeId('bn-kh12')).toBe('bn-kh12');
    // Core's id alphabet (`Id`) has `.` and `:`: the media paths take the same ids.
    for (const id of ['bn.kh12', 'bn:kh12:p1', 'a..b']) {
      expect(Id.safeParse(id).success).toBe(true);
      expect(assertSafeId(id)).toBe(id);
    }
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
