/**
 * The storage port (docs/architecture.md). Two adapters implement it — embedded files (default) and Redis — and both must
 * pass the one contract suite in `contract.ts`. The runtime relies on exactly these promises:
 *  - `Journal.append` resolves only when the records are durable (fsync / Redis AOF ack); seqs are 1,2,3… per
 *    session with no gap; a record that did not fully reach the disk is never returned by `read`.
 *  - records are hash-chained (`hash = sha256(prevHash + canonical JSON of {seq, at, commandId, event})`) so
 *    `verify` detects tampering.
 *  - the ballot box holds sealed secret-ballot contents with no delegate id, time or order; it is rewritten whole.
 */
import type { Council, AgendaItem } from '@hall/core';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface JournalInput {
  /** Server time (ms since epoch) stamped when the command was accepted; the machine's only clock. */
  at: number;
  /** The client's command id, kept so a retried command gets its original ack after a restart. Absent for server-issued events. */
  commandId?: string;
  /**
   * sha256 (base64url) of the command's type and payload as the caller sent it (a secret ballot's choice left out), so
   * that a commandId reused by the same caller for a different command is recognised, also after a restart.
   */
  digest?: string;
  event: Json;
}

export interface JournalRecord extends JournalInput {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface PersistedSessionSnapshot {
  machineVersion: number;
  seq: number;
  snapshot: Json;
  /**
   * The hash of journal record `seq` the snapshot was taken after: a restore trusts the snapshot only if the journal's
   * record `seq` has this hash (a snapshot written by a node that had lost the session, or of a journal that was
   * rewritten, is ignored and the journal replayed). Absent at seq 0 and in snapshots older than this field.
   */
  hash?: string;
}

/** A write fenced by a session lease (several nodes): refused unless `token` is the session's current lease value. */
export interface Fence {
  sessionId: string;
  token: string;
}

export interface Journal {
  /**
   * Appends in order and resolves with the seq of the last record once durable. `expectedSeq` (the caller's last seq)
   * guards against two writers: a mismatch rejects with StoreConflictError and writes nothing. `fence` (the writer's
   * lease token, cluster mode): a token that is not the session's current lease rejects with StoreFencedError and
   * writes nothing; a store that requires fencing refuses an append without one the same way.
   */
  append(sessionId: string, records: JournalInput[], expectedSeq?: number, fence?: string): Promise<number>;
  read(sessionId: string, fromSeq?: number): Promise<JournalRecord[]>;
  lastSeq(sessionId: string): Promise<number>;
  /**
   * Fenced like `append`. A snapshot at seq 0 (the session's frozen setup) is also kept apart as the genesis, which
   * later snapshots never replace: a restore that cannot trust the latest snapshot replays the journal onto it.
   */
  saveSnapshot(sessionId: string, snapshot: PersistedSessionSnapshot, fence?: string): Promise<void>;
  loadSnapshot(sessionId: string): Promise<PersistedSessionSnapshot | null>;
  /** The seq-0 snapshot (the frozen setup), or null (never frozen, or written before genesis snapshots were kept). */
  loadGenesis(sessionId: string): Promise<PersistedSessionSnapshot | null>;
  /** Recomputes the hash chain; `firstBadSeq` names the first record whose hash or link does not hold. */
  verify(sessionId: string): Promise<{ ok: boolean; records: number; firstBadSeq?: number }>;
  /** Session ids that have a journal. */
  sessionIds(): Promise<string[]>;
  /**
   * Nothing on this node keeps the session open any more (its room retired): what the store holds open for it (a file
   * handle) may go. Changes nothing stored; the next read or append opens and verifies the journal again. Optional: a
   * store that holds nothing per session open has nothing to give back.
   */
  release?(sessionId: string): Promise<void>;
}

export interface SealedBox {
  /** The per-poll key wrapped (encrypted) with the ballot secret from configuration. */
  wrappedKey: string;
  /** Sealed ballots, base64, in no meaningful order (shuffled and re-sealed on every write); no slot is "the newest". */
  sealed: string[];
  /**
   * Only in boxes written by versions before the journal-first order: the newest ballot kept apart. Read (and settled
   * against the journal) for compatibility; never written.
   */
  pending?: string;
}

export interface BallotBoxStore {
  /** Fenced like `Journal.append` (cluster mode). */
  save(pollKey: string, box: SealedBox, fence?: Fence): Promise<void>;
  load(pollKey: string): Promise<SealedBox | null>;
  /** Removes the box so that nothing of it can be read back (files: overwritten then unlinked). Idempotent. Fenced. */
  destroy(pollKey: string, fence?: Fence): Promise<void>;
  keys(): Promise<string[]>;
}

/** `oversight`: the province Standing Committee (Thường trực HĐND tỉnh) — reads every council, acts in none. */
export type Role = 'admin' | 'chair' | 'secretary' | 'delegate' | 'display' | 'oversight' | 'public';

export interface Account {
  /** Login name for staff; for delegates the delegate id; for displays the device name. */
  id: string;
  role: Exclude<Role, 'public'>;
  displayName: string;
  /** Councils this account may act in; empty for admins (all) and oversight (reads all). */
  councilIds: string[];
  /** For delegates: their delegate id in the council. */
  delegateId?: string;
  /** scrypt$N$r$p$salt$hash for passwords and delegate codes; device tokens are stored hashed the same way. */
  secretHash: string;
  disabled?: boolean;
}

export type SessionStatus = 'scheduled' | 'live' | 'adjourned';

export interface SessionRecord {
  id: string;
  councilId: string;
  title: string;
  /** ISO date of the first sitting. */
  date: string;
  agenda: AgendaItem[];
  status: SessionStatus;
}

export interface DocumentMeta {
  id: string;
  title: string;
  mime: string;
  size: number;
  sha256: string;
  sessionId?: string;
  itemId?: string;
  /** Published on the public record site (only documents of public sittings are ever marked). */
  public?: boolean;
}

/** The secretary's free text of one minutes document (the rest is derived from the journal). */
export interface MinutesDraftRecord {
  sessionId: string;
  /** `session`, `sitting-<n>` or `count-<pollId>`. */
  key: string;
  text: Json;
  updatedAt: number;
  /** Account id of the last editor. */
  updatedBy: string;
}

export interface Catalog {
  listCouncils(): Promise<Council[]>;
  getCouncil(id: string): Promise<Council | null>;
  putCouncil(council: Council): Promise<void>;
  deleteCouncil(id: string): Promise<boolean>;
  listSessions(councilId?: string): Promise<SessionRecord[]>;
  getSession(id: string): Promise<SessionRecord | null>;
  putSession(session: SessionRecord): Promise<void>;
  deleteSession(id: string): Promise<boolean>;
  listAccounts(): Promise<Account[]>;
  getAccount(id: string): Promise<Account | null>;
  putAccount(account: Account): Promise<void>;
  deleteAccount(id: string): Promise<boolean>;
  putDocument(meta: DocumentMeta, bytes: Buffer): Promise<void>;
  getDocument(id: string): Promise<{ meta: DocumentMeta; bytes: Buffer } | null>;
  listDocuments(sessionId?: string): Promise<DocumentMeta[]>;
  deleteDocument(id: string): Promise<boolean>;
  getMinutesDraft(sessionId: string, key: string): Promise<MinutesDraftRecord | null>;
  putMinutesDraft(draft: MinutesDraftRecord): Promise<void>;
  listMinutesDrafts(sessionId: string): Promise<MinutesDraftRecord[]>;
  /**
   * An approved minutes text, content-addressed: `sha256` must be the SHA-256 (hex) of `body`, and once stored it is
   * never replaced (the journal records the hash; the store keeps what it names). Putting the same again is a no-op.
   */
  putMinutesVersion(sessionId: string, sha256: string, body: string): Promise<void>;
  getMinutesVersion(sessionId: string, sha256: string): Promise<string | null>;
}

/** A pending one-time login link (QR code): whose it is and until when (ms since epoch, the issuer's clock). */
export interface LoginLink {
  accountId: string;
  expiresAt: number;
  /** The staff account that issued it for someone else (audited; the minted token says so). */
  issuedBy?: string;
}

/**
 * One-time login links, in the store so that every node of a cluster can redeem a QR code another node issued.
 * Keys are the SHA-256 of the token (a dump of the store hands out no working link).
 */
export interface LoginLinkStore {
  /** Keeps the link until its expiry; false when too many links are pending (a flood of unredeemed codes). */
  put(key: string, link: LoginLink, now: number): Promise<boolean>;
  /** Removes and returns the link, atomically: of two simultaneous scans of one QR code only one gets it. */
  take(key: string): Promise<LoginLink | null>;
}

export interface Store {
  kind: 'embedded' | 'redis';
  journal: Journal;
  catalog: Catalog;
  ballots: BallotBoxStore;
  links: LoginLinkStore;
  /** Resolves when the store can serve (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class StoreConflictError extends Error {
  readonly code = 'STORE_CONFLICT';
  constructor(sessionId: string, expected: number, actual: number) {
    super(`journal ${sessionId}: expected last seq ${expected}, found ${actual}`);
  }
}

/** The store (or the cluster's lease, which lives beside it) cannot be reached: nothing was done; try again. */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
}

/**
 * Redis answers again, but without the data it held when this process opened it: it restarted without persistence,
 * someone flushed it, or a failover promoted an empty replica. Every acknowledged record there is gone, and going on
 * would start the sittings over from nothing as if nothing had been voted. So this process stops using the store —
 * every call is refused (UNAVAILABLE: nothing is recorded) — until an operator restores Redis and restarts Hall.
 */
export class StoreDataLostError extends StoreUnavailableError {
  constructor(where: string) {
    super(`Redis at ${where} no longer holds the data Hall wrote there (it restarted without persistence, was flushed, or failed over to an empty replica): Hall stops writing; restore Redis (its AOF) and restart Hall`);
  }
}

/**
 * Whether `err` says the store could not be reached or did not answer in time — an outage, never a bug: the
 * connection-level errors of the Redis client (a command timed out, the connection closed or is not writable, its
 * retries ran out) besides StoreUnavailableError. A caller that reaches the gateway with one of them has not written
 * anything a runtime check did not settle, so the answer is UNAVAILABLE, not INTERNAL (a node thawed after SIGSTOP
 * finds every command it sent before freezing timed out at once).
 */
export function isStoreOutage(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const message = err instanceof Error ? err.message : '';
  return /^(Command timed out|Connection is closed\.?|Stream isn't writeable|Reached the max retries per request limit)/.test(message);
}

/** Multi-node: this node's lease on the session was taken over; it must stop writing and drop the session. */
export class StoreFencedError extends Error {
  readonly code = 'STORE_FENCED';
  constructor(sessionId: string) {
    super(`journal ${sessionId}: this node no longer holds the session's lease`);
  }
}
