/**
 * S3 recovery: S sessions with E journal events each, `kill -9`, restart; how long until every session serves again
 * and every bot (one delegate socket per session) has resynced, and how fast the server replays compared with the
 * pure machine.
 *
 * The journals are written through the storage port before the server starts (the same append the runtime uses, so
 * records are hash-chained exactly as in production): a seq-0 snapshot of the frozen setup — what the runtime's
 * first command writes — then E valid machine events (`attendance.set` toggles by the chair, validated by replaying
 * them through the pure machine here). No later snapshot exists, so a restart replays all E events per session: the
 * worst case (the runtime snapshots every HALL_SNAPSHOT_EVERY events, 100 by default, which bounds the tail). The
 * servers run with HALL_SNAPSHOT_EVERY above E: a server that restored a tail that long writes a fresh snapshot after
 * it listens, and the first start (the one that gets killed) would otherwise spare the measured restart its replay.
 *
 * Both sides run the same procedure (`killAndRestart`): the server starts on its store, one bot per session joins
 * (same generator ops botsConnect/botsArm/botsWait, same reconnect delays), the server is `kill -9`ed and restarted
 * on the same port, and the clock runs from the restart's spawn until every bot's re-join has returned the view at
 * the session's seq.
 *
 * Figures:
 *  - recovery window: restart (spawn) → every bot's re-join returned the view at seq E (kill → resync also shown);
 *  - server restore: the server's own "sessions restored" log line (read + verify + replay of every journal);
 *  - pure replay: `restoreSession(seq-0 snapshot)` + `replay(events)` in this process, same events: the first pass
 *    (cold, like the restarted server) is the baseline; the second (warm) is reported too;
 *  - baseline of the window = the same procedure on the same server with the same catalog but no journals (boot +
 *    the bots' reconnect window, measured in the same run) + the pure replay time; ratio = window / baseline
 *    (target ≤ 1.3).
 */
import { SessionSetup, persist, replay, restoreSession, startSession, type PersistedSession } from '@hall/core';
import type { Json } from '../../../server/src/store/types.ts';
import { benchSession, benchSessionId, COUNCIL, CHAIR, login, prepareStore, startApp, type BenchStore } from '../lib/hall.ts';
import { demoDelegateCode } from '../../../server/src/seed/demo.ts';
import { generatorLag, hostNow, type Ctx, type GeneratorHealth } from '../lib/common.ts';
import { round } from '../lib/stats.ts';

export interface S3Result {
  sessions: number;
  eventsPerSession: number;
  events: number;
  /** Restart (spawn) → all bots resynced. */
  recoveryMs: number;
  /** kill -9 → all bots resynced. */
  killToResyncMs: number;
  /** Restart (spawn) → /healthz answers (the server listens before it restores the sessions). */
  bootToHealthMs: number;
  /** The server's own restore time (read + replay of every journal), from its log. */
  serverRestoreMs: number;
  serverEventsPerSec: number;
  /** First pass of the pure machine in this process (as cold as the restarted server). */
  pureReplayMs: number;
  pureEventsPerSec: number;
  /** Second pass (warm JIT): the machine's best case. */
  pureWarmReplayMs: number;
  pureWarmEventsPerSec: number;
  /** Restart (spawn) → /healthz of the same server with the same catalog and no journals. */
  emptyBootMs: number;
  /** Restart (spawn) → all bots re-joined, same server and catalog, no journals: boot + the reconnect window. */
  emptyRecoveryMs: number;
  /** emptyRecoveryMs + pureReplayMs. */
  baselineMs: number;
  ratio: number;
  /** pure events/s ÷ server events/s. */
  replayRatio: number;
  resynced: number;
  /** Bots that re-joined the restarted server without journals. */
  baselineResynced: number;
  reconnectDelayMs: [number, number];
  generator: GeneratorHealth;
  baselineGenerator: GeneratorHealth;
}

const CHAIR_ACTOR = { role: 'chair', id: CHAIR.id } as const;
const RECONNECT: [number, number] = [100, 500];

interface Generated {
  snapshot: PersistedSession;
  events: Json[];
}

