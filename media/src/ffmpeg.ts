/**
 * Supervised ffmpeg processes. Every process this package spawns is tracked here, so a server shutting down (or a
 * test's `finally`) can stop all of them and nothing is left encoding in the background.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { HubLogger } from './hub.ts';

const live = new Set<FfmpegProcess>();

export interface FfmpegOptions {
  /** Name for logs, e.g. `hls s1`. */
  name: string;
  args: string[];
  log: HubLogger;
  ffmpegPath?: string;
  /**
   * Read ffmpeg's `-progress` report (once a second on stdout): `progressAt` then says when output time last moved,
   * so a supervisor can tell "running and writing" from "alive but stuck" (no keyframe, no packets).
   */
  progress?: boolean;
}

export class FfmpegProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderrTail = '';
  private stopping = false;
  exitCode: number | null = null;
  done = false;
  /** Output time ffmpeg reported last (µs) and when it last grew (ms since epoch); with `progress: true` only. */
  outTimeUs = 0;
  progressAt: number | null = null;

  constructor(private readonly options: FfmpegOptions) {
    const args = options.progress ? ['-progress', 'pipe:1', '-stats_period', '1', ...options.args] : options.args;
    this.child = spawn(options.ffmpegPath ?? process.env.FFMPEG_PATH ?? 'ffmpeg', args, { stdio: ['ignore', options.progress ? 'pipe' : 'ignore', 'pipe'] });
    live.add(this);
    let pending = '';
    this.child.stdout?.on('data', (b: Buffer) => {
      pending += b.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^out_time_us=(\d+)/.exec(line);
        if (m && Number(m[1]) > this.outTimeUs) {
          this.outTimeUs = Number(m[1]);
          this.progressAt = Date.now();
        }
      }
    });
    this.child.stderr?.on('data', (b: Buffer) => {
      this.stderrTail = (this.stderrTail + b.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.done) return;
        this.done = true;
        this.exitCode = code;
        live.delete(this);
        if (!this.stopping && code !== 0) options.log.warn({ name: options.name, code, signal, stderr: this.stderrTail.slice(-1500) }, 'ffmpeg exited');
        resolve({ code, signal });
      };
      this.child.once('exit', finish);
      // Spawn failures (ffmpeg missing) arrive as 'error' without 'exit'.
      this.child.once('error', (err) => {
        this.stderrTail += `\n${err.message}`;
        finish(-1, null);
      });
    });
  }

  get pid() {
    return this.child.pid;
  }

  get stderr() {
    return this.stderrTail;
  }

  get stopRequested() {
    return this.stopping;
  }

  /**
   * SIGINT lets ffmpeg write its trailer (the HLS playlist, the Matroska cues and duration); SIGKILL after `graceMs`
   * if it hangs. (A second SIGINT would interrupt a read blocked on a silent input, but also the trailer's writes,
   * leaving an unreadable file; a silent tap input ends by itself instead: `-listen_timeout` in `tapInputArgs`.)
   */
  async stop(graceMs = 5000) {
    this.stopping = true;
    if (this.done) return this.exited;
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/** ffmpeg processes started by this process and still running. */
export function runningFfmpeg(): FfmpegProcess[] {
  return [...live];
}

/** Stops every tracked ffmpeg (SIGINT, then SIGKILL). For shutdown hooks and test cleanup. */
export async function stopAllFfmpeg(graceMs = 3000) {
  await Promise.all([...live].map((p) => p.stop(graceMs)));
}

/**
 * Seconds without a packet after which ffmpeg ends a tap input as if it were the end of the stream, writing its
 * trailer: an ingest gap closes the recording part cleanly (see src/supervisor.ts).
 */
export const TAP_SILENCE_S = 4;

/** The options that read a hub tap's SDP: RTP over UDP from loopback, a short probe so output starts quickly. */
export function tapInputArgs(sdpPath: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    '-protocol_whitelist',
    'file,udp,rtp',
    '-listen_timeout',
    String(TAP_SILENCE_S),
    '-analyzeduration',
    '3000000',
    '-probesize',
    '5000000',
    '-reorder_queue_size',
    '256',
    '-fflags',
    '+genpts',
    '-i',
    sdpPath,
  ];
}
