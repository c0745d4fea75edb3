/**
 * Login for every kind of account (DESIGN.md §8): staff with passwords, delegates with their delegate id and personal
 * code, hall walls with a device token, delegates again through a one-time QR link; the public is anonymous.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { Id } from '@hall/core';
import { ProcessLoginLinks } from '../store/login-links.ts';
import type { Account, Catalog, LoginLinkStore, Role } from '../store/types.ts';
import type { AuditEntry, AuditLog } from './audit.ts';
import { MemoryDevices, type Device, type DeviceStore, type SignInVia } from './devices.ts';
import { hashSecret, verifySecret, MAX_SECRET_LENGTH } from './secrets.ts';
import { ACCOUNT_RULE, ADDRESS_RULE, ProcessThrottle, type LoginThrottle } from './throttle.ts';
import { issueToken, newJti, verifyToken, type Claims } from './tokens.ts';

export type { Claims } from './tokens.ts';

export type LoginKind = 'password' | 'code' | 'device';

export type LoginFailureCode = 'AUTH_FAILED' | 'THROTTLED' | 'DISABLED';
export type LoginResult =
  | { ok: true; token: string; claims: Claims }
  | { ok: false; code: LoginFailureCode; message: string; retryAfterSec?: number };

/** Where a sign-in comes from: the client address (after TRUST_PROXY) and what the device calls itself. */
export interface ClientInfo {
  ip: string;
  userAgent?: string | undefined;
}

/** A signed-in account acting on another's sign-in (issuing a login link, revoking a device). */
export interface Issuer {
  sub: string;
  role: Exclude<Role, 'public'>;
}

export interface AuthServiceOptions {
  tokenSecret: string;
  tokenTtlSec: number;
  /** ms since the epoch; injected so tests control expiry and throttling windows. */
  now?: () => number;
  /** Where one-time login links wait (the store's, shared by every node); this process's memory by default. */
  links?: LoginLinkStore;
  /** Failed-login counters (auth/state.ts): this process's memory by default, Redis in a cluster. */
  throttle?: LoginThrottle;
  /** Signed-in devices and revoked token ids; this process's memory by default. */
  devices?: DeviceStore;
  /** Where issuing logins for others and revoking devices is written down; nowhere by default (unit tests). */
  audit?: AuditLog;
  /** A token was granted (the app tells the account's other devices). */
  onSignedIn?: (claims: Claims, device: Device) => void;
  /** A token was revoked (the app disconnects its sockets). */
  onRevoked?: (jti: string) => void;
}

