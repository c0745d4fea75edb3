/**
 * Test support for security tests: a complete Config without reading the environment, an app built from it
 * (embedded files in a temp dir, or Redis in cluster mode with a random prefix), a few accounts with known secrets
 * hashed once, and Redis key clean-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp, type BuildOptions, type Hall } from '../../src/app.ts';
import { DEFAULT_LIMITS, type Config } from '../../src/config.ts';
import { hashSecret } from '../../src/auth/secrets.ts';
import type { Account } from '../../src/store/types.ts';

// The Redis helpers live in ./redis.ts (store tests need them without building an app); re-exported for the app's tests.
export { REDIS_URL, dropRedisPrefix, newRedisPrefix, testRedis, useRedis } from './redis.ts';

export const PASSWORD = 'test-pass-123';
export const CODE = '424242';

export function testConfig(dataDir: string, over: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    redisUrl: undefined,
    tokenSecret: 'security-test-token-secret-0123456789abc',
    tokenSecretSource: 'env',
    ballotSecret: 'security-test-ballot-secret-0123456789ab',
    ballotSecretSource: 'env',
    tokenTtlSec: 3600,
    demo: false,
    seed: false,
    snapshotEvery: 50,
    tabletProgressMs: 1000,
    progressPushesPerSec: 5000,
    roomIdleMs: 10 * 60_000,
    logLevel: 'silent',
    publicUrl: undefined,
    mediaBackend: 'werift',
    nodeId: `node-${randomBytes(3).toString('hex')}`,
    leaseMs: 5000,
    cores: 1,
    redisPrefix: 'hall:',
    redisNewStore: false,
    trustProxy: [],
    limits: DEFAULT_LIMITS,
    warnings: [],
    ...over,
  };
}

let hashes: Promise<{ password: string; code: string }> | null = null;
const hashed = () => (hashes ??= Promise.all([hashSecret(PASSWORD), hashSecret(CODE)]).then(([password, code]) => ({ password, code })));

/** An admin, the chair and secretary of `bac-ninh`, and delegates bn-d001…bn-d00n (their code is CODE). */
export async function testAccounts(delegates = 3): Promise<Account[]> {
  const { password, code } = await hashed();
  return [
    { id: 'admin', role: 'admin', displayName: 'Quản trị', councilIds: [], secretHash: password },
    { id: 'chutoa.bn', role: 'chair', displayName: 'Chủ tọa', councilIds: ['bac-ninh'], secretHash: password },
    { id: 'thuky.bn', role: 'secretary', displayName: 'Thư ký', councilIds: ['bac-ninh'], secretHash: password },
    ...Array.from({ length: delegates }, (_, i): Account => {
      const id = `bn-d${String(i + 1).padStart(3, '0')}`;
      return { id, role: 'delegate', displayName: `Đại biểu ${i + 1}`, councilIds: ['bac-ninh'], delegateId: id, secretHash: code };
    }),
  ];
}

export interface TestApp {
  hall: Hall;
  baseUrl: string;
  close(): Promise<void>;
}

/** Builds and listens (127.0.0.1, port 0). `redisPrefix` set = cluster mode on REDIS_URL under that prefix. */
export async function startTestApp(over: Partial<Config> = {}, options: BuildOptions & { accounts?: Account[] } = {}): Promise<TestApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hall-sec-'));
  const hall = await buildApp(testConfig(path.join(dir, 'data'), over), { logger: false, ...options });
  for (const a of options.accounts ?? (await testAccounts())) await hall.store.catalog.putAccount(a);
  await hall.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    hall,
    baseUrl: `http://127.0.0.1:${(hall.app.server.address() as AddressInfo).port}`,
    async close() {
      await hall.app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function loginHttp(baseUrl: string, kind: 'password' | 'code', id: string, secret: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ kind, id, secret }) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { ok: boolean; token?: string; code?: string; message?: string; retryAfterSec?: number; claims?: Record<string, unknown> } };
}
