/**
 * The media signaling wire: messages a browser exchanges with a hub (through the server's `media:*` Socket.IO
 * events) and the events themselves. Pure types + zod schemas, no Node imports, so browser code can import the
 * types (`import type`) without pulling in anything else.
 *
 * Two flavors, chosen by the backend the server runs and announced in `media:info`:
 *  - `sdp` (WeriftHub): one non-trickle offer/answer per peer. The browser offers (sendonly for the camera,
 *    recvonly video+audio for a viewer) after ICE gathering completes; the hub answers with its candidates.
 *  - `mediasoup` (MediasoupHub): the mediasoup-client dance — join (router capabilities + a transport), connect
 *    (DTLS), then produce or consume; consumers start paused and `ms.resume` starts them with a keyframe.
 */
import { z } from 'zod';
import { PATH_ID } from '@hall/core';

export type SignalFlavor = 'sdp' | 'mediasoup';

const sdp = z.string().min(10).max(64 * 1024);
const opaque = z.record(z.string(), z.unknown());

export const SignalRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offer'), sdp }),
  z.strictObject({ type: z.literal('ms.join') }),
  z.strictObject({ type: z.literal('ms.connect'), dtlsParameters: opaque }),
  z.strictObject({ type: z.literal('ms.produce'), kind: z.enum(['audio', 'video']), rtpParameters: opaque }),
  z.strictObject({ type: z.literal('ms.consume'), rtpCapabilities: opaque }),
  z.strictObject({ type: z.literal('ms.resume') }),
]);
export type SignalRequest = z.infer<typeof SignalRequestSchema>;

