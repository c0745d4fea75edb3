/**
 * The program-feed player behind `BroadcastPlayer`, framework-free: it rides on the app's Socket.IO connection
 * (`HallClient.rawSocket`), asks `media:info`, follows `media:state` / `media:ended`, and picks how to play:
 *
 *   WebRTC when the server offers it to this audience (`state.webrtc`) and `?hls=1` did not rule it out;
 *   HLS otherwise — when WebRTC is not offered, refused (VIEWER_CAP: the error carries the playlist URL) or fails
 *   (ICE/DTLS failure, no decoded frame within 15 s, or frames stopping for 10 s while the ingest is live) —
 *   with hls.js (loaded on demand), or the browser's own HLS where that is the better player (Safari, or no MSE);
 *   nothing — and no <video> — off air, without a signal, or in a closed sitting.
 *
 * It never shows a frozen picture as live: when no new frame has come for `STALE_MS` the phase is `stale` (the page
 * covers the picture with a "no signal" slate and drops the live badge). While HLS plays only because WebRTC failed
 * or was full, it tries WebRTC again in the background (a second peer, checked for decoded frames before it
 * replaces HLS), backing off while it keeps failing.
 *
 * What the overlays wait (`overlayDelayMs`) follows the picture on screen: the measured latency while frames come;
 * while they do not (a stall, a switch between WebRTC and HLS), the age of the last frame shown, so the overlays
 * freeze with the picture instead of running ahead of it.
 *
 * It measures how late the picture is (latency.ts) and publishes a snapshot (useSyncExternalStore-friendly).
 * A socket reconnect restarts WebRTC (the server dropped the peer with the old connection); HLS, being plain HTTP,
 * keeps playing through it.
 */
import { MediaClient, MediaError, type SocketLike, type Viewing } from '@hall/media/client';
import type { MediaState } from '@hall/media/wire';
import type HlsClass from 'hls.js';
import {
  HLS_INITIAL_MS,
  hlsLatencyMs,
  LatencyWindow,
  nativeHlsLatencyMs,
  rtcCounters,
  rtcLatencyMs,
  WEBRTC_FALLBACK_MS,
  type RtcCounters,
} from './latency.ts';

/** What the player needs from HallClient. */
export interface SocketHost {
  readonly rawSocket: unknown;
  readonly connection: string;
  onConnection(listener: (state: string) => void): () => void;
}

/** `stale`: a source is attached but no new frame came for `STALE_MS` (what is on screen is a frozen picture). */
export type PlayerPhase = 'connecting' | 'offAir' | 'noSignal' | 'starting' | 'playing' | 'stale' | 'closed' | 'error';
export type PlayerTech = 'webrtc' | 'hls' | 'native-hls';
export type HlsReason = 'forced' | 'viewerCap' | 'webrtcFailed' | 'notOffered';

export interface PlayerSnapshot {
  phase: PlayerPhase;
  /** Set while a source exists: the <video> is shown only then. */
  tech: PlayerTech | null;
  hlsReason: HlsReason | null;
  /** The measured latency of the playing source (ms), or null while nothing plays. */
  latencyMs: number | null;
  /**
   * How late what the page draws from the view must be (ms): the latency while frames come, the age of the last
   * frame shown while they do not, 0 when no picture was shown (off air, closed).
   */
  overlayDelayMs: number;
  /** false while `latencyMs` is the initial estimate, true once measured. */
  measured: boolean;
  /** The latest raw sample (ms), before smoothing: for operators comparing figures. */
  sampleMs: number | null;
  backend: string | null;
  onAir: boolean;
  live: boolean;
  muted: boolean;
  /** The browser refused to start playback without a gesture: show a play button. */
  needsGesture: boolean;
}

export interface PlayerOptions {
  /** Never WebRTC (`?hls=1`): for viewers on networks that block UDP, and for tests. */
  forceHls?: boolean;
  /** false: WebRTC only (the chair's preview). */
  allowHls?: boolean;
  loadHls?: () => Promise<typeof HlsClass>;
  loadMediasoupClient?: () => Promise<typeof import('mediasoup-client')>;
  /** How often the player samples its stats (ms). */
  tickMs?: number;
  /** First wait before trying WebRTC again while HLS stands in for it (ms); doubles per failure up to 8×. */
  webrtcRetryMs?: number;
}

