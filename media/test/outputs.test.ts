/**
 * Outputs that recover (issue 12 §2): after an ingest gap the recording continues as a new coherent part (no empty
 * parts) and HLS continues after a discontinuity; a failing output is retried with back-off without a cap; every
 * state change is reported with a code and a Vietnamese reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { WeriftHub } from '../src/werift-hub.ts';
import { ProgramOutputs } from '../src/hls.ts';
import { runningFfmpeg, stopAllFfmpeg, tapInputArgs } from '../src/ffmpeg.ts';
import { SupervisedOutput } from '../src/supervisor.ts';
import { OUTPUT_PROBLEM_MESSAGES, type OutputStatus } from '../src/wire.ts';
import { ffmpegTestSource, ffprobe, killTestProcesses, parsePlaylist, tmpDir, waitUntil } from './support.ts';

let hub: WeriftHub;
let dir: string;

beforeAll(async () => {
  hub = await WeriftHub.create({});
  dir = await tmpDir('outputs');
});

afterAll(async () => {
  try {
    await hub.close();
    await stopAllFfmpeg();
  } finally {
    await killTestProcesses();
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
  expect(runningFfmpeg()).toHaveLength(0);
});

const kill = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode ? r() : (p.once('exit', () => r()), p.kill('SIGKILL'))));

describe('program outputs recover', () => {
  it('[OUT-1] an ingest gap: outputs wait (NO_SIGNAL), come back when packets resume; the recording gets a second part, HLS a discontinuity', async () => {
    await hub.createBroadcast('gap');
    const ingest = await hub.ingestRtp('gap');
    const send = () => ffmpegTestSource({ video: ingest.ffmpegOutput('video'), audio: ingest.ffmpegOutput('audio') });
    let source = send();
    await waitUntil('packets', () => hub.stats('gap')?.ingest?.video.packets ?? 0, (n) => n > 50, 30_000);
    const recording = path.join(dir, 'rec', 'gap.mkv');
    const seen: OutputStatus[] = [];
    const outputs = await ProgramOutputs.start({
      hub,
      broadcastId: 'gap',
      hlsRoot: path.join(dir, 'hls'),
      recordingFile: recording,
      hls: { preset: 'ultrafast' },
      onStatus: (s) => seen.push(s),
    });
    const states = () => outputs.status().map((s) => s.state);
    try {
      await waitUntil('both outputs running', states, (s) => s.every((x) => x === 'running'), 90_000);
      await waitUntil('first part has media', () => fs.stat(recording).then((s) => s.size, () => 0), (n) => n > 100_000, 60_000);

      // The encoder stops (a cable pulled, OBS restarted): longer than ffmpeg's patience used to be.
      await kill(source);
      const waiting = await waitUntil('outputs waiting for the source', () => outputs.status(), (s) => s.every((x) => x.state === 'waiting'), 60_000);
      for (const s of waiting) {
        expect(s.problem).toBe('NO_SIGNAL');
        expect(s.reason).toBe(OUTPUT_PROBLEM_MESSAGES.NO_SIGNAL);
        expect(s.running).toBe(false);
      }
      expect(runningFfmpeg()).toHaveLength(0);
      await new Promise((r) => setTimeout(r, 10_000));
      expect(states()).toEqual(['waiting', 'waiting']);

      source = send();
      await waitUntil('outputs back', states, (s) => s.every((x) => x === 'running'), 90_000);
      const part2 = recording.replace(/\.mkv$/, '-part2.mkv');
      await waitUntil('second part has media', () => fs.stat(part2).then((s) => s.size, () => 0), (n) => n > 100_000, 60_000);
      const hlsDir = path.join(dir, 'hls', 'gap');
      const rung = (await fs.readdir(hlsDir, { withFileTypes: true })).find((d) => d.isDirectory())!.name;
      const playlist = path.join(hlsDir, rung, 'index.m3u8');
      await waitUntil('HLS continues after a discontinuity', () => fs.readFile(playlist, 'utf8'), (t) => /#EXT-X-DISCONTINUITY\n(#EXTINF[^\n]*\n(#EXT-X-PROGRAM-DATE-TIME[^\n]*\n)?[^#\n]+\n){3}/.test(t), 60_000);
      expect(parsePlaylist(await fs.readFile(playlist, 'utf8')).ended).toBe(false);
      expect(outputs.status().every((s) => s.restarts >= 1 && s.parts >= 1)).toBe(true);
    } finally {
      await outputs.stop();
      await kill(source);
    }
    expect(outputs.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
    expect(seen.some((s) => s.kind === 'recording' && s.state === 'waiting')).toBe(true);
    expect(parsePlaylist(await fs.readFile(path.join(dir, 'hls', 'gap', (await fs.readdir(path.join(dir, 'hls', 'gap'), { withFileTypes: true })).find((d) => d.isDirectory())!.name, 'index.m3u8'), 'utf8')).ended).toBe(true);
    // Two coherent parts, each readable with video of its own; nothing empty left behind.
    const files = (await fs.readdir(path.dirname(recording))).filter((f) => !f.startsWith('.')).sort();
    expect(files).toEqual(['gap-part2.mkv', 'gap.mkv']);
    expect(await outputs.recordingParts()).toEqual([recording, recording.replace(/\.mkv$/, '-part2.mkv')]);
    for (const f of files) {
      const probe = await ffprobe(path.join(path.dirname(recording), f));
      expect(probe.streams.some((s) => s.codec_type === 'video' && (s.width ?? 0) === 640)).toBe(true);
      expect(Number(probe.format.duration ?? 0)).toBeGreaterThan(1);
    }
    await hub.closeBroadcast('gap');
  }, 600_000);

  it('[OUT-2] a recording whose ffmpeg keeps failing is retried with back-off past the old cap of 3, reporting FFMPEG_EXITED', async () => {
    await hub.createBroadcast('fail');
    const ingest = await hub.ingestRtp('fail');
    const source = ffmpegTestSource({ video: ingest.ffmpegOutput('video') });
    await waitUntil('packets', () => hub.stats('fail')?.ingest?.video.packets ?? 0, (n) => n > 20, 30_000);
    // An ffmpeg that cannot write its output (a directory where the file should be) fails at once, every time.
    const blocked = path.join(dir, 'blocked.mkv');
    await fs.mkdir(blocked, { recursive: true });
    const output = new SupervisedOutput({
      kind: 'recording',
      name: 'recording fail',
      hub,
      broadcastId: 'fail',
      workDir: dir,
      log: { info() {}, warn() {}, error() {} },
      args: (_tap, sdp) => ['-y', ...tapInputArgs(sdp), '-map', '0', '-c', 'copy', '-f', 'matroska', blocked],
      timing: { backoffMs: 100, maxBackoffMs: 800 },
    });
    try {
      await output.start();
      const status = await waitUntil('more restarts than the old cap of 3', () => output.status, (s) => s.restarts > 4, 240_000, 100);
      expect(['retrying', 'starting']).toContain(status.state);
      const retrying = await waitUntil('a retrying state', () => output.status, (s) => s.state === 'retrying', 60_000, 20);
      expect(retrying.problem).toBe('FFMPEG_EXITED');
      expect(retrying.reason).toBe(OUTPUT_PROBLEM_MESSAGES.FFMPEG_EXITED);
      expect(retrying.running).toBe(false);
      expect(retrying.nextRetryAt).toBeGreaterThan(retrying.since);
    } finally {
      await output.stop();
      await kill(source);
      await hub.closeBroadcast('fail');
    }
    expect(output.status.state).toBe('stopped');
    expect(runningFfmpeg()).toHaveLength(0);
  }, 300_000);
});
