/**
 * Reads configuration, builds the app, seeds the demo council when asked, listens, restores every live session (so
 * their deadlines re-arm), and prints where everything is. A fatal error exits non-zero so a supervisor restarts us.
 *
 * With HALL_CORES above 1 this process is the primary of several (cores.ts): it seeds and forks the workers, each of
 * which runs this same file as one cluster node that receives its connections from the primary instead of listening.
 */
import cluster from 'node:cluster';
import { setupWorker } from '@socket.io/sticky';
import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { ClusterSessions } from './runtime/cluster.ts';
import { runPrimary, seedOnce, WORKER_LEASE, WORKER_READY, type LeaseMessage } from './cores.ts';
import { startupBanner } from './banner.ts';
import { warmJournalScans } from './store/scan-pool.ts';

async function main() {
  const config = await loadConfig();
  if (cluster.isPrimary && config.cores > 1) return runPrimary(config);
  const worker = cluster.isWorker;
  // While the app is built, the journals' verification thread loads beside it (embedded store only).
  if (!config.redisUrl) void warmJournalScans(config.dataDir);
  // A worker tells its primary which sessions it runs, so their connections are handed to it (balancer.ts).
  const onLeaseHeld = worker ? (sessionId: string, held: boolean) => process.send?.({ type: WORKER_LEASE, sessionId, held } satisfies LeaseMessage, undefined, undefined, () => undefined) : undefined;
  const { app, io, store, registry, sessions } = await buildApp(config, { onLeaseHeld });
  for (const w of config.warnings) if (!worker) app.log.warn(w);
  await seedOnce(config, store, (line) => app.log.info(line));
  // Listen first, restore after: a client that reconnects while the sessions are replayed waits for its own session's
  // room (the registry opens each room once, from its snapshot and journal, whoever asks first), instead of
  // reconnecting only after every session has been replayed. Nothing is served from a room before it is restored.
  if (worker) {
    // The primary owns the port and hands each connection over (a long-polling client always to the same worker).
    setupWorker(io);
    await app.ready();
    process.send?.({ type: WORKER_READY });
  } else await app.listen({ port: config.port, host: config.host });
  const started = performance.now();
  // Only sessions still running need their actor (and deadlines) now; adjourned ones open on demand. In a cluster a
  // node restores the sessions placed on it; the others' nodes take theirs (or the sweep does, for a node that is gone).
  const adjourned = new Set((await store.catalog.listSessions()).filter((s) => s.status === 'adjourned').map((s) => s.id));
  const live = (await store.journal.sessionIds()).filter((id) => !adjourned.has(id));
  const { restored, failed, replayed } = await registry.restoreAll(sessions instanceof ClusterSessions ? sessions.placedHere(live) : live);
  app.log.info({ restored: restored.length, failed, replayed, ms: Math.round(performance.now() - started) }, 'sessions restored');
  // Sessions restored from a long journal tail get a fresh snapshot, so that the next restart replays little; only
  // now that every session serves, so this restart does not wait for those writes.
  void registry.snapshotRestored().then(
    (saved) => {
      if (saved) app.log.info({ saved }, 'snapshots refreshed after restore');
    },
    (err: unknown) => app.log.warn({ err }, 'refreshing snapshots after restore failed'),
  );
  if (!worker) console.log(startupBanner(config, store.kind, await store.catalog.listSessions()));

  // Ctrl-C reaches us twice: from the terminal (the whole process group) and forwarded by pnpm. The second must not
  // kill the process half-way through closing (and make pnpm report a failure): one shutdown, later signals ignored.
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A worker whose primary is gone (killed, say) has no more connections coming: it closes its sessions and goes.
  if (worker) process.on('disconnect', () => void shutdown('primary gone'));
}

main().catch((err) => {
  console.error('Hall failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
