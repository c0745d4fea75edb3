/** `GET /api/media/status`, polled every 2 s with the console's bearer token while the panel is on screen. */
import { useEffect, useState } from 'react';
import type { OutputStatus } from '@hall/media/wire';

/** One source of the program feed (a camera page or an encoder). */
export interface MediaSourceStatus {
  id: string;
  kind: 'webrtc' | 'rtp';
  label: string | null;
  since: number;
  program: boolean;
  /** The hub is switching the program to it (at its next keyframe). */
  pending: boolean;
  healthy: boolean;
  lastPacketAgoMs: number | null;
  videoKbps: number;
  width: number | null;
  height: number | null;
  frameRate: number | null;
  rejectedPackets: number;
}

/** One program output (HLS, recording, an RTMP push): the server's supervisor status, state and problem code. */
export type MediaOutputStatus = OutputStatus;

export interface MediaSessionStatus {
  sessionId: string;
  onAir: boolean;
  closedSitting: boolean;
  ingest: {
    kind: 'webrtc' | 'rtp';
    since: number;
    healthy: boolean;
    lastPacketAgoMs: number | null;
    videoKbps: number;
    audioKbps: number | null;
    width: number | null;
    height: number | null;
    frameRate: number | null;
    /** RTP ingests: packets dropped for a foreign address, SSRC or payload type. */
    rejectedPackets: number;
  } | null;
  sources?: MediaSourceStatus[];
  programSourceId?: string | null;
  /** `choice`: the chair's override (a source id) or `auto`; `shown`: the remote speaker or the hall. */
  program?: { shown: 'hall' | 'remote'; choice: string; remoteLive: boolean };
  viewers: number;
  viewersByAudience: Record<string, number>;
  hls: string | null;
  outputs: MediaOutputStatus[];
  recording: string | null;
}

export interface MediaStatus {
  backend: 'werift' | 'mediasoup';
  reason: string;
  flavor: string;
  maxViewers: number;
  viewers: number;
  sessions: MediaSessionStatus[];
}

export interface MediaStatusResult {
  status: MediaStatus | null;
  session: MediaSessionStatus | null;
  error: string | null;
}

export function useMediaStatus(token: string, sessionId: string, everyMs = 2000): MediaStatusResult & { refresh(): void } {
  const [result, setResult] = useState<MediaStatusResult>({ status: null, session: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const poll = async () => {
      try {
        const res = await fetch('/api/media/status', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const status = (await res.json()) as MediaStatus;
        if (!stopped) setResult({ status, session: status.sessions.find((s) => s.sessionId === sessionId) ?? null, error: null });
      } catch (err) {
        if (!stopped) setResult((r) => ({ ...r, error: (err as Error).message }));
      } finally {
        if (!stopped) timer = setTimeout(() => void poll(), everyMs);
      }
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [token, sessionId, everyMs, tick]);
  return { ...result, refresh: () => setTick((n) => n + 1) };
}
