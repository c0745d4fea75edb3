/**
 * Socket.IO connection caps and the command allowance, per node (README "Abuse limits").
 *
 * A token may hold `socketsPerToken` connections at once (a tablet reconnecting after a Wi-Fi blip briefly has two;
 * a chair console may be open in two tabs), a client address `socketsPerIp` (a hall of tablets behind one NAT is
 * one address). The command allowance belongs to the token, not to the socket: opening more sockets buys no more
 * commands. Counts live in this process: in a cluster each node caps what it holds, so behind a load balancer that
 * spreads one address over N nodes the per-address cap is effectively N times larger (see docs/SECURITY.md).
 */
import { createHash } from 'node:crypto';
import { addressKey } from '../auth/service.ts';

/** A small token bucket: commands are bursty (a delegate double-taps) but a flood is refused. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  /** Full again: nobody would notice if it were recreated. */
  idle(): boolean {
    return this.tokens + ((this.now() - this.last) / 1000) * this.rate >= this.burst;
  }
}

export type CapScope = 'token' | 'ip';

export interface Admission {
  /** The token's shared command allowance (public sockets get one of their own: they may send no command anyway). */
  bucket: TokenBucket;
  /** Gives the slots back; idempotent (called on disconnect and on transport close, whichever comes first). */
  release(): void;
}

export interface ConnectionLimitOptions {
  socketsPerToken: number;
  socketsPerIp: number;
  /** Commands per second per token; the burst is twice that. */
  commandRate: number;
  now?: () => number;
}

/** Tokens are identified by their `jti`, or by a hash of the token for tokens that have none. */
export const tokenKeyOf = (token: string, jti: string | undefined) => jti ?? `h:${createHash('sha256').update(token).digest('base64url')}`;

export class ConnectionLimits {
  private readonly perToken = new Map<string, { sockets: number; bucket: TokenBucket }>();
  private readonly perIp = new Map<string, number>();

  constructor(private readonly opts: ConnectionLimitOptions) {}

  /** Takes a slot for one more socket, or says which cap it would exceed. Synchronous: no two admissions interleave. */
  admit(ip: string, tokenKey: string | null): Admission | { refused: CapScope } {
    const address = addressKey(ip);
    const fromIp = this.perIp.get(address) ?? 0;
    if (fromIp >= this.opts.socketsPerIp) return { refused: 'ip' };
    const entry = tokenKey === null ? null : this.perToken.get(tokenKey);
    if (entry && entry.sockets >= this.opts.socketsPerToken) return { refused: 'token' };

    this.perIp.set(address, fromIp + 1);
    let bucket: TokenBucket;
    if (tokenKey === null) {
      bucket = this.newBucket();
    } else if (entry) {
      entry.sockets++;
      bucket = entry.bucket;
    } else {
      bucket = this.newBucket();
      this.perToken.set(tokenKey, { sockets: 1, bucket });
    }
    let released = false;
    return {
      bucket,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.perIp.get(address) ?? 1) - 1;
        if (left > 0) this.perIp.set(address, left);
        else this.perIp.delete(address);
        if (tokenKey === null) return;
        const e = this.perToken.get(tokenKey);
        if (!e) return;
        e.sockets--;
        // Kept while it is not full again, so that reconnecting does not refill a token's allowance.
        if (e.sockets <= 0 && e.bucket.idle()) this.perToken.delete(tokenKey);
        this.sweep();
      },
    };
  }

  /** Sockets held per address and per token (tests, metrics). */
  counts(ip: string, tokenKey: string | null) {
    return { ip: this.perIp.get(addressKey(ip)) ?? 0, token: tokenKey === null ? 0 : (this.perToken.get(tokenKey)?.sockets ?? 0) };
  }

  private newBucket() {
    return new TokenBucket(this.opts.commandRate, this.opts.commandRate * 2, this.opts.now);
  }

  private sweep() {
    if (this.perToken.size < 1000) return;
    for (const [key, e] of this.perToken) if (e.sockets <= 0 && e.bucket.idle()) this.perToken.delete(key);
  }
}
