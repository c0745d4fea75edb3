/**
 * WeriftHub: the SFU in pure TypeScript (werift 0.24.4), for machines where mediasoup's native worker cannot be
 * installed (DESIGN.md §7, "the offline rule"). It forwards RTP, it never transcodes: the ingest's packets go to every
 * viewer's sender (rewritten: SSRC, payload type, continuous sequence numbers) and, as plain RTP, to ffmpeg taps.
 *
 * Shape after mediasoup-demo's Room: one `Broadcast` per session owns its ingest, viewers and taps, creation is
 * single-flight and `close()` is idempotent. Every peer is non-trickle SDP: the browser offers after gathering, the
 * hub answers with its candidates (loopback and LAN deployments gather in milliseconds).
 */
import type { Socket } from 'node:dgram';
import { randomUUID, randomInt } from 'node:crypto';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpPacket, type RTCRtpSender, type RTCRtpTransceiver, type MediaStreamTrack } from 'werift';
import {
  MediaError,
  ViewerCapError,
  silentLogger,
  type BroadcastOptions,
  type BroadcastStats,
  type HubEvent,
  type HubLogger,
  type HubOptions,
  type HubStats,
  type MediaHub,
  type MediaKind,
  type PeerRef,
  type RtpIngest,
  type RtpIngestEndpoint,
  type RtpIngestOptions,
  type RtpTap,
  type TapOptions,
  type VideoCodec,
  HubListeners,
} from './hub.ts';
import { SignalRequestSchema, type SignalReply, type SignalRequest } from './wire.ts';
import {
  Meter,
  SeqRewriter,
  TAP_PAYLOAD_TYPES,
  bindUdp,
  closeUdp,
  filterCandidates,
  frameInfo,
  freeRtpPortPair,
  isPaddingOnly,
  tapSdp,
  throttle,
  videoCodecSdp,
} from './rtp-util.ts';

const OPUS = { mimeType: 'audio/opus', clockRate: 48000, channels: 2 } as const;
const FRAME_TICKS = { video: 3000, audio: 960 } as const;

function weriftCodecs(video: VideoCodec) {
  const feedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];
  return {
    video: [
      video === 'VP8'
        ? new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: feedback })
        : new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: feedback, parameters: videoCodecSdp('H264').fmtp! }),
    ],
    audio: [new RTCRtpCodecParameters({ ...OPUS })],
  };
}

interface Ingest {
  kind: 'webrtc' | 'rtp';
  /** Bumped per ingest so viewers' rewriters know the source changed. */
  generation: number;
  since: number;
  hasAudio: boolean;
  requestKeyFrame(): void;
  close(): Promise<void>;
}

interface Viewer {
  ref: PeerRef;
  pc: RTCPeerConnection;
  senders: Partial<Record<MediaKind, RTCRtpSender>>;
  rewriters: Record<MediaKind, SeqRewriter>;
  connected: boolean;
  closed: boolean;
}

interface Tap {
  id: string;
  socket: Socket;
  targets: Partial<Record<MediaKind, number>>;
  ip: string;
  closed: boolean;
}

let generations = 0;

class Broadcast {
  ingest: Ingest | null = null;
  publisher: { ref: PeerRef; pc: RTCPeerConnection } | null = null;
  readonly viewers = new Map<string, Viewer>();
  readonly taps = new Map<string, Tap>();
  readonly meters: Record<MediaKind, Meter> = { video: new Meter(), audio: new Meter() };
  videoSize: { width: number; height: number } | null = null;
  keyframeRequests = 0;
  /** Another broadcast whose ingest is this one's program now (a remote speaker), or null: its own ingest. */
  programFrom: Broadcast | null = null;
  /** The broadcasts whose program this one's ingest is. */
  readonly relayTo = new Set<Broadcast>();
  closed = false;
  private readonly throttledKeyframe: () => boolean;

  constructor(
    readonly id: string,
    readonly videoCodec: VideoCodec,
    private readonly hub: WeriftHub,
    private readonly log: HubLogger,
  ) {
    // Many viewers joining at once (a hall screen wall, the public at the top of the hour) cost one keyframe.
    this.throttledKeyframe = throttle(500, () => {
      this.keyframeRequests++;
      this.ingest?.requestKeyFrame();
    });
  }

  requestKeyFrame() {
    this.throttledKeyframe();
  }

