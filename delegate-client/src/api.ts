/**
 * The few HTTP calls the tablet makes besides the socket: the session list and documents. Every call carries the
 * bearer token; a 401 means the sign-in is no longer valid and the app signs out.
 */
import { HallError, listSessions, type SessionSummary as SessionListing } from '@hall/client-kit';

export type { SessionListing };

export interface DocumentMeta {
  id: string;
  title: string;
  mime: string;
  size?: number;
  itemId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, token: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, signal: signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'network');
  }
  // An aborted read rejects here too; it must not pass for an empty answer (a list would become undefined).
  signal?.throwIfAborted();
  const body = (await res.json().catch(() => null)) as ({ ok?: boolean; code?: string; message?: string } & T) | null;
  signal?.throwIfAborted();
  if (!res.ok || !body || body.ok === false) throw new ApiError(res.status, body?.code ?? 'INTERNAL', body?.message ?? res.statusText);
  return body;
}

/** Sessions of the delegate's own council(s) only (`mine`): a delegate never joins another council's session. */
export async function listMySessions(token: string, signal?: AbortSignal): Promise<SessionListing[]> {
  try {
    return (await listSessions(token, signal ? { signal } : {})).filter((s) => s.mine);
  } catch (err) {
    // Keep this module's one error type: callers tell "signed out" (401) from other failures by status.
    if (err instanceof HallError) throw new ApiError(err.status ?? 0, err.code, err.message);
    throw err;
  }
}

/** Documents uploaded for the session, including those added after it started (its frozen agenda does not name them). */
export async function listSessionDocuments(token: string, sessionId: string, signal?: AbortSignal): Promise<DocumentMeta[]> {
  const body = await getJson<{ documents?: DocumentMeta[] }>(`/api/sessions/${encodeURIComponent(sessionId)}/documents`, token, signal);
  return Array.isArray(body.documents) ? body.documents : [];
}

/** The PDF's bytes, fetched with the bearer token (the browser cannot add it to a plain link). */
export async function fetchDocument(token: string, id: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(`/api/documents/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` }, signal: signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'network');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(res.status, body.code ?? 'INTERNAL', body.message ?? res.statusText);
  }
  return res.arrayBuffer();
}

/** "1,2 MB" with the Vietnamese decimal comma. */
export function formatSize(bytes: number, lang: string): string {
  const fmt = (n: number) => n.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 1 });
  if (bytes >= 1024 * 1024) return `${fmt(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${fmt(bytes / 1024)} kB`;
  return `${bytes} B`;
}
