/**
 * A `HALL_CORES=2` server on a private Redis, as the CORES and ROUTE tests start it: a primary with two workers whose
 * node ids are fixed, so where each demo session is placed is known in advance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { workerNodeId } from '../../src/cores.ts';
import { freePort, ServerProcess } from './hall.ts';
import { RedisProcess } from './redis-process.ts';

/** With this machine name the two demo sessions are placed on different workers (rendezvous hashing of their ids). */
export const CORES_MACHINE = 'multi';
export const CORES_WORKERS = [workerNodeId(CORES_MACHINE, 1), workerNodeId(CORES_MACHINE, 2)];
/** A primary and two workers booting on a loaded machine. */
export const CORES_BOOT_MS = 240_000;

export interface CoresHall {
  server: ServerProcess;
  /** A plain connection to the private Redis, for reading leases. */
  admin: Redis;
  /** The node id holding a session's lease, or null. */
  holderOf(sessionId: string): Promise<string | null>;
  /** Stops the server, Redis and removes the data directory; safe to call twice. */
  stop(): Promise<void>;
}

export async function startCoresHall(prefix: string, env: Record<string, string> = {}): Promise<CoresHall> {
  const redis = await RedisProcess.create();
  await redis.start();
  const admin = new Redis(redis.url);
  const dir = await mkdtemp(path.join(tmpdir(), 'hall-cores-'));
  const server = new ServerProcess(path.join(dir, 'data'), await freePort(), {
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    HALL_CORES: '2',
    NODE_ID: CORES_MACHINE,
    HALL_LEASE_MS: '2000',
    ...env,
  });
  const hall: CoresHall = {
    server,
    admin,
    holderOf: async (sessionId) => (await admin.get(`${prefix}lease:${sessionId}`))?.split(':')[0] ?? null,
    stop: async () => {
      await server.stop();
      admin.disconnect();
      await redis.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start(CORES_BOOT_MS);
  } catch (err) {
    await hall.stop();
    throw err;
  }
  return hall;
}

/** The pid of each worker as the primary announced it (the latest start of each). */
export function workerPids(output: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const m of output.matchAll(/worker \d+ \(([^)]+)\) started, pid (\d+)/g)) pids.set(m[1]!, Number(m[2]));
  return pids;
}
