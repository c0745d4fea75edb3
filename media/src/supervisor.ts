/**
 * One program output (HLS, the recording, an RTMP push): a hub tap and an ffmpeg reading it, kept alive for as long
 * as the broadcast is on air (issue 12 §2).
 *
 *  - Ingest gap: ffmpeg ends its silent input by itself after TAP_SILENCE_S and writes its trailer (the recording
 *    part is complete); should it not, it is stopped after `gapMs`. The output says `waiting` / NO_SIGNAL, and a new
 *    ffmpeg starts as soon as packets flow again — a new recording part, an HLS discontinuity. There is no limit on
 *    how many times: a camera may come and go all afternoon.
 *  - ffmpeg exits on its own, writes nothing within `startMs` (no keyframe), or stops writing while packets flow:
 *    it is restarted with a fresh tap after a back-off (1 s, 2 s, 4 s … capped), again without a limit; the back-off
 *    resets once a run has written media.
 *  - Keyframes are requested while a run waits for its first one (WebRTC cameras answer; RTP encoders have a GOP).
 *  - A run that wrote nothing is discarded (`discard`), so no 0-byte recording parts are left behind.
 * Every state change is reported (`onStatus`) with a stable code and a Vietnamese reason for the chair's card.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FfmpegProcess } from './ffmpeg.ts';
import type { HubLogger, MediaHub, RtpTap } from './hub.ts';
import { OUTPUT_PROBLEM_MESSAGES, type OutputKind, type OutputProblem, type OutputState, type OutputStatus } from './wire.ts';

export interface SupervisorTiming {
  /** Packets older than this mean the ingest is silent (ms). */
  freshMs: number;
  /** A silence this long stops ffmpeg until packets resume, if it has not ended its input by itself (ms). */
  gapMs: number;
  /** A run that wrote nothing after this long is restarted (ms). */
  startMs: number;
  /** A running output whose ffmpeg reported no progress for this long, with packets flowing, is restarted (ms). */
  stallMs: number;
  backoffMs: number;
  maxBackoffMs: number;
  pollMs: number;
}

export const DEFAULT_TIMING: SupervisorTiming = { freshMs: 2000, gapMs: 8000, startMs: 25_000, stallMs: 20_000, backoffMs: 1000, maxBackoffMs: 30_000, pollMs: 250 };

export interface SupervisedSpec {
  kind: OutputKind;
  name: string;
  hub: MediaHub;
  broadcastId: string;
  /** Where the tap's SDP file is written (a dot-file, never served). */
  workDir: string;
  log: HubLogger;
  keyframeIntervalMs?: number;
  /**
   * The ffmpeg arguments of attempt `attempt` (0-based, every start counts); `part` counts the runs that wrote media
   * before this one, so a recording names its part files and HLS knows whether to append.
   */
  args(tap: RtpTap, sdpPath: string, run: { attempt: number; part: number }): Promise<string[]> | string[];
  /** After a run that wrote nothing: remove what it may have created (an empty part file). */
  discard?(run: { attempt: number; part: number }): Promise<void>;
  onStatus?(status: OutputStatus): void;
  timing?: Partial<SupervisorTiming>;
}

type RunEnd = 'exit' | 'gap' | 'noKeyframe' | 'stalled' | 'stopped';

export class SupervisedOutput {
  private proc: FfmpegProcess | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly timing: SupervisorTiming;
  /** The status without what derives from it (`running`, `reason`), so the two can never disagree. */
  private current: Omit<OutputStatus, 'running' | 'reason'>;
  /** Resolves when the output first started an ffmpeg or first had to wait for the ingest. */
  readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor(private readonly spec: SupervisedSpec) {
    this.timing = { ...DEFAULT_TIMING, ...spec.timing };
    this.started = new Promise((r) => (this.markStarted = r));
    this.current = { kind: spec.kind, name: spec.name, state: 'starting', problem: null, since: Date.now(), restarts: 0, parts: 0, nextRetryAt: null };
  }

  get status(): OutputStatus {
    const c = this.current;
    return { ...c, running: c.state === 'running', reason: c.problem ? OUTPUT_PROBLEM_MESSAGES[c.problem] : null };
  }

  start() {
    this.loop ??= this.run();
    return this.started;
  }

  private set(state: OutputState, problem: OutputProblem | null, nextRetryAt: number | null = null) {
    const c = this.current;
    if (c.state === state && c.problem === problem && c.nextRetryAt === nextRetryAt) return;
    this.current = { ...c, state, problem, since: Date.now(), nextRetryAt };
    if (problem) this.spec.log.warn({ name: this.spec.name, state, problem }, 'broadcast output down');
    else this.spec.log.info({ name: this.spec.name, state }, 'broadcast output state');
    try {
      this.spec.onStatus?.(this.status);
    } catch (err) {
      this.spec.log.error({ err, name: this.spec.name }, 'output status listener failed');
    }
  }

