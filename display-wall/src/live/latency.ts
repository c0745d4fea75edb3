/**
 * How late the picture is, so overlays can wait for it (spoiler-safe). Figures are glass-to-glass estimates that err on
 * the late side: showing a name 100 ms after the face is harmless, showing a result before the chair reads it is not.
 *
 * WebRTC — from the receiver's own statistics (`RTCPeerConnection.getStats()`), per sampling interval:
 *   jitter buffer  Δ`jitterBufferDelay` / Δ`jitterBufferEmittedCount` of the video inbound-rtp (time frames wait
 *                  between their first packet arriving and leaving for the decoder)
 *   + decode       Δ`totalDecodeTime` / Δ`framesDecoded`
 *   + network      half the selected candidate pair's `currentRoundTripTime`
 *   + a fixed 60 ms for what the receiver cannot see: capture, encode, the SFU's forwarding and the paint.
 * (`getSynchronizationSources()` only says when the last frame was played, not when it was captured, unless the
 * sender stamps abs-capture-time, which ours do not.) When stats are unavailable (the mediasoup flavour hides its
 * receiver) a fixed 300 ms is used.
 *
 * HLS — hls.js `latency` (live edge + playlist age − playhead) plus one target duration: a segment is listed only
 * once complete, and the playlist is polled about once per target duration, so its first frames were captured up to
 * that much earlier than the edge hls.js knows about. Native HLS (Safari): `seekable.end − currentTime` + the same.
 */

export const WEBRTC_UNSEEN_MS = 60;
export const WEBRTC_FALLBACK_MS = 300;
/** Until the HLS player has measured anything: two 1 s segments behind, plus packaging. */
export const HLS_INITIAL_MS = 3000;

export interface RtcCounters {
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  totalDecodeTime: number;
  framesDecoded: number;
  rttSec: number | null;
}

/** The video inbound-rtp counters and the selected pair's RTT from one stats report (probator stream skipped). */
export function rtcCounters(report: RTCStatsReport): RtcCounters | null {
  let inbound: Record<string, unknown> | null = null;
  let selectedPair: string | null = null;
  const pairs = new Map<string, Record<string, unknown>>();
  report.forEach((s: Record<string, unknown>) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video' && s.mid !== 'probator') {
      if (!inbound || Number(s.framesDecoded ?? 0) > Number(inbound.framesDecoded ?? 0)) inbound = s;
    } else if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      selectedPair = s.selectedCandidatePairId;
    } else if (s.type === 'candidate-pair') {
      pairs.set(String(s.id), s);
    }
  });
  if (!inbound) return null;
  const i = inbound as Record<string, unknown>;
  let pair = selectedPair ? pairs.get(selectedPair) : undefined;
  if (!pair) for (const p of pairs.values()) if (p.nominated && p.state === 'succeeded') pair = p;
  const rtt = pair && typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null;
  return {
    jitterBufferDelay: Number(i.jitterBufferDelay ?? 0),
    jitterBufferEmittedCount: Number(i.jitterBufferEmittedCount ?? 0),
    totalDecodeTime: Number(i.totalDecodeTime ?? 0),
    framesDecoded: Number(i.framesDecoded ?? 0),
    rttSec: rtt,
  };
}

/** Latency in ms between two samples of the counters (or since the start when `prev` is null); null without frames. */
export function rtcLatencyMs(now: RtcCounters, prev: RtcCounters | null): number | null {
  const emitted = now.jitterBufferEmittedCount - (prev?.jitterBufferEmittedCount ?? 0);
  const decoded = now.framesDecoded - (prev?.framesDecoded ?? 0);
  if (emitted <= 0 || decoded <= 0) return null;
  const jitter = (now.jitterBufferDelay - (prev?.jitterBufferDelay ?? 0)) / emitted;
  const decode = (now.totalDecodeTime - (prev?.totalDecodeTime ?? 0)) / decoded;
  const network = (now.rttSec ?? 0) / 2;
  return Math.max(0, (jitter + decode + network) * 1000) + WEBRTC_UNSEEN_MS;
}

export interface HlsLike {
  readonly latency: number;
  readonly currentLevel: number;
  readonly levels: readonly { details?: { targetduration: number } }[];
}

export function hlsLatencyMs(hls: HlsLike, fallbackTargetSec = 1): number | null {
  const behind = hls.latency;
  if (!Number.isFinite(behind) || behind <= 0) return null;
  const level = hls.levels[Math.max(0, hls.currentLevel)];
  const target = level?.details?.targetduration ?? fallbackTargetSec;
  return (behind + target) * 1000;
}

export function nativeHlsLatencyMs(video: HTMLVideoElement, targetSec = 1): number | null {
  const s = video.seekable;
  if (!s || s.length === 0 || video.currentTime <= 0) return null;
  const behind = s.end(s.length - 1) - video.currentTime;
  return Number.isFinite(behind) && behind >= 0 ? (behind + targetSec) * 1000 : null;
}

/**
 * The figure handed to the overlays: the largest of the last few samples (late rather than early), rounded up to
 * `stepMs`, and changed only when it moves by at least a step — a jittery delay would make the overlay jump.
 */
export class LatencyWindow {
  private samples: number[] = [];
  private reported: number | null = null;

  constructor(
    private readonly size = 6,
    private readonly stepMs = 50,
  ) {}

  /** Adds a sample; returns the value to report when it changed, else null. */
  add(ms: number): number | null {
    this.samples.push(ms);
    if (this.samples.length > this.size) this.samples.shift();
    const value = Math.ceil(Math.max(...this.samples) / this.stepMs) * this.stepMs;
    if (this.reported !== null && Math.abs(value - this.reported) < this.stepMs) return null;
    this.reported = value;
    return value;
  }

  reset() {
    this.samples = [];
    this.reported = null;
  }
}
