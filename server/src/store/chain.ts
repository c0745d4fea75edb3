/**
 * The journal's hash chain and its one canonical encoding, shared by every adapter so that a journal written by one
 * verifies the same way everywhere (and so that the Redis adapter cannot drift from the embedded one).
 *
 * A record's hash is `sha256hex(prevHash + canonicalJson({seq, at, commandId, digest, event}))`, `commandId` and
 * `digest` left out when absent (records written before `digest` existed hash as they always did), genesis `prevHash`
 * = 64 zeros. Stored lines are the canonical JSON of the whole record, so re-encoding a
 * parsed record gives back the hashed bytes exactly.
 */
import { hash as oneShotHash } from 'node:crypto';
import type { JournalInput, JournalRecord } from './types.ts';

export const GENESIS_HASH = '0'.repeat(64);
/** A command digest (sha256, base64url): what the runtime compares when a commandId comes back (dedupe). */
const DIGEST = /^[A-Za-z0-9_-]{43}$/;

/**
 * JSON with object keys sorted (UTF-16 code-unit order, as RFC 8785) and no whitespace. Stricter than JSON.stringify:
 * a value that JSON would silently change (NaN → null, a Date → string, a hole → null) throws instead, because a
 * legally binding record must hash exactly what was meant. Object properties that are `undefined` are omitted, as
 * optional TypeScript fields produce them. Error messages name the path, never the value (it may be a ballot).
 */
export function canonicalJson(value: unknown): string {
  try {
    return encode(value);
  } catch (err) {
    if (err instanceof Unrepresentable) throw new TypeError(`canonicalJson: ${err.what} at $${err.path.join('')}`);
    throw err;
  }
}

/**
 * Thrown from deep inside `encode`; each enclosing level puts its own step in front on the way out, so the path is
 * built only for a value that fails (three records a ballot are encoded, and building every path made them slow).
 */
class Unrepresentable extends Error {
  readonly path: string[] = [];
  constructor(readonly what: string) {
    super(what);
  }
}

/** `err` with `step` put in front of its path, when it is ours. */
function stepped(err: unknown, step: string): unknown {
  if (err instanceof Unrepresentable) err.path.unshift(step);
  return err;
}

