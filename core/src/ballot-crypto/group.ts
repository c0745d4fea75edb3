/**
 * The prime-order group every committee ballot lives in: ristretto255 (RFC 9496) from @noble/curves, audited and
 * constant-time. Nothing here does group arithmetic by hand; this module only fixes encodings (points and scalars as
 * lowercase hex, so a bulletin board is plain JSON) and draws scalars from randomness the caller supplies — core stays
 * pure, the tablet passes `crypto.getRandomValues`, tests pass a seeded stream.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { bytesToHex, bytesToNumberLE, concatBytes } from '@noble/curves/utils.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

export const Point = ristretto255.Point;
export type Point = InstanceType<typeof Point>;
/** The group order q: every scalar is taken mod q. */
export const ORDER: bigint = Point.Fn.ORDER;
export const G: Point = Point.BASE;

/** Fills `n` random bytes (e.g. `(n) => crypto.getRandomValues(new Uint8Array(n))`). */
export type RandomBytes = (n: number) => Uint8Array;

/** A malformed point, scalar or structure: refused with this error, never thrown as a library's internal message. */
export class BallotCryptoError extends Error {
  constructor(
    readonly code: 'BAD_ENCODING' | 'BAD_PROOF' | 'BAD_SHARE' | 'SHARE_VALID' | 'BAD_BALLOT' | 'THRESHOLD_NOT_MET' | 'COUNT_OUT_OF_RANGE',
    message: string,
  ) {
    super(message);
    this.name = 'BallotCryptoError';
  }
}

export const mod = (a: bigint): bigint => {
  const r = a % ORDER;
  return r < 0n ? r + ORDER : r;
};

/** a⁻¹ mod q (a ≠ 0). */
export const invertScalar = (a: bigint): bigint => Point.Fn.inv(mod(a));

/** k·P for any k (0 gives the identity; noble's constant-time multiply refuses 0). */
export const times = (p: Point, k: bigint): Point => {
  const s = mod(k);
  return s === 0n ? Point.ZERO : p.multiply(s);
};

/**
 * k·P where k and P are both public (checking a proof, adding up a count): variable time is harmless there and
 * several times faster. Never use it with a secret scalar.
 */
export const timesPublic = (p: Point, k: bigint): Point => p.multiplyUnsafe(mod(k));

/** g^m for a small public count m (a vote 0/1, a tally): variable-time is fine, m is not secret. */
export const gTimes = (m: number | bigint): Point => {
  const s = mod(BigInt(m));
  return s === 0n ? Point.ZERO : G.multiplyUnsafe(s);
};

/** A uniform non-zero scalar from 64 random bytes (the bias of reducing 512 bits mod q is below 2^-250). */
export function randomScalar(random: RandomBytes): bigint {
  for (;;) {
    const bytes = random(64);
    if (!(bytes instanceof Uint8Array) || bytes.length !== 64) throw new BallotCryptoError('BAD_ENCODING', 'random source must give the bytes asked for');
    const s = mod(bytesToNumberLE(bytes));
    if (s !== 0n) return s;
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

export const encodePoint = (p: Point): string => bytesToHex(p.toBytes());

export function decodePoint(hex: unknown, what = 'point'): Point {
  if (typeof hex !== 'string' || !HEX64.test(hex)) throw new BallotCryptoError('BAD_ENCODING', `${what}: expected 64 lowercase hex digits`);
  try {
    return Point.fromHex(hex);
  } catch {
    throw new BallotCryptoError('BAD_ENCODING', `${what}: not a ristretto255 encoding`);
  }
}

export const encodeScalar = (s: bigint): string => mod(s).toString(16).padStart(64, '0');

export function decodeScalar(hex: unknown, what = 'scalar'): bigint {
  if (typeof hex !== 'string' || !HEX64.test(hex)) throw new BallotCryptoError('BAD_ENCODING', `${what}: expected 64 lowercase hex digits`);
  const s = BigInt(`0x${hex}`);
  if (s >= ORDER) throw new BallotCryptoError('BAD_ENCODING', `${what}: not reduced mod the group order`);
  return s;
}

/** Every Fiat–Shamir challenge of Hall's ballots is domain-separated by this tag plus the proof's own label. */
export const PROTOCOL_TAG = 'HALL-COMMITTEE-BALLOT-V1';

type Part = Point | bigint | string | number;

function partBytes(part: Part): Uint8Array {
  if (typeof part === 'string') return utf8ToBytes(part);
  if (typeof part === 'number') return utf8ToBytes(String(part));
  if (typeof part === 'bigint') return utf8ToBytes(encodeScalar(part));
  return part.toBytes();
}

/**
 * The challenge of a non-interactive proof: hash-to-scalar (RFC 9380, expand_message_xmd with SHA-512) over the
 * length-prefixed parts, with the proof's label in the domain-separation tag, so a proof made for one statement,
 * poll or position can never be replayed as another.
 */
export function challenge(label: string, parts: readonly Part[]): bigint {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const bytes = partBytes(part);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    chunks.push(len, bytes);
  }
  return ristretto255_hasher.hashToScalar(concatBytes(...chunks), { DST: `${PROTOCOL_TAG}:${label}` });
}
