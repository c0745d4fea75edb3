/**
 * The admin and oversight APIs with the signed-in token. Errors carry the server's Vietnamese message (and, for an
 * import, its row-by-row report). Files (exports, login cards) come back as Blobs: the browser cannot put a bearer
 * token on a plain link.
 */
import { decodeClaims, fetchFile, isHallError, type Claims } from '@hall/client-kit';
import { useCallback, useEffect, useState } from 'react';

const TOKEN_KEY = 'hall.admin.token';

export interface Auth {
  token: string;
  claims: Claims;
}

export function loadAuth(): Auth | null {
  try {
    const token = localStorage.getItem(TOKEN_KEY);
    const claims = decodeClaims(token);
    if (!token || !claims || claims.exp * 1000 <= Date.now()) return null;
    return { token, claims };
  } catch {
    return null;
  }
}

export function saveAuth(auth: Auth | null) {
  try {
    if (auth) localStorage.setItem(TOKEN_KEY, auth.token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage forbidden: signed in for this page only
  }
}

let current: Auth | null = null;
export const setCurrentAuth = (auth: Auth | null) => {
  current = auth;
};

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: Record<string, unknown> | null,
  ) {
    super(message);
  }
}

async function call(method: string, url: string, body?: unknown, raw?: FormData): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (current) headers.authorization = `Bearer ${current.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, ...(raw ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 401 && current) window.dispatchEvent(new Event('hall-admin-signed-out'));
  return res;
}

export async function api<T = Record<string, unknown>>(method: string, url: string, body?: unknown, raw?: FormData): Promise<T> {
  const res = await call(method, url, body, raw);
  const json = (await res.json().catch(() => null)) as (Record<string, unknown> & { ok?: boolean; message?: string; issues?: string[] }) | null;
  if (!res.ok || !json || json.ok === false) {
    const detail = json?.issues?.length ? ` (${json.issues.slice(0, 5).join('; ')})` : '';
    throw new ApiError(`${json?.message ?? `HTTP ${res.status}`}${detail}`, res.status, json);
  }
  return json as T;
}

/** A file answer (PDF, XLSX, CSV) with its headers, or the server's message as an error (client-kit's fetchFile). */
export async function fetchAdminFile(method: string, url: string, body?: unknown): Promise<{ blob: Blob; headers: Headers }> {
  try {
    return await fetchFile(current?.token ?? null, url, { method, ...(body !== undefined ? { body } : {}) });
  } catch (err) {
    if (!isHallError(err)) throw err;
    if (err.status === 401 && current) window.dispatchEvent(new Event('hall-admin-signed-out'));
    throw new ApiError(err.message, err.status ?? 0, null);
  }
}

export const fileToBase64 = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; data: T };

/** GETs a JSON document whenever the URL changes; `reload` fetches it again after a change. */
export function useApi<T>(url: string | null): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (url === null) return;
    let live = true;
    api<T>('GET', url).then(
      (data) => live && setLoaded({ state: 'ok', data }),
      (err: unknown) => live && setLoaded({ state: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [url, n]);
  return [loaded, useCallback(() => setN((x) => x + 1), [])];
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
