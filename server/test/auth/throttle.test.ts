/**
 * [THR] The login throttle's port (issue 10 item 7): both adapters — this process's memory and Redis — pass one
 * contract: free failures, then a wait that doubles up to a cap; several keys checked and counted together; a
 * success forgets the account; bursts cannot slip past; failures forgiven over time. What a client meets over HTTP
 * is in login-limits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_RULE, ProcessThrottle, RedisThrottle, type LoginThrottle, type ThrottleRule } from '../../src/auth/throttle.ts';
import { addressKey } from '../../src/auth/service.ts';
import { useRedis } from '../support/app.ts';

const RULE: ThrottleRule = { free: 3, baseMs: 10_000, capMs: 40_000, forgiveMs: 60_000 };
const T0 = Date.UTC(2028, 11, 8, 7, 30, 0);

const shared = useRedis();
const redisPrefix = shared.prefix;

function throttleContract(name: string, make: () => LoginThrottle) {
  describe(`LoginThrottle contract: ${name}`, () => {
    it(`[THR-1 ${name}] free failures, then a wait that doubles up to the cap; a refusal counts nothing`, async () => {
      const t = make();
      const k = [{ key: 'a:x', rule: RULE }];
      for (let i = 0; i < RULE.free; i++) expect(await t.reserve(k, T0)).toEqual({ ok: true });
      expect(await t.reserve(k, T0 + 1000)).toEqual({ ok: false, retryAfterMs: 9000, key: 'a:x' });
      expect(await t.reserve(k, T0 + 9999)).toMatchObject({ ok: false, retryAfterMs: 1 });
      expect(await t.reserve(k, T0 + 10_000)).toEqual({ ok: true });
      expect(await t.reserve(k, T0 + 10_000)).toEqual({ ok: false, retryAfterMs: 20_000, key: 'a:x' });
      expect(await t.reserve(k, T0 + 30_000)).toEqual({ ok: true });
      expect(await t.reserve(k, T0 + 30_000)).toMatchObject({ ok: false, retryAfterMs: 40_000 });
      expect(await t.reserve(k, T0 + 70_000)).toEqual({ ok: true });
      // Capped: 40 s again, not 80 s.
      expect(await t.reserve(k, T0 + 70_000)).toMatchObject({ ok: false, retryAfterMs: 40_000 });
    });

    it(`[THR-2 ${name}] several keys: held back by any, counted on all or none`, async () => {
      const t = make();
      const a = { key: 'a:y', rule: RULE };
      const ip = { key: 'ip:1', rule: { ...RULE, free: 5 } };
      for (let i = 0; i < 3; i++) expect(await t.reserve([a, ip], T0)).toEqual({ ok: true });
      expect(await t.reserve([a, ip], T0)).toMatchObject({ ok: false, key: 'a:y' });
      // The refusal did not count on the address: two more attempts on other accounts pass, the third is held back.
      expect(await t.reserve([{ key: 'a:z1', rule: RULE }, ip], T0)).toEqual({ ok: true });
      expect(await t.reserve([{ key: 'a:z2', rule: RULE }, ip], T0)).toEqual({ ok: true });
      expect(await t.reserve([{ key: 'a:z3', rule: RULE }, ip], T0)).toMatchObject({ ok: false, key: 'ip:1' });
    });

    it(`[THR-3 ${name}] a success forgets the account and gives the address its attempt back`, async () => {
      const t = make();
      const a = { key: 'a:s', rule: RULE };
      const ip = { key: 'ip:2', rule: RULE };
      await t.reserve([a, ip], T0);
      await t.reserve([a, ip], T0);
      await t.reserve([a, ip], T0);
      await t.succeeded(['a:s'], ['ip:2']);
      // Address: 2 failures left, one free attempt; account: clean.
      expect(await t.reserve([a], T0)).toEqual({ ok: true });
      expect(await t.reserve([{ key: 'a:other', rule: RULE }, ip], T0)).toEqual({ ok: true });
      expect(await t.reserve([{ key: 'a:other2', rule: RULE }, ip], T0)).toMatchObject({ ok: false, key: 'ip:2' });
      await t.succeeded([], ['ip:never-seen']); // releasing an unknown key creates nothing
      expect(await t.reserve([{ key: 'ip:never-seen', rule: { ...RULE, free: 1 } }], T0)).toEqual({ ok: true });
      expect((await t.reserve([{ key: 'ip:never-seen', rule: { ...RULE, free: 1 } }], T0)).ok).toBe(false);
    });

    it(`[THR-4 ${name}] fifty attempts at once: exactly the free ones pass`, async () => {
      const t = make();
      const k = [{ key: 'a:burst', rule: RULE }];
      const results = await Promise.all(Array.from({ length: 50 }, () => t.reserve(k, T0)));
      expect(results.filter((r) => r.ok)).toHaveLength(RULE.free);
    });

    it(`[THR-5 ${name}] one failure is forgiven per forgiveMs of quiet, which shortens the next wait`, async () => {
      const t = make();
      const k = [{ key: 'a:f', rule: RULE }];
      for (let i = 0; i < 3; i++) await t.reserve(k, T0);
      expect(await t.reserve(k, T0 + 10_000)).toEqual({ ok: true }); // 4 failures
      const later = T0 + 10_000 + 2 * RULE.forgiveMs; // two forgiven: 2, then this attempt makes 3
      expect(await t.reserve(k, later)).toEqual({ ok: true });
      // Unforgiven, 5 failures would mean a 40 s wait; with 3 it is the first step, 10 s.
      expect(await t.reserve(k, later)).toEqual({ ok: false, retryAfterMs: 10_000, key: 'a:f' });
    });
  });
}

throttleContract('process', () => new ProcessThrottle());
throttleContract('redis', () => new RedisThrottle(shared.redis(), redisPrefix()));

describe('RedisThrottle', () => {
  it('[THR-6] keeps its counters under the installation prefix, expiring', async () => {
    const prefix = redisPrefix();
    await new RedisThrottle(shared.redis(), prefix).reserve([{ key: 'a:bn-d001', rule: ACCOUNT_RULE }], Date.now());
    const ttl = await shared.redis().pttl(`${prefix}throttle:a:bn-d001`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ACCOUNT_RULE.forgiveMs + ACCOUNT_RULE.capMs);
  });
});

describe('address keys', () => {
  it('[THR-7] IPv6 clients are counted per /64; IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:10.0.0.1')).toBe(addressKey('10.0.0.1'));
    expect(addressKey('::1')).toBe('ip:0:0:0:0::/64');
  });
});
