import { createHash } from 'node:crypto';
import type { DocumentMeta } from './types.ts';

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

export function assertSnapshot(snapshot: unknown): void {
  const s = snapshot as { machineVersion?: unknown; seq?: unknown; snapshot?: unknown } | null;
  if (
    typeof s !== 'object' || s === null ||
    typeof s.machineVersion !== 'number' ||
    typeof s.seq !== 'number' || !Number.isInteger(s.seq) || s.seq < 0 ||
    s.snapshot === undefined
  ) {
    throw new TypeError('snapshot must be { machineVersion: number, seq: integer ≥ 0, snapshot }');
  }
}

export function assertExpectedSeq(expectedSeq: unknown): void {
  if (expectedSeq !== undefined && (typeof expectedSeq !== 'number' || !Number.isInteger(expectedSeq) || expectedSeq < 0)) {
    throw new TypeError('expectedSeq must be an integer ≥ 0');
  }
}
