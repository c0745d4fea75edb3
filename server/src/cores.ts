/**
 * HALL_CORES: one machine, several server processes (docs/cluster.md, "Every core of one machine"). The primary
 * process owns the port and nothing else: it seeds once, then forks one worker per core, each a full cluster node on
 * REDIS_URL (its own NODE_ID, leases, fencing and forwarding exactly as between machines). Connections are handed to
 * the workers by @socket.io/sticky: a Socket.IO connection that started on a worker keeps reaching it (long-polling
 * carries its sid), new ones go to the worker with the fewest clients. Sessions spread over the workers by
 * rendezvous placement (cluster.ts); a worker that dies is forked again, and its sessions move by their leases.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import { setupMaster } from '@socket.io/sticky';
import type { Config } from './config.ts';
import { openStore } from './store/open.ts';
import { seedDemo } from './seed/demo.ts';
import { seedProvince } from './seed/province.ts';
import { startupBanner } from './banner.ts';
import type { Store } from './store/types.ts';

/** Messages a worker sends the primary. */
export const WORKER_READY = 'hall:ready';

/** A worker that dies sooner than this after its start counts as a crash loop: its next start waits longer. */
const STEADY_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** How long shutdown waits for the workers to close their sessions before killing them. */
const SHUTDOWN_GRACE_MS = 20_000;

type StickyWorker = Worker & { clientsCount?: number };
const busy = (worker: Worker) => ((worker as StickyWorker).clientsCount = Number.MAX_SAFE_INTEGER);

const say = (line: string) => console.log(`[hall primary ${process.pid}] ${line}`);

/** The seed, once for the whole machine (every worker would otherwise race to write it). */
export async function seedOnce(config: Config, store: Store, log: (line: string) => void): Promise<void> {
  if (config.seed === 'province') {
    const started = performance.now();
    const { seeded } = await seedProvince(store);
    if (seeded) log(`province seeded: ${seeded} communes in ${Math.round(performance.now() - started)} ms`);
  } else if (config.seed) {
    const { seeded } = await seedDemo(store);
    if (seeded) log('demo councils seeded');
  }
}

/** A worker's node id: the machine's NODE_ID (or random one) and the worker's index, the same across its restarts. */
export const workerNodeId = (base: string, index: number) => `${base.slice(0, 36)}-c${index}`;

export async function runPrimary(config: Config): Promise<void> {
  for (const w of config.warnings) say(`warning: ${w}`);
  const store = await openStore(config);
  let sessions;
  try {
    await seedOnce(config, store, say);
    sessions = await store.catalog.listSessions();
  } finally {
    await store.close();
  }

  const server = createServer();
  setupMaster(server, { loadBalancingMethod: 'least-connection' });

  // The first chunk of each connection travels to its worker as a Buffer, which JSON serialization would mangle.
  cluster.setupPrimary({ serialization: 'advanced' });
  let shuttingDown = false;
  const indexOf = new Map<Worker, number>();
  const startedAt = new Map<number, number>();
  const quickDeaths = new Map<number, number>();
  const fork = (index: number) => {
    // The primary seeded already; each worker is one cluster node with a stable name.
    const worker = cluster.fork({ NODE_ID: workerNodeId(config.nodeId, index), HALL_SEED: '0', HALL_CORE_INDEX: String(index) });
    // @socket.io/sticky (2.0.1, pinned) gives a new connection to the worker with the lowest clientsCount. A worker
    // still booting cannot take one (it would be dropped), so it counts as full until it says it is ready.
    busy(worker);
    indexOf.set(worker, index);
    startedAt.set(index, Date.now());
    say(`worker ${index} (${workerNodeId(config.nodeId, index)}) started, pid ${worker.process.pid}`);
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    const index = indexOf.get(worker);
    indexOf.delete(worker);
    if (shuttingDown || index === undefined) return;
    const lived = Date.now() - (startedAt.get(index) ?? 0);
    const deaths = lived < STEADY_MS ? (quickDeaths.get(index) ?? 0) + 1 : 0;
    quickDeaths.set(index, deaths);
    const delay = deaths ? Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (deaths - 1)) : 0;
    say(`worker ${index} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting it again${delay ? ` in ${delay} ms` : ''}; its sessions move to the other workers by their leases`);
    setTimeout(() => {
      if (!shuttingDown) fork(index);
    }, delay).unref();
  });

  const ready = new Set<number>();
  const allReady = new Promise<void>((resolve) => {
    cluster.on('message', (worker, message: unknown) => {
      if ((message as { type?: string })?.type !== WORKER_READY) return;
      const index = indexOf.get(worker);
      (worker as StickyWorker).clientsCount = 0;
      if (index !== undefined) ready.add(index);
      if (ready.size === config.cores) resolve();
    });
  });
  for (let i = 1; i <= config.cores; i++) fork(i);

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`${signal}: stopping ${indexOf.size} workers`);
    server.close();
    const workers = [...indexOf.keys()];
    const exited = Promise.all(workers.map((w) => (w.isDead() ? null : new Promise((r) => w.once('exit', r)))));
    for (const w of workers) w.process.kill('SIGTERM');
    const grace = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, SHUTDOWN_GRACE_MS);
    await exited;
    clearTimeout(grace);
    process.exit(0);
  };
  // Ctrl-C reaches the whole process group (the workers too) and again through pnpm: one shutdown, later ones ignored.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await allReady;
  // Only now: a connection accepted earlier would have had no worker able to serve it.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  console.log(startupBanner(config, `redis, ${config.cores} processes`, sessions));
}