  private lastPacketAgo(): number {
    const at = this.spec.hub.stats(this.spec.broadcastId)?.ingest?.video.lastPacketAt;
    return at ? Date.now() - at : Infinity;
  }

  /** Sleeps `ms`, or less when `stop()` is called. */
  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run() {
    const t = this.timing;
    let attempt = 0;
    let failures = 0;
    while (!this.stopped) {
      if (this.lastPacketAgo() > t.freshMs) {
        this.set('waiting', 'NO_SIGNAL');
        this.markStarted();
        while (!this.stopped && this.lastPacketAgo() > t.freshMs) await this.sleep(t.pollMs);
        if (this.stopped) break;
      }
      const part = this.current.parts;
      const { end, wrote } = await this.once({ attempt, part });
      attempt++;
      if (wrote) {
        failures = 0;
        this.current = { ...this.current, parts: part + 1 };
      } else {
        await this.spec.discard?.({ attempt: attempt - 1, part }).catch((err: unknown) => this.spec.log.warn({ err, name: this.spec.name }, 'discarding an empty run failed'));
      }
      if (this.stopped || end === 'stopped') break;
      this.current = { ...this.current, restarts: this.current.restarts + 1 };
      // A gap is the source's doing, not ffmpeg's: wait for packets (top of the loop) without a back-off.
      if (end === 'gap') continue;
      failures++;
      const delay = Math.min(t.maxBackoffMs, t.backoffMs * 2 ** (failures - 1));
      this.set('retrying', end === 'noKeyframe' ? 'NO_KEYFRAME' : end === 'stalled' ? 'STALLED' : 'FFMPEG_EXITED', Date.now() + delay);
      // Whoever awaits `started` (the follower's queue) must not wait for a retry that may never succeed.
      this.markStarted();
      await this.sleep(delay);
    }
    this.set('stopped', null);
    this.markStarted();
  }

  /** One tap + ffmpeg, until it exits, the ingest falls silent, it never writes, or it stalls. */
  private async once(run: { attempt: number; part: number }): Promise<{ end: RunEnd; wrote: boolean }> {
    const t = this.timing;
    const { spec } = this;
    const sdpPath = path.join(spec.workDir, `.${spec.name.replace(/\W+/g, '-')}-${run.attempt}.sdp`);
    let tap: RtpTap | null = null;
    let wrote = false;
    try {
      tap = await spec.hub.tap(spec.broadcastId, spec.keyframeIntervalMs ? { keyframeIntervalMs: spec.keyframeIntervalMs } : {});
      await fs.writeFile(sdpPath, tap.sdp);
      const args = await spec.args(tap, sdpPath, run);
      if (this.stopped) return { end: 'stopped', wrote };
      const proc = (this.proc = new FfmpegProcess({ name: spec.name, args, log: spec.log, progress: true }));
      const startedAt = Date.now();
      this.set('starting', null);
      this.markStarted();
      spec.log.info({ name: spec.name, pid: proc.pid, attempt: run.attempt, part: run.part }, 'ffmpeg started');
      let lastKick = 0;
      for (;;) {
        await Promise.race([proc.exited, this.sleep(t.pollMs)]);
        const now = Date.now();
        if (proc.progressAt !== null && proc.progressAt >= startedAt) {
          wrote = true;
          if (this.current.state !== 'running') this.set('running', null);
        }
        if (this.stopped) {
          await proc.stop();
          return { end: 'stopped', wrote };
        }
        // ffmpeg ending its input on silence is the source's gap, not a failure.
        if (proc.done) return { end: this.lastPacketAgo() > t.freshMs ? 'gap' : 'exit', wrote };
        const silent = this.lastPacketAgo();
        let end: RunEnd | null = null;
        if (silent > t.gapMs) end = 'gap';
        else if (!wrote && now - startedAt > t.startMs) end = 'noKeyframe';
        else if (wrote && silent <= t.freshMs && now - (proc.progressAt ?? startedAt) > t.stallMs) end = 'stalled';
        if (end) {
          await proc.stop();
          return { end, wrote };
        }
        // ffmpeg decodes nothing before a keyframe and binds its ports a while after spawning: ask every second.
        if (!wrote && now - lastKick >= 1000) {
          lastKick = now;
          tap.requestKeyFrame();
        }
      }
    } catch (err) {
      spec.log.error({ err, name: spec.name }, 'output failed to start');
      return { end: 'exit', wrote };
    } finally {
      this.proc = null;
      await tap?.close().catch(() => undefined);
      await fs.rm(sdpPath, { force: true }).catch(() => undefined);
    }
  }

  async stop() {
    this.stopped = true;
    this.wake?.();
    this.markStarted();
    await this.loop;
  }
}
