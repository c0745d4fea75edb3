/**
 * The shared Redis at REDIS_URL for tests: a connection that fails loudly (these tests are never skipped), and key
 * prefixes of a test's own whose keys are deleted afterwards (SCAN + UNLINK), so runs and files can share one Redis.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, onTestFinished } from 'vitest';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis connection for tests, failing loudly (never skipping) when none answers at REDIS_URL. */
export async function testRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`These tests need a Redis at REDIS_URL=${REDIS_URL} (${(err as Error).message}); start redis-server. They are never skipped.`);
  }
  return redis;
}

/** A random prefix; `label` only tells, in a Redis left dirty by a killed run, which tests wrote the keys. */
export const newRedisPrefix = (label = 'hall-test') => `${label}:${randomBytes(6).toString('hex')}:`;

/** Every key under `prefix`, sorted. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) found.add(k);
  } while (cursor !== '0');
  return [...found].sort();
}

/** Deletes every key under `prefix`, on `redis` or on a connection of its own. */
export async function dropRedisPrefix(prefix: string, redis?: Redis): Promise<void> {
  const client = redis ?? new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = await keysUnder(client, prefix);
    for (let i = 0; i < keys.length; i += 500) await client.unlink(...keys.slice(i, i + 500));
  } finally {
    if (!redis) client.disconnect();
  }
}

/**
 * A fresh prefix for the running test, its keys deleted when the test has finished, pass or fail: after its
 * afterEach hooks, so stores those close are closed first. Call it inside a test (vitest refuses it in a hook).
 */
export function redisPrefixForTest(label?: string): string {
  const prefix = newRedisPrefix(label);
  onTestFinished(() => dropRedisPrefix(prefix));
  return prefix;
}

/**
 * For a test file on the shared Redis: a connection opened before the tests, and fresh key prefixes whose keys are
 * all deleted after them.
 */
export function useRedis(): { redis: () => Redis; prefix: () => string } {
  let redis: Redis | undefined;
  const prefixes: string[] = [];
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    for (const p of prefixes) await dropRedisPrefix(p);
    redis?.disconnect();
  });
  return {
    redis: () => {
      if (!redis) throw new Error('useRedis: Redis is not connected yet (call it inside a test)');
      return redis;
    },
    prefix: () => {
      const p = newRedisPrefix('hall-sec');
      prefixes.push(p);
      return p;
    },
  };
}
