/**
 * The program outputs, shared by both hubs: a hub tap (plain RTP) → ffmpeg →
 *  - HLS: short fMP4 segments (1 s by default) with an H.264 ladder, in a directory per session, served by the
 *    server (and a CDN in front of it);
 *  - a recording of the program per on-air period (Matroska, the ingest's codecs copied: no second encode);
 *  - optional RTMP pushes (TV station, platforms).
 * Each output is its own ffmpeg process with its own tap, so a dead RTMP destination never stops HLS or the
 * recording. Processes are supervised (restarted a few times on unexpected exit) and always stopped on `stop()`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FfmpegProcess, tapInputArgs } from './ffmpeg.ts';
import { silentLogger, type HubLogger, type MediaHub, type RtpTap, type VideoCodec } from './hub.ts';

export interface Rung {
  name: string;
  height: number;
  videoKbps: number;
}

export const DEFAULT_LADDER: Rung[] = [
  { name: '720p', height: 720, videoKbps: 2500 },
  { name: '360p', height: 360, videoKbps: 800 },
];

export interface HlsOptions {
  /** Segment length in seconds (1-2 keeps glass-to-glass latency low; keyframes are forced at this interval). */
  segmentSec?: number;
  /** Segments kept in the live playlist (older ones are deleted; the recording is the archive). */
  listSize?: number;
  ladder?: Rung[];
  /** x264 preset; `ultrafast`/`superfast` on small machines, `veryfast` with cores to spare. */
  preset?: string;
  audioKbps?: number;
}

export interface RtmpDestination {
  name: string;
  url: string;
  /** Video bitrate for the push (transcoded to H.264 unless the ingest already is H.264). */
  videoKbps?: number;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export function assertSafeId(id: string, what = 'id'): string {
  if (!SAFE_ID.test(id)) throw new Error(`unsafe ${what} for a path: ${JSON.stringify(id)}`);
  return id;
}

/** The rungs to encode: no upscaling when the source size is known; one rung at the source height if all are larger. */
export function chooseLadder(ladder: Rung[], source: { width: number; height: number } | null): { rung: Rung; exact: boolean }[] {
  if (!source) return ladder.map((rung) => ({ rung, exact: false }));
  const fitting = ladder.filter((r) => r.height <= source.height);
  if (fitting.length) return fitting.map((rung) => ({ rung, exact: true }));
  const top = ladder[0] ?? DEFAULT_LADDER[0]!;
  const height = source.height - (source.height % 2);
  return [{ rung: { name: `${height}p`, height, videoKbps: top.videoKbps }, exact: true }];
}

/**
 * `period` names this on-air period's files (segments and init). Names never repeat across periods, so a CDN may
 * cache segments forever (immutable) even though the playlist path stays the same for the session.
 */
export function hlsArgs(
  sdpPath: string,
  dir: string,
  opts: Required<HlsOptions>,
  source: { width: number; height: number } | null,
  audio: boolean,
  append: boolean,
  period = 'p0',
): string[] {
  const rungs = chooseLadder(opts.ladder, source);
  const n = rungs.length;
  const scales = rungs.map(({ rung, exact }, i) => `[s${i}]scale=w=-2:h=${exact ? rung.height : `min(${rung.height}\\,ih)`}[v${i}]`);
  const filter = `[0:v]split=${n}${rungs.map((_, i) => `[s${i}]`).join('')};${scales.join(';')}`;
  const args = [...tapInputArgs(sdpPath), '-filter_complex', filter];
  rungs.forEach((_, i) => args.push('-map', `[v${i}]`));
  if (audio) rungs.forEach(() => args.push('-map', '0:a'));
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    opts.preset,
    '-tune',
    'zerolatency',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    // Keyframes on the segment grid, whatever the source's GOP: every segment starts decodable.
    '-force_key_frames',
    `expr:gte(t,n_forced*${opts.segmentSec})`,
    '-sc_threshold',
    '0',
  );
  rungs.forEach(({ rung }, i) => args.push(`-b:v:${i}`, `${rung.videoKbps}k`, `-maxrate:v:${i}`, `${Math.round(rung.videoKbps * 1.2)}k`, `-bufsize:v:${i}`, `${rung.videoKbps}k`));
  if (audio) args.push('-c:a', 'aac', '-b:a', `${opts.audioKbps}k`, '-ar', '48000', '-ac', '2');
  const flags = ['independent_segments', 'delete_segments', 'program_date_time', 'temp_file', ...(append ? ['append_list'] : [])];
  args.push(
    '-f',
    'hls',
    '-hls_time',
    String(opts.segmentSec),
    '-hls_list_size',
    String(opts.listSize),
    '-hls_flags',
    flags.join('+'),
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    `init_${period}.mp4`,
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    rungs.map(({ rung }, i) => `v:${i}${audio ? `,a:${i}` : ''},name:${rung.name}`).join(' '),
    '-hls_segment_filename',
    path.join(dir, '%v', `${period}_%05d.m4s`),
    path.join(dir, '%v', 'index.m3u8'),
  );
  return args;
}

