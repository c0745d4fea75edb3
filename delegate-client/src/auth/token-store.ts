/**
 * Where the tablet keeps its sign-in. sessionStorage, not localStorage: a reload keeps the delegate signed in on this
 * tab, but closing the tab (or handing the tablet back) forgets it, and another tab does not inherit it.
 */
import { decodeClaims, type Claims } from '@hall/client-kit';

const TOKEN_KEY = 'hall.delegate.token';
const SESSION_KEY = 'hall.delegate.sessionId';

export interface StoredLogin {
  token: string;
  claims: Claims;
}

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage forbidden: the sign-in lasts for this page only
  }
}

/** True while the token's own expiry (seconds since the epoch) is in the future. */
export const isLive = (claims: Claims, nowMs = Date.now()) => claims.exp * 1000 > nowMs;

export function loadLogin(): StoredLogin | null {
  const token = storage()?.getItem(TOKEN_KEY) ?? null;
  const claims = decodeClaims(token);
  if (!token || !claims || !isLive(claims)) {
    clearLogin();
    return null;
  }
  return { token, claims };
}

export function saveLogin(token: string): void {
  try {
    storage()?.setItem(TOKEN_KEY, token);
  } catch {
    // quota or private mode: signed in until the page closes
  }
}

export function clearLogin(): void {
  try {
    storage()?.removeItem(TOKEN_KEY);
    storage()?.removeItem(SESSION_KEY);
  } catch {
    // nothing stored
  }
}

export function loadSessionId(): string | null {
  try {
    return storage()?.getItem(SESSION_KEY) ?? null;
  } catch {
    return null;
  }
}

export function saveSessionId(id: string | null): void {
  try {
    if (id) storage()?.setItem(SESSION_KEY, id);
    else storage()?.removeItem(SESSION_KEY);
  } catch {
    // remembered for this page only
  }
}

/** The one-time QR token in `#login=<token>`, or null. */
export function loginTokenInHash(hash: string = globalThis.location?.hash ?? ''): string | null {
  const m = /(?:^#|&)login=([^&]+)/.exec(hash);
  return m ? decodeURIComponent(m[1]!) : null;
}

/**
 * A printed login card's QR code: `#card=<delegate id>~<personal code>` (server/src/routes/admin-setup.ts). It signs
 * in with the code like a typed one (throttled the same way), and leaves the address bar at once like a QR link.
 */
export function cardInHash(hash: string = globalThis.location?.hash ?? ''): { id: string; code: string } | null {
  const m = /(?:^#|&)card=([^&~]+)~(\d{4,12})(?:&|$)/.exec(hash);
  return m ? { id: decodeURIComponent(m[1]!), code: m[2]! } : null;
}

/** Removes the QR token from the address bar (and from history), so it is neither bookmarked nor shown again. */
export function stripLoginHash(): void {
  const loc = globalThis.location;
  if (!loc || !loc.hash) return;
  globalThis.history?.replaceState(null, '', loc.pathname + loc.search);
}
