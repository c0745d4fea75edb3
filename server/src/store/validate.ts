import { createHash } from 'node:crypto';
import type { DocumentMeta, SealedBox } from './types.ts';

/** Ids that become file names (and Redis key parts): the core `Id` alphabet, which has no path separator. */
export const SAFE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function assertSafeId(what: string, id: unknown): asserts id is string {
  // "." and ".." pass the alphabet but name directories.
  if (typeof id !== 'string' || !SAFE_ID.test(id) || id === '.' || id === '..') {
    throw new TypeError(`invalid ${what}: must match ${SAFE_ID.source} and not be "." or ".."`);
  }
}

/**
 * Poll keys are `<sessionId>.<pollId>` (runtime), so up to 64 + 1 + 64 characters; the same alphabet, a longer limit
 * that still leaves room under the 255-byte file-name limit for the `.json` and temp suffixes.
 */
export const POLL_KEY = /^[A-Za-z0-9_.:-]{1,160}$/;

export function assertPollKey(pollKey: unknown): asserts pollKey is string {
  if (typeof pollKey !== 'string' || !POLL_KEY.test(pollKey) || pollKey === '.' || pollKey === '..') {
    throw new TypeError(`invalid poll key: must match ${POLL_KEY.source} and not be "." or ".."`);
  }
}

export function assertCatalogId(what: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`invalid ${what} id: must be a non-empty string`);
}

/** A document's meta must describe its bytes: exports and tablets trust `size` and `sha256`. */
export function assertDocument(meta: DocumentMeta, bytes: Buffer): void {
  assertSafeId('document id', meta.id);
  if (!Buffer.isBuffer(bytes)) throw new TypeError('document bytes must be a Buffer');
  if (meta.size !== bytes.length) throw new TypeError(`document ${meta.id}: size ${meta.size} does not match ${bytes.length} bytes`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (meta.sha256 !== sha) throw new TypeError(`document ${meta.id}: sha256 does not match the bytes`);
}

/** A fence, when given, must name a session and carry a token: an empty token must never mean "unfenced". */
export function assertFence(fence: unknown): void {
  if (fence === undefined) return;
  const f = fence as { sessionId?: unknown; token?: unknown } | null;
  if (typeof f !== 'object' || f === null || typeof f.token !== 'string' || f.token.length === 0) throw new TypeError('fence must be { sessionId, token } with a token');
  assertSafeId('session id', f.sessionId);
}

export function assertSealedBox(box: unknown): void {
  const b = box as { wrappedKey?: unknown; sealed?: unknown; pending?: unknown } | null;
  if (
    typeof b !== 'object' || b === null ||
    typeof b.wrappedKey !== 'string' ||
    !Array.isArray(b.sealed) || !b.sealed.every((s) => typeof s === 'string') ||
    (b.pending !== undefined && typeof b.pending !== 'string')
  ) {
    throw new TypeError('sealed box must be { wrappedKey: string, sealed: string[], pending?: string }');
  }
}

/**
 * The stored form of a box: only its known fields, so nothing a caller happened to attach reaches the disk. A legacy
 * `pending` is never written (boxes have no "newest ballot" slot any more); SecretBallots settles it when it reads one.
 */
export function sealedBoxText(box: SealedBox): string {
  return JSON.stringify({ wrappedKey: box.wrappedKey, sealed: box.sealed });
}

export function assertSnapshot(snapshot: unknown): void {
  const s = snapshot as { machineVersion?: unknown; seq?: unknown; snapshot?: unknown; hash?: unknown } | null;
  if (
    typeof s !== 'object' || s === null ||
    typeof s.machineVersion !== 'number' ||
    typeof s.seq !== 'number' || !Number.isInteger(s.seq) || s.seq < 0 ||
    s.snapshot === undefined ||
    (s.hash !== undefined && (typeof s.hash !== 'string' || !/^[0-9a-f]{64}$/.test(s.hash)))
  ) {
    throw new TypeError('snapshot must be { machineVersion: number, seq: integer ≥ 0, snapshot, hash?: sha256 hex }');
  }
}

export function assertExpectedSeq(expectedSeq: unknown): void {
  if (expectedSeq !== undefined && (typeof expectedSeq !== 'number' || !Number.isInteger(expectedSeq) || expectedSeq < 0)) {
    throw new TypeError('expectedSeq must be an integer ≥ 0');
  }
}

/** Minutes keys as core's `MinutesKey` defines them; part of file names and Redis fields. */
export const MINUTES_KEY = /^(session|sitting-[1-9][0-9]{0,2}|count-[A-Za-z0-9_.:-]{1,64})$/;

export function assertMinutesDraft(draft: { sessionId?: unknown; key?: unknown; updatedAt?: unknown; updatedBy?: unknown }): void {
  assertSafeId('session id', draft?.sessionId);
  if (typeof draft.key !== 'string' || !MINUTES_KEY.test(draft.key)) throw new TypeError(`invalid minutes key: must match ${MINUTES_KEY.source}`);
  if (typeof draft.updatedAt !== 'number' || typeof draft.updatedBy !== 'string') throw new TypeError('a minutes draft needs updatedAt and updatedBy');
}

/** A stored minutes version must be what its name says: the SHA-256 of its body. */
export function assertMinutesVersion(sessionId: unknown, sha256: unknown, body: unknown): void {
  assertSafeId('session id', sessionId);
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw new TypeError('minutes version: sha256 must be 64 hex digits');
  if (typeof body !== 'string') throw new TypeError('minutes version: body must be a string');
  if (createHash('sha256').update(body, 'utf8').digest('hex') !== sha256) throw new TypeError('minutes version: sha256 does not match the body');
}
