/**
 * MediasoupHub: production SFU on mediasoup 3.19.3 (Node 20). One worker per core, each with a WebRtcServer (one
 * UDP/TCP port per worker, easy to open in a firewall). A broadcast's ingest is produced on an origin router; viewers
 * are spread over routers on the other workers with `pipeToRouter`, so a popular broadcast uses every core.
 * Consumers start paused and are resumed with a keyframe request once the client is ready (mediasoup-demo).
 *
 * The order that works (docs/architecture.md): createWorker → createWebRtcServer → createRouter(opus, VP8, H264 pm1 42e01f)
 * → per peer createWebRtcTransport({ webRtcServer }) → connect → produce / consume(paused) → resume + requestKeyFrame.
 *
 * mediasoup resolves its worker binary (MEDIASOUP_WORKER_BIN or the path its installer downloads to) when this
 * module loads, so `select.ts` imports it lazily, after the environment is final.
 */
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { randomInt, randomUUID } from 'node:crypto';
import os from 'node:os';
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
  type PacketCounts,
  type PeerRef,
  type RtpIngest,
  type RtpIngestOptions,
  type RtpTap,
  type SourceKind,
  type TapOptions,
  type VideoCodec,
  HubListeners,
} from './hub.ts';
import { SignalRequestSchema, type SignalReply, type SignalRequest } from './wire.ts';
import { FrameRateMeter, SeqRewriter, TAP_PAYLOAD_TYPES, frameInfo, rtpTimestamp, freeRtpPortPair, isPaddingOnly, tapSdp, throttle, videoCodecSdp } from './rtp-util.ts';
import { rtpIngestAddresses, rtpIngestOf } from './rtp-ingest.ts';
import { ProgramSwitcher, broadcastStats, sourceStats, type ProgramSource } from './program.ts';

export interface MediasoupHubOptions extends HubOptions {
  /** Workers to start; default one per core. */
  workers?: number;
  /** First WebRtcServer port; worker i listens on `webRtcServerPort + i` (UDP and TCP). Default 44444. */
  webRtcServerPort?: number;
  /** A router takes this many viewers of a broadcast before the next worker's router is used. Default 100. */
  viewersPerRouter?: number;
  logLevel?: ms.WorkerLogLevel;
}

/** Fixed payload types, so a tap's SDP can be written before any producer exists. */
const MEDIA_CODECS: ms.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: TAP_PAYLOAD_TYPES.audio },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: TAP_PAYLOAD_TYPES.video },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    preferredPayloadType: 102, // H264_PAYLOAD_TYPE
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];

interface WorkerSlot {
  worker: ms.Worker;
  server: ms.WebRtcServer;
  index: number;
}

interface MsPeer {
  ref: PeerRef;
  router: ms.Router;
  transport: ms.WebRtcTransport;
  producers: ms.Producer[];
  consumers: ms.Consumer[];
}


/** One feed: a camera page's producers or an encoder's (PlainTransport) producers, on the origin router. */
interface MsSource extends ProgramSource {
  id: string;
  kind: SourceKind;
  label: string | null;
  since: number;
  peerId: string | null;
  /** New per source instance: the program's rewriters continue sequence numbers and timestamps across sources. */
  generation: number;
  producers: Partial<Record<MediaKind, ms.Producer>>;
  /** DirectTransport consumers whose packets the hub forwards into the program producers when this is the program. */
  feeders: Partial<Record<MediaKind, ms.Consumer>>;
  plain: ms.PlainTransport[];
  counters: Partial<Record<MediaKind, PacketCounts>>;
  videoSize: { width: number; height: number } | null;
  /** Measured from this source's RTP timestamps: the packager encodes at a constant rate (HLS needs one). */
  readonly frameRate: FrameRateMeter;
  keyframe: () => boolean;
}

let generations = 0;
/** The counters are polled once a second: a source silent for longer than that is not worth waiting on. */
const SENDING_MS = 2500;

