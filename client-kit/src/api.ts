/**
 * The HTTP calls every app makes besides the socket. Failures are HallErrors with the HTTP status, so an app can
 * tell "signed out" (401) from "server unreachable" (NETWORK) without parsing messages.
 */
import { HallError, messageFor, type HallErrorCode } from './errors.ts';

/** One row of GET /api/sessions; `mine` marks the sessions of the caller's own council(s). */
export interface SessionSummary {
  id: string;
  title: string;
  date: string;
  status: string;
  councilId: string;
  councilName: string;
  mine: boolean;
}

export async function listSessions(token: string | null, opts: { baseUrl?: string; signal?: AbortSignal } = {}): Promise<SessionSummary[]> {
  let res: Response;
  try {
    res = await fetch(`${opts.baseUrl ?? ''}/api/sessions`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new HallError('NETWORK');
  }
  // An aborted read must not pass for an empty answer.
  opts.signal?.throwIfAborted();
  const body = (await res.json().catch(() => null)) as { ok?: boolean; code?: string; message?: string; sessions?: SessionSummary[] } | null;
  opts.signal?.throwIfAborted();
  if (!res.ok || !body?.ok || !Array.isArray(body.sessions)) {
    const code = (res.status === 401 ? 'UNAUTHENTICATED' : (body?.code ?? 'INTERNAL')) as HallErrorCode;
    throw new HallError(code, body?.message ?? messageFor(code), res.status);
  }
  return body.sessions;
}
