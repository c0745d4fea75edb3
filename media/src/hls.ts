/**
 * The program outputs, shared by both hubs: a hub tap (plain RTP) → ffmpeg →
 *  - HLS: short fMP4 segments (1 s by default) with an H.264 ladder, in a directory per session, served by the
 *    server (and a CDN in front of it);
 *  - a recording of the program per on-air period (Matroska, the ingest's codecs copied: no second encode);
 *  - optional RTMP pushes (TV station, platforms).
 * Each output is its own ffmpeg process with its own tap, so a dead RTMP destination never stops HLS or the
 * recording. Processes are supervised (src/supervisor.ts: back after every ingest gap and failure while on air) and
 * always stopped on `stop()`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tapInputArgs } from './ffmpeg.ts';
import { silentLogger, type HubLogger, type MediaHub, type VideoCodec } from './hub.ts';
import { SupervisedOutput, type SupervisorTiming } from './supervisor.ts';
import type { OutputKind, OutputStatus } from './wire.ts';
import { PATH_ID } from '@hall/core';

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
  /**
   * Output frame rate. `auto`: the source's, measured by the hub from RTP timestamps (capped at `maxFps`), else
   * `fallbackFps`. The RTP demuxer reports 90 kHz "frame rates" for VP8, so an output rate must always be set.
   */
  fps?: number | 'auto';
  fallbackFps?: number;
  maxFps?: number;
}

/** The output frame rate for a measured source rate (null: unknown). */
export function outputFps(opts: Pick<Required<HlsOptions>, 'fps' | 'fallbackFps' | 'maxFps'>, measured: number | null): number {
  if (typeof opts.fps === 'number') return opts.fps;
  if (!measured) return opts.fallbackFps;
  // 50/60 fps cameras are halved rather than dropped unevenly.
  return measured > opts.maxFps ? (measured / 2 <= opts.maxFps ? measured / 2 : opts.maxFps) : measured;
}

export interface RtmpDestination {
  name: string;
  url: string;
  /** Video bitrate for the push (transcoded to H.264 unless the ingest already is H.264). */
  videoKbps?: number;
}

/** Session ids are core's (`PATH_ID`): the same rule everywhere they name a directory or a URL. */
export function assertSafeId(id: string, what = 'id'): string {
  if (!PATH_ID.test(id)) throw new Error(`unsafe ${what} for a path: ${JSON.stringify(id)}`);
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
 * `period` names this on-air period's files (segments and init); `run` the ffmpeg run within it (after an ingest gap
 * or a failure the playlist is appended to, with a discontinuity). Names never repeat, so a CDN may cache segments
 * and init files forever (immutable) even though the playlist paths stay the same for the session.
 */
export function hlsArgs(
  sdpPath: string,
  dir: string,
  opts: Required<HlsOptions>,
  source: { width: number; height: number; fps?: number | null } | null,
  audio: boolean,
  append: boolean,
  period = 'p0',
): string[] {
  const rungs = chooseLadder(opts.ladder, source);
  const n = rungs.length;
  const fps = outputFps(opts, source?.fps ?? null);
  const gop = Math.max(1, Math.round(fps * opts.segmentSec));
  const scales = rungs.map(({ rung, exact }, i) => `[s${i}]scale=w=-2:h=${exact ? rung.height : `min(${rung.height}\\,ih)`}[v${i}]`);
  // A constant output rate first: RTP input has no frame rate of its own (ffmpeg would encode at 90k "fps").
  const filter = `[0:v]fps=${fps},split=${n}${rungs.map((_, i) => `[s${i}]`).join('')};${scales.join(';')}`;
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
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
  );
  rungs.forEach(({ rung }, i) => args.push(`-b:v:${i}`, `${rung.videoKbps}k`, `-maxrate:v:${i}`, `${Math.round(rung.videoKbps * 1.2)}k`, `-bufsize:v:${i}`, `${rung.videoKbps}k`));
  if (audio) args.push('-c:a', 'aac', '-b:a', `${opts.audioKbps}k`, '-ar', '48000', '-ac', '2');
  // omit_endlist: a run stopped for an ingest gap is not the end of the stream; ENDLIST is written at off air only.
  const flags = ['independent_segments', 'delete_segments', 'program_date_time', 'temp_file', 'omit_endlist', ...(append ? ['append_list'] : [])];
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
    // ffmpeg 5.1 wants %v in the init name as soon as there are two variants, and leaves it literal with one.
    '-hls_fmp4_init_filename',
    n > 1 ? `init_${period}_%v.mp4` : `init_${period}_${rungs[0]!.rung.name}.mp4`,
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
    // Atomically (a dot-file, never served, renamed over): a player must never fetch half a playlist.
    const tmp = path.join(dir, e.name, '.index.m3u8.end');
    await fs.writeFile(tmp, `${text.trimEnd()}\n#EXT-X-ENDLIST\n`);
    await fs.rename(tmp, file);
    fixed++;
  }
  return fixed;
}

export interface ProgramOptions {
  hub: MediaHub;
  broadcastId: string;
  /** HLS goes to `<hlsRoot>/<broadcastId>/`. */
  hlsRoot: string | null;
  hls?: HlsOptions;
  /** The recording file (its directory is created); null for none. Later parts are `<name>-part2.mkv`, … */
  recordingFile: string | null;
  rtmp?: RtmpDestination[];
  log?: HubLogger;
  videoCodec?: VideoCodec;
  /** Called on every output state change (the server pushes it to the chair's card). */
  onStatus?: (status: OutputStatus) => void;
  /** Supervisor timing (tests shorten the ingest-gap detection). */
  timing?: Partial<SupervisorTiming>;
}

