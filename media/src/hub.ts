/**
 * The MediaHub: the one seam between Hall and whatever SFU runs underneath (docs/architecture.md, "the offline rule").
 * `MediasoupHub` is production; `WeriftHub` is the pure-TypeScript twin that runs where no mediasoup worker binary
 * can be installed. Both pass `test/hub.contract.ts`.
 *
 * A hub carries one program feed per broadcast (a session). Any number of *sources* feed it (browser cameras over
 * WebRTC, encoders over RTP); exactly one of them is the *program* at a time, chosen by the chair. Viewers and RTP
 * taps (ffmpeg: HLS, recording, RTMP push) receive the program; staff may also preview any one source. Switching
 * the program waits for the new source's next keyframe, so viewers never see a black or broken picture, and a
 * viewer's sequence numbers and timestamps stay continuous across the switch. The hub never decides *whether* a session is on air — the session machine
 * does, and `server/src/media/broadcast-follower.ts` turns that into calls here.
 */
import type { SignalReply, SignalRequest, SignalFlavor } from './wire.ts';

export type { SignalReply, SignalRequest, SignalFlavor } from './wire.ts';

export type BackendName = 'werift' | 'mediasoup';
export type MediaKind = 'audio' | 'video';
export type VideoCodec = 'VP8' | 'H264';

export interface BroadcastOptions {
  /** The one video codec of this broadcast; an RTP ingest must send it and WebRTC peers negotiate it. Default VP8. */
  videoCodec?: VideoCodec;
}

export type PeerRole = 'publisher' | 'viewer';

export interface PeerRef {
  /** Unique per broadcast; the server uses `<socket id>:<role>` (and `<socket id>:preview:<source>` for previews). */
  peerId: string;
  role: PeerRole;
  /** Who is watching (chair, wall, public…); lets a closed sitting drop only the public and wall viewers. */
  audience?: string;
  /**
   * Publisher: the source this peer feeds (default: its peerId); publishing again under the same id replaces that
   * source and keeps its program status. Viewer: preview this source instead of the program.
   */
  sourceId?: string;
  /** Publisher: a name for people (the chair's source list), e.g. the camera account's name. */
  label?: string;
  /**
   * Program viewers only. `program` (default): whatever is on the program, the remote speaker included. `hall`: the
   * hall's own picture even while the remote speaker is on the program — the remote speaker sees and hears the hall,
   * not themselves.
   */
  feed?: 'program' | 'hall';
}

export type SourceKind = 'webrtc' | 'rtp';

/** Where an encoder sends RTP (one entry per kind). The encoder must use the given payload type and SSRC. */
export interface RtpIngestEndpoint {
  kind: MediaKind;
  ip: string;
  port: number;
  /** RTCP port (RTCP is not muxed, so ffmpeg's default `rtcpport = port + 1` works when this says so). */
  rtcpPort: number;
  payloadType: number;
  ssrc: number;
  codec: string;
  clockRate: number;
  channels?: number;
}

export interface RtpIngestOptions {
  /** Add an audio (Opus) input; default true. */
  audio?: boolean;
  /** A name for people (the chair's source list), e.g. "Bộ mã hoá phòng kỹ thuật". */
  label?: string;
  /**
   * The encoder's address: packets from any other address are dropped. Default: the first address that sends
   * packets with the right SSRC is kept for the life of the ingest (on loopback, only this machine can send at all).
   */
  source?: string;
  /** The source's id (default a fresh `rtp-…`); `REMOTE_SPEAKER_SOURCE` makes it the remote speaker's source. */
  sourceId?: string;
}

export interface RtpIngest {
  /** The source this ingest feeds; it becomes the program only when no other source is. */
  sourceId: string;
  endpoints: RtpIngestEndpoint[];
  /** The ffmpeg output options that send a stream of `kind` here, e.g. `-c:v libvpx … <these>`. */
  ffmpegOutput(kind: MediaKind): string[];
}

/**
 * A copy of the feed as plain RTP towards local UDP ports, described by an SDP file ffmpeg reads with
 * `-protocol_whitelist file,udp,rtp -i tap.sdp`. ffmpeg binds the ports in the SDP, so start it before
 * `requestKeyFrame()` (the hub also asks for keyframes a few times in the first seconds).
 */