class MsBroadcast {
  readonly routers: ms.Router[] = [];
  readonly peers = new Map<string, MsPeer>();
  /**
   * The program: producers on a DirectTransport that never change for the broadcast's life, so viewers and taps
   * consume them once; the hub copies the program source's packets into them (rewritten to one SSRC and continuous
   * sequence numbers), switching source at a keyframe. `hall` is the same for the hall's own picture (src/program.ts
   * `hallId`), which the remote speaker's own viewer consumes.
   */
  programTransport!: ms.DirectTransport;
  feedTransport!: ms.DirectTransport;
  readonly outs: Record<'program' | 'hall', Out> = { program: newOut(), hall: newOut() };
  /** The sources and which one is the program (src/program.ts, shared with WeriftHub). */
  readonly switcher: ProgramSwitcher<MsSource>;
  readonly taps = new Set<{ transport: ms.PlainTransport; consumers: ms.Consumer[] }>();
  /** producerId → routerId → piped producer, so each producer is piped once per router. */
  readonly piped = new Map<string, Set<string>>();
  keyframeRequests = 0;

  constructor(
    readonly id: string,
    readonly videoCodec: VideoCodec,
    emit: (e: HubEvent) => void,
    log: HubLogger,
  ) {
    this.switcher = new ProgramSwitcher<MsSource>({ broadcastId: id, emit, log, sendingMs: SENDING_MS });
  }

  get origin(): ms.Router {
    return this.routers[0]!;
  }

  get sources() {
    return this.switcher.sources;
  }

  get program(): MsSource | null {
    return this.switcher.program;
  }

  viewerCount() {
    let n = 0;
    for (const p of this.peers.values()) if (p.ref.role === 'viewer') n++;
    return n;
  }
}

/** A feed out of the hub (the program, or the hall's own picture): producers and their continuous numbering. */
interface Out {
  producers: Record<MediaKind, ms.Producer>;
  readonly rewriters: Record<MediaKind, SeqRewriter>;
  readonly ssrc: Record<MediaKind, number>;
}

function newOut(): Out {
  return {
    producers: null as unknown as Record<MediaKind, ms.Producer>,
    rewriters: { video: new SeqRewriter(3000), audio: new SeqRewriter(960) },
    ssrc: { video: randomInt(1, 2 ** 31), audio: randomInt(1, 2 ** 31) },
  };
}

/** True when a compound RTCP packet carries a PLI or FIR (a viewer or tap wants a keyframe). */
function asksKeyframe(rtcp: Buffer): boolean {
  for (let off = 0; off + 4 <= rtcp.length; ) {
    const fmt = rtcp[off]! & 0x1f;
    const pt = rtcp[off + 1]!;
    if (pt === 206 && (fmt === 1 || fmt === 4)) return true;
    off += (rtcp.readUInt16BE(off + 2) + 1) * 4;
  }
  return false;
}

/** A source's packet into an out's producer, as one continuous stream whatever the source. */
function forward(out: Out, source: MsSource, kind: MediaKind, packet: Buffer) {
  const producer = out.producers[kind];
  if (producer.closed) return;
  const copy = Buffer.from(packet);
  const mapped = out.rewriters[kind].map(source.generation, copy.readUInt16BE(2), copy.readUInt32BE(4));
  copy.writeUInt16BE(mapped.seq, 2);
  copy.writeUInt32BE(mapped.ts, 4);
  copy.writeUInt32BE(out.ssrc[kind], 8);
  producer.send(copy);
}

const H264_PAYLOAD_TYPE = 102;

export class MediasoupHub implements MediaHub {
  readonly backend = 'mediasoup' as const;
  readonly flavor = 'mediasoup' as const;
  readonly maxViewers: number;
  private readonly broadcasts = new Map<string, MsBroadcast>();
  private readonly creating = new Map<string, Promise<MsBroadcast>>();
  private readonly listeners: HubListeners;
  private readonly log: HubLogger;
  private nextWorker = 0;
  private closed = false;
  private readonly poller: NodeJS.Timeout;

  private constructor(
    private readonly slots: WorkerSlot[],
    private readonly options: MediasoupHubOptions,
  ) {
    this.maxViewers = options.maxViewers ?? 500;
    this.log = options.log ?? silentLogger;
    this.listeners = new HubListeners(this.log);
    this.poller = setInterval(() => void this.pollCounters(), 1000);
    this.poller.unref();
  }

