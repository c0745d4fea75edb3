/**
 * Password, delegate-code and device-token hashing (docs/architecture.md: scrypt). Format:
 * `scrypt$N$r$p$<salt base64>$<key base64>` so the cost can be raised later without invalidating stored hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// Stored hashes come from storage that an attacker with write access could edit; these caps stop a crafted
// `scrypt$2^30$…` string from turning one login attempt into gigabytes of memory or minutes of CPU.
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_KEY_BYTES = 128;
// Long inputs cost nothing extra in scrypt, but nobody types a 4 kB password and it keeps request bodies honest.
export const MAX_SECRET_LENGTH = 1024;

function scrypt(secret: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is too small for N=2^17 and above.
const maxmemFor = (n: number, r: number, p: number) => 128 * n * r * p + 32 * 1024 * 1024;

// Vietnamese passwords with diacritics arrive precomposed from one keyboard and decomposed from another (macOS, some
// IMEs); normalising to NFC makes "Hà Nội" the same secret wherever it was typed.
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(secret.normalize('NFC'), salt, KEY_BYTES, { N, r: R, p: P, maxmem: maxmemFor(N, R, P) });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const INT = /^[1-9][0-9]{0,9}$/;

interface Parsed {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parse(stored: unknown): Parsed | null {
  if (typeof stored !== 'string' || stored.length > 1024) return null;
  const parts = stored.split('$');
  if (parts.length !== 6) return null;
  const [alg, ns, rs, ps, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  if (alg !== 'scrypt' || !INT.test(ns) || !INT.test(rs) || !INT.test(ps)) return null;
  const n = Number(ns);
  const r = Number(rs);
  const p = Number(ps);
  // N must be a power of two above 1 (scrypt requirement); checking here keeps verify from throwing.
  if (n < 2 || n > MAX_N || (n & (n - 1)) !== 0 || r > MAX_R || p > MAX_P) return null;
  if (!B64.test(saltB64) || !B64.test(keyB64)) return null;
  const salt = Buffer.from(saltB64, 'base64');
  const key = Buffer.from(keyB64, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > MAX_KEY_BYTES) return null;
  return { n, r, p, salt, key };
}

/** True when `secret` matches `stored`. Never throws: a malformed or unsupported stored string is simply no match. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  try {
    if (typeof secret !== 'string' || secret.length > MAX_SECRET_LENGTH) return false;
    const parsed = parse(stored);
    if (!parsed) return false;
    const { n, r, p, salt, key } = parsed;
    const candidate = await scrypt(secret.normalize('NFC'), salt, key.length, { N: n, r, p, maxmem: maxmemFor(n, r, p) });
    return timingSafeEqual(candidate, key);
  } catch {
    return false;
  }
}

/** True when `stored` is a hash this module can verify (for validating imported accounts). */
export const isSecretHash = (stored: string): boolean => parse(stored) !== null;
