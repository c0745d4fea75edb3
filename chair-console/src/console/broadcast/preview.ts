/**
 * The chair's preview of the program feed: a WebRTC viewer as staff (staff may watch whenever a camera or encoder
 * sends, on air or not, closed sitting included), on the console's own Socket.IO connection. It also follows
 * `media:state`, so the panel knows at once when the ingest starts or stops and when HLS is being written.
 * A socket reconnect views again (the server dropped the peer with the old connection).
 * With a `source` it previews that one source instead (the chair's source tiles), whether or not it is on the air.
 */
import { MediaClient, MediaError, type SocketLike, type Viewing } from '@hall/media/client';
import type { MediaState } from '@hall/media/wire';

export interface PreviewHost {
  readonly rawSocket: unknown;
  readonly connection: string;
  onConnection(listener: (state: string) => void): () => void;
}

export interface PreviewSnapshot {
  state: MediaState | null;
  backend: string | null;
  stream: MediaStream | null;
  phase: 'connecting' | 'noSignal' | 'starting' | 'playing' | 'error';
  error: string | null;
}

const INITIAL: PreviewSnapshot = { state: null, backend: null, stream: null, phase: 'connecting', error: null };

export class ProgramPreview {
  private snap: PreviewSnapshot = INITIAL;
  private readonly listeners = new Set<() => void>();
  private socket: SocketLike | null = null;
  private media: MediaClient | null = null;
  private offs: (() => void)[] = [];
  private offConnection: (() => void) | null = null;
  private viewing: Viewing | null = null;
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;
  private frames = 0;
  private retryAt = 0;
  private disposed = false;

  constructor(
    private readonly host: PreviewHost,
    readonly sessionId: string,
    readonly source: string | null = null,
  ) {}

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = () => this.snap;

  private update(patch: Partial<PreviewSnapshot>) {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn();
  }

  start() {
    this.offConnection = this.host.onConnection((state) => {
      if (state === 'connected') void this.connected();
      else this.disconnected();
    });
    if (this.host.connection === 'connected') void this.connected();
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  async close() {
    this.disposed = true;
    this.offConnection?.();
    for (const off of this.offs) off();
    if (this.timer) clearInterval(this.timer);
    await this.drop();
  }

  private async connected() {
    const socket = this.host.rawSocket as SocketLike | null;
    if (!socket || this.disposed) return;
    if (socket !== this.socket) {
      for (const off of this.offs) off();
      this.socket = socket;
      this.media = new MediaClient(socket, this.sessionId, { loadMediasoupClient: () => import('mediasoup-client') });
      this.offs = [
        this.media.onState((s) => {
          this.update({ state: s });
          this.schedule();
        }),
        this.media.onEnded((e) => {
          if (e.role === 'viewer') void this.drop().then(() => this.schedule());
        }),
      ];
    }
    try {
      const info = await this.media!.getInfo();
      this.update({ backend: info.backend, state: { sessionId: info.sessionId, onAir: info.onAir, live: info.live, webrtc: info.webrtc, hls: info.hls }, error: null });
      this.schedule();
    } catch (err) {
      this.update({ phase: 'error', error: (err as Error).message });
    }
  }

  private disconnected() {
    void this.drop().then(() => this.update({ phase: 'connecting' }));
  }

  private schedule() {
    this.queue = this.queue.then(() => this.reconcile()).catch(() => undefined);
  }

  private async drop() {
    const v = this.viewing;
    this.viewing = null;
    this.frames = 0;
    if (v) await v.close().catch(() => undefined);
    if (!this.disposed) this.update({ stream: null });
  }

  private async reconcile() {
    if (this.disposed) return;
    const st = this.snap.state;
    if (!st || !this.media || this.host.connection !== 'connected') return;
    if (!st.webrtc) {
      await this.drop();
      return this.update({ phase: 'noSignal', error: null });
    }
    if (this.viewing) return;
    if (Date.now() < this.retryAt) return;
    this.update({ phase: 'starting', error: null });
    try {
      const viewing = await this.media.view(this.source ? { source: this.source } : {});
      if (this.disposed) return void (await viewing.close());
      this.viewing = viewing;
      this.update({ stream: viewing.stream });
    } catch (err) {
      // Retried by the tick a few seconds later.
      this.retryAt = Date.now() + 5000;
      this.update({ phase: 'error', error: err instanceof MediaError ? err.message : (err as Error).message });
    }
  }

  private async tick() {
    if (this.disposed) return;
    if (!this.viewing) {
      if (this.snap.state?.webrtc && this.retryAt && Date.now() >= this.retryAt) {
        this.retryAt = 0;
        this.schedule();
      }
      return;
    }
    const stats = await this.viewing.videoStats().catch(() => null);
    const frames = stats?.framesDecoded ?? 0;
    if (frames > this.frames && this.snap.phase !== 'playing') this.update({ phase: 'playing' });
    this.frames = frames;
  }
}
