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

export type PlayerPhase = 'connecting' | 'offAir' | 'noSignal' | 'starting' | 'playing' | 'closed' | 'error';
export type PlayerTech = 'webrtc' | 'hls' | 'native-hls';
export type HlsReason = 'forced' | 'viewerCap' | 'webrtcFailed' | 'notOffered';

export interface PlayerSnapshot {
  phase: PlayerPhase;
  /** Set while a source exists: the <video> is shown only then. */
  tech: PlayerTech | null;
  hlsReason: HlsReason | null;
  /** The latency handed to the overlays (ms), or null while nothing plays. */
  latencyMs: number | null;
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
}

const FIRST_FRAME_TIMEOUT_MS = 15_000;
const STALL_TIMEOUT_MS = 10_000;
/** HLS: the playlist appears a few seconds after going on air, and segments are 1 s. */
const HLS_FIRST_FRAME_MS = 30_000;
const HLS_STALL_MS = 6_000;
/** After a WebRTC failure with nothing else to play, try WebRTC again this much later. */
const WEBRTC_RETRY_MS = 20_000;

const INITIAL: PlayerSnapshot = {
  phase: 'connecting',
  tech: null,
  hlsReason: null,
  latencyMs: null,
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
  private failedAt = 0;
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

  constructor(
    private readonly host: SocketHost,
    readonly sessionId: string,
    options: PlayerOptions = {},
  ) {
    this.opts = { loadHls: loadHlsDefault, loadMediasoupClient: loadMediasoupDefault, tickMs: 1000, ...options };
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
    this.webrtcFailed = false;
    this.capHls = null;
    this.hlsReason = null;
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
    if (before && !before.onAir && s.onAir) {
      // A new on-air period: try WebRTC again.
      this.webrtcFailed = false;
      this.capHls = null;
      this.hlsReason = null;
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

  private setSource(source: Source, initialLatency: number) {
    this.source = source;
    this.sourceSince = Date.now();
    this.lastProgress = 0;
    this.window.reset();
    this.update({ phase: 'starting', tech: source.tech, latencyMs: initialLatency, measured: false, sampleMs: null, needsGesture: false });
    this.bind();
  }

  private async reconcile() {
    if (this.disposed) return this.dropSource();
    if (this.closedSitting || this.closedByServer) {
      await this.dropSource();
      return this.update({ phase: 'closed', tech: null, latencyMs: null, hlsReason: null });
    }
    const st = this.state;
    if (!st) {
      // Keep HLS through a reconnect; a WebRTC peer is gone with the old connection.
      if (this.source?.tech !== 'webrtc' && this.source) return;
      await this.dropSource();
      return this.update({ phase: 'connecting', tech: null, latencyMs: null });
    }

    if (st.webrtc && !this.opts.forceHls && !this.webrtcFailed && this.host.connection === 'connected' && this.media) {
      if (this.source?.tech === 'webrtc') return;
      await this.dropSource();
      this.update({ phase: 'starting', tech: null, latencyMs: null, hlsReason: null });
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
          this.webrtcFailed = true;
          this.failedAt = Date.now();
          this.hlsReason = code === 'VIEWER_CAP' ? 'viewerCap' : 'webrtcFailed';
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
    else phase = 'starting'; // live and on air, but neither WebRTC nor (yet) HLS for us: the packager is starting
    this.update({ phase, tech: null, latencyMs: null, measured: false });
  }

  // ---- watching the picture

  private async tick() {
    const source = this.source;
    if (!source && this.webrtcFailed && !this.disposed && Date.now() - this.failedAt > WEBRTC_RETRY_MS) {
      // WebRTC failed and nothing else plays (no HLS for this audience, or not yet): try WebRTC again.
      this.webrtcFailed = false;
      this.hlsReason = null;
      this.schedule();
      return;
    }
    if (!source || this.sampling || this.disposed) return;
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
      if (this.lastProgress && now - this.lastProgress < 3000) this.update({ phase: 'playing' });
      if (source.tech !== 'webrtc') {
        // HLS stuck (on its first frame, or after a packager restart) while the ingest is live: start over from the
        // live edge, measuring afresh (a stalled player's latency only grows).
        const stuckSince = this.lastProgress || this.sourceSince;
        if ((this.state?.live ?? false) && source.restart && now - stuckSince > (this.lastProgress ? HLS_STALL_MS : HLS_FIRST_FRAME_MS)) {
          source.restart();
          this.sourceSince = now;
          this.lastProgress = 0;
          this.window.reset();
          this.update({ phase: 'starting' });
        }
        return;
      }
      const live = this.state?.live ?? false;
      const noFirstFrame = !this.lastProgress && now - this.sourceSince > FIRST_FRAME_TIMEOUT_MS;
      const stalled = this.lastProgress > 0 && now - this.lastProgress > STALL_TIMEOUT_MS;
      if (s.failed || (live && (noFirstFrame || stalled))) {
        this.webrtcFailed = true;
        this.failedAt = Date.now();
        this.hlsReason = 'webrtcFailed';
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
}
