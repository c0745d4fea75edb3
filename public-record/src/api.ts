/** The public record API (`/api/public/*`, no login). Types are the server's answers, built from core's records. */
import type { RegisterEntry, SessionRecordModel, SessionStatistics, WrittenEntry } from '@hall/core';

export interface CouncilSummary {
  id: string;
  name: string;
  level: string;
  term: string;
  sessions: number;
}
export interface CouncilPage {
  council: { id: string; name: string; level: string; term: string; delegates: number; officials: { id: string; fullName: string; post: string }[] };
  sessions: { id: string; title: string; date: string; status: 'scheduled' | 'live' | 'adjourned' }[];
}
export interface SessionPage {
  today: string;
  session: { id: string; title: string; date: string; status: 'scheduled' | 'live' | 'adjourned'; councilId: string };
  record: SessionRecordModel;
  statistics: SessionStatistics;
  minutes: { key: string; title: string; approved: { version: number; publicSha256: string; at: number } }[];
  documents: { id: string; title: string; itemId: string | null; size: number; url: string }[];
}
export interface RegisterPage {
  today: string;
  commitments: RegisterEntry[];
  written: WrittenEntry[];
}
export interface SearchHit {
  kind: 'session' | 'item' | 'poll' | 'question' | 'commitment';
  title: string;
  sessionId: string;
  sessionTitle: string;
  councilId: string;
  councilName: string;
}
export interface Recording {
  id: string;
  title: string;
  sitting: number;
  startedAt: number;
  parts: { file: string; url: string; durationSec: number; chaptersUrl: string }[];
  /** Where the agenda items, speakers, questions and votes start: a part and the offset in it. */
  chapters: { title: string; kind: string; part: number; partOffsetSec: number }[];
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = (await res.json().catch(() => null)) as ({ ok?: boolean; message?: string } & T) | null;
  if (!res.ok || !body || body.ok === false) throw new Error(body?.message ?? `HTTP ${res.status}`);
  return body;
}

/** Recordings come from the broadcast's archive when the server has one; a server without it answers 404: none. */
export async function recordingsOf(sessionId: string): Promise<Recording[]> {
  try {
    const res = await fetch(`/api/media/recordings?sessionId=${encodeURIComponent(sessionId)}&kind=questioning`);
    if (!res.ok) return [];
    const body = (await res.json()) as { recordings?: Recording[] };
    return Array.isArray(body.recordings) ? body.recordings : [];
  } catch {
    return [];
  }
}