  /** Every media packet of the current ingest passes here, already as a raw RTP buffer. */
  onPacket(kind: MediaKind, generation: number, buf: Buffer) {
    if (this.closed || this.ingest?.generation !== generation) return;
    if (isPaddingOnly(buf)) return;
    this.meters[kind].add(buf.length);
    if (kind === 'video') {
      const info = frameInfo(this.videoCodec, buf);
      if (info.width && info.height) this.videoSize = { width: info.width, height: info.height };
    }
    // While another source is the program, the own ingest goes only to viewers of the hall itself.
    this.forward(kind, generation, buf, this.programFrom ? 'hall' : 'all');
    for (const target of this.relayTo) if (target.programFrom === this && !target.closed) target.forward(kind, generation, buf, 'program');
  }

  /** `hall`: only viewers that follow the hall; `program`: the others and the taps; `all`: everyone. */
  private forward(kind: MediaKind, generation: number, buf: Buffer, to: 'all' | 'hall' | 'program') {
    for (const v of this.viewers.values()) {
      const sender = v.senders[kind];
      if (!v.connected || !sender) continue;
      const follows = v.ref.feed ?? 'program';
      if ((to === 'hall' && follows !== 'hall') || (to === 'program' && follows === 'hall')) continue;
      try {
        // werift's sender rewrites the header in place, so each viewer needs its own packet object.
        const p = RtpPacket.deSerialize(buf);
        const mapped = v.rewriters[kind].map(generation, p.header.sequenceNumber, p.header.timestamp);
        p.header.sequenceNumber = mapped.seq;
        p.header.timestamp = mapped.ts;
        // The publisher's extension ids mean nothing on this viewer's connection; the sender adds its own.
        p.header.extensions = [];
        p.header.extension = false;
        void sender.sendRtp(p).catch(() => undefined);
      } catch (err) {
        this.log.warn({ err, broadcastId: this.id, peerId: v.ref.peerId }, 'forwarding to viewer failed');
      }
    }
    if (to === 'hall') return;
    for (const tap of this.taps.values()) {
      const port = tap.targets[kind];
      if (port === undefined || tap.closed) continue;
      const copy = Buffer.from(buf);
      copy[1] = (copy[1]! & 0x80) | TAP_PAYLOAD_TYPES[kind];
      tap.socket.send(copy, port, tap.ip);
    }
  }

  /** Makes `source`'s ingest this broadcast's program (null: its own again); viewers and taps get a keyframe. */
  setProgramSource(source: Broadcast | null) {
    if (this.programFrom === source) return;
    this.programFrom?.relayTo.delete(this);
    this.programFrom = source;
    source?.relayTo.add(this);
    (source ?? this).requestKeyFrame();
  }

  async setIngest(ingest: Ingest) {
    const previous = this.ingest;
    this.ingest = ingest;
    if (previous) await previous.close().catch(() => undefined);
    this.hub.emit({ type: 'ingest', broadcastId: this.id, kind: ingest.kind });
    // Viewers already watching need a keyframe from the new source.
    setTimeout(() => this.requestKeyFrame(), 200);
  }

  async endIngest(ingest?: Ingest) {
    const current = this.ingest;
    if (!current || (ingest && ingest !== current)) return;
    this.ingest = null;
    await current.close().catch(() => undefined);
    this.hub.emit({ type: 'ingestEnded', broadcastId: this.id });
  }

  stats(): BroadcastStats {
    const byAudience: Record<string, number> = {};
    for (const v of this.viewers.values()) {
      const a = v.ref.audience ?? 'unknown';
      byAudience[a] = (byAudience[a] ?? 0) + 1;
    }
    const stream = (kind: MediaKind) => ({
      codec: kind === 'video' ? this.videoCodec : 'opus',
      packets: this.meters[kind].packets,
      bytes: this.meters[kind].bytes,
      bitrateKbps: this.meters[kind].kbps(),
      lastPacketAt: this.meters[kind].lastAt,
      ...(kind === 'video' && this.videoSize ? this.videoSize : {}),
    });
    return {
      id: this.id,
      videoCodec: this.videoCodec,
      programSource: this.programFrom?.id ?? null,
      ingest: this.ingest ? { kind: this.ingest.kind, since: this.ingest.since, video: stream('video'), audio: this.ingest.hasAudio ? stream('audio') : null } : null,
      viewers: this.viewers.size,
      viewersByAudience: byAudience,
      taps: this.taps.size,
      keyframeRequests: this.keyframeRequests,
    };
  }
}

