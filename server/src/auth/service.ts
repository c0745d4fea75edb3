/**
 * Login for every kind of account (DESIGN.md §8): staff with passwords, delegates with their delegate id and personal
 * code, hall walls with a device token, delegates again through a one-time QR link; the public is anonymous.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Id } from '@hall/core';
import { ProcessLoginLinks } from '../store/login-links.ts';
import type { Account, Catalog, LoginLinkStore, Role } from '../store/types.ts';
import { hashSecret, verifySecret, MAX_SECRET_LENGTH } from './secrets.ts';
import { issueToken, newJti, verifyToken, type Claims } from './tokens.ts';

export type { Claims } from './tokens.ts';

export type LoginKind = 'password' | 'code' | 'device';

export type LoginFailureCode = 'AUTH_FAILED' | 'THROTTLED' | 'DISABLED';
export type LoginResult =
  | { ok: true; token: string; claims: Claims }
  | { ok: false; code: LoginFailureCode; message: string; retryAfterSec?: number };

export interface AuthServiceOptions {
  tokenSecret: string;
  tokenTtlSec: number;
  /** ms since the epoch; injected so tests control expiry and throttling windows. */
  now?: () => number;
  /** Where one-time login links wait (the store's, shared by every node); this process's memory by default. */
  links?: LoginLinkStore;
}

/** Which account roles each login kind may reach: a delegate code never opens a staff account and vice versa. */
const ROLES_BY_KIND: Record<LoginKind, ReadonlyArray<Account['role']>> = {
  password: ['admin', 'chair', 'secretary'],
  code: ['delegate'],
  device: ['display'],
};

const FAILED_MESSAGE: Record<LoginKind, string> = {
  password: 'Sai tên đăng nhập hoặc mật khẩu',
  code: 'Sai mã đại biểu hoặc mã cá nhân',
  device: 'Sai tên thiết bị hoặc mã thiết bị',
};
const DISABLED_MESSAGE = 'Tài khoản đã bị khóa, vui lòng liên hệ quản trị viên';
const LINK_FAILED_MESSAGE = 'Mã QR đăng nhập không hợp lệ, đã dùng hoặc đã hết hạn';
const throttledMessage = (sec: number) => `Đăng nhập sai quá nhiều lần, thử lại sau ${sec} giây`;

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 5 * 60_000;
export const LOGIN_LINK_TTL_MS = 10 * 60_000;
// A bound on the throttle map so a flood of bogus ids cannot grow the heap without limit.
const MAX_THROTTLE_ENTRIES = 50_000;

