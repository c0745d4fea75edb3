import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { issueToken, verifyToken, type Claims } from '../../src/auth/tokens.ts';

const SECRET = 'test-token-secret-0123456789abcdef';
const T0 = Date.UTC(2028, 11, 8, 8, 0, 0);
const claims: Omit<Claims, 'exp'> = { sub: 'bn-d001', role: 'delegate', councilIds: ['bac-ninh'], delegateId: 'bn-d001', name: 'Phạm Văn Long', jti: 'j1' };

const [payloadOf, sigOf] = [(t: string) => t.split('.')[0]!, (t: string) => t.split('.')[1]!];
const signRaw = (payload: string, secret = SECRET) => `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('auth/tokens', () => {
  it('[TOK-1] round-trips the claims with exp = now + ttl in seconds', () => {
    const token = issueToken(claims, SECRET, 3600, T0);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(token, SECRET, T0)).toEqual({ ...claims, exp: T0 / 1000 + 3600 });
  });

  it('[TOK-2] ignores an exp passed in by the caller', () => {
    const token = issueToken({ ...claims, exp: 9_999_999_999 }, SECRET, 60, T0);
    expect(verifyToken(token, SECRET, T0)?.exp).toBe(T0 / 1000 + 60);
  });

  it('[TOK-3] expires exactly at exp', () => {
    const token = issueToken(claims, SECRET, 60, T0);
    expect(verifyToken(token, SECRET, T0 + 59_999)).not.toBeNull();
    expect(verifyToken(token, SECRET, T0 + 60_000)).toBeNull();
    expect(verifyToken(token, SECRET, T0 + 3_600_000)).toBeNull();
  });

  it('[TOK-4] rejects a tampered payload or signature', () => {
    const token = issueToken(claims, SECRET, 3600, T0);
    const forged = b64({ ...claims, role: 'admin', exp: T0 / 1000 + 3600 });
    expect(verifyToken(`${forged}.${sigOf(token)}`, SECRET, T0)).toBeNull();
    const sig = sigOf(token);
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    expect(verifyToken(`${payloadOf(token)}.${flipped}`, SECRET, T0)).toBeNull();
    expect(verifyToken(`${payloadOf(token)}.${sig.slice(0, -1)}`, SECRET, T0)).toBeNull();
    expect(verifyToken(`${payloadOf(token)}.${sig}A`, SECRET, T0)).toBeNull();
  });

  it('[TOK-5] rejects another spelling of the same signature bytes', () => {
    const token = issueToken(claims, SECRET, 3600, T0);
    const sig = sigOf(token);
    // 43 base64url chars carry 258 bits for 256: the last char's low 2 bits are padding and decoders ignore them.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const twin = sig.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(verifyToken(`${payloadOf(token)}.${twin}`, SECRET, T0)).toBeNull();
  });

  it('[TOK-6] rejects a token signed with another secret', () => {
    const token = issueToken(claims, 'another-secret-another-secret-xx', 3600, T0);
    expect(verifyToken(token, SECRET, T0)).toBeNull();
    expect(verifyToken(issueToken(claims, SECRET, 3600, T0), '', T0)).toBeNull();
  });

  it('[TOK-7] rejects correctly signed payloads that are not claims', () => {
    const exp = T0 / 1000 + 3600;
    for (const body of [
      { ...claims, exp, role: 'superuser' },
      { ...claims, exp: String(exp) },
      { ...claims, exp, councilIds: 'bac-ninh' },
      { role: 'admin', exp },
      [1, 2, 3],
      null,
    ]) {
      expect(verifyToken(signRaw(b64(body)), SECRET, T0)).toBeNull();
    }
    expect(verifyToken(signRaw(Buffer.from('{not json').toString('base64url')), SECRET, T0)).toBeNull();
  });

  it('[TOK-8] never throws and never accepts garbage (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String().map((s) => `${s}.${s}`)), (garbage) => {
        expect(verifyToken(garbage, SECRET, T0)).toBeNull();
      }),
      { numRuns: 500 },
    );
    for (const v of [undefined, null, 42, {}, [], 'a.b.c', '.', 'x'.repeat(100_000)]) {
      expect(verifyToken(v as unknown as string, SECRET, T0)).toBeNull();
    }
  });

  it('[TOK-9] any single-character change invalidates a token (property)', () => {
    const token = issueToken(claims, SECRET, 3600, T0);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCxyz019-_.'), (i, ch) => {
        fc.pre(token[i] !== ch);
        const mutated = token.slice(0, i) + ch + token.slice(i + 1);
        const out = verifyToken(mutated, SECRET, T0);
        // A change in the last signature char's ignored bits still fails thanks to the string comparison.
        expect(out).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
