/**
 * The retry back-off (protocol/retry.ts) that client-kit and the bots both wait by: bounded by its cap, growing with
 * retries, jittered within half to all of its ceiling, and only for the codes after which a resend is safe.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RETRYABLE_CODES } from '../../src/protocol/errors.ts';
import { backoffDelayMs, OUTAGE_RETRY_MAX_MS, RATE_LIMIT_RETRY_MAX_MS, RETRY_BASE_MS, retryDelayMs } from '../../src/protocol/retry.ts';

const RUNS = { numRuns: 500 };
const retryable = fc.constantFrom(...RETRYABLE_CODES);
const capOf = (code: string) => (code === 'RATE_LIMITED' ? RATE_LIMIT_RETRY_MAX_MS : OUTAGE_RETRY_MAX_MS);
/** Numbers a `random` may return: [0, 1), its ends included. */
const unit = fc.oneof(fc.constant(0), fc.constant(1 - Number.EPSILON), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }));
const retries = fc.integer({ min: 1, max: 2000 });
const bases = fc.oneof(fc.constant(RETRY_BASE_MS), fc.integer({ min: 1, max: 10_000 }));

describe('retry back-off', () => {
  it('[RETRY-1] never waits longer than the cap of the code it answers: 1 s after an outage, 4 s after RATE_LIMITED', () => {
    fc.assert(
      fc.property(retryable, retries, bases, unit, (code, retry, baseMs, r) => {
        const delay = retryDelayMs(code, retry, { baseMs, random: () => r })!;
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(capOf(code));
      }),
      RUNS,
    );
    // The caps themselves are what the docs promise, whatever the jitter draws.
    expect(retryDelayMs('UNAVAILABLE', 50, { random: () => 1 - Number.EPSILON })).toBe(999);
    expect(retryDelayMs('OUTCOME_UNKNOWN', 50, { random: () => 1 - Number.EPSILON })).toBe(999);
    expect(retryDelayMs('RATE_LIMITED', 50, { random: () => 1 - Number.EPSILON })).toBe(3999);
  });

  it('[RETRY-2] grows with the retries (the same draw never waits less later) and doubles from the base until the cap', () => {
    fc.assert(
      fc.property(retryable, retries, bases, unit, (code, retry, baseMs, r) => {
        const random = () => r;
        expect(retryDelayMs(code, retry + 1, { baseMs, random })!).toBeGreaterThanOrEqual(retryDelayMs(code, retry, { baseMs, random })!);
      }),
      RUNS,
    );
    const ceilings = (code: string) => [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(code, n, { random: () => 1 - Number.EPSILON })! + 1);
    expect(ceilings('UNAVAILABLE')).toEqual([250, 500, 1000, 1000, 1000, 1000]);
    expect(ceilings('RATE_LIMITED')).toEqual([250, 500, 1000, 2000, 4000, 4000]);
  });

  it('[RETRY-3] jitters within half to all of the ceiling, so a hall refused at once does not come back at once', () => {
    fc.assert(
      fc.property(retries, fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), unit, (retry, baseMs, maxMs, r) => {
        const ceiling = Math.min(maxMs, baseMs * 2 ** (retry - 1));
        const delay = backoffDelayMs(retry, { baseMs, maxMs, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
      RUNS,
    );
    const draws = new Set(Array.from({ length: 50 }, () => retryDelayMs('UNAVAILABLE', 3)));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('[RETRY-4] answers null for every code that is not retryable: a definitive answer is never sent again', () => {
    for (const code of Object.values(ErrorCode)) {
      if (RETRYABLE_CODES.has(code)) expect(retryDelayMs(code, 1)).not.toBeNull();
      else expect(retryDelayMs(code, 1), code).toBeNull();
    }
    fc.assert(
      fc.property(fc.string(), retries, (code, retry) => {
        fc.pre(!RETRYABLE_CODES.has(code as never));
        expect(retryDelayMs(code, retry)).toBeNull();
      }),
      RUNS,
    );
  });
});