export interface RtpTap {
  readonly id: string;
  readonly sdp: string;
  readonly kinds: MediaKind[];
  /** Video size when the hub has seen it (VP8 keyframes carry it), so the packager can pick its ladder. */
  readonly videoSize: { width: number; height: number } | null;
  /** Frames per second measured from the video's RTP timestamps, when the hub has seen enough of them. */
  readonly frameRate: number | null;
  requestKeyFrame(): void;
  close(): Promise<void>;
}

export interface TapOptions {
  /** Audio too, when the ingest has it (default true). */
  audio?: boolean;
  /** Ask the source for a keyframe this often (ms) while the tap lives; for `-c copy` outputs. Default: only at start. */
  keyframeIntervalMs?: number;
}

/** What a hub counts per stream of a source (both hubs, under these names). */
export interface PacketCounts {
  packets: number;
  bytes: number;
  /** Over the last few seconds. */
  bitrateKbps: number;
  /** ms since epoch of the last packet received from the ingest, or null. */
  lastPacketAt: number | null;
}

export interface StreamStats extends PacketCounts {
  codec: string | null;
  width?: number;
  height?: number;
  frameRate?: number;
}

export interface SourceStats {
  id: string;
  kind: SourceKind;
  label: string | null;
  since: number;
  video: StreamStats;
  audio: StreamStats | null;
  /** RTP sources: packets dropped for a foreign source address, SSRC or payload type. */
  rejectedPackets?: number;
}

export interface BroadcastStats {
  id: string;
  videoCodec: VideoCodec;
  /** The program source's figures (null when no source is the program). */
  ingest: {
    kind: SourceKind;
    since: number;
    video: StreamStats;
    audio: StreamStats | null;
    /** RTP ingests: packets dropped for a foreign source address, SSRC or payload type (0 for WebRTC). */
    rejectedPackets?: number;
  } | null;
  /** Every source, program or not, oldest first. */
  sources: SourceStats[];
  programSourceId: string | null;
  /** A switch the hub is carrying out (it waits for this source's next keyframe). */
  pendingProgramSourceId: string | null;
  /** The chair's manual override (`pinProgram`), or null: the automatic rules (src/program.ts). */
  pinnedProgramSourceId: string | null;
  viewers: number;
  viewersByAudience: Record<string, number>;
  taps: number;
  keyframeRequests: number;
}

export interface HubStats {
  backend: BackendName;
  maxViewers: number;
  viewers: number;
  broadcasts: BroadcastStats[];
}

export type HubEvent =
  /** The program has a source (again, or another one). */
  | { type: 'ingest'; broadcastId: string; kind: SourceKind }
  /** No source is left: the program is empty. */
  | { type: 'ingestEnded'; broadcastId: string }
  /** A source came or went, or the program changed source. */
  | { type: 'sources'; broadcastId: string; programSourceId: string | null }
  | { type: 'peerClosed'; broadcastId: string; peerId: string; role: PeerRole };

export interface MediaHub {
  readonly backend: BackendName;
  /** How clients negotiate: plain SDP offer/answer (werift) or mediasoup-client parameters (mediasoup). */
  readonly flavor: SignalFlavor;
  readonly maxViewers: number;

  /** Idempotent. */
  createBroadcast(id: string, options?: BroadcastOptions): Promise<void>;
  /** Closes every peer, ingest and tap of the broadcast. Idempotent. */
  closeBroadcast(id: string): Promise<void>;
  hasBroadcast(id: string): boolean;

  /**
   * One signaling step of a peer (publisher or viewer). Validates the message, creates the peer on its first
   * message. A publisher adds a source (or replaces the one with its `sourceId`); it becomes the program only when
   * there is none. A viewer beyond the cap gets a `ViewerCapError`; a preview of an unknown source `NO_SOURCE`.
   */
  signal(broadcastId: string, peer: PeerRef, message: SignalRequest): Promise<SignalReply>;
  removePeer(broadcastId: string, peerId: string): Promise<void>;
  /** Drops the viewers the predicate selects (all when omitted); returns how many. */
  removeViewers(broadcastId: string, which?: (peer: PeerRef) => boolean): Promise<number>;