/** Which account roles each login kind may reach: a delegate code never opens a staff account and vice versa. */
const ROLES_BY_KIND: Record<LoginKind, ReadonlyArray<Account['role']>> = {
  password: ['admin', 'chair', 'secretary', 'oversight'],
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
const addressThrottledMessage = (sec: number) => `Có quá nhiều lần đăng nhập sai từ mạng này, thử lại sau ${sec} giây`;

export const LOGIN_LINK_TTL_MS = 10 * 60_000;

/** Throttle keys: the account whatever the address, and the address whatever the account. */
export const accountKey = (id: string) => `a:${id}`;
/**
 * One IPv6 host owns a whole /64 (it can pick any address in it), so the address key is the /64; IPv4 and IPv4-mapped
 * addresses are themselves.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `ip:${mapped[1]}`;
  if (!isIPv6(ip)) return `ip:${ip}`;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `ip:${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Admins act in every council; everyone else only in the councils their token lists. */
export function can(claims: Pick<Claims, 'role' | 'councilIds'>, councilId: string): boolean {
  return claims.role === 'admin' || claims.councilIds.includes(councilId);
}

/**
 * Who may watch a council's sessions and read its oversight status: whoever may act in it, and the province's
 * oversight accounts (the Standing Committee guides every council but acts in none).
 */
export function canSee(claims: Pick<Claims, 'role' | 'councilIds'>, councilId: string): boolean {
  return claims.role === 'oversight' || can(claims, councilId);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const asActor = (c: Issuer): AuditEntry['actor'] => ({ sub: c.sub, role: c.role });
const ipOf = (client: ClientInfo | undefined) => (client?.ip && client.ip !== 'unknown' ? { ip: client.ip } : {});

export class AuthService {
  private readonly now: () => number;
  /** One-time login links keyed by the SHA-256 of the token: in the store, so every node redeems any node's QR. */
  private readonly links: LoginLinkStore;
  private readonly throttle: LoginThrottle;
  readonly devices: DeviceStore;
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
    this.throttle = opts.throttle ?? new ProcessThrottle();
    this.devices = opts.devices ?? new MemoryDevices();
    this.dummyHash = hashSecret(randomBytes(16).toString('base64'));
  }

  async login(kind: LoginKind, id: string, secret: string, client: ClientInfo | string): Promise<LoginResult> {
    const from: ClientInfo = typeof client === 'string' ? { ip: client } : client;
    const account = accountKey(String(id ?? ''));
    const address = addressKey(from.ip);
    // Reserved before the secret is checked: attempts still hashing count, so a burst cannot slip past the limit.
    const verdict = await this.throttle.reserve(
      [
        { key: account, rule: ACCOUNT_RULE },
        { key: address, rule: ADDRESS_RULE },
      ],
      this.now(),
    );
    if (!verdict.ok) {
      const sec = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      return { ok: false, code: 'THROTTLED', message: verdict.key === address ? addressThrottledMessage(sec) : throttledMessage(sec), retryAfterSec: sec };
    }
    const result = await this.attempt(kind, id, secret, from);
    // A right secret (also for a disabled account) is not a failure: forget the account's, give the address its try back.
    if (result.ok || result.code === 'DISABLED') await this.throttle.succeeded([account], [address]);
    return result;
  }

  private async attempt(kind: LoginKind, id: string, secret: string, from: ClientInfo): Promise<LoginResult> {
    const roles = ROLES_BY_KIND[kind];
    if (!roles) return this.fail(kind);
    // People type codes as "100 001" when read aloud from a printed card.
    const typed = kind === 'code' ? String(secret ?? '').replace(/\s+/g, '') : String(secret ?? '');
    // Ids that cannot name an account never reach the catalog: storage adapters may reject them by throwing
    // (path-safe ids), which must read as a failed login, not a server error.
    const ok = Id.safeParse(id).success && id !== '.' && id !== '..' && typed.length > 0 && typed.length <= MAX_SECRET_LENGTH;
    const account = ok ? await this.catalog.getAccount(id) : null;
    const eligible = account !== null && roles.includes(account.role);
    const verified = await verifySecret(typed, eligible ? account.secretHash : await this.dummyHash);
    if (!eligible || !verified) return this.fail(kind);
    // Disabled is reported only after the right secret, so it cannot be used to discover which accounts exist.
    if (account.disabled) return { ok: false, code: 'DISABLED', message: DISABLED_MESSAGE };
    return this.grant(account, kind, from);
  }

  /**
   * A one-time login token for a QR code (valid LOGIN_LINK_TTL_MS). The caller builds the URL and guards who may ask;
   * an issuer other than the account itself is written to the audit log, and the token minted from the link says
   * who issued it (`issuedBy`).
   */
  async issueLoginLink(accountId: string, issuer?: Issuer, client?: ClientInfo): Promise<string> {
    const account = await this.catalog.getAccount(accountId);
    if (!account) throw new Error(`Không tìm thấy tài khoản ${accountId}`);
    if (account.disabled) throw new Error(`Tài khoản ${accountId} đã bị khóa`);
    const now = this.now();
    const token = randomBytes(32).toString('base64url');
    const issuedBy = issuer && issuer.sub !== account.id ? issuer.sub : undefined;
    if (!(await this.links.put(sha256(token), { accountId, expiresAt: now + LOGIN_LINK_TTL_MS, ...(issuedBy ? { issuedBy } : {}) }, now))) {
      throw new Error('Quá nhiều mã QR đăng nhập đang chờ, thử lại sau');
    }
    if (issuer && issuedBy) await this.record({ at: now, action: 'login.issued', actor: asActor(issuer), target: account.id, councilIds: [...account.councilIds], ...ipOf(client) });
    return token;
  }

  async redeemLoginLink(token: string, client: ClientInfo = { ip: 'unknown' }): Promise<LoginResult> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 128) return this.linkFailed();
    const link = await this.links.take(sha256(token));
    if (!link || link.expiresAt <= this.now()) return this.linkFailed();
    const account = await this.catalog.getAccount(link.accountId);
    if (!account) return this.linkFailed();
    if (account.disabled) return { ok: false, code: 'DISABLED', message: DISABLED_MESSAGE };
    const issuedBy = typeof link.issuedBy === 'string' ? link.issuedBy : undefined;
    const result = await this.grant(account, 'link', client, issuedBy);
    if (result.ok && issuedBy) {
      await this.record({
        at: this.now(),
        action: 'login.redeemed',
        actor: { sub: account.id, role: account.role },
        target: account.id,
        councilIds: [...account.councilIds],
        issuedBy,
        ...(result.claims.jti ? { jti: result.claims.jti } : {}),
        ...ipOf(client),
      });
    }
    return result;
  }

  /** Signature and expiry only (no I/O). Requests and sockets use `authenticate`, which also honours revocation. */
  verify(token: string): Claims | null {
    return verifyToken(token, this.opts.tokenSecret, this.now());
  }

  /** The claims of a valid token that has not been revoked (signed out), else null. */
  async authenticate(token: string): Promise<Claims | null> {
    const claims = this.verify(token);
    if (!claims) return null;
    if (claims.jti !== undefined && (await this.devices.isRevoked(claims.jti, this.now()))) return null;
    return claims;
  }

  /** False once the token has expired or been revoked: for connections opened while it was still good. */
  async stillValid(claims: Claims): Promise<boolean> {
    if (claims.role === 'public') return true;
    if (claims.exp * 1000 <= this.now()) return false;
    return claims.jti === undefined || !(await this.devices.isRevoked(claims.jti, this.now()));
  }

  /** One live device by its token id. */
  device(jti: string): Promise<Device | null> {
    return this.devices.get(jti, this.now());
  }

  /** The account's signed-in devices (not expired, not revoked), oldest first. */
  devicesOf(accountId: string): Promise<Device[]> {
    return this.devices.list(accountId, this.now());
  }

  /**
   * Signs one device out: its token is refused from now on by every node, and its sockets are disconnected.
   * `by` is the owner or an admin (the routes check which may revoke what); it is written to the audit log.
   */
  async revoke(device: Device, by: Issuer, client?: ClientInfo): Promise<void> {
    const now = this.now();
    await this.devices.revoke(device.jti, device.exp, now);
    const account = await this.catalog.getAccount(device.accountId);
    await this.record({ at: now, action: 'device.revoked', actor: asActor(by), target: device.accountId, councilIds: account ? [...account.councilIds] : [], jti: device.jti, ...ipOf(client) });
    this.opts.onRevoked?.(device.jti);
  }

  /** Signs every device of an account out (the account was disabled). */
  async revokeAll(accountId: string, by: Issuer, client?: ClientInfo): Promise<number> {
    const devices = await this.devicesOf(accountId);
    for (const device of devices) await this.revoke(device, by, client);
    return devices.length;
  }

  /** The service's clock (ms since the epoch): expiry is judged by it everywhere. */
  nowMs(): number {
    return this.now();
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

  private async grant(account: Account, via: SignInVia, from: ClientInfo, issuedBy?: string): Promise<LoginResult> {
    const now = this.now();
    const claims: Omit<Claims, 'exp'> = {
      sub: account.id,
      role: account.role,
      // Admins get [] from the catalog and reach every council through `can`, not through a list.
      councilIds: [...account.councilIds],
      ...(account.delegateId !== undefined ? { delegateId: account.delegateId } : {}),
      name: account.displayName,
      jti: newJti(),
      ...(issuedBy !== undefined ? { issuedBy } : {}),
    };
    const token = issueToken(claims, this.opts.tokenSecret, this.opts.tokenTtlSec, now);
    const verified = verifyToken(token, this.opts.tokenSecret, now);
    // Only fails if the catalog holds an account that does not fit the claims schema (e.g. an over-long name).
    if (!verified) throw new Error(`AuthService: account ${account.id} cannot be put in a token`);
    const device: Device = {
      jti: verified.jti!,
      accountId: account.id,
      role: account.role,
      via,
      ...(issuedBy !== undefined ? { issuedBy } : {}),
      at: now,
      exp: verified.exp * 1000,
      ...(from.userAgent ? { userAgent: from.userAgent.slice(0, 200) } : {}),
      ...(from.ip && from.ip !== 'unknown' ? { ip: from.ip } : {}),
    };
    // Recorded before the token is handed out: a device nobody can see is a device nobody can revoke.
    await this.devices.add(device);
    this.opts.onSignedIn?.(verified, device);
    return { ok: true, token, claims: verified };
  }

  private async record(entry: AuditEntry): Promise<void> {
    await this.opts.audit?.append(entry);
  }

  private fail(kind: LoginKind): LoginResult {
    return { ok: false, code: 'AUTH_FAILED', message: FAILED_MESSAGE[kind] ?? FAILED_MESSAGE.password };
  }

  private linkFailed(): LoginResult {
    return { ok: false, code: 'AUTH_FAILED', message: LINK_FAILED_MESSAGE };
  }
}