  private async pollCounters() {
    for (const b of this.broadcasts.values()) {
      for (const src of b.sources.values()) {
        for (const kind of ['video', 'audio'] as const) {
          const producer = src.producers[kind];
          if (!producer || producer.closed) continue;
          const st = (await producer.getStats().catch(() => []))[0];
          if (!st) continue;
          const prev = src.counters[kind];
          src.counters[kind] = {
            packets: st.packetCount,
            bytes: st.byteCount,
            bitrateKbps: Math.round(st.bitrate / 1000),
            lastPacketAt: !prev || st.packetCount > prev.packets ? Date.now() : prev.lastPacketAt,
          };
        }
      }
    }
  }

  /** Starts the workers; rejects (and closes what started) if any worker cannot start, e.g. no worker binary. */
  static async create(options: MediasoupHubOptions = {}): Promise<MediasoupHub> {
    const count = Math.max(1, options.workers ?? os.cpus().length);
    const basePort = options.webRtcServerPort ?? 44444;
    const listenIp = options.listenIp ?? '127.0.0.1';
    const announced = options.announcedAddresses?.[0];
    const slots: WorkerSlot[] = [];
    try {
      for (let index = 0; index < count; index++) {
        const worker = await mediasoup.createWorker({
          logLevel: options.logLevel ?? 'warn',
          ...(options.rtcPortRange ? { rtcMinPort: options.rtcPortRange[0], rtcMaxPort: options.rtcPortRange[1] } : {}),
        });
        const listen = (protocol: 'udp' | 'tcp'): ms.TransportListenInfo => ({ protocol, ip: listenIp, port: basePort + index, ...(announced ? { announcedAddress: announced } : {}) });
        const server = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
        slots.push({ worker, server, index });
      }
    } catch (err) {
      for (const s of slots) s.worker.close();
      throw err;
    }
    const hub = new MediasoupHub(slots, options);
    for (const s of slots) {
      // A dead worker takes its routers and every transport with it; the process supervisor restarts us.
      s.worker.on('died', (error) => hub.log.error({ err: error, worker: s.index, pid: s.worker.pid }, 'mediasoup worker died'));
    }
    return hub;
  }

  get workerPids(): number[] {
    return this.slots.map((s) => s.worker.pid);
  }

  private emit(event: HubEvent) {
    this.listeners.emit(event);
  }

  on(listener: (event: HubEvent) => void) {
    return this.listeners.on(listener);
  }