/** Appends #EXT-X-ENDLIST to every media playlist under `dir` that lacks it (ffmpeg killed before its trailer). */
export async function endPlaylists(dir: string): Promise<number> {
  let fixed = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const file = path.join(dir, e.name, 'index.m3u8');
    const text = await fs.readFile(file, 'utf8').catch(() => null);
    if (text === null || text.includes('#EXT-X-ENDLIST')) continue;
    await fs.writeFile(file, `${text.trimEnd()}\n#EXT-X-ENDLIST\n`);
    fixed++;
  }
  return fixed;
}

interface SupervisedSpec {
  name: string;
  hub: MediaHub;
  broadcastId: string;
  workDir: string;
  log: HubLogger;
  keyframeIntervalMs?: number;
  /** Builds the ffmpeg arguments for attempt `n` (0-based) given the tap. */
  args(tap: RtpTap, sdpPath: string, attempt: number): Promise<string[]> | string[];
  maxRestarts?: number;
}

/**
 * One output: a tap and an ffmpeg reading it, restarted with a fresh tap (fresh ports) if ffmpeg dies on its own, up
 * to `maxRestarts` times.
 */
export class SupervisedOutput {
  private proc: FfmpegProcess | null = null;
  private tap: RtpTap | null = null;
  private stopped = false;
  private attempt = 0;
  private loop: Promise<void> | null = null;
  /** Resolves when the first ffmpeg has been spawned. */
  readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor(private readonly spec: SupervisedSpec) {
    this.started = new Promise((r) => (this.markStarted = r));
  }

  get pid() {
    return this.proc?.pid;
  }

  get running() {
    return !!this.proc && !this.proc.done;
  }

  start() {
    this.loop ??= this.run();
    return this.started;
  }

  private async run() {
    const max = this.spec.maxRestarts ?? 3;
    while (!this.stopped && this.attempt <= max) {
      const sdpPath = path.join(this.spec.workDir, `.${this.spec.name.replace(/\W+/g, '-')}-${this.attempt}.sdp`);
      try {
        this.tap = await this.spec.hub.tap(this.spec.broadcastId, { ...(this.spec.keyframeIntervalMs ? { keyframeIntervalMs: this.spec.keyframeIntervalMs } : {}) });
        await fs.writeFile(sdpPath, this.tap.sdp);
        const args = await this.spec.args(this.tap, sdpPath, this.attempt);
        if (this.stopped) break;
        this.proc = new FfmpegProcess({ name: this.spec.name, args, log: this.spec.log });
        this.markStarted();
        this.spec.log.info({ name: this.spec.name, pid: this.proc.pid, attempt: this.attempt }, 'ffmpeg started');
        // ffmpeg decodes nothing before a keyframe, and a WebRTC camera sends one only when asked: ask again over the
        // first seconds, because ffmpeg binds its ports an unknown while after spawning (longer on a busy machine).
        const tap = this.tap;
        const kicks = [500, 1500, 3000, 5000, 8000, 12000].map((ms) => setTimeout(() => tap.requestKeyFrame(), ms));
        await this.proc.exited;
        for (const k of kicks) clearTimeout(k);
      } catch (err) {
        this.spec.log.error({ err, name: this.spec.name }, 'output failed to start');
        this.markStarted();
      } finally {
        await this.tap?.close().catch(() => undefined);
        this.tap = null;
        await fs.rm(sdpPath, { force: true }).catch(() => undefined);
      }
      if (this.stopped) break;
      this.attempt++;
      await new Promise((r) => setTimeout(r, Math.min(5000, 500 * this.attempt)));
    }
    this.markStarted();
  }

  async stop(graceMs = 5000) {
    this.stopped = true;
    await this.proc?.stop(graceMs);
    await this.loop;
  }
}

export interface ProgramOptions {
  hub: MediaHub;
  broadcastId: string;
  /** HLS goes to `<hlsRoot>/<broadcastId>/`. */
  hlsRoot: string | null;
  hls?: HlsOptions;
  /** The recording file (its directory is created); null for none. */
  recordingFile: string | null;
  rtmp?: RtmpDestination[];
  log?: HubLogger;
  videoCodec?: VideoCodec;
}

/**
 * Everything written from one on-air period of a broadcast: HLS, the recording and the RTMP pushes. `stop()` ends
 * them all, and the HLS playlists always end with #EXT-X-ENDLIST afterwards.
 */
