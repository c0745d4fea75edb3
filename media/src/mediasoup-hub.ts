/**
 * MediasoupHub: production SFU on mediasoup 3.19.3 (Node 20). One worker per core, each with a WebRtcServer (one
 * UDP/TCP port per worker, easy to open in a firewall). A broadcast's ingest is produced on an origin router; viewers
 * are spread over routers on the other workers with `pipeToRouter`, so a popular broadcast uses every core.
 * Consumers start paused and are resumed with a keyframe request once the client is ready (mediasoup-demo).
 *
 * The order that works (DESIGN.md §7): createWorker → createWebRtcServer → createRouter(opus, VP8, H264 pm1 42e01f)
 * → per peer createWebRtcTransport({ webRtcServer }) → connect → produce / consume(paused) → resume + requestKeyFrame.
 *
 * mediasoup resolves its worker binary (MEDIASOUP_WORKER_BIN or the path its installer downloads to) when this
 * module loads, so `select.ts` imports it lazily, after the environment is final.
 */
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { randomInt } from 'node:crypto';
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
  type PeerRef,
  type RtpIngest,
  type RtpIngestOptions,
  type RtpTap,
  type TapOptions,
  type VideoCodec,
  HubListeners,
} from './hub.ts';
import { SignalRequestSchema, type SignalReply, type SignalRequest } from './wire.ts';
import { TAP_PAYLOAD_TYPES, freeRtpPortPair, tapSdp, throttle, videoCodecSdp } from './rtp-util.ts';
import { ffmpegRtpOutput, rtpIngestAddresses } from './rtp-ingest.ts';

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
    preferredPayloadType: 102,
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

class MsBroadcast {
  readonly routers: ms.Router[] = [];
  readonly peers = new Map<string, MsPeer>();
  /** The ingest's producers on the origin router (routers[0]). */
  producers: Partial<Record<MediaKind, ms.Producer>> = {};
  ingestKind: 'webrtc' | 'rtp' | null = null;
  ingestSince = 0;
  ingestPeerId: string | null = null;
  plainIngest: ms.PlainTransport[] = [];
  readonly taps = new Set<{ transport: ms.PlainTransport; consumers: ms.Consumer[] }>();
  /** producerId → routerId → piped producer, so each producer is piped once per router. */
  readonly piped = new Map<string, Set<string>>();
  keyframeRequests = 0;
  /** Producer counters polled from the worker once a second, so `stats()` can stay synchronous. */
  counters: Partial<Record<MediaKind, { packets: number; bytes: number; bitrateKbps: number; lastPacketAt: number | null }>> = {};
  readonly throttledKeyframe: () => boolean;

  constructor(
    readonly id: string,
    readonly videoCodec: VideoCodec,
  ) {
    this.throttledKeyframe = throttle(500, () => {
      this.keyframeRequests++;
      // Consumers ask the producer on resume; this is for taps and the hub API.
      for (const t of this.taps) for (const c of t.consumers) if (c.kind === 'video') void c.requestKeyFrame().catch(() => undefined);
    });
  }

  get origin(): ms.Router {
    return this.routers[0]!;
  }

