/**
 * What a sign-in token says about its holder. The server signs `base64url(JSON claims).signature`; the client only
 * reads the first part to know who it acts as — the server verifies the signature on every connection, so nothing
 * here is trusted for authorization, only for choosing screens and asking `can()`.
 */
import type { Actor, SocketData } from '@hall/core';

export type Role = SocketData['role'];

export interface Claims {
  /** Account id. */
  sub: string;
  role: Role;
  councilIds: string[];
  delegateId?: string;
  name: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  jti?: string;
}

function base64UrlToText(part: string): string {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  // Names are Vietnamese: the payload is UTF-8, which atob alone would turn into mojibake.
  return new TextDecoder().decode(bytes);
}

const ROLES: readonly Role[] = ['admin', 'chair', 'secretary', 'delegate', 'display', 'oversight', 'public'];

/** The claims inside a token, or null when it is not one of ours. Never throws; does not check the signature. */
export function decodeClaims(token: string | null | undefined): Claims | null {
  if (typeof token !== 'string') return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  try {
    const c = JSON.parse(base64UrlToText(token.slice(0, dot))) as Partial<Claims> | null;
    if (!c || typeof c.sub !== 'string' || !ROLES.includes(c.role as Role) || typeof c.exp !== 'number') return null;
    return {
      sub: c.sub,
      role: c.role as Role,
      councilIds: Array.isArray(c.councilIds) ? c.councilIds.filter((x): x is string => typeof x === 'string') : [],
      ...(typeof c.delegateId === 'string' ? { delegateId: c.delegateId } : {}),
      name: typeof c.name === 'string' ? c.name : '',
      exp: c.exp,
      ...(typeof c.jti === 'string' ? { jti: c.jti } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * The machine actor an account acts as — the same mapping the gateway applies, so `can()` asks the question the
 * server will. Admins, displays and the public never act.
 */
export function actorOf(claims: Claims | null): Actor | null {
  if (!claims) return null;
  if (claims.role === 'chair' || claims.role === 'secretary') return { role: claims.role, id: claims.sub };
  if (claims.role === 'delegate' && claims.delegateId) return { role: 'delegate', id: claims.delegateId };
  return null;
}