const FIRST_FRAME_TIMEOUT_MS = 15_000;
const STALL_TIMEOUT_MS = 10_000;
/** HLS: the playlist appears a few seconds after going on air, and segments are 1 s. */
const HLS_FIRST_FRAME_MS = 30_000;
const HLS_STALL_MS = 6_000;
/** After a WebRTC failure, try WebRTC again this much later (then twice, four, eight times as late). */
const WEBRTC_RETRY_MS = 15_000;
/** No new frame for this long: the picture on screen is no longer live. */
export const STALE_MS = 3_000;
/** A background WebRTC attempt must decode frames within this long to replace HLS. */
const PROBE_FRAMES_MS = 10_000;

const INITIAL: PlayerSnapshot = {
  phase: 'connecting',
  tech: null,
  hlsReason: null,
  latencyMs: null,
  overlayDelayMs: 0,
  measured: false,
  sampleMs: null,
  backend: null,
  onAir: false,
  live: false,
  muted: true,
  needsGesture: false,
};

const loadHlsDefault = async () => (await import('hls.js/light')).default;
const loadMediasoupDefault = () => import('mediasoup-client');

/** Safari plays HLS itself (and better than MSE there); elsewhere hls.js gives us latency control and figures. */
export function preferNativeHls(video: HTMLVideoElement): boolean {
  if (!video.canPlayType('application/vnd.apple.mpegurl')) return false;
  const mse = typeof window !== 'undefined' && ('MediaSource' in window || 'ManagedMediaSource' in window);
  return !mse || /Apple/.test(navigator.vendor ?? '');
}

// ---------------------------------------------------------------------------------------------------------------
// Sources

interface Sample {
  /** The picture is moving. */
  progressing: boolean;
  latencyMs: number | null;
  failed: boolean;
}

interface Source {
  readonly tech: PlayerTech;
  readonly url: string | null;
  attach(video: HTMLVideoElement): void;
  detach(): void;
  /** HLS: reload from the live edge. */
  restart?(): void;
  sample(): Promise<Sample>;
  close(): Promise<void>;
}

class WebRtcSource implements Source {
  readonly tech = 'webrtc' as const;
  readonly url = null;
  private video: HTMLVideoElement | null = null;
  private prev: RtcCounters | null = null;
  private frames = 0;

  constructor(private readonly viewing: Viewing) {}

  attach(video: HTMLVideoElement) {
    this.video = video;
    if (video.srcObject !== this.viewing.stream) video.srcObject = this.viewing.stream;
  }

  detach() {
    if (this.video && this.video.srcObject === this.viewing.stream) this.video.srcObject = null;
    this.video = null;
  }

  async sample(): Promise<Sample> {
    const pc = this.viewing.pc;
    if (pc && (pc.connectionState === 'failed' || pc.connectionState === 'closed')) return { progressing: false, latencyMs: null, failed: true };
    let frames = 0;
    let latencyMs: number | null = null;
    if (pc) {
      const now = rtcCounters(await pc.getStats());
      frames = now?.framesDecoded ?? 0;
      latencyMs = now ? rtcLatencyMs(now, this.prev) : null;
      if (now) this.prev = now;
    } else {
      // mediasoup: the receivers are inside mediasoup-client; count frames, assume the fixed figure.
      frames = (await this.viewing.videoStats())?.framesDecoded ?? 0;
      latencyMs = frames > 0 ? WEBRTC_FALLBACK_MS : null;
    }
    const progressing = frames > this.frames;
    this.frames = frames;
    return { progressing, latencyMs, failed: false };
  }

  async close() {
    this.detach();
    await this.viewing.close().catch(() => undefined);
  }
}

class HlsSource implements Source {
  private video: HTMLVideoElement | null = null;
  private hls: HlsClass | null = null;
  private disposed = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private lastTime = 0;

  constructor(
    readonly url: string,
    readonly tech: 'hls' | 'native-hls',
    private readonly loadHls: () => Promise<typeof HlsClass>,
    private readonly onPlayFailed: (err: unknown) => void,
  ) {}

  attach(video: HTMLVideoElement) {
    if (this.video === video) return;
    this.detach();
    this.video = video;
    this.lastTime = 0;
    void this.begin(video, ++this.attempt);
  }

  /** Starts over from the live edge (a player stuck on a frame). */
  restart() {
    const video = this.video;
    if (!video || this.disposed) return;
    this.detach();
    this.attach(video);
  }