  viewerCount() {
    let n = 0;
    for (const p of this.peers.values()) if (p.ref.role === 'viewer') n++;
    return n;
  }
}

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
      for (const kind of ['video', 'audio'] as const) {
        const producer = b.producers[kind];
        if (!producer || producer.closed) {
          delete b.counters[kind];
          continue;
        }
        const s = (await producer.getStats().catch(() => []))[0];
        if (!s) continue;
        const prev = b.counters[kind];
        b.counters[kind] = {
          packets: s.packetCount,
          bytes: s.byteCount,
          bitrateKbps: Math.round(s.bitrate / 1000),
          lastPacketAt: !prev || s.packetCount > prev.packets ? Date.now() : prev.lastPacketAt,
        };
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
        const b = new MsBroadcast(id, options.videoCodec ?? 'VP8');
        const slot = this.slots[this.nextWorker++ % this.slots.length]!;
        b.routers.push(await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { worker: slot.index, broadcastId: id } }));
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
    const hadIngest = b.ingestKind !== null;
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
        await this.setProducer(b, msg.kind, producer, 'webrtc', ref.peerId);
        return { type: 'ms.produced', producerId: producer.id };
      }
      case 'ms.consume': {
        const caps = msg.rtpCapabilities as unknown as ms.RtpCapabilities;
        for (const c of peer.consumers) c.close();
        peer.consumers = [];
        const out: Extract<SignalReply, { type: 'ms.consumers' }>['consumers'] = [];
        for (const kind of ['video', 'audio'] as const) {
          const producer = b.producers[kind];
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

  private async setProducer(b: MsBroadcast, kind: MediaKind, producer: ms.Producer, ingestKind: 'webrtc' | 'rtp', peerId: string | null) {
    const replacing = b.ingestKind !== null && (b.ingestPeerId !== peerId || b.ingestKind !== ingestKind);
    if (replacing) await this.endIngest(b, false);
    b.producers[kind] = producer;
    b.ingestKind = ingestKind;
    b.ingestPeerId = peerId;
    if (!b.ingestSince) b.ingestSince = Date.now();
    producer.on('transportclose', () => {
      if (b.producers[kind] === producer) {
        delete b.producers[kind];
        if (!b.producers.video && !b.producers.audio) void this.endIngest(b, true);
      }
    });
    if (kind === 'video') this.emit({ type: 'ingest', broadcastId: b.id, kind: ingestKind });
  }

  private async endIngest(b: MsBroadcast, announce: boolean) {
    for (const p of Object.values(b.producers)) p?.close();
    b.producers = {};
    for (const t of b.plainIngest) t.close();
    b.plainIngest = [];
    if (b.ingestPeerId) {
      const peer = b.peers.get(b.ingestPeerId);
      if (peer) {
        peer.transport.close();
        b.peers.delete(b.ingestPeerId);
      }
    }
    const had = b.ingestKind !== null;
    b.ingestKind = null;
    b.ingestPeerId = null;
    b.ingestSince = 0;
    if (had && announce) this.emit({ type: 'ingestEnded', broadcastId: b.id });
  }

  async removePeer(broadcastId: string, peerId: string) {
    const b = this.broadcasts.get(broadcastId);
    const peer = b?.peers.get(peerId);
    if (!b || !peer) return;
    if (b.ingestPeerId === peerId) return this.endIngest(b, true);
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
    await this.endIngest(b, false);
    const kinds: MediaKind[] = options.audio === false ? ['video'] : ['video', 'audio'];
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
      b.plainIngest.push(transport);
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
      await this.setProducer(b, kind, producer, 'rtp', null);
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
    return {
      endpoints,
      ffmpegOutput: (kind) => {
        const e = endpoints.find((x) => x.kind === kind);
        if (!e) throw new MediaError('BAD_SIGNAL', `this ingest has no ${kind}`);
        return ffmpegRtpOutput(e);
      },
    };
  }

  async stopIngest(broadcastId: string) {
    const b = this.broadcasts.get(broadcastId);
    if (b) await this.endIngest(b, true);
  }

  requestKeyFrame(broadcastId: string) {
    const b = this.broadcasts.get(broadcastId);
    if (!b) return;
    b.throttledKeyframe();
    for (const p of b.peers.values()) for (const c of p.consumers) if (c.kind === 'video' && !c.paused) void c.requestKeyFrame().catch(() => undefined);
  }

  /** PlainTransport (comedia false, rtcpMux false) → ffmpeg's ports; consumers paused until ffmpeg had time to bind. */
  async tap(broadcastId: string, options: TapOptions = {}): Promise<RtpTap> {
    const b = this.get(broadcastId);
    const kinds: MediaKind[] = options.audio === false || (b.ingestKind && !b.producers.audio) ? ['video'] : ['video', 'audio'];
    const entries: { transport: ms.PlainTransport; consumers: ms.Consumer[] } = { transport: null as unknown as ms.PlainTransport, consumers: [] };
    const transports: ms.PlainTransport[] = [];
    const ports: Partial<Record<MediaKind, number>> = {};
    for (const kind of kinds) {
      const port = await freeRtpPortPair('127.0.0.1');
      ports[kind] = port;
      const transport = await b.origin.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
      transports.push(transport);
      const producer = b.producers[kind];
      if (producer) {
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
          ? { kind, port: ports.video!, payloadType: b.videoCodec === 'VP8' ? TAP_PAYLOAD_TYPES.video : 102, ...videoCodecSdp(b.videoCodec) }
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
      // mediasoup does not parse payloads; the packager falls back to a ladder capped at the input height.
      videoSize: null,
      frameRate: null,
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
    const byAudience: Record<string, number> = {};
    for (const p of b.peers.values()) {
      if (p.ref.role !== 'viewer') continue;
      const a = p.ref.audience ?? 'unknown';
      byAudience[a] = (byAudience[a] ?? 0) + 1;
    }
    const stream = (kind: MediaKind) => ({
      codec: kind === 'video' ? b.videoCodec : 'opus',
      ...(b.counters[kind] ?? { packets: 0, bytes: 0, bitrateKbps: 0, lastPacketAt: null }),
    });
    return {
      id: b.id,
      videoCodec: b.videoCodec,
      ingest: b.ingestKind ? { kind: b.ingestKind, since: b.ingestSince, video: stream('video'), audio: b.producers.audio ? stream('audio') : null } : null,
      viewers: b.viewerCount(),
      viewersByAudience: byAudience,
      taps: b.taps.size,
      keyframeRequests: b.keyframeRequests,
    };
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
