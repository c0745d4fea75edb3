/**
 * Signed-in devices and revoked tokens. Tokens are stateless HMAC (tokens.ts), so "sign this device out" needs a
 * shared list of revoked token ids (`jti`) that every HTTP request and every socket connection consults; and a
 * person can only revoke what they can see, so every sign-in is recorded as a device of its account.
 *
 * Two adapters behind one port: `MemoryDevices` (this process; the embedded adapter in state.ts persists it to an
 * append-only file in the data directory) and `RedisDevices` (every node reads the same keys). A revocation lasts
 * as long as the token would have (its `exp`); after that the signature check refuses it anyway.
 */
import type { Redis } from 'ioredis';
import type { Role } from '../store/types.ts';

export type SignInVia = 'password' | 'code' | 'device' | 'link';

export interface Device {
  /** The token id (`jti` claim): what is revoked. Not a secret — the token's signature is. */
  jti: string;
  accountId: string;
  role: Exclude<Role, 'public'>;
  via: SignInVia;
  /** For a one-time QR link: the account that issued it (a secretary signing a delegate in). */
  issuedBy?: string;
  /** Sign-in time and token expiry, ms since the epoch. */
  at: number;
  exp: number;
  /** What the device said it was (User-Agent, cut to 200 characters) and its address, to help a person tell devices apart. */
  userAgent?: string;
  ip?: string;
}

export interface DeviceStore {
  add(device: Device): Promise<void>;
  /** The account's devices that are neither expired nor revoked, oldest first. */
  list(accountId: string, now: number): Promise<Device[]>;
  get(jti: string, now: number): Promise<Device | null>;
  /** Revokes a token id until `until` (its expiry) and forgets its device entry. Idempotent. */
  revoke(jti: string, until: number, now: number): Promise<void>;
  isRevoked(jti: string, now: number): Promise<boolean>;
}

/** Operations as the embedded adapter writes them, one JSON object per line. */
export type DeviceOp = { op: 'add'; device: Device } | { op: 'revoke'; jti: string; until: number };

/** Bounds, so a flood of sign-ins cannot grow memory or the file without limit; old entries go first. */
const MAX_DEVICES = 200_000;
const MAX_REVOKED = 200_000;

export class MemoryDevices implements DeviceStore {
  protected readonly devices = new Map<string, Device>();
  protected readonly revoked = new Map<string, number>();

  /** Applies one operation; the embedded adapter replays its file through this at open. */
  apply(op: DeviceOp, now: number): void {
    if (op.op === 'add') {
      if (op.device.exp <= now || this.revoked.has(op.device.jti)) return;
      this.devices.set(op.device.jti, op.device);
    } else {
      this.devices.delete(op.jti);
      if (op.until > now) this.revoked.set(op.jti, op.until);
    }
    this.prune(now);
  }

  /** The operations that rebuild the current state (for compacting the embedded file). */
  live(now: number): DeviceOp[] {
    const ops: DeviceOp[] = [];
    for (const device of this.devices.values()) if (device.exp > now) ops.push({ op: 'add', device });
    for (const [jti, until] of this.revoked) if (until > now) ops.push({ op: 'revoke', jti, until });
    return ops;
  }

  async add(device: Device): Promise<void> {
    this.apply({ op: 'add', device }, device.at);
  }

  async list(accountId: string, now: number): Promise<Device[]> {
    return [...this.devices.values()].filter((d) => d.accountId === accountId && d.exp > now).sort((a, b) => a.at - b.at);
  }

  async get(jti: string, now: number): Promise<Device | null> {
    const d = this.devices.get(jti);
    return d && d.exp > now ? d : null;
  }

  async revoke(jti: string, until: number, now: number): Promise<void> {
    this.apply({ op: 'revoke', jti, until }, now);
  }

  async isRevoked(jti: string, now: number): Promise<boolean> {
    const until = this.revoked.get(jti);
    return until !== undefined && until > now;
  }

  private prune(now: number) {
    if (this.devices.size > MAX_DEVICES) {
      for (const [jti, d] of this.devices) if (d.exp <= now) this.devices.delete(jti);
      for (const jti of this.devices.keys()) {
        if (this.devices.size <= MAX_DEVICES) break;
        this.devices.delete(jti);
      }
    }
    if (this.revoked.size > MAX_REVOKED) {
      for (const [jti, until] of this.revoked) if (until <= now) this.revoked.delete(jti);
      // Still full: revocations are kept over device entries, so only the bound below can drop one — the oldest.
      for (const jti of this.revoked.keys()) {
        if (this.revoked.size <= MAX_REVOKED) break;
        this.revoked.delete(jti);
      }
    }
  }
}

/**
 * Redis layout (under the installation's prefix):
 *   device:<jti>          STRING  the device's JSON, expiring with the token
 *   devices:<accountId>   SET     the account's token ids (members whose device key has expired are dropped on read)
 *   revoked:<jti>         STRING  "1", expiring with the token
 */
export class RedisDevices implements DeviceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key = {
    device: (jti: string) => `${this.prefix}device:${jti}`,
    account: (id: string) => `${this.prefix}devices:${id}`,
    revoked: (jti: string) => `${this.prefix}revoked:${jti}`,
  };

  async add(device: Device): Promise<void> {
    const ttl = Math.max(1, device.exp - device.at);
    await this.redis
      .multi()
      .set(this.key.device(device.jti), JSON.stringify(device), 'PX', ttl)
      .sadd(this.key.account(device.accountId), device.jti)
      // The set lives as long as its newest member could.
      .pexpire(this.key.account(device.accountId), ttl, 'GT')
      .pexpire(this.key.account(device.accountId), ttl, 'NX')
      .exec();
  }

  async list(accountId: string, now: number): Promise<Device[]> {
    const jtis = await this.redis.smembers(this.key.account(accountId));
    if (!jtis.length) return [];
    const texts = await this.redis.mget(...jtis.map((j) => this.key.device(j)));
    const gone = jtis.filter((_, i) => texts[i] === null);
    if (gone.length) await this.redis.srem(this.key.account(accountId), ...gone);
    return texts
      .flatMap((t) => (t === null ? [] : [JSON.parse(t) as Device]))
      .filter((d) => d.exp > now)
      .sort((a, b) => a.at - b.at);
  }

  async get(jti: string, now: number): Promise<Device | null> {
    const text = await this.redis.get(this.key.device(jti));
    const d = text === null ? null : (JSON.parse(text) as Device);
    return d && d.exp > now ? d : null;
  }

  async revoke(jti: string, until: number, now: number): Promise<void> {
    const text = await this.redis.get(this.key.device(jti));
    const multi = this.redis.multi();
    if (until > now) multi.set(this.key.revoked(jti), '1', 'PX', until - now);
    multi.unlink(this.key.device(jti));
    if (text !== null) multi.srem(this.key.account((JSON.parse(text) as Device).accountId), jti);
    await multi.exec();
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.redis.exists(this.key.revoked(jti))) === 1;
  }
}
