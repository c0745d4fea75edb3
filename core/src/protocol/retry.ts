/**
 * How long a client waits before sending the same command (same commandId) again. One policy for every sender —
 * client-kit's tablets and apps, the bots — so a rehearsal with bots loads the server the way a hall of tablets does.
 */
import { RETRYABLE_CODES, type ErrorCode } from './errors.ts';

/** The first wait's ceiling; each retry after it doubles the ceiling until the code's cap. */
export const RETRY_BASE_MS = 250;
/** RATE_LIMITED: the token bucket refills at 20 a second, so waiting longer than this only slows the delegate. */
export const RATE_LIMIT_RETRY_MAX_MS = 4000;
/**
 * UNAVAILABLE, OUTCOME_UNKNOWN: an outage is over when the session's new owner serves, within two leases of the old
 * one's death; a back-off growing past a second would keep the delegate waiting well after the service is back.
 */
export const OUTAGE_RETRY_MAX_MS = 1000;

export interface BackoffOptions {
  /** The first wait's ceiling. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
  /** Uniform in [0, 1) (Math.random unless a test or a seeded run brings its own). */
  random?: () => number;
}

/**
 * The wait before retry number `retry` (1 for the first): half to all of min(maxMs, baseMs · 2^(retry−1)). Why the
 * jitter: after a restart or a Wi-Fi drop every tablet of the hall (85 in a province) is refused at the same moment;
 * with fixed delays they would all come back in the same instant, again at each step, and a node just taking the
 * session over would meet the whole hall at once.
 */
export function backoffDelayMs(retry: number, { baseMs, maxMs, random = Math.random }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(ceiling * (0.5 + random() / 2));
}

/**
 * The wait before sending a command again after the server answered `code`, for the `retry`-th time (1 for the first),
 * or null when the answer is definitive and the command must not be sent again.
 */
export function retryDelayMs(code: string, retry: number, opts: { baseMs?: number; random?: () => number } = {}): number | null {
  if (!RETRYABLE_CODES.has(code as ErrorCode)) return null;
  const maxMs = code === 'RATE_LIMITED' ? RATE_LIMIT_RETRY_MAX_MS : OUTAGE_RETRY_MAX_MS;
  return backoffDelayMs(retry, { baseMs: opts.baseMs ?? RETRY_BASE_MS, maxMs, random: opts.random });
}