export interface MsTransportParams {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export type SignalReply =
  | { type: 'answer'; sdp: string }
  | { type: 'ms.joined'; routerRtpCapabilities: unknown; transport: MsTransportParams }
  | { type: 'ms.produced'; producerId: string }
  | { type: 'ms.consumers'; consumers: { id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: unknown }[] }
  | { type: 'ok' };

// ---- Socket.IO events (`domain:verb`), shared by server/src/media/signaling.ts and src/web/media-client.ts ----

/**
 * `publisher`: the hall feed (camera page, staff). `viewer`: watches the program. `speaker`: a remote delegate holding
 * the floor in a hybrid sitting publishes camera and microphone into the session's remote-speaker source
 * (`REMOTE_SPEAKER_SOURCE`), which the program shows while it exists.
 */
export const MediaRole = z.enum(['publisher', 'viewer', 'speaker']);
export type MediaRole = z.infer<typeof MediaRole>;

/**
 * The source a session's remote speaker publishes into (hybrid sittings): one more source of the session's program,
 * shown automatically while it exists (src/program.ts). Camera pages are `cam-<name>` or a peer id
 * (`<socket>:publisher`) and encoders `rtp-…`, so no other source can take this name.
 */
export const REMOTE_SPEAKER_SOURCE = 'remote';

/**
 * Core's id rule for ids that may name a path: the hub, the outputs and the HLS URLs build directories and URLs from
 * it, so `..` or a slash from a hostile client is refused here (VALIDATION) before anything joins a path.
 */
const sessionId = z.string().regex(PATH_ID);
/** A source of the program feed: `rtp-…` for an encoder, the publisher's peer id for a camera page. */
export const SourceId = z.string().regex(/^[A-Za-z0-9_:-]{1,100}$/);
/**
 * `source`: a camera page's own source name: the ack then says whether that source is published now (`sourceLive`,
 * to publishers only), so a page another device took the camera from knows when to take it back.
 */
export const MediaInfoRequest = z.strictObject({ sessionId, source: SourceId.optional() });
export const MediaSignalRequest = z.strictObject({
  sessionId,
  role: MediaRole,
  message: z.unknown(),
  /**
   * Viewer: preview this source instead of the program (staff only). Publisher: the camera's own stable name (kept
   * across reloads and reconnects), so it comes back as the same source `cam-<name>` and, if it was the program,
   * takes the program back.
   */
  source: SourceId.optional(),
  /** Publisher: a name for the chair's source list ("Máy quay 1"). */
  label: z.string().trim().min(1).max(80).optional(),
});
export const MediaLeaveRequest = z.strictObject({ sessionId, role: MediaRole.optional(), source: SourceId.optional() });
export const MediaKeyframeRequest = z.strictObject({ sessionId });

/** What a client needs to decide how to watch: WebRTC when offered, else HLS (docs/architecture.md). */
export interface MediaState {
  sessionId: string;
  onAir: boolean;
  /** An ingest is sending into the hub. */
  live: boolean;
  /** This socket's audience may watch over WebRTC now (false for the public during a closed sitting or off air). */
  webrtc: boolean;
  /** The HLS master playlist, while it is being written. */
  hls: string | null;
  /** What the program shows: the hall's own feed, or the remote speaker (hybrid sittings). Absent: the hall. */
  program?: 'hall' | 'remote';
}

export type MediaErrorCodeWire = 'VALIDATION' | 'FORBIDDEN' | 'NOT_FOUND' | 'VIEWER_CAP' | 'OFF_AIR' | 'CLOSED_SITTING' | 'BAD_SIGNAL' | 'CODEC_MISMATCH' | 'NO_SOURCE' | 'INTERNAL';
export type MediaFailure = { ok: false; code: MediaErrorCodeWire; message: string; hls?: string | null };

export type MediaInfoAck =
  | ({ ok: true; backend: 'werift' | 'mediasoup'; flavor: SignalFlavor; canPublish: boolean; maxViewers: number; viewers: number; sourceLive?: boolean } & MediaState)
  | MediaFailure;
export type MediaSignalAck = { ok: true; peerId: string; reply: SignalReply } | MediaFailure;
export type MediaSimpleAck = { ok: true } | MediaFailure;

export interface MediaClientToServerEvents {
  'media:info': (request: z.infer<typeof MediaInfoRequest>, ack: (result: MediaInfoAck) => void) => void;
  'media:signal': (request: z.infer<typeof MediaSignalRequest>, ack: (result: MediaSignalAck) => void) => void;
  'media:leave': (request: z.infer<typeof MediaLeaveRequest>, ack?: (result: MediaSimpleAck) => void) => void;
  'media:keyframe': (request: z.infer<typeof MediaKeyframeRequest>, ack?: (result: MediaSimpleAck) => void) => void;
}

export interface MediaServerToClientEvents {
  'media:state': (state: MediaState) => void;
  /** The server dropped this socket's WebRTC peer (off air, closed sitting, replaced publisher, hub closing). */
  'media:ended': (event: { sessionId: string; role: MediaRole; reason: 'offAir' | 'closedSitting' | 'replaced' | 'closed' | 'floorEnded' }) => void;
}

// ---- Program outputs (HLS, recording, RTMP pushes): their true state, for the chair's Truyền hình card ----

export type OutputKind = 'hls' | 'recording' | 'rtmp';
/**
 * `starting`: ffmpeg runs, nothing written yet (waiting for a keyframe); `running`: writing; `waiting`: the ingest
 * sends nothing, the output resumes by itself when packets come back; `retrying`: ffmpeg failed, the next try is at
 * `nextRetryAt`; `stopped`: off air.
 */
export type OutputState = 'starting' | 'running' | 'waiting' | 'retrying' | 'stopped';
export type OutputProblem = 'NO_SIGNAL' | 'NO_KEYFRAME' | 'STALLED' | 'FFMPEG_EXITED';

/** Vietnamese reasons shown when an output is down; the code is for programs. */
export const OUTPUT_PROBLEM_MESSAGES: Record<OutputProblem, string> = {
  NO_SIGNAL: 'Mất tín hiệu từ nguồn hình: đầu ra sẽ tự chạy lại khi có tín hiệu.',
  NO_KEYFRAME: 'Chưa nhận được khung hình khóa từ nguồn: đang thử lại.',
  STALLED: 'Đầu ra ngừng ghi dù nguồn vẫn phát: đang khởi động lại.',
  FFMPEG_EXITED: 'Bộ mã hóa (ffmpeg) dừng bất thường: đang thử lại.',
};

export interface OutputStatus {
  kind: OutputKind;
  /** e.g. `hls bn-kh12`, `rtmp vtv bn-kh12`. */
  name: string;
  state: OutputState;
  /** `state === 'running'`, derived from `state` whenever a status is read (kept for older clients). */
  running: boolean;
  /** Why the output is not running (null while running or starting normally, and when stopped). */
  problem: OutputProblem | null;
  /** Vietnamese text for `problem`. */
  reason: string | null;
  /** ms since epoch of the last state change. */
  since: number;
  /** ffmpeg starts after the first (after gaps and failures). */
  restarts: number;
  /** Runs that wrote something: recording parts, HLS discontinuities + 1. */
  parts: number;
  nextRetryAt: number | null;
}
