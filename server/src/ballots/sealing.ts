/**
 * Crypto for secret ballots at rest (docs/architecture.md). AES-256-GCM everywhere, a fresh random 12-byte nonce per seal.
 *
 *  - wrapping key: scrypt(ballot secret, 'hall-ballot-wrap', 32) — derived once per SecretBallots instance.
 *  - per-poll key: 32 random bytes, stored only wrapped: base64(nonce ‖ ciphertext ‖ tag), AAD binds the poll key
 *    string so a wrapped key cannot be moved to another poll's box.
 *  - sealed ballot: base64(nonce ‖ ciphertext ‖ tag) of [u32 BE length ‖ JSON bytes ‖ zero padding], same AAD idea.
 *
 * Padding: a ciphertext's length is visible without any key, and choices differ in length ("tán thành" vs
 * "không tán thành"), so in a box of successive versions the one new ballot's length would reveal the choice. Every
 * ballot in one write is padded to the same size (a power of two, at least 256 bytes, covering the largest), so
 * all sealed strings in a box have one length. (A poll whose contents straddle a power of two would still show when
 * the first larger ballot arrived; simple choices never do.)
 */
import { createCipheriv, createDecipheriv, randomBytes, randomInt, scryptSync } from 'node:crypto';
import { canonicalJson } from '../store/chain.ts';
import type { Json } from '../store/types.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const POLL_KEY_BYTES = 32;
const MIN_PADDED = 256;

export class BallotSealError extends Error {
  readonly code = 'BALLOT_SEAL';
}

export function deriveWrappingKey(ballotSecret: string): Buffer {
  return scryptSync(ballotSecret, 'hall-ballot-wrap', 32);
}

export function newPollCipherKey(): Buffer {
  return randomBytes(POLL_KEY_BYTES);
}

function seal(key: Buffer, aad: string, plaintext: Buffer): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

/** Returns null when authentication fails (wrong key, wrong poll, damaged bytes). */
function unseal(key: Buffer, aad: string, sealed: string): Buffer | null {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

const keyAad = (pollKey: string) => `hall-ballot-key:v1:${pollKey}`;
const ballotAad = (pollKey: string) => `hall-ballot:v1:${pollKey}`;

export function wrapPollCipherKey(wrappingKey: Buffer, pollKey: string, key: Buffer): string {
  return seal(wrappingKey, keyAad(pollKey), key);
}

export function unwrapPollCipherKey(wrappingKey: Buffer, pollKey: string, wrapped: string): Buffer {
  const key = unseal(wrappingKey, keyAad(pollKey), wrapped);
  if (!key || key.length !== POLL_KEY_BYTES) {
    throw new BallotSealError(`ballot box ${pollKey}: cannot unwrap the poll key — wrong ballot secret, or the box is damaged or belongs to another poll`);
  }
  return key;
}

/** A ballot's plaintext form in memory: its canonical JSON bytes. Throws (naming no value) if not JSON. */
export function encodeBallot(content: Json): Buffer {
  return Buffer.from(canonicalJson(content), 'utf8');
}

export function decodeBallot(encoded: Buffer): Json {
  return JSON.parse(encoded.toString('utf8')) as Json;
}

/** The one padded plaintext size for a box whose largest encoded ballot has `maxEncoded` bytes. */
export function paddedSize(maxEncoded: number): number {
  let size = MIN_PADDED;
  while (size < maxEncoded + 4) size *= 2;
  return size;
}

export function sealBallot(key: Buffer, pollKey: string, encoded: Buffer, size: number): string {
  if (encoded.length + 4 > size) throw new RangeError('ballot larger than its padded size');
  const plain = Buffer.alloc(size);
  plain.writeUInt32BE(encoded.length, 0);
  encoded.copy(plain, 4);
  const sealed = seal(key, ballotAad(pollKey), plain);
  plain.fill(0);
  return sealed;
}

/** Returns the encoded ballot (unpadded). */
export function unsealBallot(key: Buffer, pollKey: string, sealed: string): Buffer {
  const plain = unseal(key, ballotAad(pollKey), sealed);
  if (!plain || plain.length < 4 || plain.readUInt32BE(0) > plain.length - 4) {
    throw new BallotSealError(`ballot box ${pollKey}: a sealed ballot failed authentication (damaged or tampered box)`);
  }
  const encoded = Buffer.from(plain.subarray(4, 4 + plain.readUInt32BE(0)));
  plain.fill(0);
  return encoded;
}

/** Fisher–Yates with a CSPRNG, in place: an order derived from Math.random could be predicted. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
  return items;
}
