/**
 * Login throttling (README "Sign-in limits"): failed attempts are counted per account — from every address — and
 * per client address — over every account —, and past a few free failures each further attempt waits twice as
 * long as the one before. A port with two adapters: this process's memory (embedded store: one process) and Redis
 * (cluster: every node counts into the same keys, so an attacker gains nothing by spreading over nodes).
 *
 * Attempts are reserved before the secret is checked (scrypt takes tens of milliseconds): fifty attempts fired at
 * once see each other's reservations instead of all passing an empty counter. A success gives its reservation back
 * and, for the account, forgets the failures; a refusal counts nothing, so a person who keeps retrying is not
 * pushed further out.
 */
import type { Redis } from 'ioredis';

export interface ThrottleRule {
  /** Failures allowed before attempts are held back. */
  free: number;
  /** Wait after the first failure beyond `free`; doubles with every further one. */
  baseMs: number;
  /** Longest wait. */
  capMs: number;
  /** One failure is forgiven per this much time without a new one. */
  forgiveMs: number;
}

/** Per account, from any address: 5 free failures, then 30 s, 60 s, 120 s … up to 30 min between attempts. */
export const ACCOUNT_RULE: ThrottleRule = { free: 5, baseMs: 30_000, capMs: 30 * 60_000, forgiveMs: 30 * 60_000 };
/**
 * Per client address, over all accounts: 20 free failures (a hall of tablets behind one NAT mistypes codes now and
 * then; one failure is forgiven every 3 minutes), then 60 s, 120 s … up to 15 min.
 */
export const ADDRESS_RULE: ThrottleRule = { free: 20, baseMs: 60_000, capMs: 15 * 60_000, forgiveMs: 3 * 60_000 };

export interface ThrottleKey {
  key: string;
  rule: ThrottleRule;
}

export type ThrottleVerdict = { ok: true } | { ok: false; retryAfterMs: number; key: string };

export interface LoginThrottle {
  /** Counts one attempt against every key, unless one of them is holding attempts back: then nothing is counted. */
  reserve(keys: readonly ThrottleKey[], now: number): Promise<ThrottleVerdict>;
  /** The attempt succeeded: `forget` keys drop their failures, `release` keys get the reserved attempt back. */
  succeeded(forget: readonly string[], release: readonly string[]): Promise<void>;
}

interface Counter {
  count: number;
  last: number;
}

/** The counter after forgiving the failures that time has paid for. Shared by both adapters' arithmetic. */
export function decayed(c: Counter, rule: ThrottleRule, now: number): number {
  const forgiven = Math.floor(Math.max(0, now - c.last) / rule.forgiveMs);
  return Math.max(0, c.count - forgiven);
}

/** Milliseconds until the next attempt is allowed, 0 when it is allowed now. */
export function waitMs(c: Counter, rule: ThrottleRule, now: number): number {
  const count = decayed(c, rule, now);
  if (count < rule.free) return 0;
  const wait = Math.min(rule.capMs, rule.baseMs * 2 ** Math.min(30, count - rule.free));
  return Math.max(0, c.last + wait - now);
}

/** How long a counter matters: until every failure is forgiven and any wait has passed. */
const lifetimeMs = (count: number, rule: ThrottleRule) => count * rule.forgiveMs + rule.capMs;

/** A bound so that a flood of made-up ids cannot grow the heap without limit. */
const MAX_COUNTERS = 100_000;

export class ProcessThrottle implements LoginThrottle {
  private readonly counters = new Map<string, Counter & { until: number }>();

  async reserve(keys: readonly ThrottleKey[], now: number): Promise<ThrottleVerdict> {
    // Checked and counted without an await in between, so concurrent attempts cannot interleave.
    for (const { key, rule } of keys) {
      const c = this.counters.get(key);
      const wait = c ? waitMs(c, rule, now) : 0;
      if (wait > 0) return { ok: false, retryAfterMs: wait, key };
    }
    for (const { key, rule } of keys) {
      const c = this.counters.get(key);
      const count = (c ? decayed(c, rule, now) : 0) + 1;
      this.counters.delete(key); // re-inserted last: Map order is then least recently used first, for pruning
      this.counters.set(key, { count, last: now, until: now + lifetimeMs(count, rule) });
    }
    this.prune(now);
    return { ok: true };
  }

  async succeeded(forget: readonly string[], release: readonly string[]): Promise<void> {
    for (const key of forget) this.counters.delete(key);
    for (const key of release) {
      const c = this.counters.get(key);
      if (c) c.count = Math.max(0, c.count - 1);
    }
  }

  private prune(now: number) {
    if (this.counters.size <= MAX_COUNTERS) return;
    for (const [key, c] of this.counters) if (c.until <= now) this.counters.delete(key);
    for (const key of this.counters.keys()) {
      if (this.counters.size <= MAX_COUNTERS) break;
      this.counters.delete(key);
    }
  }
}

/**
 * KEYS: the counters (HASH {count, last}). ARGV[1] now; then per key: free, baseMs, capMs, forgiveMs.
 * Same arithmetic as `decayed`/`waitMs`; checks every key before writing any, so a refusal counts nothing.
 * Replies {1} when counted, {0, waitMs, index} when held back.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local counts = {}
for i, key in ipairs(KEYS) do
  local base = 1 + (i - 1) * 4
  local free, baseMs, capMs, forgive = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
  local c = redis.call('HMGET', key, 'count', 'last')
  local count, last = tonumber(c[1]) or 0, tonumber(c[2]) or now
  count = math.max(0, count - math.floor(math.max(0, now - last) / forgive))
  if count >= free then
    local wait = math.min(capMs, baseMs * 2 ^ math.min(30, count - free))
    local left = last + wait - now
    if left > 0 then return {0, math.ceil(left), i} end
  end
  counts[i] = count
end
for i, key in ipairs(KEYS) do
  local base = 1 + (i - 1) * 4
  local capMs, forgive = tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
  local count = counts[i] + 1
  redis.call('HSET', key, 'count', count, 'last', now)
  redis.call('PEXPIRE', key, math.ceil(count * forgive + capMs))
end
return {1}
`;

/** KEYS[1..forget] are deleted; the rest get one attempt back (never below zero, never recreated). ARGV[1] = #forget. */
const SUCCEEDED = `
local forget = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  if i <= forget then
    redis.call('DEL', key)
  elseif redis.call('EXISTS', key) == 1 and redis.call('HINCRBY', key, 'count', -1) < 0 then
    redis.call('HSET', key, 'count', 0)
  end
end
return 1
`;

export class RedisThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    /** The installation's key prefix (REDIS_PREFIX); counters live under `<prefix>throttle:`. */
    private readonly prefix: string,
  ) {}

  private name(key: string) {
    return `${this.prefix}throttle:${key}`;
  }

  async reserve(keys: readonly ThrottleKey[], now: number): Promise<ThrottleVerdict> {
    const args = [String(now), ...keys.flatMap(({ rule }) => [rule.free, rule.baseMs, rule.capMs, rule.forgiveMs].map(String))];
    const reply = (await this.redis.eval(RESERVE, keys.length, ...keys.map((k) => this.name(k.key)), ...args)) as number[];
    if (reply[0] === 1) return { ok: true };
    return { ok: false, retryAfterMs: Number(reply[1]), key: keys[Number(reply[2]) - 1]!.key };
  }

  async succeeded(forget: readonly string[], release: readonly string[]): Promise<void> {
    const names = [...forget, ...release].map((k) => this.name(k));
    if (names.length) await this.redis.eval(SUCCEEDED, names.length, ...names, String(forget.length));
  }
}
