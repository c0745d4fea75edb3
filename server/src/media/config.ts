/**
 * Media settings from the environment (validated once, like config.ts). Everything has a default that works on a
 * single laptop with no network: werift (or mediasoup when a worker exists), loopback ICE, files under DATA_DIR.
 */
import path from 'node:path';
import { z } from 'zod';
import type { BackendChoice, RtmpDestination, VideoCodec } from './lib.ts';

export interface MediaConfig {
  backend: BackendChoice;
  /** HLS segments and recordings live here (HLS under hls/<sessionId>, recordings under recordings/<sessionId>). */
  dir: string;
  hlsRoot: string;
  recordingsRoot: string;
  /** Public base URL of the HLS tree when a CDN sits in front (…/hls); default: this server's /hls. */
  hlsBaseUrl: string;
  maxViewers: number;
  videoCodec: VideoCodec;
  /** Addresses clients reach the SFU at (ICE candidates); unset = every local address werift finds. */
  announcedAddresses: string[] | undefined;
  listenIp: string;
  /** RTP ingest ports bind here: loopback unless an encoder elsewhere must reach them (issue 12 §7). */
  rtpListenIp: string;
  /** The address printed in the ffmpeg strings handed to encoders (never 0.0.0.0). */
  rtpAnnouncedIp: string | undefined;
  /** Media stays on loopback: remote ICE candidates elsewhere are ignored. */
  loopbackOnly: boolean;
  rtcPortRange: [number, number] | undefined;
  record: boolean;
  rtmp: RtmpDestination[];
  hlsPreset: string;
  segmentSec: number;
  webRtcServerPort: number;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

const Env = z.object({
  MEDIA_DIR: z.string().min(1).optional(),
  MEDIA_HLS_BASE_URL: z.string().min(1).optional(),
  MEDIA_MAX_VIEWERS: z.coerce.number().int().min(0).max(100_000).optional(),
  MEDIA_VIDEO_CODEC: z.enum(['VP8', 'H264']).optional(),
  MEDIA_ANNOUNCED_IPS: z.string().optional(),
  MEDIA_LISTEN_IP: z.string().min(1).optional(),
  MEDIA_RTP_LISTEN_IP: z.ipv4().optional(),
  MEDIA_RTP_ANNOUNCED_IP: z.string().min(1).max(253).optional(),
  MEDIA_RTC_PORTS: z.string().regex(/^\d+-\d+$/, 'expected MIN-MAX, e.g. 40000-40999').optional(),
  MEDIA_RECORD: z.enum(['0', '1', 'true', 'false']).optional(),
  /** name=rtmp://…;name2=rtmps://… */
  MEDIA_RTMP_PUSH: z.string().optional(),
  MEDIA_HLS_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).optional(),
  MEDIA_SEGMENT_SEC: z.coerce.number().min(1).max(6).optional(),
  MEDIA_WEBRTC_PORT: z.coerce.number().int().min(1024).max(65000).optional(),
});

export function loadMediaConfig(base: { dataDir: string; mediaBackend: BackendChoice; host: string }, env: NodeJS.ProcessEnv = process.env): MediaConfig {
  const blank = Object.fromEntries(Object.keys(Env.shape).map((k) => [k, env[k]?.trim() ? env[k] : undefined]));
  const parsed = Env.safeParse(blank);
  if (!parsed.success) throw new Error(`Invalid media configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const e = parsed.data;
  const dir = path.resolve(e.MEDIA_DIR ?? path.join(base.dataDir, 'media'));
  const ports = e.MEDIA_RTC_PORTS?.split('-').map(Number) as [number, number] | undefined;
  const rtmp = list(e.MEDIA_RTMP_PUSH?.replace(/;/g, ',')).map((entry, i) => {
    const at = entry.indexOf('=');
    return at > 0 && !entry.slice(0, at).includes('://') ? { name: entry.slice(0, at), url: entry.slice(at + 1) } : { name: `push${i + 1}`, url: entry };
  });
  // A server bound to loopback (a laptop demo, the tests) keeps media on loopback too; otherwise every interface.
  const loopbackOnly = base.host === '127.0.0.1' || base.host === 'localhost' || base.host === '::1';
  const announcedList = list(e.MEDIA_ANNOUNCED_IPS);
  const announced = announcedList.length ? announcedList : loopbackOnly ? ['127.0.0.1'] : [];
  return {
    backend: base.mediaBackend,
    dir,
    hlsRoot: path.join(dir, 'hls'),
    recordingsRoot: path.join(dir, 'recordings'),
    hlsBaseUrl: (e.MEDIA_HLS_BASE_URL ?? '/hls').replace(/\/+$/, ''),
    maxViewers: e.MEDIA_MAX_VIEWERS ?? 200,
    videoCodec: e.MEDIA_VIDEO_CODEC ?? 'VP8',
    announcedAddresses: announced.length ? announced : undefined,
    listenIp: e.MEDIA_LISTEN_IP ?? (loopbackOnly ? '127.0.0.1' : '0.0.0.0'),
    // Never every interface by default, whatever HOST says: the relay ffmpeg runs on this server.
    rtpListenIp: e.MEDIA_RTP_LISTEN_IP ?? '127.0.0.1',
    rtpAnnouncedIp: e.MEDIA_RTP_ANNOUNCED_IP,
    loopbackOnly,
    rtcPortRange: ports,
    record: e.MEDIA_RECORD ? ['1', 'true'].includes(e.MEDIA_RECORD) : true,
    rtmp,
    hlsPreset: e.MEDIA_HLS_PRESET ?? 'superfast',
    segmentSec: e.MEDIA_SEGMENT_SEC ?? 1,
    webRtcServerPort: e.MEDIA_WEBRTC_PORT ?? 44444,
  };
}
