/**
 * Who may send RTP into an ingest, and where encoders are told to send it (issue 12 §7). Shared by both hubs:
 *  - the ports bind the configured RTP listen address (loopback by default: the relay ffmpeg runs on this server),
 *    never every interface by accident;
 *  - the ffmpeg strings handed to encoders name an address they can reach (never `0.0.0.0`);
 *  - a packet is accepted only with the ingest's SSRC and payload type, and only from the registered source address
 *    (or, when none was registered, from the first address that sent a valid packet: later senders are ignored).
 */
import { MediaError, type HubOptions, type MediaKind, type RtpIngest, type RtpIngestEndpoint } from './hub.ts';
import { rtpSsrc } from './rtp-util.ts';

const ANY = new Set(['0.0.0.0', '::', '']);

/** The bind address and the address printed for encoders. */
export function rtpIngestAddresses(options: Pick<HubOptions, 'rtpListenIp' | 'rtpAnnouncedIp' | 'announcedAddresses'>): { listenIp: string; announcedIp: string } {
  const listenIp = options.rtpListenIp ?? '127.0.0.1';
  const announcedIp = options.rtpAnnouncedIp ?? (ANY.has(listenIp) ? (options.announcedAddresses?.find((a) => !ANY.has(a)) ?? '127.0.0.1') : listenIp);
  return { listenIp, announcedIp };
}

/** The ffmpeg output options that send one kind of an ingest to its endpoint. */
export function ffmpegRtpOutput(e: RtpIngestEndpoint): string[] {
  return ['-payload_type', String(e.payloadType), '-ssrc', String(e.ssrc), '-f', 'rtp', `rtp://${e.ip}:${e.port}?rtcpport=${e.rtcpPort}&pkt_size=1200`];
}

/** What `ingestRtp` answers, the same from either hub. */
export function rtpIngestOf(sourceId: string, endpoints: RtpIngestEndpoint[]): RtpIngest {
  return {
    sourceId,
    endpoints,
    ffmpegOutput: (kind) => {
      const e = endpoints.find((x) => x.kind === kind);
      if (!e) throw new MediaError('BAD_SIGNAL', `this ingest has no ${kind}`);
      return ffmpegRtpOutput(e);
    },
  };
}

export interface IngestGateCounters {
  accepted: number;
  /** Packets dropped for a foreign address, SSRC or payload type (a scan, an injection attempt, a misconfigured encoder). */
  rejected: number;
}

/**
 * Decides, packet by packet, whether RTP reaching an ingest port comes from the registered encoder. One gate per
 * ingest (all kinds): the first accepted address is then required on every port of that ingest.
 */
export class RtpIngestGate {
  readonly counters: Record<MediaKind, IngestGateCounters> = { video: { accepted: 0, rejected: 0 }, audio: { accepted: 0, rejected: 0 } };
  private source: string | null;

  constructor(
    private readonly expected: Partial<Record<MediaKind, { ssrc: number; payloadType: number }>>,
    source?: string,
  ) {
    this.source = source ? normalise(source) : null;
  }

  /** The address packets are accepted from, once known. */
  get sourceAddress(): string | null {
    return this.source;
  }

  accept(kind: MediaKind, packet: Uint8Array, from: string): boolean {
    const want = this.expected[kind];
    const address = normalise(from);
    const ok =
      !!want &&
      packet.length >= 12 &&
      packet[0]! >> 6 === 2 &&
      (packet[1]! & 0x7f) === want.payloadType &&
      rtpSsrc(packet) === want.ssrc &&
      (this.source === null || this.source === address);
    if (!ok) {
      this.counters[kind].rejected++;
      return false;
    }
    this.source ??= address;
    this.counters[kind].accepted++;
    return true;
  }
}

/** `::ffff:127.0.0.1` (a dual-stack socket's view of IPv4) and `127.0.0.1` are the same sender. */
const normalise = (ip: string) => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);