/** Builds the frozen setup and E valid events for one session, exactly as the runtime would journal them. */
async function generate(store: BenchStore, sessions: number, perSession: number): Promise<Map<string, Generated>> {
  const s = await store.open();
  const out = new Map<string, Generated>();
  try {
    const council = await s.catalog.getCouncil(COUNCIL);
    if (!council) throw new Error('council not seeded');
    const base = Date.now() - 3_600_000;
    for (let i = 1; i <= sessions; i++) {
      const record = benchSession(i);
      const setup = SessionSetup.parse({ sessionId: record.id, title: record.title, council, agenda: record.agenda });
      const actor = startSession(setup);
      const snapshot = persist(actor, 0);
      actor.stop();
      const events: Json[] = [];
      for (let k = 0; k < perSession; k++) {
        const d = council.delegates[k % council.delegates.length]!;
        const present = Math.floor(k / council.delegates.length) % 2 === 0;
        events.push({ type: 'attendance.set', delegateId: d.id, status: present ? 'present' : 'absentExcused', at: base + k * 10, by: CHAIR_ACTOR });
      }
      await s.journal.saveSnapshot(record.id, snapshot as unknown as { machineVersion: number; seq: number; snapshot: Json });
      await s.journal.append(record.id, events.map((event, k) => ({ at: base + k * 10, event })), 0);
      await s.catalog.putSession({ ...record, status: 'live' });
      out.set(record.id, { snapshot, events });
    }
  } finally {
    await s.close();
  }
  return out;
}

/**
 * The pure machine replaying the same journals, twice: the first pass starts as cold as a freshly started server
 * (this process has not run the machine's replay path before), the second is warm.
 */
function pureReplay(journals: Map<string, Generated>): { coldMs: number; warmMs: number } {
  const once = () => {
    const t0 = performance.now();
    for (const { snapshot, events } of journals.values()) {
      // Stored data goes through JSON, as the server reads it.
      const actor = restoreSession(JSON.parse(JSON.stringify(snapshot)) as PersistedSession);
      replay(actor, events);
      actor.stop();
    }
    return performance.now() - t0;
  };
  const coldMs = once();
  return { coldMs, warmMs: once() };
}

/** The server's "sessions restored" log line: how long it took and how many journal events it replayed. */
function restoreLog(output: string): { ms: number; replayed: number } {
  for (const line of output.split('\n').reverse()) {
    if (!line.includes('sessions restored')) continue;
    try {
      const { ms, replayed } = JSON.parse(line) as { ms: number; replayed?: number };
      return { ms, replayed: replayed ?? Number.NaN };
    } catch {
      // not a JSON log line
    }
  }
  return { ms: Number.NaN, replayed: Number.NaN };
}

interface Recovery {
  /** Restart (spawn) → every bot's re-join returned the view at the target seq. */
  recoveryMs: number;
  killToResyncMs: number;
  bootToHealthMs: number;
  resynced: number;
  generator: GeneratorHealth;
  /** The restarted server's log. */
  output: string;
}

/**
 * The measured procedure, the same for the app and its baseline: start the server on `store`, join one bot per
 * session (each must see seq `target`), `kill -9`, restart on the same port, wait until every bot's re-join returned
 * a view at `target`.
 */
async function killAndRestart(ctx: Ctx, store: BenchStore, label: string, env: Record<string, string>, sessions: number, target: number): Promise<Recovery> {
  let server = await startApp(store, label, env);
  const pool = ctx.pool.subset(sessions > 200 ? ctx.workers : 1);
  try {
    const token = await login(server.baseUrl, 'code', 'bn-d001', demoDelegateCode('bn-d001')!);
    const items = Array.from({ length: sessions }, (_, i) => ({ key: `bot-${i + 1}`, token, sessionId: benchSessionId(i + 1) }));
    const connected = await pool.each<{ seqs: number[] }>('botsConnect', (i) => ({ url: server.baseUrl, items: pool.deal(items)[i], reconnectDelayMs: RECONNECT[0], reconnectDelayMaxMs: RECONNECT[1] }));
    const seqs = connected.flatMap((c) => c.seqs);
    if (seqs.some((s) => s !== target)) throw new Error(`${label}: before the kill, bots saw seqs ${[...new Set(seqs)].join(',')}, expected ${target}`);
    await pool.all('botsArm', { target });

    const { result, health } = await generatorLag(pool, async () => {
      const killedAt = hostNow();
      await server.proc.kill9();
      const spawnedAt = hostNow();
      server = await startApp(store, `${label}-restart`, env, server.port);
      const bootToHealthMs = server.readyMs;
      const bots = (await pool.all<{ sessionId: string; resyncedAt: number; seq: number }[]>('botsWait', { timeoutMs: 120_000 })).flat();
      const resynced = bots.filter((b) => Number.isFinite(b.resyncedAt));
      const lastAt = Math.max(...resynced.map((b) => b.resyncedAt));
      return { killedAt, spawnedAt, bootToHealthMs, resynced: resynced.length, lastAt };
    });
    if (result.resynced < sessions) ctx.log(`  ${label}: only ${result.resynced}/${sessions} bots resynced`);
    return {
      recoveryMs: result.lastAt - result.spawnedAt,
      killToResyncMs: result.lastAt - result.killedAt,
      bootToHealthMs: result.bootToHealthMs,
      resynced: result.resynced,
      generator: health,
      output: server.proc.output,
    };
  } finally {
    await pool.all('closeAll').catch(() => undefined);
    await server.proc.kill9();
  }
}