/** The file of recording part `part` (0-based): the first keeps the name, later ones get `-part2`, `-part3`, … */
export const recordingPart = (file: string, part: number) => (part === 0 ? file : file.replace(/(\.\w+)?$/, `-part${part + 1}$1`));

/**
 * Everything written from one on-air period of a broadcast: HLS, the recording and the RTMP pushes. `stop()` ends
 * them all, and the HLS playlists always end with #EXT-X-ENDLIST afterwards.
 */
export class ProgramOutputs {
  readonly hlsDir: string | null;
  private readonly outputs: { kind: OutputKind; name: string; output: SupervisedOutput }[] = [];
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

  private add(kind: OutputKind, name: string, spec: Omit<ConstructorParameters<typeof SupervisedOutput>[0], 'kind' | 'name' | 'hub' | 'broadcastId' | 'log' | 'onStatus' | 'timing'>) {
    const { hub, broadcastId, onStatus, timing } = this.options;
    const output = new SupervisedOutput({
      kind,
      name,
      hub,
      broadcastId,
      log: this.options.log ?? silentLogger,
      ...(onStatus ? { onStatus } : {}),
      ...(timing ? { timing } : {}),
      ...spec,
    });
    this.outputs.push({ kind, name, output });
  }

  private async begin() {
    const { hub, broadcastId } = this.options;
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
        fps: 'auto',
        fallbackFps: 25,
        maxFps: 30,
        ...this.options.hls,
      };
      this.add('hls', `hls ${broadcastId}`, {
        workDir: dir,
        args: async (tap, sdp, run) => {
          // The source size decides the ladder (VP8 keyframes carry it) and its RTP timestamps the frame rate.
          const size = await waitFor(() => tap.videoSize, 2000);
          const fps = await waitFor(() => tap.frameRate, 1000);
          const files = `${this.period}${run.attempt ? `r${run.attempt}` : ''}`;
          return hlsArgs(sdp, dir, opts, size ? { ...size, fps } : null, tap.kinds.includes('audio'), run.part > 0, files);
        },
      });
    }
    if (this.options.recordingFile) {
      const file = this.options.recordingFile;
      await fs.mkdir(path.dirname(file), { recursive: true });
      this.add('recording', `recording ${broadcastId}`, {
        workDir: path.dirname(file),
        // Copying starts at a keyframe; after a gap or a failure the next part is a file of its own.
        args: (_tap, sdp, run) => ['-y', ...tapInputArgs(sdp), '-map', '0', '-c', 'copy', '-f', 'matroska', recordingPart(file, run.part)],
        discard: async (run) => {
          // A run that wrote no media leaves at most a header: never keep it as a part.
          const f = recordingPart(file, run.part);
          const size = await fs.stat(f).then((st) => st.size, () => -1);
          if (size >= 0 && size < 64 * 1024) await fs.rm(f, { force: true });
        },
      });
    }
    for (const dest of this.options.rtmp ?? []) {
      const kbps = dest.videoKbps ?? 2500;
      this.add('rtmp', `rtmp ${dest.name} ${broadcastId}`, {
        workDir: this.hlsDir ?? path.dirname(this.options.recordingFile ?? '.'),
        // Copying H.264 needs keyframes from the source at a steady interval (platforms want ≤ 2-4 s GOPs).
        ...(codec === 'H264' ? { keyframeIntervalMs: 2000 } : {}),
        args: (tap, sdp) => [
          ...tapInputArgs(sdp),
          '-map',
          '0:v',
          ...(tap.kinds.includes('audio') ? ['-map', '0:a'] : []),
          ...(codec === 'H264'
            ? ['-c:v', 'copy']
            : [
                '-vf',
                `fps=${outputFps({ fps: 'auto', fallbackFps: 25, maxFps: 30 }, tap.frameRate)}`,
                '-c:v',
                'libx264',
                '-preset',
                'veryfast',
                '-tune',
                'zerolatency',
                '-pix_fmt',
                'yuv420p',
                '-b:v',
                `${kbps}k`,
                '-maxrate',
                `${kbps}k`,
                '-bufsize',
                `${kbps * 2}k`,
                '-force_key_frames',
                'expr:gte(t,n_forced*2)',
              ]),
          ...(tap.kinds.includes('audio') ? ['-c:a', 'aac', '-b:a', '128k', '-ar', '44100'] : []),
          '-f',
          'flv',
          dest.url,
        ],
      });
    }
    await Promise.all(this.outputs.map((o) => o.output.start()));
  }

  /** Each output's true state (see OutputStatus in wire.ts). */
  status(): OutputStatus[] {
    return this.outputs.map((o) => o.output.status);
  }

  /** Recording files written so far (parts that hold media), in order. */
  async recordingParts(): Promise<string[]> {
    const file = this.options.recordingFile;
    const rec = this.outputs.find((o) => o.kind === 'recording');
    if (!file || !rec) return [];
    // `parts` counts finished runs that wrote media; a running one writes part number `parts`.
    const out: string[] = [];
    for (let i = 0; i <= rec.output.status.parts; i++) if (await fs.stat(recordingPart(file, i)).then((st) => st.size > 0, () => false)) out.push(recordingPart(file, i));
    return out;
  }

  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    // ENDLIST at once for players polling through a CDN (ffmpeg may rewrite the playlist once more while stopping,
    // hence again afterwards).
    if (this.hlsDir) await endPlaylists(this.hlsDir);
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
