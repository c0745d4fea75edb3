/**
 * Reads configuration, builds the app, seeds the demo council when asked, restores every live session (so their
 * deadlines re-arm), listens, and prints where everything is. A fatal error exits non-zero so a supervisor restarts us.
 */
import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { seedDemo, formatDemoLogins } from './seed/demo.ts';
import { seedProvince } from './seed/province.ts';

async function main() {
  const config = await loadConfig();
  const { app, store, registry } = await buildApp(config);
  for (const w of config.warnings) app.log.warn(w);
  if (config.seed === 'province') {
    const started = performance.now();
    const { seeded } = await seedProvince(store);
    if (seeded) app.log.info({ communes: seeded, ms: Math.round(performance.now() - started) }, 'province seeded');
  } else if (config.seed) {
    const { seeded } = await seedDemo(store);
    if (seeded) app.log.info('demo councils seeded');
  }
  const started = performance.now();
  // Only sessions still running need their actor (and deadlines) now; adjourned ones open on demand.
  const adjourned = new Set((await store.catalog.listSessions()).filter((s) => s.status === 'adjourned').map((s) => s.id));
  const { restored, failed, replayed } = await registry.restoreAll((await store.journal.sessionIds()).filter((id) => !adjourned.has(id)));
  app.log.info({ restored: restored.length, failed, replayed, ms: Math.round(performance.now() - started) }, 'sessions restored');
  await app.listen({ port: config.port, host: config.host });
  // Sessions restored from a long journal tail get a fresh snapshot, so that the next restart replays little; only
  // now that every session serves, so this restart does not wait for those writes.
  void registry.snapshotRestored().then(
    (saved) => {
      if (saved) app.log.info({ saved }, 'snapshots refreshed after restore');
    },
    (err: unknown) => app.log.warn({ err }, 'refreshing snapshots after restore failed'),
  );
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  const lines = [
    '',
    `Hall (data: ${config.dataDir}, store: ${store.kind}) is running:`,
    `  Trang chủ / Home ............ ${base}/`,
    `  Chủ tọa / Chair console ..... ${base}/chair/`,
    `  Đại biểu / Delegate client .. ${base}/delegate/`,
    `  Màn hình / Display wall ..... ${base}/wall/`,
    `  Quản trị / Admin, giám sát .. ${base}/admin/`,
    `  Công chúng / Public live .... ${base}/live/`,
    `  API docs .................... ${base}/docs`,
    `  Health ...................... ${base}/healthz`,
    '',
  ];
  const sessions = await store.catalog.listSessions();
  if (sessions.length) {
    lines.push('Kỳ họp / Sessions:');
    for (const s of sessions) lines.push(`  ${s.id.padEnd(14)} ${s.status.padEnd(10)} ${s.title}`);
    lines.push('');
  }
  if (config.demo) lines.push('Demo logins (tài khoản thử nghiệm):', formatDemoLogins(), '');
  console.log(lines.join('\n'));

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
}

main().catch((err) => {
  console.error('Hall failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
