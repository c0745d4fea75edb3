/**
 * Browser side of media signaling, framework-free so the chair console, the display wall and the public live page
 * can all use it. It speaks over an existing Socket.IO connection (the one the app already has for session views)
 * and hides which hub runs: plain SDP for werift, mediasoup-client for mediasoup (loaded only when needed).
 */
import type { MediaInfoAck, MediaRole, MediaSignalAck, MediaState, SignalReply, SignalRequest } from '../wire.ts';

/** The part of a socket.io-client Socket this needs. */
export interface SocketLike {
  emit(event: string, ...args: unknown[]): unknown;
  on(event: string, fn: (...args: any[]) => void): unknown;
  off(event: string, fn: (...args: any[]) => void): unknown;
}

export interface MediaClientOptions {
  /** ms to wait for ICE gathering before offering what we have. */
  gatherTimeoutMs?: number;
  ackTimeoutMs?: number;
  rtcConfig?: RTCConfiguration;
  /** Loads mediasoup-client when the server runs mediasoup (kept lazy so werift deployments never download it). */
  loadMediasoupClient?: () => Promise<typeof import('mediasoup-client')>;
}

export class MediaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hls: string | null = null,
  ) {
    super(message);
  }
}

export interface Publication {
  pc: RTCPeerConnection | null;
  close(): Promise<void>;
}

export interface Viewing {
  stream: MediaStream;
  pc: RTCPeerConnection | null;
  close(): Promise<void>;
  /** inbound-rtp video stats (the probator stream of mediasoup is skipped). */
  videoStats(): Promise<{ framesDecoded: number; frameWidth: number; frameHeight: number; bytesReceived: number } | null>;
}

function ackOf<T>(socket: SocketLike, timeoutMs: number, event: string, payload: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new MediaError('TIMEOUT', `${event}: no answer in ${timeoutMs} ms`)), timeoutMs);
    socket.emit(event, payload, (result: T) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}

function waitGathering(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, ms);
  });
}

export async function inboundVideoStats(pc: RTCPeerConnection | null, receivers?: RTCRtpReceiver[]) {
  const reports: RTCStatsReport[] = [];
  if (receivers) for (const r of receivers) if (r.track.kind === 'video') reports.push(await r.getStats());
  if (pc) reports.push(await pc.getStats());
  let best: { framesDecoded: number; frameWidth: number; frameHeight: number; bytesReceived: number } | null = null;
  for (const report of reports) {
    report.forEach((s: any) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video' || s.mid === 'probator') return;
      const v = { framesDecoded: s.framesDecoded ?? 0, frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0, bytesReceived: s.bytesReceived ?? 0 };
      if (!best || v.framesDecoded > best.framesDecoded) best = v;
    });
  }
  return best;
}

export class MediaClient {
  private readonly opts: Required<Omit<MediaClientOptions, 'loadMediasoupClient' | 'rtcConfig'>> & Pick<MediaClientOptions, 'loadMediasoupClient' | 'rtcConfig'>;
  private info: Extract<MediaInfoAck, { ok: true }> | null = null;

  constructor(
    private readonly socket: SocketLike,
    readonly sessionId: string,
    options: MediaClientOptions = {},
  ) {
    this.opts = { gatherTimeoutMs: 3000, ackTimeoutMs: 15000, ...options };
  }

  /** Backend, flavor, whether this socket may publish, and the current state; also subscribes to `media:state`. */
  /** `source`: a camera page's own source name, to learn whether it is published now (`sourceLive`). */
  async getInfo(source?: string): Promise<Extract<MediaInfoAck, { ok: true }>> {
    const ack = await ackOf<MediaInfoAck>(this.socket, this.opts.ackTimeoutMs, 'media:info', { sessionId: this.sessionId, ...(source ? { source } : {}) });
    if (!ack.ok) throw new MediaError(ack.code, ack.message, ack.hls ?? null);
    this.info = ack;
    return ack;
  }

  onState(fn: (state: MediaState) => void): () => void {
    const h = (s: MediaState) => s.sessionId === this.sessionId && fn(s);
    this.socket.on('media:state', h);
    return () => this.socket.off('media:state', h);
  }

  onEnded(fn: (e: { role: MediaRole; reason: string }) => void): () => void {
    const h = (e: { sessionId: string; role: MediaRole; reason: string }) => e.sessionId === this.sessionId && fn(e);
    this.socket.on('media:ended', h);
    return () => this.socket.off('media:ended', h);
  }

  private async signal(role: MediaRole, message: SignalRequest, extra: { source?: string; label?: string } = {}): Promise<SignalReply> {
    const ack = await ackOf<MediaSignalAck>(this.socket, this.opts.ackTimeoutMs, 'media:signal', { sessionId: this.sessionId, role, message, ...extra });
    if (!ack.ok) throw new MediaError(ack.code, ack.message, ack.hls ?? null);
    return ack.reply;
  }

  private async flavor() {
    return (this.info ?? (await this.getInfo())).flavor;
  }

  leave(role?: MediaRole, source?: string) {
    this.socket.emit('media:leave', { sessionId: this.sessionId, ...(role ? { role } : {}), ...(source ? { source } : {}) });
  }

  requestKeyFrame() {
    this.socket.emit('media:keyframe', { sessionId: this.sessionId });
  }

