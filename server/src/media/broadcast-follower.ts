/**
 * The broadcast follows the session (issue 5 §4). The machine owns the on-air flag; this watches it and acts:
 *  - on air (and not a closed sitting) with an ingest → start the program outputs (HLS, recording, RTMP pushes);
 *    an ingest that arrives later starts them then;
 *  - off air → drop the public WebRTC viewers and withdraw HLS from their state at once, then stop the outputs
 *    (the playlists get #EXT-X-ENDLIST);
 *  - closed sitting → the same, and the wall's viewers too (the machine also forces off air);
 *  - at every stop, a parts manifest is written next to the recording; its chapters are computed from the journal
 *    when the archive is asked (recordings.ts), so they are always placed in each part's own time.
 * Every change is pushed to the `media:state` rooms so pages switch between WebRTC, HLS and "not on air".
 *
 * Session changes are observed through `watch` when the runtime offers a hook, else by polling the open rooms'
 * `seq` (cheap: a handful of rooms, a number compare each).
 */
import path from 'node:path';
import type { SessionContext } from '@hall/core';
import type { SessionRegistry } from '../runtime/registry.ts';
import { ProgramOutputs, programShown, type SupervisorTiming, type HubLogger, type MediaHub, type MediaSignaling, type MediaState } from './lib.ts';
import type { MediaConfig } from './config.ts';
import { flagsOf, mayWatch, type SessionFlags } from './signaling.ts';
import { writeManifest } from './recordings.ts';
import { RemoteSpeakerFloor } from './remote-speaker.ts';

interface Followed {
  flags: SessionFlags | null;
  seq: number;
  outputs: ProgramOutputs | null;
  recordingFile: string | null;
  /** When each recording part's ffmpeg started (part index → ms): a lower bound of the part's start for the archive. */
  partStarts: number[];
  /** Per-session queue: reconciliations never overlap (a start racing a stop would leak an ffmpeg). */
  queue: Promise<void>;
  /** A reconciliation queued and not started yet: it will read the newest state, so later changes join it. */
  waiting: Promise<void> | null;
}

export interface FollowerDeps {
  hub: MediaHub;
  registry: SessionRegistry;
  config: MediaConfig;
  signaling: MediaSignaling;
  log: HubLogger;
  /** Subscribe to session changes (sessionId); when absent the follower polls every `pollMs`. */
  watch?: (listener: (sessionId: string) => void) => () => void;
  pollMs?: number;
  /** Output supervision timing (tests shorten ingest-gap detection). */
  outputTiming?: Partial<SupervisorTiming>;
}

export class BroadcastFollower {
  private readonly sessions = new Map<string, Followed>();
  private timer: NodeJS.Timeout | null = null;
  private unwatch: (() => void) | null = null;
  private readonly offHub: () => void;
  private closed = false;
  /** Hybrid sittings: ends a remote speaker's publication when the floor moves on (remote-speaker.ts). */
  readonly remote: RemoteSpeakerFloor;

  constructor(private readonly deps: FollowerDeps) {
    this.remote = new RemoteSpeakerFloor({ hub: deps.hub, signaling: deps.signaling });
    this.offHub = deps.hub.on((e) => {
      if (e.type === 'ingest' || e.type === 'ingestEnded') void this.reconcile(e.broadcastId);
    });
  }

  start() {
    if (this.deps.watch) this.unwatch = this.deps.watch((id) => void this.reconcile(id));
    else this.timer = setInterval(() => void this.poll(), this.deps.pollMs ?? 250);
  }

  private async poll() {
    for (const room of await this.deps.registry.openRooms()) {
      const f = this.sessions.get(room.sessionId);
      if (!f || f.seq !== room.seq) void this.reconcile(room.sessionId);
    }
  }

  private followed(sessionId: string): Followed {
    let f = this.sessions.get(sessionId);
    if (!f) this.sessions.set(sessionId, (f = { flags: null, seq: -1, outputs: null, recordingFile: null, partStarts: [], queue: Promise.resolve(), waiting: null }));
    return f;
  }

  /** Brings outputs and viewers in line with the session's flags. Serialised per session; never rejects. */
  reconcile(sessionId: string): Promise<void> {
    const f = this.followed(sessionId);
    // A vote storm changes a session hundreds of times a second; one pass over the newest state serves them all.
    if (f.waiting) return f.waiting;
    const run = f.queue
      .then(() => {
        f.waiting = null;
        return this.apply(sessionId, f);
      })
      .catch((err: unknown) => this.deps.log.error({ err, sessionId }, 'broadcast follower failed'));
    f.queue = run;
    f.waiting = run;
    return run;
  }

  private async apply(sessionId: string, f: Followed) {
    if (this.closed) return;
    const room = await this.deps.registry.get(sessionId).catch(() => null);
    if (!room) return;
    const ctx = room.snapshot.context;
    const flags = flagsOf(ctx);
    const before = f.flags;
    f.flags = flags;
    f.seq = room.seq;
    const desired = flags.onAir && !flags.closed;
    const hasIngest = !!this.deps.hub.stats(sessionId)?.ingest;
    const changed = !before || before.onAir !== flags.onAir || before.closed !== flags.closed;
    await this.remote.apply(sessionId, ctx);

    if (before && changed) {
      // First the viewers this audience may no longer have (the public off air; the public and the wall in a closed
      // sitting), and the state without HLS: ffmpeg may take seconds to stop, the public must not watch meanwhile.
      const reason = flags.closed ? 'closedSitting' : 'offAir';
      const outputs = desired ? null : f.outputs;
      if (outputs) f.outputs = null;
      const dropped = await this.deps.signaling.endPeers(sessionId, (p) => p.role === 'viewer' && !mayWatch(p.audience, flags).ok, reason);
      if (dropped) this.deps.log.info({ sessionId, dropped, reason }, 'viewers dropped');
      this.pushState(sessionId, f);
      if (outputs) await this.stopOutputs(sessionId, f, outputs);
    } else if (!desired && f.outputs) {
      const outputs = f.outputs;
      f.outputs = null;
      this.pushState(sessionId, f);
      await this.stopOutputs(sessionId, f, outputs);
    }
    if (desired && !f.outputs && hasIngest) await this.startOutputs(sessionId, f, ctx);
    this.pushState(sessionId, f);
  }