export class WeriftHub implements MediaHub {
  readonly backend = 'werift' as const;
  readonly flavor = 'sdp' as const;
  readonly maxViewers: number;
  private readonly broadcasts = new Map<string, Broadcast>();
  private readonly listeners: HubListeners;
  private readonly log: HubLogger;
  private readonly listenIp: string;
  private readonly announced: string[] | undefined;
  private closed = false;

  constructor(private readonly options: HubOptions = {}) {
    this.maxViewers = options.maxViewers ?? 200;
    this.log = options.log ?? silentLogger;
    this.listeners = new HubListeners(this.log);
    this.listenIp = options.listenIp ?? '127.0.0.1';
    this.announced = options.announcedAddresses;
  }

  /** Nothing to start: werift runs in this process. Kept for symmetry with MediasoupHub.create(). */
  static async create(options: HubOptions = {}): Promise<WeriftHub> {
    return new WeriftHub(options);
  }

  emit(event: HubEvent) {
    this.listeners.emit(event);
  }

  on(listener: (event: HubEvent) => void) {
    return this.listeners.on(listener);
  }

  async createBroadcast(id: string, options: BroadcastOptions = {}) {
    if (this.closed) throw new MediaError('NO_BROADCAST', 'media hub is closed');
    if (!this.broadcasts.has(id)) this.broadcasts.set(id, new Broadcast(id, options.videoCodec ?? 'VP8', this, this.log));
  }

  hasBroadcast(id: string) {
    return this.broadcasts.has(id);
  }

  async closeBroadcast(id: string) {
    const b = this.broadcasts.get(id);
    if (!b) return;
    this.broadcasts.delete(id);
    b.closed = true;
    b.setProgramSource(null);
    for (const target of b.relayTo) target.setProgramSource(null);
    await b.endIngest();
    if (b.publisher) await b.publisher.pc.close().catch(() => undefined);
    await Promise.all([...b.viewers.keys()].map((peerId) => this.closeViewer(b, peerId)));
    await Promise.all([...b.taps.values()].map((t) => this.closeTap(b, t)));
  }

  private get(id: string): Broadcast {
    const b = this.broadcasts.get(id);
    if (!b) throw new MediaError('NO_BROADCAST', `no broadcast ${id}`);
    return b;
  }

  private totalViewers() {
    let n = 0;
    for (const b of this.broadcasts.values()) n += b.viewers.size;
    return n;
  }

  private peerConnection(codec: VideoCodec) {
    const range = this.options.rtcPortRange;
    return new RTCPeerConnection({
      codecs: weriftCodecs(codec),
      iceUseIpv6: false,
      ...(this.announced ? { iceAdditionalHostAddresses: this.announced } : {}),
      ...(this.listenIp !== '0.0.0.0' ? { iceInterfaceAddresses: { udp4: this.listenIp } } : {}),
      ...(range ? { icePortRange: range } : {}),
    });
  }

  /** Non-trickle answer: wait for gathering, then keep only the candidates we announce. */
  private async answer(pc: RTCPeerConnection, offerSdp: string): Promise<string> {
    const keepRemote = this.options.acceptRemoteAddress;
    await pc.setRemoteDescription({ type: 'offer', sdp: keepRemote ? filterCandidates(offerSdp, keepRemote) : offerSdp });
    return this.finishAnswer(pc);
  }