function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Unrepresentable('non-finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          let encoded: string;
          try {
            if (item === undefined) throw new Unrepresentable('undefined array element');
            encoded = encode(item);
          } catch (err) {
            throw stepped(err, `[${i}]`);
          }
          out += i ? `,${encoded}` : encoded;
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new Unrepresentable('not a plain object');
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      for (const key of keys) {
        const item = obj[key];
        if (item === undefined) continue;
        let encoded: string;
        try {
          encoded = encode(item);
        } catch (err) {
          throw stepped(err, `.${key}`);
        }
        out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${encoded}`;
      }
      return `${out}}`;
    }
    default:
      throw new Unrepresentable(`unsupported ${typeof value}`);
  }
}

export function sha256hex(text: string): string {
  // One-shot: a journal restore hashes every record, and a Hash object per record costs more than the digest.
  return oneShotHash('sha256', text, 'hex');
}

export function chainHash(prevHash: string, record: { seq: number; at: number; commandId?: string | undefined; digest?: string | undefined; event: unknown }): string {
  // canonicalJson leaves out undefined properties, so an absent commandId or digest is not part of the hashed body.
  return sha256hex(prevHash + canonicalJson({ seq: record.seq, at: record.at, commandId: record.commandId, digest: record.digest, event: record.event }));
}

/** Rejects inputs the chain cannot represent faithfully; nothing is written when this throws. */
export function assertJournalInputs(inputs: unknown): asserts inputs is JournalInput[] {
  if (!Array.isArray(inputs)) throw new TypeError('journal append: records must be an array');
  inputs.forEach((input: unknown, i) => {
    if (typeof input !== 'object' || input === null) throw new TypeError(`journal append: record ${i} is not an object`);
    const r = input as Record<string, unknown>;
    if (typeof r.at !== 'number' || !Number.isFinite(r.at)) throw new TypeError(`journal append: record ${i} has no finite "at"`);
    if (r.commandId !== undefined && typeof r.commandId !== 'string') throw new TypeError(`journal append: record ${i} has a non-string commandId`);
    if (r.digest !== undefined && (typeof r.digest !== 'string' || !DIGEST.test(r.digest))) throw new TypeError(`journal append: record ${i} has a malformed digest`);
    if (r.event === undefined) throw new TypeError(`journal append: record ${i} has no event`);
  });
}

export interface EncodedBatch {
  /** One canonical JSON line per record, without newline. */
  lines: string[];
  lastSeq: number;
  lastHash: string;
}

/** Numbers and links a batch after (`lastSeq`, `lastHash`); throws (before anything is written) on an invalid input. */
export function encodeBatch(lastSeq: number, lastHash: string, inputs: JournalInput[]): EncodedBatch {
  assertJournalInputs(inputs);
  const lines: string[] = [];
  let seq = lastSeq;
  let prevHash = lastHash;
  for (const input of inputs) {
    seq += 1;
    const hash = chainHash(prevHash, { seq, at: input.at, commandId: input.commandId, digest: input.digest, event: input.event });
    lines.push(canonicalJson({ seq, at: input.at, commandId: input.commandId, digest: input.digest, event: input.event, prevHash, hash }));
    prevHash = hash;
  }
  return { lines, lastSeq: seq, lastHash: prevHash };
}

export type RecordCheck = { ok: true; record: JournalRecord } | { ok: false; reason: string };

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks one decoded record against the position it must hold; returns a fresh record with only the known fields.
 * `storedText`, when given, is the text `raw` was parsed from: if it is the canonical encoding of the record, the
 * hashed body is cut out of it instead of being re-encoded (see `hashedBodyOf`) — same bytes, same verdict.
 */
export function checkRecord(raw: unknown, expectedSeq: number, expectedPrevHash: string, storedText?: string): RecordCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const r = raw as Record<string, unknown>;
  if (r.seq !== expectedSeq) return { ok: false, reason: `seq ${String(r.seq)} where ${expectedSeq} was expected` };
  if (typeof r.at !== 'number' || !Number.isFinite(r.at)) return { ok: false, reason: 'bad "at"' };
  if (r.commandId !== undefined && typeof r.commandId !== 'string') return { ok: false, reason: 'bad commandId' };
  if (r.digest !== undefined && (typeof r.digest !== 'string' || !DIGEST.test(r.digest))) return { ok: false, reason: 'bad digest' };
  if (!('event' in r)) return { ok: false, reason: 'no event' };
  if (typeof r.prevHash !== 'string' || typeof r.hash !== 'string' || !HEX64.test(r.hash)) return { ok: false, reason: 'bad hash fields' };
  if (r.prevHash !== expectedPrevHash) return { ok: false, reason: 'prevHash does not link to the previous record' };
  let hash: string;
  try {
    const body = storedText === undefined ? null : hashedBodyOf(storedText, r);
    hash =
      body === null
        ? chainHash(r.prevHash, { seq: expectedSeq, at: r.at, commandId: r.commandId as string | undefined, digest: r.digest as string | undefined, event: r.event })
        : sha256hex(r.prevHash + body);
  } catch {
    return { ok: false, reason: 'event is not canonical JSON' };
  }
  if (hash !== r.hash) return { ok: false, reason: 'hash does not match the content' };
  return { ok: true, record: checkedRecord(r, expectedSeq) };
}

/** The record a journal read returns for a decoded record that has passed `checkRecord`: the known fields only. */
export function checkedRecord(raw: Record<string, unknown>, seq: number): JournalRecord {
  const record: JournalRecord = { seq, at: raw.at as number, event: raw.event as JournalRecord['event'], prevHash: raw.prevHash as string, hash: raw.hash as string };
  if (raw.commandId !== undefined) record.commandId = raw.commandId as string;
  if (raw.digest !== undefined) record.digest = raw.digest as string;
  return record;
}

/**
 * `canonicalJson({seq, at, commandId?, event})` read off a stored line, or null when the line is not exactly the
 * canonical encoding of its record (then the caller re-encodes, as before). Re-encoding every event is most of a
 * journal restore's verification cost, and a canonical line already holds those bytes:
 *
 *   line  {"at":…,"commandId":…,"digest":…,"event":…,"hash":"…","prevHash":"…","seq":N}
 *   body  {"at":…,"commandId":…,"digest":…,"event":…,"seq":N}
 *
 * The line is canonical iff the record has only the record's keys, JSON.stringify gives the line back (so: no
 * whitespace, numbers and strings spelled as canonicalJson spells them, no duplicate keys) and every object lists its
 * keys in canonical order (JSON.stringify keeps property order, and V8 moves integer-like keys to the front).
 * `r` has passed checkRecord's field checks: seq, at, event, hash and prevHash are present, commandId when defined.
 */
function hashedBodyOf(line: string, r: Record<string, unknown>): string | null {
  if (Object.keys(r).length !== 5 + (r.commandId === undefined ? 0 : 1) + (r.digest === undefined ? 0 : 1)) return null;
  if (JSON.stringify(r) !== line || !keysInCanonicalOrder(r)) return null;
  const seq = JSON.stringify(r.seq);
  const suffix = `,"hash":`.length + JSON.stringify(r.hash).length + `,"prevHash":`.length + JSON.stringify(r.prevHash).length + `,"seq":`.length + seq.length + 1;
  return `${line.slice(0, line.length - suffix)},"seq":${seq}}`;
}

/** True when every object in a parsed JSON value lists its keys in canonicalJson's order (strictly ascending). */
function keysInCanonicalOrder(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!keysInCanonicalOrder(item)) return false;
    return true;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    if (!keysInCanonicalOrder(obj[keys[i]!])) return false;
  }
  return true;
}

export function parseRecordLine(line: string, expectedSeq: number, expectedPrevHash: string): RecordCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  return checkRecord(raw, expectedSeq, expectedPrevHash, line);
}

export interface LinesScan {
  records: JournalRecord[];
  lastHash: string;
  /** The first line that does not hold, if any; `seq` is the seq it should have had. */
  problem?: { index: number; seq: number; reason: string };
}

/** Verifies a whole journal given as lines in order (seq 1 first). */
export function scanLines(lines: readonly string[]): LinesScan {
  const records: JournalRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const check = parseRecordLine(lines[i] as string, i + 1, prevHash);
    if (!check.ok) return { records, lastHash: prevHash, problem: { index: i, seq: i + 1, reason: check.reason } };
    records.push(check.record);
    prevHash = check.record.hash;
  }
  return { records, lastHash: prevHash };
}

/** Error for a damaged record that is not the torn tail of an unacknowledged write: never dropped silently. */
export class JournalCorruptError extends Error {
  readonly code = 'JOURNAL_CORRUPT';
  constructor(
    readonly sessionId: string,
    readonly seq: number,
    reason: string,
  ) {
    super(`journal ${sessionId}: record seq ${seq} is damaged (${reason}) — tampering or a disk fault; the journal needs an operator`);
  }
}