/** The catalog as `generate` leaves it (every bench session live), for the store without journals. */
async function markLive(store: BenchStore, sessions: number): Promise<void> {
  const s = await store.open();
  try {
    for (let i = 1; i <= sessions; i++) await s.catalog.putSession({ ...benchSession(i), status: 'live' });
  } finally {
    await s.close();
  }
}

export async function runS3(ctx: Ctx, sessions: number, perSession: number): Promise<S3Result> {
  ctx.log(`S3: ${sessions} sessions × ${perSession} events`);
  const events = sessions * perSession;
  const env = {
    LOG_LEVEL: 'info',
    // Keeps the worst case: no snapshot after seq 0, so the measured restart replays all E events (see above).
    HALL_SNAPSHOT_EVERY: String(Math.min(1_000_000, perSession + 1)),
    // In a cluster (Redis) the dead node's leases must lapse before the restarted one may own the sessions.
    ...(ctx.store === 'redis' ? { HALL_LEASE_MS: '2000' } : {}),
  };

  // Baseline part 1: the same procedure on the same server and catalog, without journals: boot + reconnect window.
  const empty = await prepareStore(ctx.store, 's3-empty', ctx.redisUrl, sessions);
  await markLive(empty, sessions);
  const base = await killAndRestart(ctx, empty, 's3-empty', env, sessions, 0);
  ctx.log(`  no journals: restart → all re-joined ${Math.round(base.recoveryMs)} ms (boot→healthz ${Math.round(base.bootToHealthMs)} ms)`);

  const store = await prepareStore(ctx.store, 's3', ctx.redisUrl, sessions);
  const tGen = performance.now();
  const journals = await generate(store, sessions, perSession);
  ctx.log(`  wrote ${events} events in ${Math.round(performance.now() - tGen)} ms`);
  // Baseline part 2: the pure machine on the same events.
  const pure = pureReplay(journals);
  const pureReplayMs = pure.coldMs;
  ctx.log(`  pure replay: ${Math.round(pure.coldMs)} ms cold, ${Math.round(pure.warmMs)} ms warm (${Math.round(events / (pure.coldMs / 1000))} / ${Math.round(events / (pure.warmMs / 1000))} events/s)`);

  const app = await killAndRestart(ctx, store, 's3-app', env, sessions, perSession);
  const { ms: serverRestoreMs, replayed } = restoreLog(app.output);
  // The figures compare replays of the same events: a restart that replayed fewer measured something else.
  if (replayed !== events) throw new Error(`the restarted server replayed ${replayed} journal events, expected ${events}`);
  const baselineMs = base.recoveryMs + pureReplayMs;
  const out: S3Result = {
    sessions,
    eventsPerSession: perSession,
    events,
    recoveryMs: app.recoveryMs,
    killToResyncMs: app.killToResyncMs,
    bootToHealthMs: app.bootToHealthMs,
    serverRestoreMs,
    serverEventsPerSec: events / (serverRestoreMs / 1000),
    pureReplayMs,
    pureEventsPerSec: events / (pureReplayMs / 1000),
    pureWarmReplayMs: pure.warmMs,
    pureWarmEventsPerSec: events / (pure.warmMs / 1000),
    emptyBootMs: base.bootToHealthMs,
    emptyRecoveryMs: base.recoveryMs,
    baselineMs,
    ratio: app.recoveryMs / baselineMs,
    replayRatio: events / (pureReplayMs / 1000) / (events / (serverRestoreMs / 1000)),
    resynced: app.resynced,
    baselineResynced: base.resynced,
    reconnectDelayMs: RECONNECT,
    generator: app.generator,
    baselineGenerator: base.generator,
  };
  ctx.log(
    `  restart → all resynced ${Math.round(app.recoveryMs)} ms (boot→healthz ${Math.round(app.bootToHealthMs)} ms, server restore ${serverRestoreMs} ms); ` +
      `baseline ${Math.round(baselineMs)} ms (no-journal restart ${Math.round(base.recoveryMs)} + pure ${Math.round(pureReplayMs)}) → ratio ${round(out.ratio, 2)}; ` +
      `replay ${Math.round(out.serverEventsPerSec)} vs pure ${Math.round(out.pureEventsPerSec)} events/s`,
  );
  return out;
}
