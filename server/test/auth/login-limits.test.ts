/**
 * [THR] Login throttling and the HTTP rate limit as a client meets them (issue 10 item 7): one address spraying ids
 * is held back whatever X-Forwarded-For says, unless it comes from a TRUST_PROXY; an account is held back whatever
 * the address; every node of a cluster counts into the same Redis keys; the API answers 429 RATE_LIMITED past the
 * per-minute limit. The adapters' arithmetic is in throttle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE, loginHttp, PASSWORD, REDIS_URL, startTestApp, useRedis, type TestApp } from '../support/app.ts';

/** Free failures per address and per account (ADDRESS_RULE, ACCOUNT_RULE in src/auth/throttle.ts). */
const ADDRESS_FREE = 20;
const ACCOUNT_FREE = 5;

const shared = useRedis();

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
    expect(firstThrottled).toBe(ADDRESS_FREE);
    expect(answers.slice(0, ADDRESS_FREE).every((a) => a.body.code === 'AUTH_FAILED')).toBe(true);
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
      for (let i = 0; i < ADDRESS_FREE; i++) await loginHttp(app.baseUrl, 'code', `x-${i}`, '0', { 'x-forwarded-for': '198.51.100.7' });
      expect((await loginHttp(app.baseUrl, 'code', 'x-last', '0', { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
      expect((await loginHttp(app.baseUrl, 'code', 'bn-d002', CODE, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(200);
      // Five failures on one account from five addresses: the sixth address is held back all the same.
      for (let i = 0; i < ACCOUNT_FREE; i++) {
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
      for (let i = 0; i < ADDRESS_FREE; i++) await loginHttp(other.baseUrl, 'code', `y-${i}`, '0', { 'x-forwarded-for': `198.51.100.${i + 1}` });
      expect((await loginHttp(other.baseUrl, 'code', 'y-last', '0', { 'x-forwarded-for': '198.51.100.200' })).status).toBe(429);
    } finally {
      await other.close();
    }
  }, 120_000);
});

describe('in a cluster', () => {
  it('[THR-10] two nodes on one Redis share the account and address counts and the HTTP rate limit', async () => {
    const prefix = shared.prefix();
    const limits = { socketsPerToken: 8, socketsPerIp: 500, commandRate: 20, httpPerMinute: 40 };
    const a = await startTestApp({ redisUrl: REDIS_URL, redisPrefix: prefix, nodeId: 'thr-a', limits });
    const b = await startTestApp({ redisUrl: REDIS_URL, redisPrefix: prefix, nodeId: 'thr-b', limits }, { accounts: [] });
    try {
      // Failures alternate between the nodes; the sixth attempt is refused whichever node it reaches.
      for (let i = 0; i < ACCOUNT_FREE; i++) {
        expect((await loginHttp(i % 2 ? a.baseUrl : b.baseUrl, 'password', 'chutoa.bn', 'wrong')).body.code).toBe('AUTH_FAILED');
      }
      expect((await loginHttp(a.baseUrl, 'password', 'chutoa.bn', PASSWORD)).body.code).toBe('THROTTLED');
      expect((await loginHttp(b.baseUrl, 'password', 'chutoa.bn', PASSWORD)).body.code).toBe('THROTTLED');
      expect(await shared.redis().exists(`${prefix}throttle:a:chutoa.bn`)).toBe(1);
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
