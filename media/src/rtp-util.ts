/**
 * Small RTP helpers both hubs and the packager share: UDP port pairs for ffmpeg, the SDP ffmpeg reads, keyframe and
 * frame-size sniffing, a bitrate meter and the sequence/timestamp rewriter that keeps a viewer's stream continuous
 * when the ingest is replaced (a reloaded camera page, a restarted encoder).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { MediaKind, PacketCounts, VideoCodec } from './hub.ts';

export const TAP_PAYLOAD_TYPES = { video: 96, audio: 111 } as const;

/** Binds a UDP socket; resolves once it is listening. */
export function bindUdp(ip: string, port = 0): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4', reuseAddr: false });
    const onError = (err: Error) => {
      s.close();
      reject(err);
    };
    s.once('error', onError);
    s.bind(port, ip, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

export const closeUdp = (s: Socket) =>
  new Promise<void>((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });

/**
 * An even port P with P+1 free too, for a process (ffmpeg) that binds RTP on P and RTCP on P+1 itself. There is a
 * window between our probe and ffmpeg's bind; on loopback with ports from the kernel's ephemeral range that is
 * acceptable, and a failed ffmpeg start is retried by the supervisor with fresh ports.
 */
export async function freeRtpPortPair(ip = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const a = await bindUdp(ip);
    const port = a.address().port;
    if (port % 2 !== 0 || port >= 65535) {
      await closeUdp(a);
      continue;
    }
    try {
      const b = await bindUdp(ip, port + 1);
      await closeUdp(b);
      await closeUdp(a);
      return port;
    } catch {
      await closeUdp(a);
    }
  }
  throw new Error('no free RTP port pair');
}

export interface SdpStream {
  kind: MediaKind;
  port: number;
  payloadType: number;
  codec: string;
  clockRate: number;
  channels?: number;
  fmtp?: string;
}