  /**
   * Sends the stream's first video track (and audio, if any): as a source of the program feed (`publisher`; it is
   * the program when no other source is, otherwise the chair chooses; `label` names it in the chair's source list),
   * or as the remote speaker of a hybrid sitting (`speaker`, a delegate holding the floor).
   */
  async publish(stream: MediaStream, options: { label?: string | undefined; source?: string | undefined; role?: 'publisher' | 'speaker' } = {}): Promise<Publication> {
    const role = options.role ?? 'publisher';
    const extra = { ...(options.label ? { label: options.label } : {}), ...(options.source ? { source: options.source } : {}) };
    if ((await this.flavor()) === 'mediasoup') return this.publishMediasoup(stream, role, extra);
    const pc = new RTCPeerConnection(this.opts.rtcConfig);
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    if (!video) throw new MediaError('VALIDATION', 'no video track');
    pc.addTransceiver(video, { direction: 'sendonly', streams: [stream] });
    if (audio) pc.addTransceiver(audio, { direction: 'sendonly', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    await waitGathering(pc, this.opts.gatherTimeoutMs);
    try {
      const reply = await this.signal(role, { type: 'offer', sdp: pc.localDescription!.sdp }, extra);
      if (reply.type !== 'answer') throw new MediaError('BAD_SIGNAL', `unexpected ${reply.type}`);
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
    } catch (err) {
      pc.close();
      throw err;
    }
    return {
      pc,
      close: async () => {
        pc.close();
        this.leave(role);
      },
    };
  }

  /**
   * Receives the program feed, or with `source` a preview of one source (staff). Throws MediaError('VIEWER_CAP', …,
   * hlsUrl) when the hub is full.
   */
  async view(options: { source?: string } = {}): Promise<Viewing> {
    const extra = options.source ? { source: options.source } : {};
    if ((await this.flavor()) === 'mediasoup') return this.viewMediasoup(extra);
    const pc = new RTCPeerConnection(this.opts.rtcConfig);
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.addEventListener('track', (e) => stream.addTrack(e.track));
    await pc.setLocalDescription(await pc.createOffer());
    await waitGathering(pc, this.opts.gatherTimeoutMs);
    try {
      const reply = await this.signal('viewer', { type: 'offer', sdp: pc.localDescription!.sdp }, extra);
      if (reply.type !== 'answer') throw new MediaError('BAD_SIGNAL', `unexpected ${reply.type}`);
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
    } catch (err) {
      pc.close();
      throw err;
    }
    return {
      stream,
      pc,
      close: async () => {
        pc.close();
        this.leave('viewer', options.source);
      },
      videoStats: () => inboundVideoStats(pc),
    };
  }

  private async mediasoup() {
    if (!this.opts.loadMediasoupClient) throw new MediaError('BAD_SIGNAL', 'this server runs mediasoup: pass loadMediasoupClient: () => import("mediasoup-client")');
    return this.opts.loadMediasoupClient();
  }

  private async publishMediasoup(stream: MediaStream, role: 'publisher' | 'speaker', extra: { label?: string; source?: string }): Promise<Publication> {
    const { Device } = await this.mediasoup();
    const joined = await this.signal(role, { type: 'ms.join' }, extra);
    if (joined.type !== 'ms.joined') throw new MediaError('BAD_SIGNAL', `unexpected ${joined.type}`);
    const device = new Device();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as never });
    const transport = device.createSendTransport(joined.transport as never);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signal(role, { type: 'ms.connect', dtlsParameters: dtlsParameters as never }, extra).then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      this.signal(role, { type: 'ms.produce', kind, rtpParameters: rtpParameters as never }, extra)
        .then((r) => (r.type === 'ms.produced' ? callback({ id: r.producerId }) : errback(new Error(r.type))))
        .catch(errback);
    });
    for (const track of stream.getTracks()) await transport.produce({ track });
    return {
      pc: null,
      close: async () => {
        transport.close();
        this.leave(role);
      },
    };
  }

  private async viewMediasoup(extra: { source?: string }): Promise<Viewing> {
    const { Device } = await this.mediasoup();
    const joined = await this.signal('viewer', { type: 'ms.join' }, extra);
    if (joined.type !== 'ms.joined') throw new MediaError('BAD_SIGNAL', `unexpected ${joined.type}`);
    const device = new Device();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as never });
    const transport = device.createRecvTransport(joined.transport as never);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signal('viewer', { type: 'ms.connect', dtlsParameters: dtlsParameters as never }, extra).then(() => callback(), errback);
    });
    const stream = new MediaStream();
    const receivers: RTCRtpReceiver[] = [];
    const consume = async () => {
      const r = await this.signal('viewer', { type: 'ms.consume', rtpCapabilities: device.recvRtpCapabilities as never }, extra);
      if (r.type !== 'ms.consumers') throw new MediaError('BAD_SIGNAL', `unexpected ${r.type}`);
      for (const t of stream.getTracks()) stream.removeTrack(t);
      for (const c of r.consumers) {
        const consumer = await transport.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters as never });
        stream.addTrack(consumer.track);
        if (consumer.rtpReceiver) receivers.push(consumer.rtpReceiver);
      }
      await this.signal('viewer', { type: 'ms.resume' }, extra);
    };
    await consume();
    // A new ingest (camera reloaded, encoder restarted) means new producers: consume again.
    const off = this.onState((s) => {
      if (s.live && s.webrtc) void consume().catch(() => undefined);
    });
    return {
      stream,
      pc: null,
      close: async () => {
        off();
        transport.close();
        this.leave('viewer', extra.source);
      },
      videoStats: () => inboundVideoStats(null, receivers),
    };
  }
}