/** Admins act in every council; everyone else only in the councils their token lists. */
export function can(claims: Pick<Claims, 'role' | 'councilIds'>, councilId: string): boolean {
  return claims.role === 'admin' || claims.councilIds.includes(councilId);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

export class AuthService {
  private readonly now: () => number;
  /** Failure times per client+account, oldest first; only the last MAX_FAILURES inside the window matter. */
  private readonly failures = new Map<string, number[]>();
  /** Login attempts per client+account still being checked (scrypt takes tens of milliseconds). */
  private readonly inflight = new Map<string, number>();
  /** One-time login links keyed by the SHA-256 of the token: in the store, so every node redeems any node's QR. */
  private readonly links: LoginLinkStore;
  /**
   * Verified against when the account does not exist, so "no such login" takes as long as "wrong secret" and the
   * response time does not reveal which delegate ids or staff names exist.
   */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly catalog: Catalog,
    private readonly opts: AuthServiceOptions,
  ) {
    if (!opts.tokenSecret) throw new Error('AuthService: tokenSecret is required');
    if (!(opts.tokenTtlSec > 0)) throw new Error('AuthService: tokenTtlSec must be positive');
    this.now = opts.now ?? Date.now;
    this.links = opts.links ?? new ProcessLoginLinks();
    this.dummyHash = hashSecret(randomBytes(16).toString('base64'));
  }

  async login(kind: LoginKind, id: string, secret: string, clientKey: string): Promise<LoginResult> {
    const throttleKey = `${clientKey}\u0000${id}`;
    const { failed, waitSec } = this.throttleState(throttleKey);
    const pending = this.inflight.get(throttleKey) ?? 0;
    // Attempts still hashing count too: otherwise fifty requests fired at once would all pass the check before the
    // first failure is recorded.
    if (failed + pending >= MAX_FAILURES) {
      const sec = Math.max(1, waitSec);
      return { ok: false, code: 'THROTTLED', message: throttledMessage(sec), retryAfterSec: sec };
    }
    this.inflight.set(throttleKey, pending + 1);
    try {
      return await this.attempt(kind, id, secret, throttleKey);
    } finally {
      const left = (this.inflight.get(throttleKey) ?? 1) - 1;
      if (left > 0) this.inflight.set(throttleKey, left);
      else this.inflight.delete(throttleKey);
    }
  }

  private async attempt(kind: LoginKind, id: string, secret: string, throttleKey: string): Promise<LoginResult> {
    const roles = ROLES_BY_KIND[kind];
    if (!roles) return this.fail(kind, throttleKey);
    // People type codes as "100 001" when read aloud from a printed card.
    const typed = kind === 'code' ? String(secret ?? '').replace(/\s+/g, '') : String(secret ?? '');
    // Ids that cannot name an account never reach the catalog: storage adapters may reject them by throwing
    // (path-safe ids), which must read as a failed login, not a server error.
    const ok = Id.safeParse(id).success && id !== '.' && id !== '..' && typed.length > 0 && typed.length <= MAX_SECRET_LENGTH;
    const account = ok ? await this.catalog.getAccount(id) : null;
    const eligible = account !== null && roles.includes(account.role);
    const verified = await verifySecret(typed, eligible ? account.secretHash : await this.dummyHash);
    if (!eligible || !verified) return this.fail(kind, throttleKey);

    this.failures.delete(throttleKey);
    // Disabled is reported only after the right secret, so it cannot be used to discover which accounts exist.
    if (account.disabled) return { ok: false, code: 'DISABLED', message: DISABLED_MESSAGE };
    return this.grant(account);
  }

  /** A one-time login token for a QR code (valid LOGIN_LINK_TTL_MS). The caller builds the URL and guards who may ask. */
  async issueLoginLink(accountId: string): Promise<string> {
    const account = await this.catalog.getAccount(accountId);
    if (!account) throw new Error(`Không tìm thấy tài khoản ${accountId}`);
    if (account.disabled) throw new Error(`Tài khoản ${accountId} đã bị khóa`);
    const now = this.now();
    const token = randomBytes(32).toString('base64url');
    if (!(await this.links.put(sha256(token), { accountId, expiresAt: now + LOGIN_LINK_TTL_MS }, now))) {
      throw new Error('Quá nhiều mã QR đăng nhập đang chờ, thử lại sau');
    }
    return token;
  }

  async redeemLoginLink(token: string): Promise<LoginResult> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) return this.linkFailed();
    const link = await this.links.take(sha256(token));
    if (!link || link.expiresAt <= this.now()) return this.linkFailed();
    const account = await this.catalog.getAccount(link.accountId);
    if (!account) return this.linkFailed();
    if (account.disabled) return { ok: false, code: 'DISABLED', message: DISABLED_MESSAGE };
    return this.grant(account);
  }

  verify(token: string): Claims | null {
    return verifyToken(token, this.opts.tokenSecret, this.now());
  }

  /** Claims for an anonymous viewer: read-only public views, no council membership. */
  publicClaims(): Claims {
    return {
      sub: 'public',
      role: 'public' satisfies Role,
      councilIds: [],
      name: 'Người xem',
      exp: Math.floor(this.now() / 1000) + this.opts.tokenTtlSec,
    };
  }

  can(claims: Pick<Claims, 'role' | 'councilIds'>, councilId: string): boolean {
    return can(claims, councilId);
  }

  private grant(account: Account): LoginResult {
    const claims: Omit<Claims, 'exp'> = {
      sub: account.id,
      role: account.role,
      // Admins get [] from the catalog and reach every council through `can`, not through a list.
      councilIds: [...account.councilIds],
      ...(account.delegateId !== undefined ? { delegateId: account.delegateId } : {}),
      name: account.displayName,
      jti: newJti(),
    };
    const token = issueToken(claims, this.opts.tokenSecret, this.opts.tokenTtlSec, this.now());
    const verified = verifyToken(token, this.opts.tokenSecret, this.now());
    // Only fails if the catalog holds an account that does not fit the claims schema (e.g. an over-long name).
    if (!verified) throw new Error(`AuthService: account ${account.id} cannot be put in a token`);
    return { ok: true, token, claims: verified };
  }

  private fail(kind: LoginKind, throttleKey: string): LoginResult {
    const now = this.now();
    const recent = (this.failures.get(throttleKey) ?? []).filter((t) => t > now - FAILURE_WINDOW_MS);
    recent.push(now);
    this.failures.delete(throttleKey); // re-insert so Map order stays least-recently-failed first for pruning
    this.failures.set(throttleKey, recent.slice(-MAX_FAILURES));
    this.pruneFailures(now);
    return { ok: false, code: 'AUTH_FAILED', message: FAILED_MESSAGE[kind] ?? FAILED_MESSAGE.password };
  }

  /** Failures inside the window and, once there are MAX_FAILURES, the seconds until the oldest of them leaves it. */
  private throttleState(throttleKey: string): { failed: number; waitSec: number } {
    const list = this.failures.get(throttleKey);
    if (!list) return { failed: 0, waitSec: 0 };
    const now = this.now();
    const recent = list.filter((t) => t > now - FAILURE_WINDOW_MS);
    if (recent.length < MAX_FAILURES) return { failed: recent.length, waitSec: 0 };
    const oldest = recent[recent.length - MAX_FAILURES]!;
    return { failed: recent.length, waitSec: Math.max(1, Math.ceil((oldest + FAILURE_WINDOW_MS - now) / 1000)) };
  }

  private pruneFailures(now: number): void {
    if (this.failures.size <= MAX_THROTTLE_ENTRIES) return;
    for (const [key, list] of this.failures) {
      if ((list[list.length - 1] ?? 0) <= now - FAILURE_WINDOW_MS) this.failures.delete(key);
    }
    // Still full of live entries: drop the least recently failing ones rather than grow without bound.
    for (const key of this.failures.keys()) {
      if (this.failures.size <= MAX_THROTTLE_ENTRIES) break;
      this.failures.delete(key);
    }
  }

  private linkFailed(): LoginResult {
    return { ok: false, code: 'AUTH_FAILED', message: LINK_FAILED_MESSAGE };
  }
}