  detach() {
    this.hls?.destroy();
    this.hls = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.video && this.tech === 'native-hls') {
      this.video.removeAttribute('src');
      this.video.load();
    }
    this.video = null;
  }

  private current(video: HTMLVideoElement, attempt: number) {
    return !this.disposed && this.video === video && this.attempt === attempt;
  }

  /** The packager writes the master playlist a second or two after going on air: wait for it rather than fail. */
  private async begin(video: HTMLVideoElement, attempt: number) {
    while (this.current(video, attempt)) {
      const ok = await fetch(this.url, { cache: 'no-store' }).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!this.current(video, attempt)) return;
    if (this.tech === 'native-hls') {
      video.src = this.url;
      video.play().catch(this.onPlayFailed);
      return;
    }
    const Hls = await this.loadHls();
    if (!this.current(video, attempt)) return;
    // Short (1 s) segments: stay two behind the live edge, jump forward when more than six behind.
    const hls = new Hls({ liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 6, backBufferLength: 30 });
    this.hls = hls;
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal || !this.current(video, attempt)) return;
      // A restarted packager or a CDN hiccup: start over rather than leave a dead player.
      hls.destroy();
      if (this.hls === hls) this.hls = null;
      this.retry = setTimeout(() => {
        this.retry = null;
        if (this.current(video, attempt)) void this.begin(video, ++this.attempt);
      }, 1000);
    });
    hls.loadSource(this.url);
    hls.attachMedia(video);
    video.play().catch(this.onPlayFailed);
  }

  async sample(): Promise<Sample> {
    const video = this.video;
    if (!video) return { progressing: false, latencyMs: null, failed: false };
    const progressing = video.currentTime > this.lastTime && !video.paused;
    this.lastTime = video.currentTime;
    const latencyMs = this.tech === 'native-hls' ? nativeHlsLatencyMs(video) : this.hls ? hlsLatencyMs(this.hls) : null;
    return { progressing, latencyMs, failed: false };
  }

  async close() {
    this.disposed = true;
    this.detach();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The player

export class LivePlayer {
  private snap: PlayerSnapshot = INITIAL;
  private readonly listeners = new Set<() => void>();
  private socket: SocketLike | null = null;
  private media: MediaClient | null = null;
  private unsubscribe: (() => void)[] = [];
  private offConnection: (() => void) | null = null;
  private state: MediaState | null = null;
  private closedSitting = false;
  /** The server dropped us for a closed sitting; cleared by the next state that offers a picture. */
  private closedByServer = false;
  private webrtcFailed = false;
  /** When to try WebRTC again after it failed (or was full), and how many tries failed in a row. */
  private retryAt = 0;
  private retries = 0;
  private probing = false;
  /** The hall moment the picture on screen shows (ms, this clock), once a frame was shown this on-air period. */
  private pictureAt: number | null = null;
  private hlsReason: HlsReason | null = null;
  private capHls: string | null = null;
  private source: Source | null = null;
  private sourceSince = 0;
  private lastProgress = 0;
  private video: HTMLVideoElement | null = null;
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;
  private sampling = false;
  private disposed = false;
  private readonly window = new LatencyWindow();
  private readonly opts: Required<Omit<PlayerOptions, 'forceHls' | 'allowHls'>> & Pick<PlayerOptions, 'forceHls' | 'allowHls'>;

  private markWebrtcFailed(reason: HlsReason) {
    this.webrtcFailed = true;
    this.hlsReason = reason;
    this.retryAt = Date.now() + this.opts.webrtcRetryMs * 2 ** Math.min(this.retries, 3);
    this.retries++;
  }

  private clearWebrtcFailure() {
    this.webrtcFailed = false;
    this.capHls = null;
    this.hlsReason = null;
    this.retries = 0;
  }

  /** Waiting for frames: a lost signal once a picture was shown, else simply starting. */
  private waitingPhase(): PlayerPhase {
    return this.pictureAt !== null ? 'stale' : 'starting';
  }

  /** See `overlayDelayMs`: frozen with the picture while no frames come. */
  private publishDelay(now = Date.now()) {
    let delay: number;
    if (this.snap.phase === 'playing' && this.snap.latencyMs !== null) delay = this.snap.latencyMs;
    else if (this.pictureAt !== null) delay = Math.max(this.snap.latencyMs ?? 0, Math.ceil((now - this.pictureAt) / 250) * 250);
    else delay = this.snap.latencyMs ?? 0;
    this.update({ overlayDelayMs: delay });
  }


  constructor(
    private readonly host: SocketHost,
    readonly sessionId: string,
    options: PlayerOptions = {},
  ) {
    this.opts = { loadHls: loadHlsDefault, loadMediasoupClient: loadMediasoupDefault, tickMs: 1000, webrtcRetryMs: WEBRTC_RETRY_MS, ...options };
  }

  // ---- external store

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = () => this.snap;

  private update(patch: Partial<PlayerSnapshot>) {
    let changed = false;
    for (const [k, v] of Object.entries(patch)) if (this.snap[k as keyof PlayerSnapshot] !== v) changed = true;
    if (!changed) return;
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn();
  }

  // ---- lifecycle

  start() {
    this.offConnection = this.host.onConnection((state: string) => {
      if (state === 'connected') void this.onConnected();
      else this.onDisconnected();
    });
    if (this.host.connection === 'connected') void this.onConnected();
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
  }

  async close() {
    this.disposed = true;
    this.offConnection?.();
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (this.timer) clearInterval(this.timer);
    const source = this.source;
    this.source = null;
    await source?.close();
  }

  /** The session view says the sitting is closed: stop at once, whatever the media state says. */
  setClosed(closed: boolean) {
    if (this.closedSitting === closed) return;
    this.closedSitting = closed;
    this.schedule();
  }

  /** The <video> element React rendered for the current source (null when it unmounts). */
  setVideo = (video: HTMLVideoElement | null) => {
    if (this.video === video) return;
    this.video = video;
    if (!video) {
      this.source?.detach();
      return;
    }
    video.muted = true;
    video.addEventListener('volumechange', () => this.update({ muted: video.muted }));
    this.update({ muted: video.muted });
    this.bind();
  };

  toggleMute() {
    const v = this.video;
    if (!v) return;
    v.muted = !v.muted;
    if (!v.muted) v.volume = Math.max(v.volume, 0.5);
    void v.play().catch(() => undefined);
    this.update({ muted: v.muted });
  }

  play() {
    this.update({ needsGesture: false });
    void this.video?.play().catch(this.playFailed);
  }

  private playFailed = (err: unknown) => {
    if ((err as { name?: string } | null)?.name === 'NotAllowedError') this.update({ needsGesture: true });
  };

  private bind() {
    if (!this.video || !this.source) return;
    this.source.attach(this.video);
    void this.video.play().catch(this.playFailed);
  }

  // ---- socket

  private async onConnected() {
    const socket = this.host.rawSocket as SocketLike | null;
    if (!socket || this.disposed) return;
    if (socket !== this.socket) {
      for (const off of this.unsubscribe) off();
      this.socket = socket;
      this.media = new MediaClient(socket, this.sessionId, { loadMediasoupClient: this.opts.loadMediasoupClient });
      this.unsubscribe = [this.media.onState((s) => this.onState(s)), this.media.onEnded((e) => this.onEnded(e))];
    }
    // A new connection: give WebRTC another chance (the network may have changed).
    this.clearWebrtcFailure();
    for (let attempt = 0; !this.disposed && this.host.connection === 'connected'; attempt++) {
      try {
        const info = await this.media!.getInfo();
        this.update({ backend: info.backend });
        this.onState({ sessionId: info.sessionId, onAir: info.onAir, live: info.live, webrtc: info.webrtc, hls: info.hls });
        return;
      } catch {
        this.update({ phase: this.source ? this.snap.phase : 'error' });
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
      }
    }
  }

  private onDisconnected() {
    // The server drops our WebRTC peer with the connection; HLS goes on (HTTP), and the state is stale.
    this.state = null;
    this.schedule();
  }

  private onState(s: MediaState) {
    const before = this.state;
    if ((before && !before.onAir && s.onAir) || (before && !before.live && s.live)) {
      // A new on-air period or a new ingest: try WebRTC again.
      this.clearWebrtcFailure();
    }
    if (s.webrtc || s.hls) this.closedByServer = false;
    this.state = s;
    this.update({ onAir: s.onAir, live: s.live });
    this.schedule();
  }

  private onEnded(e: { role: string; reason: string }) {
    if (e.role !== 'viewer') return;
    if (e.reason === 'closedSitting') this.closedByServer = true;
    if (this.state && (e.reason === 'offAir' || e.reason === 'closedSitting')) this.state = { ...this.state, webrtc: false, hls: null, onAir: false };
    // 'replaced' or 'closed': drop the dead peer; the next reconcile views again if the state still offers it.
    if (this.source?.tech === 'webrtc') void this.dropSource().then(() => this.schedule());
    else this.schedule();
  }

  // ---- deciding

  private schedule() {
    this.queue = this.queue.then(() => this.reconcile()).catch(() => undefined);
  }

  private async dropSource() {
    const source = this.source;
    this.source = null;
    this.window.reset();
    if (source) await source.close();
  }

  /** `framesSeen`: the source was already checked to decode frames (a WebRTC peer that replaces HLS). */
  private setSource(source: Source, initialLatency: number, framesSeen = false) {
    this.source = source;
    this.sourceSince = Date.now();
    this.lastProgress = framesSeen ? this.sourceSince : 0;
    this.window.reset();
    this.update({ phase: framesSeen ? 'playing' : this.waitingPhase(), tech: source.tech, latencyMs: initialLatency, measured: false, sampleMs: null, needsGesture: false });
    this.publishDelay();
    this.bind();
  }

  private async reconcile() {
    if (this.disposed) return this.dropSource();
    if (this.closedSitting || this.closedByServer) {
      await this.dropSource();
      this.pictureAt = null;
      return this.update({ phase: 'closed', tech: null, latencyMs: null, overlayDelayMs: 0, hlsReason: null });
    }
    const st = this.state;
    if (!st) {
      // Keep HLS through a reconnect; a WebRTC peer is gone with the old connection.
      if (this.source?.tech !== 'webrtc' && this.source) return;
      await this.dropSource();
      this.update({ phase: this.pictureAt !== null ? 'stale' : 'connecting', tech: null, latencyMs: null });
      return this.publishDelay();
    }

    if (st.webrtc && !this.opts.forceHls && !this.webrtcFailed && this.host.connection === 'connected' && this.media) {
      // A background attempt holds this socket's one viewer peer; it schedules again when it ends.
      if (this.source?.tech === 'webrtc' || this.probing) return;
      await this.dropSource();
      this.update({ phase: this.waitingPhase(), tech: null, latencyMs: null, hlsReason: null });
      this.publishDelay();
      let viewing: Viewing;
      try {
        viewing = await this.media.view();
      } catch (err) {
        if (this.disposed) return;
        const code = err instanceof MediaError ? err.code : 'INTERNAL';
        if (code === 'OFF_AIR' || code === 'CLOSED_SITTING') {
          // The state push that explains it is on its way; until then do not retry.
          if (this.state === st) this.state = { ...st, webrtc: false };
        } else {
          this.markWebrtcFailed(code === 'VIEWER_CAP' ? 'viewerCap' : 'webrtcFailed');
          if (code === 'VIEWER_CAP' && err instanceof MediaError) this.capHls = err.hls;
        }
        this.schedule();
        return;
      }
      if (this.disposed) {
        await viewing.close();
        return;
      }
      this.setSource(new WebRtcSource(viewing), WEBRTC_FALLBACK_MS);
      return;
    }

    const allowHls = this.opts.allowHls !== false;
    const url = !allowHls ? null : (st.hls ?? (this.capHls && st.onAir && st.live ? this.capHls : null));
    if (url) {
      if (this.source && this.source.tech !== 'webrtc' && this.source.url === url) return;
      await this.dropSource();
      const native = this.video ? preferNativeHls(this.video) : preferNativeHls(document.createElement('video'));
      const reason: HlsReason = this.opts.forceHls ? 'forced' : (this.hlsReason ?? 'notOffered');
      this.update({ hlsReason: reason });
      this.setSource(new HlsSource(url, native ? 'native-hls' : 'hls', this.opts.loadHls, this.playFailed), HLS_INITIAL_MS);
      return;
    }

    await this.dropSource();
    let phase: PlayerPhase;
    if (!st.onAir && !st.webrtc) phase = 'offAir';
    else if (!st.live) phase = 'noSignal';
    else phase = this.waitingPhase(); // live and on air, but neither WebRTC nor (yet) HLS for us: the packager is starting
    // Off air nothing is on screen to wait for; without a signal the overlays stay with the last picture.
    if (phase === 'offAir') this.pictureAt = null;
    this.update({ phase, tech: null, latencyMs: null, measured: false });
    this.publishDelay();
  }

  // ---- watching the picture

  private async tick() {
    const source = this.source;
    const now = Date.now();
    if (!source && !this.disposed) this.publishDelay(now);
    if (!source && this.webrtcFailed && !this.disposed && now >= this.retryAt) {
      // WebRTC failed and nothing else plays (no HLS for this audience, or not yet): try WebRTC again.
      this.webrtcFailed = false;
      this.hlsReason = null;
      this.schedule();
      return;
    }
    if (!source || this.sampling || this.disposed) return;
    if (source.tech !== 'webrtc' && this.mayProbeWebrtc(now)) void this.probeWebrtc();
    this.sampling = true;
    try {
      const s = await source.sample();
      if (source !== this.source) return;
      const now = Date.now();
      if (s.progressing) this.lastProgress = now;
      if (s.latencyMs !== null && this.lastProgress) {
        const reported = this.window.add(s.latencyMs);
        this.update({ sampleMs: Math.round(s.latencyMs), ...(reported !== null ? { latencyMs: reported, measured: true } : {}) });
      }
      if (s.progressing) this.pictureAt = now - (this.snap.latencyMs ?? 0);
      const fresh = this.lastProgress > 0 && now - this.lastProgress < STALE_MS;
      this.update({ phase: fresh ? 'playing' : this.waitingPhase() });
      this.publishDelay(now);
      if (source.tech !== 'webrtc') {
        // HLS stuck (on its first frame, or after a packager restart) while the ingest is live: start over from the
        // live edge, measuring afresh (a stalled player's latency only grows).
        const stuckSince = this.lastProgress || this.sourceSince;
        if ((this.state?.live ?? false) && source.restart && now - stuckSince > (this.lastProgress ? HLS_STALL_MS : HLS_FIRST_FRAME_MS)) {
          source.restart();
          this.sourceSince = now;
          this.lastProgress = 0;
          this.window.reset();
          this.update({ phase: this.waitingPhase() });
        }
        return;
      }
      const live = this.state?.live ?? false;
      const noFirstFrame = !this.lastProgress && now - this.sourceSince > FIRST_FRAME_TIMEOUT_MS;
      const stalled = this.lastProgress > 0 && now - this.lastProgress > STALL_TIMEOUT_MS;
      if (s.failed || (live && (noFirstFrame || stalled))) {
        this.markWebrtcFailed('webrtcFailed');
        await this.dropSource();
        this.schedule();
      } else if (this.lastProgress > 0 && now - this.lastProgress > 2000) {
        // A frozen picture: ask the hub for a keyframe (it throttles).
        this.media?.requestKeyFrame();
      }
    } catch {
      // stats can fail while a peer closes; the next tick tries again
    } finally {
      this.sampling = false;
    }
  }

  /** HLS stands in for a WebRTC that failed or was full, and the server offers WebRTC with a live ingest. */
  private mayProbeWebrtc(now: number) {
    const st = this.state;
    return (
      !this.probing &&
      !this.opts.forceHls &&
      (this.hlsReason === 'webrtcFailed' || this.hlsReason === 'viewerCap') &&
      now >= this.retryAt &&
      !!st?.webrtc &&
      st.live &&
      this.host.connection === 'connected' &&
      !!this.media
    );
  }

  /**
   * Tries WebRTC beside the playing HLS: a second peer that must decode frames before it replaces HLS, so a
   * viewer never trades a moving HLS picture for a WebRTC one that does not come.
   */
  private async probeWebrtc() {
    const media = this.media!;
    this.probing = true;
    let candidate: WebRtcSource | null = null;
    let switched = false;
    try {
      candidate = new WebRtcSource(await media.view());
      for (const until = Date.now() + PROBE_FRAMES_MS; !this.disposed && Date.now() < until; ) {
        await new Promise((r) => setTimeout(r, 500));
        const s = await candidate.sample();
        if (s.failed) break;
        if (!s.progressing) continue;
        const chosen = candidate;
        await new Promise<void>((resolve) => {
          this.queue = this.queue
            .then(async () => {
              // Only if HLS still stands in for WebRTC (not off air, closed, or already switched meanwhile).
              if (this.disposed || media !== this.media || !this.source || this.source.tech === 'webrtc' || !this.state?.webrtc) return;
              await this.dropSource();
              this.clearWebrtcFailure();
              this.update({ hlsReason: null });
              this.setSource(chosen, WEBRTC_FALLBACK_MS, true);
              switched = true;
            })
            .catch(() => undefined)
            .finally(resolve);
        });
        break;
      }
    } catch (err) {
      if (err instanceof MediaError && err.code === 'VIEWER_CAP') this.hlsReason = 'viewerCap';
    } finally {
      if (!switched) {
        await candidate?.close();
        this.markWebrtcFailed(this.hlsReason ?? 'webrtcFailed');
      }
      this.probing = false;
      if (!switched) this.schedule();
    }
  }
}