/** The SDP ffmpeg's RTP demuxer reads for a tap. RTCP on port+1 (ffmpeg's default), not muxed. */
export function tapSdp(ip: string, streams: SdpStream[]): string {
  const lines = ['v=0', `o=- 0 0 IN IP4 ${ip}`, 's=Hall program feed', `c=IN IP4 ${ip}`, 't=0 0'];
  for (const s of streams) {
    lines.push(`m=${s.kind} ${s.port} RTP/AVP ${s.payloadType}`);
    lines.push(`a=rtpmap:${s.payloadType} ${s.codec}/${s.clockRate}${s.channels ? `/${s.channels}` : ''}`);
    if (s.fmtp) lines.push(`a=fmtp:${s.payloadType} ${s.fmtp}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\n')}\n`;
}

export const videoCodecSdp = (codec: VideoCodec) =>
  codec === 'VP8'
    ? { codec: 'VP8', clockRate: 90000 }
    : { codec: 'H264', clockRate: 90000, fmtp: 'packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1' };

/** Offset of the RTP payload in a raw packet (after CSRCs and the header extension), or -1 if malformed. */
export function payloadOffset(buf: Uint8Array): number {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return -1;
  let off = 12 + (buf[0]! & 0x0f) * 4;
  if (buf[0]! & 0x10) {
    if (buf.length < off + 4) return -1;
    off += 4 + ((buf[off + 2]! << 8) | buf[off + 3]!) * 4;
  }
  return off <= buf.length ? off : -1;
}

export interface FrameInfo {
  keyframe: boolean;
  width?: number;
  height?: number;
}

/** VP8 (RFC 7741): a keyframe starts partition 0 with the P bit clear and carries the frame size. */
export function vp8Frame(payload: Uint8Array): FrameInfo {
  if (payload.length < 1) return { keyframe: false };
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  let i = 1;
  if (b0 & 0x80) {
    const x = payload[i++];
    if (x === undefined) return { keyframe: false };
    if (x & 0x80) i += (payload[i] ?? 0) & 0x80 ? 2 : 1;
    if (x & 0x40) i += 1;
    if (x & 0x30) i += 1;
  }
  if (!start || i >= payload.length) return { keyframe: false };
  const keyframe = (payload[i]! & 0x01) === 0;
  if (!keyframe || payload.length < i + 10) return { keyframe };
  if (payload[i + 3] !== 0x9d || payload[i + 4] !== 0x01 || payload[i + 5] !== 0x2a) return { keyframe };
  const width = ((payload[i + 7]! << 8) | payload[i + 6]!) & 0x3fff;
  const height = ((payload[i + 9]! << 8) | payload[i + 8]!) & 0x3fff;
  return { keyframe, width, height };
}

/** H.264 (RFC 6184): an IDR or SPS in a single NAL, a STAP-A, or the first fragment of an FU-A. */
export function h264Frame(payload: Uint8Array): FrameInfo {
  if (payload.length < 1) return { keyframe: false };
  const type = payload[0]! & 0x1f;
  if (type === 5 || type === 7) return { keyframe: true };
  if (type === 24) {
    for (let i = 1; i + 2 < payload.length; ) {
      const size = (payload[i]! << 8) | payload[i + 1]!;
      const nal = (payload[i + 2] ?? 0) & 0x1f;
      if (nal === 5 || nal === 7) return { keyframe: true };
      i += 2 + size;
    }
    return { keyframe: false };
  }
  if (type === 28 && payload.length > 1) return { keyframe: (payload[1]! & 0x80) !== 0 && (payload[1]! & 0x1f) === 5 };
  return { keyframe: false };
}

export function frameInfo(codec: VideoCodec, packet: Uint8Array): FrameInfo {
  const off = payloadOffset(packet);
  if (off < 0) return { keyframe: false };
  const payload = packet.subarray(off, packetEnd(packet));
  return codec === 'VP8' ? vp8Frame(payload) : h264Frame(payload);
}

/** End of the payload, before RTP padding. */
export function packetEnd(buf: Uint8Array): number {
  if (buf[0]! & 0x20) return Math.max(0, buf.length - buf[buf.length - 1]!);
  return buf.length;
}

/** True for packets that carry no media (BWE probes are padding-only). */
export const isPaddingOnly = (buf: Uint8Array) => {
  const off = payloadOffset(buf);
  return off < 0 || packetEnd(buf) <= off;
};

/** Packets and bytes with a rate over the last `windowSec` seconds. */
export class Meter {
  packets = 0;
  bytes = 0;
  lastAt: number | null = null;
  private readonly buckets: { sec: number; bytes: number }[] = [];

  constructor(private readonly windowSec = 5) {}

  add(bytes: number, now = Date.now()) {
    this.packets++;
    this.bytes += bytes;
    this.lastAt = now;
    const sec = Math.floor(now / 1000);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.sec === sec) last.bytes += bytes;
    else this.buckets.push({ sec, bytes });
    while (this.buckets.length && this.buckets[0]!.sec <= sec - this.windowSec) this.buckets.shift();
  }

  /** The figures a hub reports for this stream (src/program.ts `sourceStats`). */
  counts(now = Date.now()): PacketCounts {
    return { packets: this.packets, bytes: this.bytes, bitrateKbps: this.kbps(now), lastPacketAt: this.lastAt };
  }

  kbps(now = Date.now()): number {
    const sec = Math.floor(now / 1000);
    const total = this.buckets.filter((b) => b.sec > sec - this.windowSec && b.sec < sec).reduce((a, b) => a + b.bytes, 0);
    return Math.round((total * 8) / 1000 / Math.max(1, this.windowSec - 1));
  }
}

/**
 * The source's frame rate from RTP timestamps (90 kHz for video): the median step between distinct timestamps over
 * the last frames. A browser camera's steps jitter and dropped frames double some of them; the median ignores both.
 * Snapped to a common rate when within 4 %, so a 25 fps camera says 25, not 24.7.
 */
export class FrameRateMeter {
  private lastTs: number | null = null;
  private readonly steps: number[] = [];

  constructor(
    private readonly clockRate = 90000,
    private readonly window = 90,
  ) {}

  add(timestamp: number) {
    if (this.lastTs === timestamp) return;
    if (this.lastTs !== null) {
      const step = (timestamp - this.lastTs + 0x1_0000_0000) % 0x1_0000_0000;
      // Reordered packets (negative steps) and gaps longer than a second say nothing about the rate.
      if (step > 0 && step <= this.clockRate) {
        this.steps.push(step);
        if (this.steps.length > this.window) this.steps.shift();
      }
    }
    this.lastTs = timestamp;
  }

  /** Frames per second, or null until a dozen frames were seen. */
  get fps(): number | null {
    if (this.steps.length < 12) return null;
    const sorted = [...this.steps].sort((a, b) => a - b);
    const raw = this.clockRate / sorted[Math.floor(sorted.length / 2)]!;
    const common = COMMON_RATES.find((r) => Math.abs(raw - r) / r < 0.04);
    return common ?? Math.round(raw);
  }

  reset() {
    this.lastTs = null;
    this.steps.length = 0;
  }
}

const COMMON_RATES = [10, 12, 15, 20, 24, 25, 30, 50, 60];

/** The RTP timestamp of a raw packet. */
export const rtpTimestamp = (buf: Uint8Array) => ((buf[4]! << 24) >>> 0) + ((buf[5]! << 16) | (buf[6]! << 8) | buf[7]!);

/** The SSRC of a raw packet. */
export const rtpSsrc = (buf: Uint8Array) => ((buf[8]! << 24) >>> 0) + ((buf[9]! << 16) | (buf[10]! << 8) | buf[11]!);

/**
 * Keeps one outgoing stream's sequence numbers and timestamps continuous across source changes: a decoder that sees
 * the sequence jump by thousands waits for packets that never come, so each new source is shifted to continue where
 * the previous one stopped (plus one frame of time).
 */
export class SeqRewriter {
  private generation = -1;
  private seqOffset = 0;
  private tsOffset = 0;
  private lastSeq: number | null = null;
  private lastTs: number | null = null;

  constructor(private readonly frameTicks: number) {}

  map(generation: number, seq: number, ts: number): { seq: number; ts: number } {
    if (generation !== this.generation) {
      this.generation = generation;
      if (this.lastSeq !== null && this.lastTs !== null) {
        this.seqOffset = (this.lastSeq + 1 - seq + 0x10000) & 0xffff;
        this.tsOffset = (this.lastTs + this.frameTicks - ts + 0x1_0000_0000) % 0x1_0000_0000;
      }
    }
    const out = { seq: (seq + this.seqOffset) & 0xffff, ts: (ts + this.tsOffset) % 0x1_0000_0000 };
    // Only move forward: a late (reordered) packet must not pull the continuation point back.
    if (this.lastSeq === null || ((out.seq - this.lastSeq + 0x10000) & 0xffff) < 0x8000) {
      this.lastSeq = out.seq;
      this.lastTs = out.ts;
    }
    return out;
  }
}

/** Calls `fn` at most once per `ms`; the hub throttles PLIs so 50 joining viewers cost one keyframe. */
export function throttle(ms: number, fn: () => void): () => boolean {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < ms) return false;
    last = now;
    fn();
    return true;
  };
}

const CANDIDATE = /^a=candidate:\S+ \d+ (\S+) \d+ (\S+) \d+/;

/** Drops candidate lines whose address fails `keep` (and TCP candidates, which neither hub accepts). */
export function filterCandidates(sdp: string, keep: (ip: string) => boolean): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(eol)
    .filter((line) => {
      const m = CANDIDATE.exec(line);
      return !m || (m[1]!.toLowerCase() === 'udp' && keep(m[2]!));
    })
    .join(eol);
}

export const isLoopback = (ip: string) => ip === '127.0.0.1' || ip.startsWith('127.');
