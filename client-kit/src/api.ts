/**
 * The HTTP calls every app makes besides the socket. Failures are HallErrors with the HTTP status, so an app can
 * tell "signed out" (401) from "server unreachable" (NETWORK) without parsing messages.
 */
import { HallError, httpFailure } from './errors.ts';

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
    throw httpFailure(res.status, body);
  }
  return body.sessions;
}

/** One signed-in device of the caller's account (GET /api/auth/devices). */
export interface DeviceSummary {
  jti: string;
  accountId: string;
  /** How it signed in: personal code, password, device token, or a one-time QR link. */
  via: 'password' | 'code' | 'device' | 'link';
  /** For a QR link issued by someone else (a secretary): their account id. */
  issuedBy?: string;
  /** Sign-in time and expiry, ms since the epoch. */
  at: number;
  exp: number;
  userAgent?: string;
  ip?: string;
  /** The device asking. */
  current: boolean;
}

async function authed<T>(method: 'GET' | 'DELETE', path: string, token: string, opts: { baseUrl?: string; signal?: AbortSignal }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${opts.baseUrl ?? ''}${path}`, { method, headers: { authorization: `Bearer ${token}` }, signal: opts.signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new HallError('NETWORK');
  }
  opts.signal?.throwIfAborted();
  const body = (await res.json().catch(() => null)) as ({ ok?: boolean; code?: string; message?: string } & T) | null;
  if (!res.ok || !body?.ok) {
    throw httpFailure(res.status, body);
  }
  return body;
}

/** The caller's signed-in devices, oldest first. */
export async function listDevices(token: string, opts: { baseUrl?: string; signal?: AbortSignal } = {}): Promise<DeviceSummary[]> {
  const body = await authed<{ devices?: DeviceSummary[] }>('GET', '/api/auth/devices', token, opts);
  return Array.isArray(body.devices) ? body.devices : [];
}

/** Signs one of the caller's devices out: its token is refused from now on and its connection closed. */
export async function revokeDevice(token: string, jti: string, opts: { baseUrl?: string } = {}): Promise<void> {
  await authed('DELETE', `/api/auth/devices/${encodeURIComponent(jti)}`, token, opts);
}
