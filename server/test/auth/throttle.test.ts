/**
 * [THR] Login throttling (issue 10 item 7): per account across addresses with a doubling wait, per address across
 * accounts, X-Forwarded-For believed only from TRUST_PROXY, one shared count for every node through Redis; and the
 * global HTTP rate limit (429 RATE_LIMITED with Retry-After), shared through Redis too.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_RULE, ADDRESS_RULE, ProcessThrottle, RedisThrottle, type LoginThrottle, type ThrottleRule } from '../../src/auth/throttle.ts';
import { addressKey } from '../../src/auth/service.ts';
import { CODE, dropRedisPrefix, loginHttp, newRedisPrefix, PASSWORD, startTestApp, testRedis, type TestApp } from '../support/app.ts';

const RULE: ThrottleRule = { free: 3, baseMs: 10_000, capMs: 40_000, forgiveMs: 60_000 };
const T0 = Date.UTC(2028, 11, 8, 7, 30, 0);

let redis: Redis;
const prefixes: string[] = [];
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  for (const p of prefixes) await dropRedisPrefix(p);
  redis?.disconnect();
});
const redisPrefix = () => {
  const p = newRedisPrefix();
  prefixes.push(p);
  return p;
};

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
throttleContract('redis', () => new RedisThrottle(redis, redisPrefix()));

describe('RedisThrottle', () => {
  it('[THR-6] keeps its counters under the installation prefix, expiring', async () => {
    const prefix = redisPrefix();
    await new RedisThrottle(redis, prefix).reserve([{ key: 'a:bn-d001', rule: ACCOUNT_RULE }], Date.now());
    const ttl = await redis.pttl(`${prefix}throttle:a:bn-d001`);
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

describe('login throttling over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  it('[THR-8] rotating X-Forwarded-For gains nothing without TRUST_PROXY: one address spraying ids is held back after 20 failures', async () => {
    const answers = [];
    for (let i = 0; i < 30; i++) {
      const id = `bn-d${String(100 + i).padStart(3, '0')}`;
      answers.push(await loginHttp(app.baseUrl, 'code', id, '000000', { 'x-forwarded-for': `203.0.113.${i + 1}` }));
    }
    const firstThrottled = answers.findIndex((a) => a.status === 429);
    expect(firstThrottled).toBe(ADDRESS_RULE.free);
    expect(answers.slice(0, ADDRESS_RULE.free).every((a) => a.body.code === 'AUTH_FAILED')).toBe(true);
    const held = answers[firstThrottled]!;
    // 60 s from the 20th failure (a second less when that failure's hashing took over a second on a busy machine).
    expect(held.body).toMatchObject({ ok: false, code: 'THROTTLED' });
    expect(held.body.retryAfterSec).toBeGreaterThan(50);
    expect(held.body.retryAfterSec).toBeLessThanOrEqual(60);
    expect(held.body.message).toMatch(/từ mạng này/);
    expect(held.headers.get('retry-after')).toBe(String(held.body.retryAfterSec));
    // Every later attempt is held back too — also the right code of a real account, from this address.
    expect(answers.slice(firstThrottled).every((a) => a.status === 429)).toBe(true);
    expect((await loginHttp(app.baseUrl, 'code', 'bn-d001', CODE)).status).toBe(429);
  }, 120_000);
});

describe('TRUST_PROXY', () => {
  it('[THR-9] X-Forwarded-For is believed from a listed proxy only; the account count holds whatever the address', async () => {
    const app = await startTestApp({ trustProxy: ['127.0.0.1'] });
    try {
      // Through the trusted proxy (127.0.0.1 is the TCP peer here): two clients behind it are counted apart.
      for (let i = 0; i < ADDRESS_RULE.free; i++) await loginHttp(app.baseUrl, 'code', `x-${i}`, '0', { 'x-forwarded-for': '198.51.100.7' });
      expect((await loginHttp(app.baseUrl, 'code', 'x-last', '0', { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
      expect((await loginHttp(app.baseUrl, 'code', 'bn-d002', CODE, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(200);
      // Five failures on one account from five addresses: the sixth address is held back all the same.
      for (let i = 0; i < ACCOUNT_RULE.free; i++) {
        expect((await loginHttp(app.baseUrl, 'code', 'bn-d001', '000000', { 'x-forwarded-for': `192.0.2.${i + 1}` })).body.code).toBe('AUTH_FAILED');
      }
      const r = await loginHttp(app.baseUrl, 'code', 'bn-d001', CODE, { 'x-forwarded-for': '192.0.2.99' });
      expect(r.body).toMatchObject({ code: 'THROTTLED' });
      expect(r.body.retryAfterSec).toBeGreaterThan(20);
      expect(r.body.retryAfterSec).toBeLessThanOrEqual(30);
    } finally {
      await app.close();
    }
    // An address that is not a listed proxy: its X-Forwarded-For is ignored.
    const other = await startTestApp({ trustProxy: ['10.9.9.9'] });
    try {
      for (let i = 0; i < ADDRESS_RULE.free; i++) await loginHttp(other.baseUrl, 'code', `y-${i}`, '0', { 'x-forwarded-for': `198.51.100.${i + 1}` });
      expect((await loginHttp(other.baseUrl, 'code', 'y-last', '0', { 'x-forwarded-for': '198.51.100.200' })).status).toBe(429);
    } finally {
      await other.close();
    }
  }, 120_000);
});

describe('in a cluster', () => {
  it('[THR-10] two nodes on one Redis share the account and address counts and the HTTP rate limit', async () => {
    const prefix = redisPrefix();
    const limits = { socketsPerToken: 8, socketsPerIp: 500, commandRate: 20, httpPerMinute: 40 };
    const a = await startTestApp({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', redisPrefix: prefix, nodeId: 'thr-a', limits });
    const b = await startTestApp({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', redisPrefix: prefix, nodeId: 'thr-b', limits }, { accounts: [] });
    try {
      // Failures alternate between the nodes; the sixth attempt is refused whichever node it reaches.
      for (let i = 0; i < ACCOUNT_RULE.free; i++) {
        expect((await loginHttp(i % 2 ? a.baseUrl : b.baseUrl, 'password', 'chutoa.bn', 'wrong')).body.code).toBe('AUTH_FAILED');
      }
      expect((await loginHttp(a.baseUrl, 'password', 'chutoa.bn', PASSWORD)).body.code).toBe('THROTTLED');
      expect((await loginHttp(b.baseUrl, 'password', 'chutoa.bn', PASSWORD)).body.code).toBe('THROTTLED');
      expect(await redis.exists(`${prefix}throttle:a:chutoa.bn`)).toBe(1);
      // The HTTP limit: 40 API requests a minute from this address, wherever they land.
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) statuses.push((await fetch(`${i % 2 ? a.baseUrl : b.baseUrl}/api/sessions`)).status);
      const first429 = statuses.indexOf(429);
      // The logins above counted too (7 requests), so the limit is met before the 40th GET.
      expect(first429).toBeGreaterThan(0);
      expect(first429).toBeLessThanOrEqual(40 - 7);
      expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);
});

describe('HTTP rate limit', () => {
  it('[THR-11] the API answers 429 RATE_LIMITED (Vietnamese, Retry-After) past the per-minute limit; static pages and /healthz are not counted', async () => {
    const app = await startTestApp({ limits: { socketsPerToken: 8, socketsPerIp: 500, commandRate: 20, httpPerMinute: 10 } });
    try {
      for (let i = 0; i < 10; i++) expect((await fetch(`${app.baseUrl}/api/sessions`)).status).toBe(200);
      const res = await fetch(`${app.baseUrl}/api/sessions`);
      expect(res.status).toBe(429);
      expect(await res.json()).toEqual({ ok: false, code: 'RATE_LIMITED', message: 'Thao tác quá nhanh, vui lòng thử lại sau giây lát' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) {
        expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
        expect((await fetch(`${app.baseUrl}/`)).status).toBe(200);
      }
    } finally {
      await app.close();
    }
  }, 120_000);
});
