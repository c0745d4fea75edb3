/**
 * `pnpm bench -- --media` — the broadcast figures (issue 12), on the werift path, measured, never asserted:
 *
 *  - **WebRTC viewers one process serves before frames drop**: this process is the hub (WeriftHub + the `media:*`
 *    handlers); an RTP feed of 1280×720 25 fps VP8 at ~1.5 Mbit/s (a clip looped by ffmpeg, packets copied) goes in;
 *    Node WebRTC viewers (werift, in separate processes of 25 viewers each) join in steps. Per step: the hub's CPU
 *    over the window, and the delivery ratio — video packets the viewers received ÷ (viewers × packets the hub
 *    received). The ramp stops at the first step below 95 % delivery (frames dropped) or when viewers can no longer
 *    join. The CPU per viewer is the slope of the hub's CPU between the first and the last full-delivery step.
 *  - **HLS encoder CPU per rung**: the packager's ffmpeg (x264 at the configured preset, 1 s segments) on the same feed
 *    with the 720p rung only, the 360p rung only and the full ladder: its CPU (/proc) per second of media it wrote.
 *
 * Caveat: viewers run on the same machine as the hub (on 2 cores they compete with it); their own decryption is
 * not counted in the hub's CPU but can be what drops packets first — the report says which saturated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WeriftHub } from '../../../media/src/werift-hub.ts';
import { ProgramOutputs, type Rung } from '../../../media/src/hls.ts';
import { runningFfmpeg, stopAllFfmpeg } from '../../../media/src/ffmpeg.ts';
import { isLoopback } from '../../../media/src/rtp-util.ts';
import { killTestProcesses, loopedRtpSource, sourceClip, startServer, type TestServer } from '../../../media/test/support.ts';
import { cpuMs, onCleanup, tempDir } from '../lib/proc.ts';
import { repoRoot } from '../lib/deps.ts';

export interface MediaBenchOptions {
  steps: number[];
  windowSec: number;
  preset: string;
  log: (line: string) => void;
  out: string;
}

interface Step {
  viewers: number;
  hubCorePercent: number;
  ingestPacketsPerSec: number;
  deliveredPercent: number;
  joinedAll: boolean;
  viewerProcessesCorePercent: number;
}

const PER_PROCESS = 25;

/** CPU share of this process over `sec` seconds (1 = one core). */
async function ownCpuShare(sec: number): Promise<number> {
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, sec * 1000));
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1000 / (performance.now() - t0);
}

/** One report of a viewer process, with the hub's own packet count at the moment it arrived. */
interface Sample {
  at: number;
  viewers: number;
  videoPackets: number;
  hubPackets: number;
}

interface Swarm {
  procs: ChildProcess[];
  last: Map<ChildProcess, { viewers: number; videoPackets: number }>;
  samples: Map<ChildProcess, Sample[]>;
  total(): { viewers: number; videoPackets: number };
  stop(): Promise<void>;
}