  /** Opens UDP ports for an encoder as a new source; the program stays where it is unless it had no source. */
  ingestRtp(broadcastId: string, options?: RtpIngestOptions): Promise<RtpIngest>;
  /**
   * Ends one source (every source when `sourceId` is omitted), leaving viewers connected. When it was the program,
   * the program falls back at once to the newest remaining source.
   */
  stopIngest(broadcastId: string, sourceId?: string): Promise<void>;
  /**
   * The hall's choice of program source (src/program.ts: a pin or the remote speaker outrank it). The switch happens at that source's next keyframe (requested now), or after a few
   * seconds at the latest; the previous source stays on the air until then. Throws `NO_SOURCE` for an unknown id.
   */
  setProgram(broadcastId: string, sourceId: string): Promise<void>;
  /**
   * The chair's override: `sourceId` stays on the program whatever the floor (at its next keyframe, like
   * `setProgram`); null returns to the automatic rules (the remote speaker while they publish, else the hall's choice).
   * Throws `NO_SOURCE` for an unknown id.
   */
  pinProgram(broadcastId: string, sourceId: string | null): Promise<void>;

  /** Asks the program source for a keyframe (PLI); throttled. A no-op for RTP ingests (encoders set their GOP instead). */
  requestKeyFrame(broadcastId: string): void;
  tap(broadcastId: string, options?: TapOptions): Promise<RtpTap>;

  stats(broadcastId: string): BroadcastStats | null;
  hubStats(): HubStats;
  on(listener: (event: HubEvent) => void): () => void;

  close(): Promise<void>;
}

export const MEDIA_ERROR_CODES = {
  VIEWER_CAP: 'VIEWER_CAP',
  NO_BROADCAST: 'NO_BROADCAST',
  BAD_SIGNAL: 'BAD_SIGNAL',
  CODEC_MISMATCH: 'CODEC_MISMATCH',
  NO_SOURCE: 'NO_SOURCE',
} as const;
export type MediaErrorCode = (typeof MEDIA_ERROR_CODES)[keyof typeof MEDIA_ERROR_CODES];

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/**
 * A viewer refused because the hub is full. The message sends people to HLS, which scales through a CDN; the server
 * adds the playlist URL.
 */
export class ViewerCapError extends MediaError {
  readonly fallback = 'hls' as const;
  constructor(readonly maxViewers: number) {
    super(
      'VIEWER_CAP',
      `Đã đủ ${maxViewers} người xem trực tiếp qua WebRTC; vui lòng xem qua luồng HLS. (WebRTC viewer limit of ${maxViewers} reached; watch the HLS stream instead.)`,
    );
    this.name = 'ViewerCapError';
  }
}

/** How long a program switch may wait for the new source's keyframe before it happens anyway. */
export const PROGRAM_SWITCH_MAX_WAIT_MS = 4000;

export interface HubLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
  debug?(o: object, m?: string): void;
}

export const silentLogger: HubLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface HubOptions {
  /** Total WebRTC viewers this hub admits (all broadcasts together). Default 200. */
  maxViewers?: number;
  /** IPs put into ICE candidates / used by RTP ingest and taps. Default ['127.0.0.1']. */
  announcedAddresses?: string[];
  /** Interface the UDP sockets bind to (default 127.0.0.1; production: 0.0.0.0 with `announcedAddresses` set). */
  listenIp?: string;
  /**
   * Where RTP ingest ports listen (default 127.0.0.1: a relay ffmpeg on this server) and the address printed in the
   * ffmpeg strings for encoders (default: the listen address, or the first announced address when listening on all).
   */
  rtpListenIp?: string;
  rtpAnnouncedIp?: string;
  /** Keep only remote ICE candidates whose address passes (tests keep loopback only). Default: all. */
  acceptRemoteAddress?: (ip: string) => boolean;
  /** UDP port range for WebRTC, e.g. [40000, 49999], so a firewall can open it. */
  rtcPortRange?: [number, number];
  log?: HubLogger;
}

/** A hub's event listeners: a failing listener is logged and never stops the others, nor the hub. */
export class HubListeners {
  private readonly listeners = new Set<(event: HubEvent) => void>();

  constructor(private readonly log: HubLogger) {}

  on(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(event: HubEvent) {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, 'media hub listener failed');
      }
    }
  }

  clear() {
    this.listeners.clear();
  }
}