  private async startOutputs(sessionId: string, f: Followed, ctx: SessionContext) {
    const { config, hub, log } = this.deps;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
    f.partStarts = [];
    f.recordingFile = config.record ? path.join(config.recordingsRoot, sessionId, `${sessionId}-phien${ctx.sitting.number}-${stamp}.mkv`) : null;
    f.outputs = await ProgramOutputs.start({
      hub,
      broadcastId: sessionId,
      hlsRoot: config.hlsRoot,
      recordingFile: f.recordingFile,
      rtmp: config.rtmp,
      hls: { preset: config.hlsPreset, segmentSec: config.segmentSec },
      log,
      // Every output state change reaches the pages (the HLS URL appears once a playlist exists) and the chair's card.
      onStatus: (status) => {
        if (status.kind === 'recording' && (status.state === 'starting' || status.state === 'running')) f.partStarts[status.parts] ??= Date.now();
        this.pushState(sessionId, f);
      },
      ...(this.deps.outputTiming ? { timing: this.deps.outputTiming } : {}),
    });
    log.info({ sessionId, recording: f.recordingFile, rtmp: config.rtmp.map((r) => r.name) }, 'broadcast outputs started');
  }

  private async stopOutputs(sessionId: string, f: Followed, outputs: ProgramOutputs) {
    const recordingFile = f.recordingFile;
    const partStarts = f.partStarts;
    f.recordingFile = null;
    const endedAt = Date.now();
    await outputs.stop();
    this.deps.log.info({ sessionId }, 'broadcast outputs stopped');
    if (recordingFile) await this.writePartsManifest(sessionId, recordingFile, partStarts, outputs, endedAt);
  }

  /**
   * `<recording>.parts.json` for the archive (recordings.ts): every part the supervisor wrote (`<base>-partN.mkv` after
   * each ingest gap or failure) with where it started on the wall clock.
   */
  private async writePartsManifest(sessionId: string, recordingFile: string, partStarts: number[], outputs: ProgramOutputs, endedAt: number) {
    try {
      const files = await outputs.recordingParts();
      const parts = files.map((file, i) => {
        const index = Number(/-part(\d+)\.\w+$/.exec(file)?.[1] ?? 1) - 1;
        return { file: path.basename(file), startedAt: partStarts[index] ?? outputs.startedAt, endedAt: i === files.length - 1 ? endedAt : null };
      });
      await writeManifest(recordingFile, parts);
    } catch (err) {
      this.deps.log.warn({ err, sessionId }, 'writing the recording manifest failed');
    }
  }

  /**
   * The HLS URL, only once the packager has written media for this on-air period: a URL for a playlist that does
   * not exist (ffmpeg failing) would have players spin on 404s while pages believe HLS is available.
   */
  hlsUrl(sessionId: string): string | null {
    const hls = this.sessions.get(sessionId)?.outputs?.status().find((o) => o.kind === 'hls');
    return hls && (hls.state === 'running' || hls.parts > 0) ? `${this.deps.config.hlsBaseUrl}/${sessionId}/master.m3u8` : null;
  }

  stateFor(sessionId: string, audience: string, flags: Pick<SessionFlags, 'onAir' | 'closed'>): MediaState {
    const stats = this.deps.hub.stats(sessionId);
    const live = !!stats?.ingest;
    const publicPath = audience === 'public' || audience === 'wall';
    return {
      sessionId,
      onAir: flags.onAir,
      live,
      webrtc: live && mayWatch(audience, flags).ok,
      // The public and the wall get HLS only while it is being written for an on-air, open sitting.
      hls: publicPath && (flags.closed || !flags.onAir) ? null : this.hlsUrl(sessionId),
      program: programShown(stats),
    };
  }

  private pushState(sessionId: string, f: Followed) {
    const flags = f.flags;
    if (!flags) return;
    this.deps.signaling.pushState(sessionId, (audience) => this.stateFor(sessionId, audience, flags));
  }

  status() {
    return [...this.sessions.entries()].map(([sessionId, f]) => ({
      sessionId,
      onAir: f.flags?.onAir ?? false,
      closedSitting: f.flags?.closed ?? false,
      outputs: f.outputs?.status() ?? [],
      hls: this.hlsUrl(sessionId),
      recording: f.recordingFile ? path.basename(f.recordingFile) : null,
    }));
  }

  /** Stops every output (writing chapters). Idempotent. */
  async close() {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.unwatch?.();
    this.offHub();
    for (const [sessionId, f] of this.sessions) {
      await f.queue;
      if (f.outputs) {
        const outputs = f.outputs;
        f.outputs = null;
        await this.stopOutputs(sessionId, f, outputs);
      }
    }
    this.closed = true;
  }
}
