/** The session's recordings (`GET /api/media/recordings`, staff see all), read when the panel opens and every minute. */
import { useEffect, useState } from 'react';

export interface ArchivedRecording {
  id: string;
  title: string;
  sitting: number;
  startedAt: number;
  durationSec: number;
  public: boolean;
  parts: { file: string; url: string; durationSec: number; chaptersUrl: string }[];
  chapters: { title: string; kind: string; start: number; part: number; partOffsetSec: number }[];
}

export function useRecordings(token: string, sessionId: string, everyMs = 60_000): ArchivedRecording[] {
  const [list, setList] = useState<ArchivedRecording[]>([]);
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const res = await fetch(`/api/media/recordings?sessionId=${encodeURIComponent(sessionId)}`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
        if (!res.ok) return;
        const body = (await res.json()) as { recordings?: ArchivedRecording[] };
        if (!stopped && Array.isArray(body.recordings)) setList(body.recordings);
      } catch {
        // The archive is a convenience here; the public page and the API are the record.
      }
    };
    void load();
    const timer = setInterval(() => void load(), everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [token, sessionId, everyMs]);
  return list;
}
