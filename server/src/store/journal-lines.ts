/**
 * The embedded journal's bytes — one canonical record per line, hash-chained (chain.ts) — checked from the start.
 * Shared by the store and by its verification worker (scan-worker.ts), so that both judge a file the same way.
 */
import { GENESIS_HASH, checkedRecord, parseRecordLine } from './chain.ts';
import type { JournalRecord } from './types.ts';

/** What a scan found; `records` is filled only when the scan was asked to keep them. */
export interface BufferScan {
  records: JournalRecord[];
  /** Good records from the start. */
  count: number;
  lastHash: string;
  /** Offset just past the last good record. */
  goodEnd: number;
  /** `lineEnd` null: the line has no newline (incomplete). */
  problem?: { seq: number; reason: string; lineEnd: number | null };
}

/** Verifies every line from the first, up to the first one that does not hold (the chain cannot be trusted past it). */
export function scanBuffer(bytes: Buffer, keepRecords = true): BufferScan {
  const records: JournalRecord[] = [];
  let count = 0;
  let prevHash = GENESIS_HASH;
  let pos = 0;
  while (pos < bytes.length) {
    const seq = count + 1;
    const nl = bytes.indexOf(0x0a, pos);
    if (nl === -1) return { records, count, lastHash: prevHash, goodEnd: pos, problem: { seq, reason: 'incomplete line', lineEnd: null } };
    const check = parseRecordLine(bytes.toString('utf8', pos, nl), seq, prevHash);
    if (!check.ok) return { records, count, lastHash: prevHash, goodEnd: pos, problem: { seq, reason: check.reason, lineEnd: nl + 1 } };
    if (keepRecords) records.push(check.record);
    count = seq;
    prevHash = check.record.hash;
    pos = nl + 1;
  }
  return { records, count, lastHash: prevHash, goodEnd: pos };
}

/**
 * The records of the first `count` lines of `bytes`, which a scan of these very bytes has verified: decoding only,
 * the checks are not repeated.
 */
export function verifiedRecords(bytes: Buffer, count: number): JournalRecord[] {
  const records = new Array<JournalRecord>(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const nl = bytes.indexOf(0x0a, pos);
    records[i] = checkedRecord(JSON.parse(bytes.toString('utf8', pos, nl)) as Record<string, unknown>, i + 1);
    pos = nl + 1;
  }
  return records;
}
