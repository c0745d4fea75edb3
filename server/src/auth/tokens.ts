/**
 * Stateless signed session tokens: `base64url(JSON claims).base64url(HMAC-SHA256(first part))`.
 * Stateless so that any node behind the Redis adapter can check a socket without a shared session table; signing a
 * device out is a revocation of its `jti`, which every node checks (auth/devices.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Role } from '../store/types.ts';

export const RoleSchema = z.enum(['admin', 'chair', 'secretary', 'delegate', 'display', 'oversight', 'public']);
// Fails to compile if store/types.ts gains or loses a role without this schema following.
type SameRoles = [Role] extends [z.infer<typeof RoleSchema>] ? ([z.infer<typeof RoleSchema>] extends [Role] ? true : never) : never;
const sameRoles: SameRoles = true;
void sameRoles;

export const ClaimsSchema = z.object({
  sub: z.string().min(1).max(128),
  role: RoleSchema,
  councilIds: z.array(z.string().max(64)).max(500),
  delegateId: z.string().max(64).optional(),
  name: z.string().max(200),
  /** Expiry in seconds since the epoch (JWT convention). */
  exp: z.number().int().nonnegative(),
  /** Random token id: what a revocation names (auth/devices.ts). */
  jti: z.string().max(64).optional(),
  /** Set when the token came from a one-time login link someone else issued (a secretary's QR code): their account id. */
  issuedBy: z.string().max(128).optional(),
});
export type Claims = z.infer<typeof ClaimsSchema>;

// A real token is a few hundred bytes; refusing anything huge keeps garbage from costing an HMAC over megabytes.
const MAX_TOKEN_LENGTH = 4096;
const B64URL = /^[A-Za-z0-9_-]+$/;

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest();

export const newJti = (): string => randomBytes(12).toString('base64url');

/** Signs `claims`; `exp` is always recomputed from `nowMs + ttlSec` so callers cannot extend a token by copying claims. */
export function issueToken(claims: Omit<Claims, 'exp'> & { exp?: number }, secret: string, ttlSec: number, nowMs: number): string {
  if (!secret) throw new Error('issueToken: empty secret');
  const body: Claims = { ...claims, exp: Math.floor(nowMs / 1000) + Math.max(0, Math.floor(ttlSec)) };
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, secret).toString('base64url')}`;
}

/** The claims of a well-formed, correctly signed, unexpired token; otherwise null. Never throws. */
export function verifyToken(token: string, secret: string, nowMs: number): Claims | null {
  try {
    if (typeof token !== 'string' || !secret || token.length > MAX_TOKEN_LENGTH) return null;
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
    const payload = token.slice(0, dot);
    const sigPart = token.slice(dot + 1);
    if (!B64URL.test(payload) || !B64URL.test(sigPart)) return null;
    // Compare the encoded strings, not decoded bytes: base64url decoding ignores stray low bits in the last character,
    // so byte comparison would accept several spellings of one signature. The length is public (43 characters).
    const given = Buffer.from(sigPart, 'utf8');
    const expected = Buffer.from(sign(payload, secret).toString('base64url'), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const parsed = ClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return null;
    if (parsed.data.exp * 1000 <= nowMs) return null;
    return parsed.data;
  } catch {
    return null;
  }
}