function startSwarm(url: string, sessionId: string, viewers: number, hubPackets: () => number): Swarm {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const script = path.join(repoRoot, 'media', 'test', 'viewer-swarm.ts');
  const procs: ChildProcess[] = [];
  const last = new Map<ChildProcess, { viewers: number; videoPackets: number }>();
  const samples = new Map<ChildProcess, Sample[]>();
  for (let left = viewers; left > 0; left -= PER_PROCESS) {
    const p = spawn(tsx, [script, url, sessionId, String(Math.min(PER_PROCESS, left))], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    procs.push(p);
    last.set(p, { viewers: 0, videoPackets: 0 });
    samples.set(p, []);
    p.stdout!.on('data', (b: Buffer) => {
      for (const line of b.toString().trim().split('\n')) {
        try {
          const report = JSON.parse(line) as { viewers: number; videoPackets: number };
          last.set(p, report);
          samples.get(p)!.push({ at: Date.now(), ...report, hubPackets: hubPackets() });
        } catch {
          // a partial line
        }
      }
    });
  }
  const stop = async () => {
    for (const p of procs) {
      if (p.exitCode !== null || p.signalCode) continue;
      const gone = new Promise<void>((r) => p.once('exit', () => r()));
      try {
        process.kill(-p.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  const off = onCleanup('viewer swarm', stop);
  return {
    procs,
    last,
    samples,
    total: () => [...last.values()].reduce((a, b) => ({ viewers: a.viewers + b.viewers, videoPackets: a.videoPackets + b.videoPackets }), { viewers: 0, videoPackets: 0 }),
    stop: async () => {
      off();
      await stop();
    },
  };
}

const swarmCpuMs = (s: Swarm) => s.procs.reduce((a, p) => a + (p.pid ? cpuMs(p.pid) : 0), 0);

async function waitFor<T>(get: () => T, ok: (v: T) => boolean, ms: number): Promise<T | null> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = get();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

export async function runMediaBench(o: MediaBenchOptions) {
  const started = Date.now();
  const loadStart = loadavg()[0]!;
  const dir = await tempDir('media');
  const hub = await WeriftHub.create({ maxViewers: 10_000, announcedAddresses: ['127.0.0.1'], acceptRemoteAddress: isLoopback });
  let server: TestServer | null = null;
  onCleanup('media hub', async () => {
    await server?.close();
    await hub.close();
    await stopAllFfmpeg();
    await killTestProcesses();
  });
  server = await startServer(hub, path.join(dir, 'hls'));
  await hub.createBroadcast('bench');
  o.log('media: preparing the 1280x720 25 fps source clip (cached in the temp dir after the first run)');
  const clip = await sourceClip('1280x720', 25);
  const ingest = await hub.ingestRtp('bench');
  loopedRtpSource(clip, { video: ingest.ffmpegOutput('video'), audio: ingest.ffmpegOutput('audio') });
  await waitFor(() => hub.stats('bench')?.ingest?.video.packets ?? 0, (n) => n > 200, 60_000);
  const ingestKbps = () => hub.stats('bench')!.ingest!.video.bitrateKbps + (hub.stats('bench')!.ingest!.audio?.bitrateKbps ?? 0);

  // ---- viewers ----
  const steps: Step[] = [];
  const idle = await ownCpuShare(o.windowSec);
  o.log(`media: hub idle (ingest only) ${(idle * 100).toFixed(1)} % of a core, ingest ${ingestKbps()} kbit/s`);
  let stopReason = `reached the last step (${o.steps[o.steps.length - 1]})`;
  for (const n of o.steps) {
    const swarm = startSwarm(server.url, 'bench', n, () => hub.stats('bench')?.ingest?.video.packets ?? 0);
    try {
      const joined = await waitFor(() => swarm.total(), (t) => t.viewers === n && t.videoPackets > n * 50, Math.max(60_000, n * 1500));
      if (!joined) {
        stopReason = `${n} viewers could not all join and receive (${swarm.total().viewers} did)`;
        steps.push({ viewers: n, hubCorePercent: NaN, ingestPacketsPerSec: NaN, deliveredPercent: NaN, joinedAll: false, viewerProcessesCorePercent: NaN });
        o.log(`media: ${stopReason}`);
        break;
      }
      const v0 = swarmCpuMs(swarm);
      const h0 = hub.stats('bench')!.ingest!.video.packets;
      const t0 = Date.now();
      const share = await ownCpuShare(o.windowSec);
      const t1 = Date.now();
      const secs = (t1 - t0) / 1000;
      const h1 = hub.stats('bench')!.ingest!.video.packets;
      // The viewer processes report once a second: let the last report of the window arrive.
      await new Promise((r) => setTimeout(r, 1500));
      // Per viewer process: packets its viewers received between two of its reports ÷ (its viewers × packets the hub
      // received between the same two moments).
      let received = 0;
      let expected = 0;
      for (const list of swarm.samples.values()) {
        const inWindow = list.filter((x) => x.at >= t0 && x.at <= t1 + 1200);
        const a = inWindow[0];
        const b = inWindow[inWindow.length - 1];
        if (!a || !b || a === b) continue;
        received += b.videoPackets - a.videoPackets;
        expected += b.viewers * (b.hubPackets - a.hubPackets);
      }
      const step: Step = {
        viewers: n,
        hubCorePercent: +(share * 100).toFixed(1),
        ingestPacketsPerSec: Math.round((h1 - h0) / secs),
        deliveredPercent: expected ? +Math.min(100, (received / expected) * 100).toFixed(1) : 0,
        joinedAll: true,
        viewerProcessesCorePercent: +(((swarmCpuMs(swarm) - v0) / 1000 / secs) * 100).toFixed(1),
      };
      steps.push(step);
      o.log(`media: ${n} viewers: hub ${step.hubCorePercent} % of a core, delivered ${step.deliveredPercent} %, viewer processes ${step.viewerProcessesCorePercent} %`);
      if (step.deliveredPercent < 95) {
        stopReason = `frames dropped at ${n} viewers (${step.deliveredPercent} % delivered)`;
        break;
      }
    } finally {
      await swarm.stop();
    }
  }
  const full = steps.filter((s) => s.joinedAll && s.deliveredPercent >= 95);
  const lastFull = full[full.length - 1];
  const perViewer = lastFull ? (lastFull.hubCorePercent - idle * 100) / lastFull.viewers : null;

  // ---- HLS encoder CPU per rung ----
  const ladders: { name: string; ladder: Rung[] }[] = [
    { name: '720p only', ladder: [{ name: '720p', height: 720, videoKbps: 2500 }] },
    { name: '360p only', ladder: [{ name: '360p', height: 360, videoKbps: 800 }] },
    { name: '720p + 360p', ladder: [{ name: '720p', height: 720, videoKbps: 2500 }, { name: '360p', height: 360, videoKbps: 800 }] },
  ];
  // CPU per second of media written (ffmpeg's own progress), so a starved encoder on a busy machine still reports
  // what real time costs rather than the share it happened to get.
  const hls: { ladder: string; corePercentForRealTime: number; speed: number }[] = [];
  for (const { name, ladder } of ladders) {
    const outputs = await ProgramOutputs.start({ hub, broadcastId: 'bench', hlsRoot: path.join(dir, 'hls'), recordingFile: null, hls: { preset: o.preset, ladder } });
    try {
      const running = await waitFor(() => outputs.status()[0]!.state, (s) => s === 'running', 90_000);
      const proc = runningFfmpeg()[0];
      if (!running || !proc?.pid) {
        hls.push({ ladder: name, corePercentForRealTime: NaN, speed: NaN });
        continue;
      }
      await new Promise((r) => setTimeout(r, 3000));
      const c0 = cpuMs(proc.pid);
      const m0 = proc.outTimeUs;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, o.windowSec * 1000));
      const mediaMs = (proc.outTimeUs - m0) / 1000;
      const pct = mediaMs > 0 ? ((cpuMs(proc.pid) - c0) / mediaMs) * 100 : NaN;
      const speed = mediaMs / (performance.now() - t0);
      hls.push({ ladder: name, corePercentForRealTime: +pct.toFixed(1), speed: +speed.toFixed(2) });
      o.log(`media: HLS ${name} (${o.preset}): ${pct.toFixed(1)} % of a core per real-time second (running at ${speed.toFixed(2)}× real time)`);
    } finally {
      await outputs.stop();
    }
  }

  const result = {
    date: new Date().toISOString(),
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}`,
    loadAvg1m: { start: loadStart, end: loadavg()[0]! },
    durationSec: Math.round((Date.now() - started) / 1000),
    source: { size: '1280x720', fps: 25, ingestKbps: ingestKbps() },
    windowSec: o.windowSec,
    hubIdleCorePercent: +(idle * 100).toFixed(1),
    viewerSteps: steps,
    viewersServedWithoutDrops: lastFull?.viewers ?? 0,
    stopReason,
    hubCorePercentPerViewer: perViewer === null ? null : +perViewer.toFixed(2),
    hlsEncoder: { preset: o.preset, segmentSec: 1, ladders: hls },
  };
  await mkdir(path.dirname(o.out), { recursive: true });
  await writeFile(o.out, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** The figures as a text table for the terminal. */
export function mediaTable(r: Awaited<ReturnType<typeof runMediaBench>>): string {
  const lines = [
    `source ${r.source.size} ${r.source.fps} fps, ingest ${r.source.ingestKbps} kbit/s; ${r.cpus}; load ${r.loadAvg1m.start.toFixed(1)} → ${r.loadAvg1m.end.toFixed(1)}`,
    `hub idle (ingest only): ${r.hubIdleCorePercent} % of a core`,
    'viewers | hub % core | delivered % | viewer procs % core',
    ...r.viewerSteps.map((s) => `${String(s.viewers).padStart(7)} | ${String(s.hubCorePercent).padStart(10)} | ${String(s.deliveredPercent).padStart(11)} | ${s.viewerProcessesCorePercent}`),
    `served without drops: ${r.viewersServedWithoutDrops} viewers (${r.stopReason}); hub CPU per viewer ${r.hubCorePercentPerViewer ?? '—'} % of a core`,
    ...r.hlsEncoder.ladders.map((l) => `HLS ${l.ladder} (${r.hlsEncoder.preset}): ${l.corePercentForRealTime} % of a core per real-time second (${l.speed}× real time)`),
  ];
  return lines.join('\n');
}
