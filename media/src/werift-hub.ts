/**
 * WeriftHub: the SFU in pure TypeScript (werift 0.24.4), for machines where mediasoup's native worker cannot be
 * installed (docs/architecture.md, "the offline rule"). It forwards RTP, it never transcodes: the ingest's packets go to every
 * viewer's sender (rewritten: SSRC, payload type, continuous sequence numbers) and, as plain RTP, to ffmpeg taps.
 *
 * Shape after mediasoup-demo's Room: one `Broadcast` per session owns its ingest, viewers and taps, creation is
 * single-flight and `close()` is idempotent. Every peer is non-trickle SDP: the browser offers after gathering, the
 * hub answers with its candidates (loopback and LAN deployments gather in milliseconds).
 */
import type { Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
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
  type SourceKind,
  type TapOptions,
  type VideoCodec,
  HubListeners,
} from './hub.ts';
import { ProgramSwitcher, broadcastStats, sourceStats, type ProgramSource } from './program.ts';
import { RtpIngestGate, rtpIngestAddresses, rtpIngestOf } from './rtp-ingest.ts';
import { SignalRequestSchema, type SignalReply, type SignalRequest } from './wire.ts';
import {
  FrameRateMeter,
  Meter,
  SeqRewriter,
  rtpTimestamp,
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

/** One feed into the broadcast: a camera page (WebRTC publisher) or an encoder (RTP ingest). */
interface Source extends ProgramSource {
  id: string;
  kind: SourceKind;
  label: string | null;
  /** Unique per source instance, so viewers' rewriters know the packets come from another stream. */
  generation: number;
  since: number;
  hasAudio: boolean;
  readonly meters: Record<MediaKind, Meter>;
  videoSize: { width: number; height: number } | null;
  /** Measured from this source's RTP timestamps: the packager encodes at a constant rate (HLS needs one). */
  readonly frameRate: FrameRateMeter;
  /** The publisher's peer id (WebRTC sources). */
  peerId: string | null;
  /** A keyframe, at most once per 500 ms: many viewers joining at once cost one keyframe. */
  keyframe: () => boolean;
  /** RTP sources: packets refused for a foreign source address, SSRC or payload type. */
  rejectedPackets?(): number;
  close(): Promise<void>;
}

function newSource(fields: Pick<Source, 'id' | 'kind' | 'label' | 'hasAudio' | 'peerId' | 'pli' | 'close' | 'rejectedPackets'>): Source {
  const meters = { video: new Meter(), audio: new Meter() };
  return {
    ...fields,
    generation: ++generations,
    since: Date.now(),
    meters,
    lastVideoAt: () => meters.video.lastAt,
    videoSize: null,
    frameRate: new FrameRateMeter(),
    keyframe: throttle(500, () => fields.pli()),
  };
}

interface Viewer {
  ref: PeerRef;
  pc: RTCPeerConnection;
  senders: Partial<Record<MediaKind, RTCRtpSender>>;
  rewriters: Record<MediaKind, SeqRewriter>;
  /** A preview of this source; null: the program. */
  sourceId: string | null;
  connected: boolean;
  closed: boolean;
}

interface Tap {
  id: string;
  socket: Socket;
  targets: Partial<Record<MediaKind, number>>;
  ip: string;
  /** ffmpeg sees one continuous stream (one SSRC, no sequence or timestamp jump) whatever the program source. */
  rewriters: Record<MediaKind, SeqRewriter>;
  ssrc: Record<MediaKind, number>;
  closed: boolean;
}

let generations = 0;

/** A source counts as sending when its last video packet is this recent; a dead program is switched away at once. */
const SENDING_MS = 1500;

class Broadcast {
  /** The sources and which one is the program (src/program.ts, shared with MediasoupHub). */
  readonly switcher: ProgramSwitcher<Source>;
  readonly viewers = new Map<string, Viewer>();
  readonly taps = new Map<string, Tap>();
  keyframeRequests = 0;
  closed = false;

  constructor(
    readonly id: string,
    readonly videoCodec: VideoCodec,
    hub: WeriftHub,
    private readonly log: HubLogger,
  ) {
    this.switcher = new ProgramSwitcher<Source>({ broadcastId: id, emit: (e) => hub.emit(e), log, sendingMs: SENDING_MS });
  }

  get sources() {
    return this.switcher.sources;
  }

  get program(): Source | null {
    return this.switcher.program;
  }

  /** A keyframe from the given source (default: the program), throttled per source. */
  requestKeyFrame(sourceId: string | null = this.switcher.programId) {
    const s = sourceId ? this.sources.get(sourceId) : undefined;
    if (s?.keyframe()) this.keyframeRequests++;
  }

  /** Every media packet of every source passes here, already as a raw RTP buffer. */
  onPacket(source: Source, kind: MediaKind, buf: Buffer) {
    if (this.closed || this.sources.get(source.id) !== source) return;
    if (isPaddingOnly(buf)) return;
    source.meters[kind].add(buf.length);
    if (kind === 'video') {
      source.frameRate.add(rtpTimestamp(buf));
      const info = frameInfo(this.videoCodec, buf);
      if (info.width && info.height) source.videoSize = { width: info.width, height: info.height };
      // The switch lands on the first packet of a keyframe: decoders go from one picture to the next, no black.
      if (info.keyframe) this.switcher.keyframe(source);
    }
    const program = source.id === this.switcher.programId;
    const hall = source.id === this.switcher.hallId;
    for (const v of this.viewers.values()) {
      const sender = v.senders[kind];
      if (!v.connected || !sender) continue;
      // Previews see their source whatever is on the program; the remote speaker's own viewer sees the hall.
      const sees = v.sourceId !== null ? v.sourceId === source.id : v.ref.feed === 'hall' ? hall : program;
      if (!sees) continue;
      try {
        // werift's sender rewrites the header in place, so each viewer needs its own packet object.
        const p = RtpPacket.deSerialize(buf);
        const mapped = v.rewriters[kind].map(source.generation, p.header.sequenceNumber, p.header.timestamp);
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
    if (!program) return;
    for (const tap of this.taps.values()) {
      const port = tap.targets[kind];
      if (port === undefined || tap.closed) continue;
      const copy = Buffer.from(buf);
      const mapped = tap.rewriters[kind].map(source.generation, copy.readUInt16BE(2), copy.readUInt32BE(4));
      copy[1] = (copy[1]! & 0x80) | TAP_PAYLOAD_TYPES[kind];
      copy.writeUInt16BE(mapped.seq, 2);
      copy.writeUInt32BE(mapped.ts, 4);
      copy.writeUInt32BE(tap.ssrc[kind], 8);
      tap.socket.send(copy, port, tap.ip);
    }
  }

  /** Adds a source, or replaces the one with the same id (keeping its program status). */
  async addSource(source: Source) {
    const previous = this.switcher.add(source);
    if (previous) await previous.close().catch(() => undefined);
    // Viewers already watching it (the program, a preview) need a keyframe from the new stream.
    setTimeout(() => this.requestKeyFrame(source.id), 200).unref();
  }

  /** Ends a source; the program rules pick the next one. */
  async removeSource(id: string, only?: Source) {
    await this.switcher.remove(id, only)?.close().catch(() => undefined);
  }

  stats(): BroadcastStats {
    return broadcastStats(
      { id: this.id, videoCodec: this.videoCodec, switcher: this.switcher, taps: this.taps.size, keyframeRequests: this.keyframeRequests },
      [...this.sources.values()].map((s) => ({
        ...sourceStats(s, this.videoCodec, { video: s.meters.video.counts(), audio: s.meters.audio.counts() }, s.hasAudio),
        ...(s.rejectedPackets ? { rejectedPackets: s.rejectedPackets() } : {}),
      })),
      [...this.viewers.values()].map((v) => v.ref),
    );
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
  private readonly ports: PortPool | null;

  constructor(private readonly options: HubOptions = {}) {
    this.maxViewers = options.maxViewers ?? 200;
    this.log = options.log ?? silentLogger;
    this.listeners = new HubListeners(this.log);
    this.listenIp = options.listenIp ?? '127.0.0.1';
    this.announced = options.announcedAddresses;
    this.ports = options.rtcPortRange ? new PortPool(options.rtcPortRange, this.listenIp) : null;
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
    await Promise.all(b.switcher.close().map((src) => src.close().catch(() => undefined)));
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

  private async peerConnection(codec: VideoCodec) {
    // With MEDIA_RTC_PORTS each peer connection gets its own ports from the pool, never werift's shared range: werift
    // finds a port by binding a probe socket, closing it and binding again, so peer connections gathering at the same
    // moment (viewers joining together) were given the same port and all but one never received a packet — their
    // ICE stayed "connecting".
    // One port per address werift gathers on, plus one: werift refuses a range of a single port.
    const block = this.ports ? await this.ports.take((this.listenIp === '0.0.0.0' ? localAddressCount() : 1) + 1) : null;
    const pc = new RTCPeerConnection({
      codecs: weriftCodecs(codec),
      iceUseIpv6: false,
      ...(this.announced ? { iceAdditionalHostAddresses: this.announced } : {}),
      ...(this.listenIp !== '0.0.0.0' ? { iceInterfaceAddresses: { udp4: this.listenIp } } : {}),
      ...(block ? { icePortRange: block.range } : {}),
    });
    if (block) {
      // close() announces itself through the signaling state (the connection state may never say "closed").
      const sub = pc.signalingStateChange.subscribe((state) => {
        if (state !== 'closed') return;
        sub.unSubscribe();
        block.release();
      });
    }
    return pc;
  }

  /** Non-trickle answer: wait for gathering, then keep only the candidates we announce. */
  private async answer(pc: RTCPeerConnection, offerSdp: string): Promise<string> {
    await pc.setRemoteDescription({ type: 'offer', sdp: this.remoteOffer(offerSdp) });
    return this.finishAnswer(pc);
  }

  /**
   * The offer as werift should see it. Browsers hide their host addresses behind mDNS names (`<uuid>.local`); werift
   * would open a multicast-DNS socket per peer connection and wait up to 10 s for each name (never answered across
   * subnets), while the browser's own connectivity checks reach us anyway and werift learns its address from them
   * (a peer-reflexive candidate). So `.local` candidates are dropped, with any the deployment does not accept.
   */
  private remoteOffer(sdp: string): string {
    const keep = this.options.acceptRemoteAddress;
    return filterCandidates(sdp, (ip) => !ip.toLowerCase().endsWith('.local') && (!keep || keep(ip)));
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
    const pc = await this.peerConnection(b.videoCodec);
    const receivers: { kind: MediaKind; transceiver: RTCRtpTransceiver; track: MediaStreamTrack }[] = [];
    const source = newSource({
      id: ref.sourceId ?? ref.peerId,
      kind: 'webrtc',
      label: ref.label ?? null,
      hasAudio: false,
      peerId: ref.peerId,
      pli: () => {
        for (const r of receivers) if (r.kind === 'video' && r.track.ssrc) void r.transceiver.receiver.sendRtcpPLI(r.track.ssrc).catch(() => undefined);
      },
      close: async () => void (await pc.close().catch(() => undefined)),
    });
    // werift fires onTrack inside setRemoteDescription, so the subscription must exist before it.
    pc.onTrack.subscribe((track) => {
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track === track);
      if (!transceiver) return;
      const kind = track.kind as MediaKind;
      if (kind === 'audio') source.hasAudio = true;
      receivers.push({ kind, transceiver, track });
      track.onReceiveRtp.subscribe((rtp) => b.onPacket(source, kind, rtp.serialize()));
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
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') b.requestKeyFrame(source.id);
      if (state === 'failed' || state === 'closed') {
        void b.removeSource(source.id, source);
        this.emit({ type: 'peerClosed', broadcastId: b.id, peerId: ref.peerId, role: 'publisher' });
      }
    });
    if (b.sources.has(source.id)) this.log.info({ broadcastId: b.id, sourceId: source.id, peerId: ref.peerId }, 'source replaced');
    await b.addSource(source);
    this.log.info({ broadcastId: b.id, peerId: ref.peerId, sourceId: source.id, program: b.switcher.programId === source.id }, 'publisher connected (webrtc source)');
    return { type: 'answer', sdp: answer };
  }

  private async view(b: Broadcast, ref: PeerRef, offer: string): Promise<SignalReply> {
    const existing = b.viewers.get(ref.peerId);
    if (existing) await this.closeViewer(b, ref.peerId);
    if (ref.sourceId && !b.sources.has(ref.sourceId)) throw new MediaError('NO_SOURCE', `no source ${ref.sourceId} to preview`);
    if (this.totalViewers() >= this.maxViewers) throw new ViewerCapError(this.maxViewers);
    const pc = await this.peerConnection(b.videoCodec);
    const viewer: Viewer = {
      ref,
      pc,
      senders: {},
      rewriters: { video: new SeqRewriter(FRAME_TICKS.video), audio: new SeqRewriter(FRAME_TICKS.audio) },
      sourceId: ref.sourceId ?? null,
      connected: false,
      closed: false,
    };
    // Reserve the seat before the (slow) answer so concurrent joins cannot overshoot the cap.
    b.viewers.set(ref.peerId, viewer);
    try {
      await withTimeout(pc.setRemoteDescription({ type: 'offer', sdp: this.remoteOffer(offer) }), NEGOTIATION_MS);
      for (const t of pc.getTransceivers()) {
        const kind = t.kind as MediaKind;
        if (viewer.senders[kind]) continue;
        t.setDirection('sendonly');
        viewer.senders[kind] = t.sender;
        t.sender.onPictureLossIndication.subscribe(() => b.requestKeyFrame(viewer.sourceId ?? b.switcher.feedId(ref.feed)));
      }
      if (!viewer.senders.video) throw new MediaError('BAD_SIGNAL', 'the viewer offered no video');
      const sdp = await withTimeout(this.finishAnswer(pc), NEGOTIATION_MS);
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') {
          viewer.connected = true;
          // A late joiner decodes nothing until the next keyframe: ask for one now.
          b.requestKeyFrame(viewer.sourceId ?? b.switcher.feedId(ref.feed));
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
    for (const src of [...b.sources.values()]) if (src.peerId === peerId) await b.removeSource(src.id, src);
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
    const sockets: Socket[] = [];
    const expected: Partial<Record<MediaKind, { ssrc: number; payloadType: number }>> = {};
    for (const kind of kinds) expected[kind] = { ssrc: randomInt(1, 2 ** 31), payloadType: TAP_PAYLOAD_TYPES[kind] };
    const gate = new RtpIngestGate(expected, options.source);
    const source = newSource({
      id: options.sourceId ?? `rtp-${randomUUID().slice(0, 8)}`,
      kind: 'rtp',
      label: options.label ?? null,
      hasAudio: kinds.includes('audio'),
      peerId: null,
      // An encoder on plain RTP does not answer PLI; its GOP (README: -g / -force_key_frames) bounds the wait.
      pli: () => undefined,
      rejectedPackets: () => gate.counters.video.rejected + gate.counters.audio.rejected,
      close: async () => void (await Promise.all(sockets.map(closeUdp))),
    });
    const endpoints: RtpIngestEndpoint[] = [];
    const { listenIp, announcedIp } = rtpIngestAddresses(this.options);
    try {
      for (const kind of kinds) {
        const { rtp, rtcp } = await bindPair(listenIp);
        sockets.push(rtp, rtcp);
        const codec = kind === 'video' ? videoCodecSdp(b.videoCodec) : { codec: 'opus', clockRate: 48000, channels: 2 };
        endpoints.push({ kind, ip: announcedIp, port: rtp.address().port, rtcpPort: rtcp.address().port, ...expected[kind]!, ...codec });
        // A foreign address, SSRC or payload type (another codec than the broadcast's) never reaches viewers or taps.
        rtp.on('message', (msg, from) => {
          if (gate.accept(kind, msg, from.address)) b.onPacket(source, kind, msg);
        });
        rtcp.on('message', () => undefined);
      }
    } catch (err) {
      await Promise.all(sockets.map(closeUdp));
      throw err;
    }
    await b.addSource(source);
    this.log.info(
      { broadcastId, sourceId: source.id, listenIp, announcedIp, source: options.source ?? null, endpoints: endpoints.map((e) => `${e.kind}:${e.port}`), program: b.switcher.programId === source.id },
      'rtp ingest open',
    );
    return rtpIngestOf(source.id, endpoints);
  }

  async stopIngest(broadcastId: string, sourceId?: string) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return;
    for (const id of sourceId ? [sourceId] : [...b.sources.keys()]) await b.removeSource(id);
  }

  async setProgram(broadcastId: string, sourceId: string) {
    this.get(broadcastId).switcher.choose(sourceId);
  }

  async pinProgram(broadcastId: string, sourceId: string | null) {
    this.get(broadcastId).switcher.pin(sourceId);
  }

  requestKeyFrame(broadcastId: string) {
    this.broadcasts.get(broadcastId)?.requestKeyFrame();
  }

  async tap(broadcastId: string, options: TapOptions = {}): Promise<RtpTap> {
    const b = this.get(broadcastId);
    const kinds: MediaKind[] = options.audio === false || (b.program && !b.program.hasAudio) ? ['video'] : ['video', 'audio'];
    const targets: Partial<Record<MediaKind, number>> = {};
    for (const k of kinds) targets[k] = await freeRtpPortPair('127.0.0.1');
    const socket = await bindUdp('127.0.0.1');
    // ffmpeg may not be listening yet: an ICMP "port unreachable" must not crash the process.
    socket.on('error', () => undefined);
    const tap: Tap = {
      id: randomUUID(),
      socket,
      targets,
      ip: '127.0.0.1',
      rewriters: { video: new SeqRewriter(FRAME_TICKS.video), audio: new SeqRewriter(FRAME_TICKS.audio) },
      ssrc: { video: randomInt(1, 2 ** 31), audio: randomInt(1, 2 ** 31) },
      closed: false,
    };
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
        return b.program?.videoSize ?? null;
      },
      get frameRate() {
        return b.program?.frameRate.fps ?? null;
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

/** IPv4 addresses werift gathers on when bound to every interface (one socket, so one port, each). */
function localAddressCount(): number {
  return Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4').length || 1;
}

/**
 * Ports of MEDIA_RTC_PORTS handed out in blocks, each to one peer connection until it closes. Taking is synchronous
 * bookkeeping (no two callers get the same port) followed by a bind check against other processes.
 */
class PortPool {
  private readonly used = new Set<number>();
  private next: number;

  constructor(
    private readonly range: [number, number],
    private readonly ip: string,
  ) {
    this.next = range[0];
  }

  async take(count: number): Promise<{ range: [number, number]; release(): void }> {
    const [min, max] = this.range;
    const span = max - min + 1;
    for (let tries = 0; tries < span; tries++) {
      const start = this.next;
      this.next = start + count > max ? min : start + count;
      if (start + count - 1 > max) continue;
      const ports = Array.from({ length: count }, (_, i) => start + i);
      if (ports.some((p) => this.used.has(p))) continue;
      for (const p of ports) this.used.add(p);
      // Another process may hold one: check by binding (werift binds it again a moment later).
      const free = await Promise.all(ports.map((p) => bindUdp(this.ip, p).then(closeUdp).then(() => true, () => false)));
      if (free.every(Boolean)) {
        let released = false;
        return {
          range: [start, start + count - 1],
          release: () => {
            if (released) return;
            released = true;
            for (const p of ports) this.used.delete(p);
          },
        };
      }
      for (const p of ports) this.used.delete(p);
    }
    throw new MediaError('BAD_SIGNAL', `no free UDP port left in MEDIA_RTC_PORTS ${min}-${max}`);
  }
}

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
