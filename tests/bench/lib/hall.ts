/**
 * The server under test: a store prepared (and seeded) directly through the storage port before the server starts,
 * then `node --import tsx server/src/main.ts` on it as a separate process. Works for both adapters: embedded (a temp
 * DATA_DIR) and Redis (a unique REDIS_PREFIX, whose keys are deleted at the end).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import type { AgendaItem } from '@hall/core';
import { openEmbeddedStore } from '../../../server/src/store/embedded.ts';
import { openRedisStore } from '../../../server/src/store/redis.ts';
import type { Account, SessionRecord, Store } from '../../../server/src/store/types.ts';
import { demoAccounts, seedDemo } from '../../../server/src/seed/demo.ts';
import { loadIoRedis, repoRoot } from './deps.ts';
import { onCleanup, Proc, tempDir } from './proc.ts';

export type StoreKind = 'embedded' | 'redis';

export const SECRETS = { HALL_TOKEN_SECRET: 't'.repeat(40), HALL_BALLOT_SECRET: 'b'.repeat(40) };
export const COUNCIL = 'bac-ninh';
export const CHAIR = { id: 'chutoa.bn', password: 'demo123' };
export const BENCH_ITEM: AgendaItem = { id: 'bench-item', title: 'Biểu quyết thử tải / load-test motion', kind: 'resolution', documents: [] };
export const benchSessionId = (i: number) => `bench-${i}`;

export function benchSession(i: number): SessionRecord {
  return { id: benchSessionId(i), councilId: COUNCIL, title: `Phiên thử tải ${i} / bench session ${i}`, date: '2028-12-08', agenda: [BENCH_ITEM], status: 'scheduled' };
}

export const DELEGATES = Array.from({ length: 85 }, (_, i) => `bn-d${String(i + 1).padStart(3, '0')}`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

let accounts: Promise<Account[]> | null = null;
/** The demo accounts, scrypt-hashed once per bench run (hashing is the slow part of seeding). */
const hashedAccounts = () => (accounts ??= demoAccounts());

/** Hashes the demo accounts now (before anything is measured), so seeding later costs no CPU. */
export async function hashAccounts(): Promise<void> {
  await hashedAccounts();
}

/** A fresh, seeded store location for one server: the env that points a server at it, and a way to open it here. */
export interface BenchStore {
  kind: StoreKind;
  env: Record<string, string>;
  /** Opens the store in this process (only while no server runs on it). */
  open(): Promise<Store>;
}

export async function prepareStore(kind: StoreKind, label: string, redisUrl: string, sessions: number): Promise<BenchStore> {
  let bench: BenchStore;
  if (kind === 'embedded') {
    const dataDir = path.join(await tempDir(label), 'data');
    bench = { kind, env: { DATA_DIR: dataDir }, open: () => openEmbeddedStore(dataDir, { log: () => undefined }) };
  } else {
    const prefix = `hallbench:${label}:${randomBytes(4).toString('hex')}:`;
    // The server still wants a DATA_DIR: the token secret is in env, so only the Redis store's name is kept there.
    const dataDir = path.join(await tempDir(label), 'data');
    bench = { kind, env: { DATA_DIR: dataDir, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, NODE_ID: `bench-${label}` }, open: () => openRedisStore(redisUrl, { prefix, log: () => undefined }) };
    onCleanup(`redis keys ${prefix}*`, () => deleteRedisKeys(redisUrl, prefix));
  }
  const store = await bench.open();
  try {
    for (const a of await hashedAccounts()) await store.catalog.putAccount(a);
    await seedDemo(store); // finds the accounts, hashes nothing, writes councils and demo sessions
    for (let i = 1; i <= sessions; i++) await store.catalog.putSession(benchSession(i));
  } finally {
    await store.close();
  }
  return bench;
}

export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const Redis = loadIoRedis();
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = (await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)) as [string, string[]];
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface AppServer {
  proc: Proc;
  baseUrl: string;
  port: number;
  readyMs: number;
}

/** Starts the real server on a prepared store; resolves once /healthz answers. */
export async function startApp(store: BenchStore, name: string, extraEnv: Record<string, string> = {}, fixedPort?: number): Promise<AppServer> {
  const port = fixedPort ?? (await freePort());
  const env = {
    ...SECRETS,
    ...store.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    HALL_DEMO: '1',
    LOG_LEVEL: 'warn',
    // The generators stand for whole provinces from one address, and one delegate's token sits in every bench
    // session at once (S sockets, S ballots in one storm): far beyond what one hall's limits allow on purpose.
    HALL_MAX_SOCKETS_PER_TOKEN: '100000',
    HALL_MAX_SOCKETS_PER_IP: '1000000',
    HALL_COMMAND_RATE: '1000000',
    HALL_HTTP_RATE: '100000000',
    ...extraEnv,
  };
  const { proc, readyMs } = await Proc.start({ name, script: path.join(repoRoot, 'server/src/main.ts'), env, readyUrl: `http://127.0.0.1:${port}/healthz` });
  return { proc, baseUrl: `http://127.0.0.1:${port}`, port, readyMs };
}

export async function login(baseUrl: string, kind: 'password' | 'code', id: string, secret: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind, id, secret }) });
  const body = (await res.json()) as { ok: boolean; token?: string; message?: string };
  if (!body.ok || !body.token) throw new Error(`login ${id}: ${res.status} ${body.message ?? ''}`);
  return body.token;
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