  async createBroadcast(id: string, options: BroadcastOptions = {}) {
    if (this.closed) throw new MediaError('NO_BROADCAST', 'media hub is closed');
    if (this.broadcasts.has(id)) return;
    // Single-flight: two joins racing create one origin router.
    let pending = this.creating.get(id);
    if (!pending) {
      pending = (async () => {
        const b = new MsBroadcast(id, options.videoCodec ?? 'VP8', (e) => this.emit(e), this.log);
        const slot = this.slots[this.nextWorker++ % this.slots.length]!;
        const origin = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { worker: slot.index, broadcastId: id } });
        b.routers.push(origin);
        b.programTransport = await origin.createDirectTransport({ maxMessageSize: 262144 });
        b.feedTransport = await origin.createDirectTransport({ maxMessageSize: 262144 });
        const video = b.videoCodec === 'VP8' ? TAP_PAYLOAD_TYPES.video : H264_PAYLOAD_TYPE;
        const feedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];
        for (const out of Object.values(b.outs)) {
          out.producers = {
            video: await b.programTransport.produce({
              kind: 'video',
              rtpParameters: {
                codecs: [
                  {
                    mimeType: `video/${b.videoCodec}`,
                    payloadType: video,
                    clockRate: 90000,
                    ...(b.videoCodec === 'H264' ? { parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } } : {}),
                    rtcpFeedback: feedback,
                  },
                ],
                encodings: [{ ssrc: out.ssrc.video }],
              },
            }),
            audio: await b.programTransport.produce({
              kind: 'audio',
              rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: TAP_PAYLOAD_TYPES.audio, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: out.ssrc.audio }] },
            }),
          };
        }
        // Viewers' and taps' keyframe requests arrive here as RTCP towards a program (or hall) producer.
        b.programTransport.on('rtcp', (packet) => {
          if (!asksKeyframe(packet)) return;
          b.program?.keyframe();
          if (b.switcher.hallId !== b.switcher.programId) b.sources.get(b.switcher.hallId ?? '')?.keyframe();
        });
        this.broadcasts.set(id, b);
        return b;
      })().finally(() => this.creating.delete(id));
      this.creating.set(id, pending);
    }
    await pending;
  }

  hasBroadcast(id: string) {
    return this.broadcasts.has(id);
  }

  async closeBroadcast(id: string) {
    const b = this.broadcasts.get(id);
    if (!b) return;
    this.broadcasts.delete(id);
    const hadIngest = b.switcher.programId !== null;
    b.switcher.close();
    // Closing a router closes its transports, producers and consumers.
    for (const r of b.routers) r.close();
    if (hadIngest) this.emit({ type: 'ingestEnded', broadcastId: id });
  }

  private get(id: string): MsBroadcast {
    const b = this.broadcasts.get(id);
    if (!b) throw new MediaError('NO_BROADCAST', `no broadcast ${id}`);
    return b;
  }

  private totalViewers() {
    let n = 0;
    for (const b of this.broadcasts.values()) n += b.viewerCount();
    return n;
  }

  /** The router with room for one more viewer, creating one on the next worker when all are full. */
  private async routerForViewer(b: MsBroadcast): Promise<ms.Router> {
    const per = this.options.viewersPerRouter ?? 100;
    const load = new Map<string, number>(b.routers.map((r) => [r.id, 0]));
    for (const p of b.peers.values()) if (p.ref.role === 'viewer') load.set(p.router.id, (load.get(p.router.id) ?? 0) + 1);
    const ordered = [...b.routers].sort((x, y) => (load.get(x.id) ?? 0) - (load.get(y.id) ?? 0));
    const least = ordered[0]!;
    if ((load.get(least.id) ?? 0) < per || b.routers.length >= this.slots.length) return least;
    const used = new Set(b.routers.map((r) => (r.appData as { worker: number }).worker));
    const slot = this.slots.find((s) => !used.has(s.index));
    if (!slot) return least;
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { worker: slot.index, broadcastId: b.id } });
    b.routers.push(router);
    this.log.info({ broadcastId: b.id, worker: slot.index }, 'broadcast spread to another worker');
    return router;
  }

  private slotOf(router: ms.Router): WorkerSlot {
    return this.slots[(router.appData as { worker: number }).worker]!;
  }

  /** Makes `producer` (on the origin) consumable on `router`. */
  private async ensurePiped(b: MsBroadcast, producer: ms.Producer, router: ms.Router) {
    if (router === b.origin) return;
    let routers = b.piped.get(producer.id);
    if (!routers) b.piped.set(producer.id, (routers = new Set()));
    if (routers.has(router.id)) return;
    await b.origin.pipeToRouter({ producerId: producer.id, router });
    routers.add(router.id);
  }

  async signal(broadcastId: string, ref: PeerRef, message: SignalRequest): Promise<SignalReply> {
    const parsed = SignalRequestSchema.safeParse(message);
    if (!parsed.success) throw new MediaError('BAD_SIGNAL', 'invalid signaling message');
    const msg = parsed.data;
    const b = this.get(broadcastId);
    if (msg.type === 'offer') throw new MediaError('BAD_SIGNAL', 'mediasoup hub speaks the mediasoup-client protocol, not SDP offers');
    if (msg.type === 'ms.join') return this.join(b, ref);
    const peer = b.peers.get(ref.peerId);
    if (!peer) throw new MediaError('BAD_SIGNAL', 'join first');
    switch (msg.type) {
      case 'ms.connect':
        await peer.transport.connect({ dtlsParameters: msg.dtlsParameters as unknown as ms.DtlsParameters });
        return { type: 'ok' };
      case 'ms.produce': {
        if (ref.role !== 'publisher') throw new MediaError('BAD_SIGNAL', 'viewers do not produce');
        const producer = await peer.transport.produce({ kind: msg.kind, rtpParameters: msg.rtpParameters as unknown as ms.RtpParameters });
        peer.producers.push(producer);
        await this.addProducer(b, { id: ref.sourceId ?? ref.peerId, kind: 'webrtc', label: ref.label ?? null, peerId: ref.peerId }, msg.kind, producer);
        return { type: 'ms.produced', producerId: producer.id };
      }
      case 'ms.consume': {
        const caps = msg.rtpCapabilities as unknown as ms.RtpCapabilities;
        for (const c of peer.consumers) c.close();
        peer.consumers = [];
        const out: Extract<SignalReply, { type: 'ms.consumers' }>['consumers'] = [];
        // The program producers never change; a preview consumes the source's own producers.
        const preview = ref.sourceId ? b.sources.get(ref.sourceId) : null;
        if (ref.sourceId && !preview) throw new MediaError('NO_SOURCE', `no source ${ref.sourceId} to preview`);
        for (const kind of ['video', 'audio'] as const) {
          const producer = preview ? preview.producers[kind] : b.outs[ref.feed === 'hall' ? 'hall' : 'program'].producers[kind];
          if (!producer) continue;
          await this.ensurePiped(b, producer, peer.router);
          if (!peer.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) continue;
          const consumer = await peer.transport.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true });
          peer.consumers.push(consumer);
          out.push({ id: consumer.id, producerId: producer.id, kind, rtpParameters: consumer.rtpParameters });
        }
        return { type: 'ms.consumers', consumers: out };
      }
      case 'ms.resume':
        for (const c of peer.consumers) {
          await c.resume();
          if (c.kind === 'video') {
            b.keyframeRequests++;
            await c.requestKeyFrame();
          }
        }
        return { type: 'ok' };
    }
  }

  private async join(b: MsBroadcast, ref: PeerRef): Promise<SignalReply> {
    const existing = b.peers.get(ref.peerId);
    if (existing) await this.removePeer(b.id, ref.peerId);
    if (ref.role === 'viewer' && ref.sourceId && !b.sources.has(ref.sourceId)) throw new MediaError('NO_SOURCE', `no source ${ref.sourceId} to preview`);
    if (ref.role === 'viewer' && this.totalViewers() >= this.maxViewers) throw new ViewerCapError(this.maxViewers);
    const router = ref.role === 'publisher' ? b.origin : await this.routerForViewer(b);
    const transport = await router.createWebRtcTransport({ webRtcServer: this.slotOf(router).server, enableUdp: true, enableTcp: true, preferUdp: true });
    const peer: MsPeer = { ref, router, transport, producers: [], consumers: [] };
    b.peers.set(ref.peerId, peer);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') void this.removePeer(b.id, ref.peerId);
    });
    return {
      type: 'ms.joined',
      routerRtpCapabilities: router.rtpCapabilities,
      transport: { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters },
    };
  }

  /** Adds a producer to a source (creating the source, or replacing one of the same id from another peer). */
  private async addProducer(b: MsBroadcast, meta: { id: string; kind: SourceKind; label: string | null; peerId: string | null }, kind: MediaKind, producer: ms.Producer) {
    const existing = b.sources.get(meta.id);
    const isNew = !existing || existing.peerId !== meta.peerId || existing.kind !== meta.kind;
    const source: MsSource = isNew
      ? {
          ...meta,
          since: Date.now(),
          generation: ++generations,
          producers: {},
          feeders: {},
          plain: [],
          counters: {},
          videoSize: null,
          frameRate: new FrameRateMeter(),
          lastVideoAt: () => source.counters.video?.lastPacketAt ?? null,
          pli: () => {
            b.keyframeRequests++;
            void source.feeders.video?.requestKeyFrame().catch(() => undefined);
          },
          keyframe: throttle(500, () => source.pli()),
        }
      : existing;
    source.producers[kind]?.close();
    source.producers[kind] = producer;
    const feeder = await b.feedTransport.consume({ producerId: producer.id, rtpCapabilities: b.origin.rtpCapabilities });
    source.feeders[kind] = feeder;
    feeder.on('rtp', (packet) => this.onPacket(b, source, kind, packet));
    producer.on('transportclose', () => {
      if (source.producers[kind] !== producer) return;
      delete source.producers[kind];
      if (!source.producers.video && !source.producers.audio) void this.removeSource(b, source.id);
    });
    if (isNew) {
      const replaced = b.switcher.add(source);
      if (replaced) this.closeSource(b, replaced);
    } else if (kind === 'video' && b.switcher.programId === source.id) this.emit({ type: 'ingest', broadcastId: b.id, kind: source.kind });
  }

  /** The program source's packets into the program producers, the hall source's into the hall producers. */
  private onPacket(b: MsBroadcast, source: MsSource, kind: MediaKind, packet: Buffer) {
    if (b.sources.get(source.id) !== source) return;
    if (kind === 'video') {
      source.frameRate.add(rtpTimestamp(packet));
      const info = frameInfo(b.videoCodec, packet);
      if (info.width && info.height) source.videoSize = { width: info.width, height: info.height };
      if (info.keyframe) b.switcher.keyframe(source);
    }
    if (isPaddingOnly(packet)) return;
    if (b.switcher.programId === source.id) forward(b.outs.program, source, kind, packet);
    if (b.switcher.hallId === source.id) forward(b.outs.hall, source, kind, packet);
  }

  /** Closes a source's media (the program rules have forgotten it already). */
  private closeSource(b: MsBroadcast, src: MsSource) {
    for (const c of Object.values(src.feeders)) c?.close();
    for (const p of Object.values(src.producers)) p?.close();
    for (const t of src.plain) t.close();
    if (src.peerId) {
      const peer = b.peers.get(src.peerId);
      if (peer) {
        b.peers.delete(src.peerId);
        peer.transport.close();
      }
    }
  }

  private async removeSource(b: MsBroadcast, id: string) {
    const src = b.switcher.remove(id);
    if (src) this.closeSource(b, src);
  }

  async setProgram(broadcastId: string, sourceId: string) {
    this.get(broadcastId).switcher.choose(sourceId);
  }

  async pinProgram(broadcastId: string, sourceId: string | null) {
    this.get(broadcastId).switcher.pin(sourceId);
  }

  async removePeer(broadcastId: string, peerId: string) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return;
    const owned = [...b.sources.values()].find((x) => x.peerId === peerId);
    if (owned) return this.removeSource(b, owned.id);
    const peer = b.peers.get(peerId);
    if (!peer) return;
    b.peers.delete(peerId);
    peer.transport.close();
    this.emit({ type: 'peerClosed', broadcastId, peerId, role: peer.ref.role });
  }

  async removeViewers(broadcastId: string, which?: (peer: PeerRef) => boolean) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return 0;
    const chosen = [...b.peers.values()].filter((p) => p.ref.role === 'viewer' && (!which || which(p.ref)));
    for (const p of chosen) await this.removePeer(broadcastId, p.ref.peerId);
    return chosen.length;
  }

  async ingestRtp(broadcastId: string, options: RtpIngestOptions = {}): Promise<RtpIngest> {
    const b = this.get(broadcastId);
    const kinds: MediaKind[] = options.audio === false ? ['video'] : ['video', 'audio'];
    const meta = { id: options.sourceId ?? `rtp-${randomUUID().slice(0, 8)}`, kind: 'rtp' as const, label: options.label ?? null, peerId: null };
    const transports: ms.PlainTransport[] = [];
    const { listenIp, announcedIp } = rtpIngestAddresses(this.options);
    const endpoints: RtpIngest['endpoints'] = [];
    for (const kind of kinds) {
      // comedia: the encoder's address is learnt from its first packet and mediasoup then ignores other senders;
      // packets whose SSRC is not the producer's are dropped by its RTP listener. RTCP on its own port (ffmpeg's default).
      const transport = await b.origin.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: listenIp, announcedAddress: announcedIp },
        rtcpMux: false,
        comedia: true,
      });
      transports.push(transport);
      const ssrc = randomInt(1, 2 ** 31);
      const codec = kind === 'video' ? videoCodecSdp(b.videoCodec) : { codec: 'opus', clockRate: 48000, channels: 2 };
      const payloadType = TAP_PAYLOAD_TYPES[kind];
      const rtpParameters: ms.RtpParameters = {
        codecs: [
          kind === 'video'
            ? {
                mimeType: `video/${b.videoCodec}`,
                payloadType,
                clockRate: 90000,
                ...(b.videoCodec === 'H264' ? { parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } } : {}),
                rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
              }
            : { mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2 },
        ],
        encodings: [{ ssrc }],
      };
      const producer = await transport.produce({ kind, rtpParameters });
      await this.addProducer(b, meta, kind, producer);
      b.sources.get(meta.id)?.plain.push(transport);
      endpoints.push({
        kind,
        ip: announcedIp,
        port: transport.tuple.localPort,
        rtcpPort: transport.rtcpTuple?.localPort ?? transport.tuple.localPort + 1,
        payloadType,
        ssrc,
        ...codec,
      });
    }
    return rtpIngestOf(meta.id, endpoints);
  }

  async stopIngest(broadcastId: string, sourceId?: string) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return;
    for (const id of sourceId ? [sourceId] : [...b.sources.keys()]) await this.removeSource(b, id);
  }

  requestKeyFrame(broadcastId: string) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return;
    b.program?.keyframe();
    for (const p of b.peers.values()) for (const c of p.consumers) if (c.kind === 'video' && !c.paused) void c.requestKeyFrame().catch(() => undefined);
  }

  /** PlainTransport (comedia false, rtcpMux false) → ffmpeg's ports; consumers paused until ffmpeg had time to bind. */
  async tap(broadcastId: string, options: TapOptions = {}): Promise<RtpTap> {
    const b = this.get(broadcastId);
    const kinds: MediaKind[] = options.audio === false || (b.program && !b.program.producers.audio) ? ['video'] : ['video', 'audio'];
    const entries: { transport: ms.PlainTransport; consumers: ms.Consumer[] } = { transport: null as unknown as ms.PlainTransport, consumers: [] };
    const transports: ms.PlainTransport[] = [];
    const ports: Partial<Record<MediaKind, number>> = {};
    for (const kind of kinds) {
      const port = await freeRtpPortPair('127.0.0.1');
      ports[kind] = port;
      const transport = await b.origin.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
      transports.push(transport);
      const producer = b.outs.program.producers[kind];
      {
        const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: b.origin.rtpCapabilities, paused: true });
        entries.consumers.push(consumer);
      }
    }
    entries.transport = transports[0]!;
    b.taps.add(entries);
    const sdp = tapSdp(
      '127.0.0.1',
      kinds.map((kind) =>
        kind === 'video'
          ? { kind, port: ports.video!, payloadType: b.videoCodec === 'VP8' ? TAP_PAYLOAD_TYPES.video : H264_PAYLOAD_TYPE, ...videoCodecSdp(b.videoCodec) }
          : { kind, port: ports.audio!, payloadType: TAP_PAYLOAD_TYPES.audio, codec: 'opus', clockRate: 48000, channels: 2 },
      ),
    );
    const timers: NodeJS.Timeout[] = [];
    const kick = () => {
      for (const c of entries.consumers) {
        if (c.closed) continue;
        void c.resume().then(() => (c.kind === 'video' ? c.requestKeyFrame() : undefined)).catch(() => undefined);
      }
    };
    for (const ms of [300, 1000, 2500]) timers.push(setTimeout(kick, ms));
    if (options.keyframeIntervalMs) timers.push(setInterval(kick, options.keyframeIntervalMs));
    return {
      id: entries.transport.id,
      sdp,
      kinds,
      // The hub sees the program's packets on their way into the program producer (VP8 keyframes carry the size).
      get videoSize() {
        return b.program?.videoSize ?? null;
      },
      get frameRate() {
        return b.program?.frameRate.fps ?? null;
      },
      requestKeyFrame: kick,
      close: async () => {
        for (const t of timers) clearTimeout(t);
        b.taps.delete(entries);
        for (const t of transports) t.close();
      },
    };
  }

  stats(broadcastId: string): BroadcastStats | null {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return null;
    return broadcastStats(
      { id: b.id, videoCodec: b.videoCodec, switcher: b.switcher, taps: b.taps.size, keyframeRequests: b.keyframeRequests },
      [...b.sources.values()].map((src) => sourceStats(src, b.videoCodec, src.counters, !!src.producers.audio)),
      [...b.peers.values()].filter((p) => p.ref.role === 'viewer').map((p) => p.ref),
    );
  }

  hubStats(): HubStats {
    const broadcasts = [...this.broadcasts.keys()].map((id) => this.stats(id)!);
    return { backend: this.backend, maxViewers: this.maxViewers, viewers: broadcasts.reduce((a, b) => a + b.viewers, 0), broadcasts };
  }

  async close() {
    this.closed = true;
    clearInterval(this.poller);
    for (const id of [...this.broadcasts.keys()]) await this.closeBroadcast(id);
    for (const s of this.slots) s.worker.close();
    this.listeners.clear();
  }
}
