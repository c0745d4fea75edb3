/**
 * HALL_CORES: one machine, several server processes (docs/cluster.md, "Every core of one machine"). The primary
 * process owns the port and nothing else: it seeds once, then forks one worker per core, each a full cluster node on
 * REDIS_URL (its own NODE_ID, leases, fencing and forwarding exactly as between machines). Sessions spread over the
 * workers by rendezvous placement (cluster.ts); a worker that dies is forked again, and its sessions move by their
 * leases. Connections are handed to the workers by balancer.ts: a Socket.IO connection that started on a worker keeps
 * reaching it (long-polling carries its sid), one that names its session goes to the worker running that session
 * (as its lease was last reported here) or placed to run it, others to the worker with the fewest clients.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';
import type { Config } from './config.ts';
import { openStore } from './store/open.ts';
import { seedDemo } from './seed/demo.ts';
import { seedProvince } from './seed/province.ts';
import { startupBanner } from './banner.ts';
import type { Store } from './store/types.ts';
import { setupBalancer } from './balancer.ts';
import { preferredNode } from './runtime/cluster.ts';

/** Messages a worker sends the primary: it takes connections now; it took or gave up a session's lease. */
export const WORKER_READY = 'hall:ready';
export const WORKER_LEASE = 'hall:lease';
export type LeaseMessage = { type: typeof WORKER_LEASE; sessionId: string; held: boolean };

/** A worker that dies sooner than this after its start counts as a crash loop: its next start waits longer. */
const STEADY_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** How long shutdown waits for the workers to close their sessions before killing them. */
const SHUTDOWN_GRACE_MS = 20_000;

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

  // Workers that said they are ready, by index: a worker still booting cannot take a connection (it would be dropped).
  const ready = new Map<number, Worker>();
  /** Which worker holds each session's lease, as the workers tell: a session that moved stays found after a restart. */
  const owners = new Map<string, number>();
  const server = createServer();
  setupBalancer(server, {
    ready: () => [...ready.values()],
    forSession: (sessionId) => {
      const owner = owners.get(sessionId);
      if (owner !== undefined && ready.has(owner)) return ready.get(owner)!;
      // The same placement the workers use (cluster.ts) over the same names: the worker that will open the session.
      const byNode = new Map([...ready].map(([index, worker]) => [workerNodeId(config.nodeId, index), worker]));
      return byNode.get(preferredNode([...byNode.keys()], sessionId) ?? '') ?? null;
    },
  });

  // The first chunk of each connection travels to its worker as a Buffer, which JSON serialization would mangle.
  cluster.setupPrimary({ serialization: 'advanced' });
  let shuttingDown = false;
  const indexOf = new Map<Worker, number>();
  const startedAt = new Map<number, number>();
  const quickDeaths = new Map<number, number>();
  const fork = (index: number) => {
    // The primary seeded already; each worker is one cluster node with a stable name.
    const worker = cluster.fork({ NODE_ID: workerNodeId(config.nodeId, index), HALL_SEED: '0', HALL_CORE_INDEX: String(index) });
    indexOf.set(worker, index);
    startedAt.set(index, Date.now());
    say(`worker ${index} (${workerNodeId(config.nodeId, index)}) started, pid ${worker.process.pid}`);
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    const index = indexOf.get(worker);
    indexOf.delete(worker);
    if (index !== undefined && ready.get(index) === worker) {
      ready.delete(index);
      for (const [sessionId, owner] of owners) if (owner === index) owners.delete(sessionId);
    }
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

  const allReady = new Promise<void>((resolve) => {
    cluster.on('message', (worker, message: unknown) => {
      const index = indexOf.get(worker);
      if (index === undefined) return;
      const type = (message as { type?: string })?.type;
      if (type === WORKER_LEASE) {
        const { sessionId, held } = message as LeaseMessage;
        if (typeof sessionId !== 'string') return;
        if (held) owners.set(sessionId, index);
        // A release arriving after the next holder's news (two processes, two pipes) must not erase that news.
        else if (owners.get(sessionId) === index) owners.delete(sessionId);
        return;
      }
      if (type !== WORKER_READY) return;
      ready.set(index, worker);
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