export class ProgramOutputs {
  readonly hlsDir: string | null;
  private readonly outputs: { kind: 'hls' | 'recording' | 'rtmp'; name: string; output: SupervisedOutput }[] = [];
  private stopped = false;
  readonly startedAt = Date.now();
  /** Names this period's HLS files (base36 start time). */
  readonly period = `p${this.startedAt.toString(36)}`;

  private constructor(private readonly options: ProgramOptions) {
    this.hlsDir = options.hlsRoot ? path.join(options.hlsRoot, assertSafeId(options.broadcastId, 'broadcast id')) : null;
  }

  static async start(options: ProgramOptions): Promise<ProgramOutputs> {
    const p = new ProgramOutputs(options);
    await p.begin();
    return p;
  }

  private async begin() {
    const { hub, broadcastId } = this.options;
    const log = this.options.log ?? silentLogger;
    const codec = this.options.videoCodec ?? hub.stats(broadcastId)?.videoCodec ?? 'VP8';
    if (this.hlsDir) {
      const dir = this.hlsDir;
      // A new on-air period starts a new stream: old segments and an old ENDLIST must not confuse players.
      await fs.rm(dir, { recursive: true, force: true });
      await fs.mkdir(dir, { recursive: true });
      const opts: Required<HlsOptions> = {
        segmentSec: 1,
        listSize: 10,
        ladder: DEFAULT_LADDER,
        preset: 'superfast',
        audioKbps: 96,
        ...this.options.hls,
      };
      this.outputs.push({
        kind: 'hls',
        name: `hls ${broadcastId}`,
        output: new SupervisedOutput({
          name: `hls ${broadcastId}`,
          hub,
          broadcastId,
          workDir: dir,
          log,
          args: async (tap, sdp, attempt) => {
            // The source size decides the ladder; VP8 keyframes carry it, so wait briefly for one.
            const size = await waitFor(() => tap.videoSize, 1500);
            return hlsArgs(sdp, dir, opts, size, tap.kinds.includes('audio'), attempt > 0, this.period);
          },
        }),
      });
    }
    if (this.options.recordingFile) {
      const file = this.options.recordingFile;
      await fs.mkdir(path.dirname(file), { recursive: true });
      this.outputs.push({
        kind: 'recording',
        name: `recording ${broadcastId}`,
        output: new SupervisedOutput({
          name: `recording ${broadcastId}`,
          hub,
          broadcastId,
          workDir: path.dirname(file),
          log,
          // Copying starts at a keyframe; a restart writes a new part instead of overwriting the first.
          args: (_tap, sdp, attempt) => [...tapInputArgs(sdp), '-map', '0', '-c', 'copy', '-f', 'matroska', attempt === 0 ? file : file.replace(/(\.\w+)?$/, `-part${attempt + 1}$1`)],
        }),
      });
    }
    for (const dest of this.options.rtmp ?? []) {
      const kbps = dest.videoKbps ?? 2500;
      this.outputs.push({
        kind: 'rtmp',
        name: `rtmp ${dest.name} ${broadcastId}`,
        output: new SupervisedOutput({
          name: `rtmp ${dest.name} ${broadcastId}`,
          hub,
          broadcastId,
          workDir: this.hlsDir ?? path.dirname(this.options.recordingFile ?? '.'),
          log,
          maxRestarts: 20,
          // Copying H.264 needs keyframes from the source at a steady interval (platforms want ≤ 2-4 s GOPs).
          ...(codec === 'H264' ? { keyframeIntervalMs: 2000 } : {}),
          args: (tap, sdp) => [
            ...tapInputArgs(sdp),
            '-map',
            '0:v',
            ...(tap.kinds.includes('audio') ? ['-map', '0:a'] : []),
            ...(codec === 'H264'
              ? ['-c:v', 'copy']
              : ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`, '-force_key_frames', 'expr:gte(t,n_forced*2)']),
            ...(tap.kinds.includes('audio') ? ['-c:a', 'aac', '-b:a', '128k', '-ar', '44100'] : []),
            '-f',
            'flv',
            dest.url,
          ],
        }),
      });
    }
    await Promise.all(this.outputs.map((o) => o.output.start()));
  }

  get running(): { kind: string; name: string; pid: number | undefined; running: boolean }[] {
    return this.outputs.map((o) => ({ kind: o.kind, name: o.name, pid: o.output.pid, running: o.output.running }));
  }

  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.outputs.map((o) => o.output.stop()));
    if (this.hlsDir) await endPlaylists(this.hlsDir);
  }
}

async function waitFor<T>(get: () => T | null, ms: number): Promise<T | null> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== null || Date.now() >= end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