  private async finishAnswer(pc: RTCPeerConnection): Promise<string> {
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const sub = pc.iceGatheringStateChange.subscribe((s) => {
          if (s === 'complete') {
            sub.unSubscribe();
            resolve();
          }
        });
        setTimeout(resolve, 5000).unref();
      });
    }
    const sdp = pc.localDescription?.sdp ?? '';
    const announced = this.announced;
    return announced ? filterCandidates(sdp, (ip) => announced.includes(ip)) : sdp;
  }

  async signal(broadcastId: string, peer: PeerRef, message: SignalRequest): Promise<SignalReply> {
    const parsed = SignalRequestSchema.safeParse(message);
    if (!parsed.success) throw new MediaError('BAD_SIGNAL', 'invalid signaling message');
    const msg = parsed.data;
    if (msg.type !== 'offer') throw new MediaError('BAD_SIGNAL', `werift hub speaks SDP offer/answer, not ${msg.type}`);
    const b = this.get(broadcastId);
    // werift never settles on some malformed offers: refuse what cannot be a WebRTC offer before it gets a peer.
    if (!/^v=0\r?\n/.test(msg.sdp) || !/\nm=(audio|video) /.test(msg.sdp) || !/\na=ice-ufrag:/.test(msg.sdp) || !/\na=fingerprint:/.test(msg.sdp)) {
      throw new MediaError('BAD_SIGNAL', 'not a WebRTC offer (no m=, ice-ufrag or fingerprint line)');
    }
    return peer.role === 'publisher' ? this.publish(b, peer, msg.sdp) : this.view(b, peer, msg.sdp);
  }

  private async publish(b: Broadcast, ref: PeerRef, offer: string): Promise<SignalReply> {
    const pc = this.peerConnection(b.videoCodec);
    const generation = ++generations;
    const receivers: { kind: MediaKind; transceiver: RTCRtpTransceiver; track: MediaStreamTrack }[] = [];
    let hasAudio = false;
    // werift fires onTrack inside setRemoteDescription, so the subscription must exist before it.
    pc.onTrack.subscribe((track) => {
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track === track);
      if (!transceiver) return;
      const kind = track.kind as MediaKind;
      if (kind === 'audio') hasAudio = true;
      receivers.push({ kind, transceiver, track });
      track.onReceiveRtp.subscribe((rtp) => b.onPacket(kind, generation, rtp.serialize()));
    });
    let answer: string;
    try {
      answer = await withTimeout(this.answer(pc, offer), NEGOTIATION_MS);
    } catch (err) {
      await pc.close().catch(() => undefined);
      throw new MediaError('BAD_SIGNAL', `publisher offer refused: ${(err as Error).message}`);
    }
    if (!receivers.some((r) => r.kind === 'video')) {
      await pc.close().catch(() => undefined);
      throw new MediaError('CODEC_MISMATCH', `the camera offered no ${b.videoCodec} video`);
    }
    const previous = b.publisher;
    b.publisher = { ref, pc };
    const ingest: Ingest = {
      kind: 'webrtc',
      generation,
      since: Date.now(),
      hasAudio,
      requestKeyFrame: () => {
        for (const r of receivers) if (r.kind === 'video' && r.track.ssrc) void r.transceiver.receiver.sendRtcpPLI(r.track.ssrc).catch(() => undefined);
      },
      close: async () => {
        if (b.publisher?.pc === pc) b.publisher = null;
        await pc.close().catch(() => undefined);
      },
    };
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') b.requestKeyFrame();
      if (state === 'failed' || state === 'closed') {
        void b.endIngest(ingest);
        this.emit({ type: 'peerClosed', broadcastId: b.id, peerId: ref.peerId, role: 'publisher' });
      }
    });
    if (previous) this.log.info({ broadcastId: b.id, previous: previous.ref.peerId, peerId: ref.peerId }, 'publisher replaced');
    await b.setIngest(ingest);
    this.log.info({ broadcastId: b.id, peerId: ref.peerId }, 'publisher connected (webrtc ingest)');
    return { type: 'answer', sdp: answer };
  }

  private async view(b: Broadcast, ref: PeerRef, offer: string): Promise<SignalReply> {
    const existing = b.viewers.get(ref.peerId);
    if (existing) await this.closeViewer(b, ref.peerId);
    if (this.totalViewers() >= this.maxViewers) throw new ViewerCapError(this.maxViewers);
    const pc = this.peerConnection(b.videoCodec);
    const viewer: Viewer = {
      ref,
      pc,
      senders: {},
      rewriters: { video: new SeqRewriter(FRAME_TICKS.video), audio: new SeqRewriter(FRAME_TICKS.audio) },
      connected: false,
      closed: false,
    };
    // Reserve the seat before the (slow) answer so concurrent joins cannot overshoot the cap.
    b.viewers.set(ref.peerId, viewer);
    try {
      const keepRemote = this.options.acceptRemoteAddress;
      await withTimeout(pc.setRemoteDescription({ type: 'offer', sdp: keepRemote ? filterCandidates(offer, keepRemote) : offer }), NEGOTIATION_MS);
      for (const t of pc.getTransceivers()) {
        const kind = t.kind as MediaKind;
        if (viewer.senders[kind]) continue;
        t.setDirection('sendonly');
        viewer.senders[kind] = t.sender;
        t.sender.onPictureLossIndication.subscribe(() => b.requestKeyFrame());
      }
      if (!viewer.senders.video) throw new MediaError('BAD_SIGNAL', 'the viewer offered no video');
      const sdp = await withTimeout(this.finishAnswer(pc), NEGOTIATION_MS);
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') {
          viewer.connected = true;
          // A late joiner decodes nothing until the next keyframe: ask for one now.
          b.requestKeyFrame();
        }
        if (state === 'failed' || state === 'closed') void this.closeViewer(b, ref.peerId, viewer);
      });
      this.log.info({ broadcastId: b.id, peerId: ref.peerId, audience: ref.audience }, 'viewer joined');
      return { type: 'answer', sdp };
    } catch (err) {
      await this.closeViewer(b, ref.peerId, viewer);
      if (err instanceof MediaError) throw err;
      throw new MediaError('BAD_SIGNAL', `viewer offer refused: ${(err as Error).message}`);
    }
  }

  private async closeViewer(b: Broadcast, peerId: string, only?: Viewer) {
    const v = b.viewers.get(peerId);
    if (!v || (only && v !== only)) {
      if (only && !only.closed) {
        only.closed = true;
        await only.pc.close().catch(() => undefined);
      }
      return;
    }
    b.viewers.delete(peerId);
    if (v.closed) return;
    v.closed = true;
    await v.pc.close().catch(() => undefined);
    this.emit({ type: 'peerClosed', broadcastId: b.id, peerId, role: 'viewer' });
  }

  async removePeer(broadcastId: string, peerId: string) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return;
    if (b.publisher?.ref.peerId === peerId && b.ingest?.kind === 'webrtc') await b.endIngest();
    await this.closeViewer(b, peerId);
  }

  async removeViewers(broadcastId: string, which?: (peer: PeerRef) => boolean) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return 0;
    const chosen = [...b.viewers.values()].filter((v) => !which || which(v.ref));
    await Promise.all(chosen.map((v) => this.closeViewer(b, v.ref.peerId)));
    return chosen.length;
  }

  async ingestRtp(broadcastId: string, options: RtpIngestOptions = {}): Promise<RtpIngest> {
    const b = this.get(broadcastId);
    const kinds: MediaKind[] = options.audio === false ? ['video'] : ['video', 'audio'];
    const generation = ++generations;
    const sockets: Socket[] = [];
    const endpoints: RtpIngestEndpoint[] = [];
    const ip = this.announced?.[0] ?? this.listenIp;
    try {
      for (const kind of kinds) {
        const { rtp, rtcp } = await bindPair(this.listenIp);
        sockets.push(rtp, rtcp);
        const payloadType = TAP_PAYLOAD_TYPES[kind];
        const codec = kind === 'video' ? videoCodecSdp(b.videoCodec) : { codec: 'opus', clockRate: 48000, channels: 2 };
        endpoints.push({ kind, ip, port: rtp.address().port, rtcpPort: rtcp.address().port, payloadType, ssrc: randomInt(1, 2 ** 31), ...codec });
        rtp.on('message', (msg) => {
          // Another payload type means another codec than the broadcast's: viewers could not decode it.
          if (msg.length < 12 || (msg[1]! & 0x7f) !== payloadType) return;
          b.onPacket(kind, generation, msg);
        });
        rtcp.on('message', () => undefined);
      }
    } catch (err) {
      await Promise.all(sockets.map(closeUdp));
      throw err;
    }
    const ingest: Ingest = {
      kind: 'rtp',
      generation,
      since: Date.now(),
      hasAudio: kinds.includes('audio'),
      // An encoder on plain RTP does not answer PLI; its GOP (README: -g / -force_key_frames) bounds the wait.
      requestKeyFrame: () => undefined,
      close: async () => void (await Promise.all(sockets.map(closeUdp))),
    };
    await b.setIngest(ingest);
    this.log.info({ broadcastId, endpoints: endpoints.map((e) => `${e.kind}:${e.port}`) }, 'rtp ingest open');
    return {
      endpoints,
      ffmpegOutput: (kind) => {
        const e = endpoints.find((x) => x.kind === kind);
        if (!e) throw new MediaError('BAD_SIGNAL', `this ingest has no ${kind}`);
        return ['-payload_type', String(e.payloadType), '-ssrc', String(e.ssrc), '-f', 'rtp', `rtp://${e.ip}:${e.port}?rtcpport=${e.rtcpPort}&pkt_size=1200`];
      },
    };
  }

  async setProgramSource(broadcastId: string, sourceId: string | null) {
    const b = this.get(broadcastId);
    const source = sourceId === null ? null : this.get(sourceId);
    if (source === b) throw new MediaError('BAD_SIGNAL', 'a broadcast cannot be its own program source');
    if (source?.videoCodec !== undefined && source.videoCodec !== b.videoCodec) throw new MediaError('CODEC_MISMATCH', `${sourceId} sends ${source.videoCodec}, the program is ${b.videoCodec}`);
    b.setProgramSource(source);
    this.log.info({ broadcastId, source: sourceId ?? 'own ingest' }, 'program source');
  }

  async stopIngest(broadcastId: string) {
    await this.broadcasts.get(broadcastId)?.endIngest();
  }

  requestKeyFrame(broadcastId: string) {
    this.broadcasts.get(broadcastId)?.requestKeyFrame();
  }

  async tap(broadcastId: string, options: TapOptions = {}): Promise<RtpTap> {
    const b = this.get(broadcastId);
    const kinds: MediaKind[] = options.audio === false || (b.ingest && !b.ingest.hasAudio) ? ['video'] : ['video', 'audio'];
    const targets: Partial<Record<MediaKind, number>> = {};
    for (const k of kinds) targets[k] = await freeRtpPortPair('127.0.0.1');
    const socket = await bindUdp('127.0.0.1');
    // ffmpeg may not be listening yet: an ICMP "port unreachable" must not crash the process.
    socket.on('error', () => undefined);
    const tap: Tap = { id: randomUUID(), socket, targets, ip: '127.0.0.1', closed: false };
    b.taps.set(tap.id, tap);
    const video = videoCodecSdp(b.videoCodec);
    const sdp = tapSdp(
      '127.0.0.1',
      kinds.map((kind) =>
        kind === 'video'
          ? { kind, port: targets.video!, payloadType: TAP_PAYLOAD_TYPES.video, ...video }
          : { kind, port: targets.audio!, payloadType: TAP_PAYLOAD_TYPES.audio, codec: 'opus', clockRate: 48000, channels: 2 },
      ),
    );
    const timers: NodeJS.Timeout[] = [];
    // ffmpeg needs a keyframe to start; it binds its ports some hundreds of ms after spawning.
    for (const ms of [300, 1000, 2500]) timers.push(setTimeout(() => b.requestKeyFrame(), ms));
    if (options.keyframeIntervalMs) timers.push(setInterval(() => b.requestKeyFrame(), options.keyframeIntervalMs));
    return {
      id: tap.id,
      sdp,
      kinds,
      get videoSize() {
        return b.videoSize;
      },
      requestKeyFrame: () => b.requestKeyFrame(),
      close: async () => {
        for (const t of timers) clearTimeout(t);
        await this.closeTap(b, tap);
      },
    };
  }

  private async closeTap(b: Broadcast, tap: Tap) {
    if (tap.closed) return;
    tap.closed = true;
    b.taps.delete(tap.id);
    await closeUdp(tap.socket);
  }

  stats(broadcastId: string) {
    return this.broadcasts.get(broadcastId)?.stats() ?? null;
  }

  hubStats(): HubStats {
    const broadcasts = [...this.broadcasts.values()].map((b) => b.stats());
    return { backend: this.backend, maxViewers: this.maxViewers, viewers: broadcasts.reduce((a, b) => a + b.viewers, 0), broadcasts };
  }

  async close() {
    this.closed = true;
    await Promise.all([...this.broadcasts.keys()].map((id) => this.closeBroadcast(id)));
    this.listeners.clear();
  }
}

const NEGOTIATION_MS = 10_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new MediaError('BAD_SIGNAL', `negotiation took over ${ms} ms`)), ms))),
  ]);
}

/** RTP on an even port and RTCP on the next, both held open (an unbound RTCP port would bounce ffmpeg's reports). */
async function bindPair(ip: string): Promise<{ rtp: Socket; rtcp: Socket }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const rtp = await bindUdp(ip);
    const port = rtp.address().port;
    if (port % 2 === 0 && port < 65535) {
      try {
        const rtcp = await bindUdp(ip, port + 1);
        return { rtp, rtcp };
      } catch {
        // taken: try another
      }
    }
    await closeUdp(rtp);
  }
  throw new Error('no free RTP port pair');
}
