/**
 * The security audit log: who signed whom in, who revoked which device. Staff can issue a one-time QR login for a
 * delegate (the tablet is lost, the code forgotten) — which also means staff could sign in as that delegate — so
 * every such act is written down with the issuer, for the admin to read (GET /api/admin/audit). Entries carry
 * account ids and token ids, never secrets, codes or ballot contents.
 *
 * Adapters: `MemoryAudit` (tests, and the in-memory window of the embedded adapter, which appends every entry to a
 * file in the data directory first) and `RedisAudit` (a stream every node appends to).
 */
import type { Redis } from 'ioredis';
import type { Role } from '../store/types.ts';

export type AuditAction =
  /** Staff issued a one-time login link (QR) for an account. */
  | 'login.issued'
  /** A login link was used; `issuedBy` says whose it was. */
  | 'login.redeemed'
  /** A device (token) was signed out by its owner or an admin. */
  | 'device.revoked'
  /** An administration change (councils, delegates, sessions, agendas, documents, accounts, codes): `what` says which. */
  | 'admin.action';

export interface AuditEntry {
  at: number;
  action: AuditAction;
  /** Who did it. */
  actor: { sub: string; role: Exclude<Role, 'public'> };
  /** The account it was done to. */
  target: string;
  /** Councils of the target account, so an admin can filter by council. */
  councilIds: string[];
  jti?: string;
  issuedBy?: string;
  ip?: string;
  /** admin.action: the route that changed something (`PUT /api/admin/councils/:id`). */
  what?: string;
  /** admin.action: a short note of what changed (`25 đại biểu`), never a secret. */
  detail?: string;
}

export interface StoredAuditEntry extends AuditEntry {
  /** Opaque, increasing: pass the last one seen as `before` to page back. */
  id: string;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first; at most `limit`; only entries older than `before` when given. */
  list(opts: { limit: number; before?: string }): Promise<StoredAuditEntry[]>;
}

/** Entries kept in memory (the embedded file keeps them all; the API pages through this window). */
export const AUDIT_WINDOW = 10_000;

const idOf = (n: number) => String(n).padStart(12, '0');

export class MemoryAudit implements AuditLog {
  private readonly entries: StoredAuditEntry[] = [];
  private next = 1;

  /** Takes an entry read back from storage (embedded adapter at open). */
  load(entry: AuditEntry): void {
    this.entries.push({ ...entry, id: idOf(this.next++) });
    if (this.entries.length > AUDIT_WINDOW) this.entries.splice(0, this.entries.length - AUDIT_WINDOW);
  }

  async append(entry: AuditEntry): Promise<void> {
    this.load(entry);
  }

  async list({ limit, before }: { limit: number; before?: string }): Promise<StoredAuditEntry[]> {
    const older = before === undefined ? this.entries : this.entries.filter((e) => e.id < before);
    return older.slice(-limit).reverse();
  }
}

/** Redis: one stream `<prefix>audit`, capped near 100 000 entries (XADD MAXLEN ~); entry ids are stream ids. */
export class RedisAudit implements AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key() {
    return `${this.prefix}audit`;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.redis.xadd(this.key, 'MAXLEN', '~', '100000', '*', 'e', JSON.stringify(entry));
  }

  async list({ limit, before }: { limit: number; before?: string }): Promise<StoredAuditEntry[]> {
    // Stream ids are `<ms>-<n>`; anything else as `before` would be a Redis error, so it is refused as "nothing older".
    if (before !== undefined && !/^\d{1,20}-\d{1,20}$/.test(before)) return [];
    const rows = await this.redis.xrevrange(this.key, before === undefined ? '+' : `(${before}`, '-', 'COUNT', limit);
    return rows.flatMap(([id, fields]) => {
      const text = fields[fields.indexOf('e') + 1];
      try {
        return text ? [{ ...(JSON.parse(text) as AuditEntry), id }] : [];
      } catch {
        return [];
      }
    });
  }
}
