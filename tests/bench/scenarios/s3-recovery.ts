/**
 * S3 recovery: S sessions with E journal events each, `kill -9`, restart; how long until every session serves again
 * and every bot (one delegate socket per session) has resynced, and how fast the server replays compared with the
 * pure machine.
 *
 * The journals are written through the storage port before the server starts (the same append the runtime uses, so
 * records are hash-chained exactly as in production): a seq-0 snapshot of the frozen setup — what the runtime's
 * first command writes — then E valid machine events (`attendance.set` toggles by the chair, validated by replaying
 * them through the pure machine here). No later snapshot exists, so a restart replays all E events per session: the
 * worst case (the runtime snapshots every HALL_SNAPSHOT_EVERY events, 100 by default, which bounds the tail).
 *
 * Figures:
 *  - recovery window: restart (spawn) → every bot's re-join returned the view at seq E (kill → resync also shown);
 *  - server restore: the server's own "sessions restored" log line (read + verify + replay of every journal);
 *  - pure replay: `restoreSession(seq-0 snapshot)` + `replay(events)` in this process, same events: the first pass
 *    (cold, like the restarted server) is the baseline; the second (warm) is reported too;
 *  - baseline of the window = boot of the same server with the same catalog and no journals (same run) + pure
 *    replay time; ratio = window / baseline (target ≤ 1.3).
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
  /** Restart (spawn) → /healthz answers (the server restores every session before it listens). */
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
  /** Boot of the same server with the same catalog and no journals. */
  emptyBootMs: number;
  /** emptyBootMs + pureReplayMs. */
  baselineMs: number;
  ratio: number;
  /** pure events/s ÷ server events/s. */
  replayRatio: number;
  resynced: number;
  reconnectDelayMs: [number, number];
  generator: GeneratorHealth;
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

function restoreLogMs(output: string): number {
  for (const line of output.split('\n').reverse()) {
    if (!line.includes('sessions restored')) continue;
    try {
      return (JSON.parse(line) as { ms: number }).ms;
    } catch {
      // not a JSON log line
    }
  }
  return Number.NaN;
}

export async function runS3(ctx: Ctx, sessions: number, perSession: number): Promise<S3Result> {
  ctx.log(`S3: ${sessions} sessions × ${perSession} events`);
  const events = sessions * perSession;

  // Baseline part 1: the same server booting on the same catalog with no journals.
  const empty = await prepareStore(ctx.store, 's3-empty', ctx.redisUrl, sessions);
  const emptyServer = await startApp(empty, 's3-empty');
  const emptyBootMs = emptyServer.readyMs;
  await emptyServer.proc.kill9();

  const store = await prepareStore(ctx.store, 's3', ctx.redisUrl, sessions);
  const tGen = performance.now();
  const journals = await generate(store, sessions, perSession);
  ctx.log(`  wrote ${events} events in ${Math.round(performance.now() - tGen)} ms`);
  // Baseline part 2: the pure machine on the same events.
  const pure = pureReplay(journals);
  const pureReplayMs = pure.coldMs;
  ctx.log(`  pure replay: ${Math.round(pure.coldMs)} ms cold, ${Math.round(pure.warmMs)} ms warm (${Math.round(events / (pure.coldMs / 1000))} / ${Math.round(events / (pure.warmMs / 1000))} events/s); empty boot ${Math.round(emptyBootMs)} ms`);

  // In a cluster (Redis) the dead node's leases must lapse before the restarted one may own the sessions.
  const env = { LOG_LEVEL: 'info', ...(ctx.store === 'redis' ? { HALL_LEASE_MS: '2000' } : {}) };
  let server = await startApp(store, 's3-app', env);
  const pool = ctx.pool.subset(sessions > 200 ? ctx.workers : 1);
  try {
    const token = await login(server.baseUrl, 'code', 'bn-d001', demoDelegateCode('bn-d001')!);
    const items = Array.from({ length: sessions }, (_, i) => ({ key: `bot-${i + 1}`, token, sessionId: benchSessionId(i + 1) }));
    const connected = await pool.each<{ seqs: number[] }>('botsConnect', (i) => ({ url: server.baseUrl, items: pool.deal(items)[i], reconnectDelayMs: RECONNECT[0], reconnectDelayMaxMs: RECONNECT[1] }));
    const seqs = connected.flatMap((c) => c.seqs);
    if (seqs.some((s) => s !== perSession)) throw new Error(`before the kill, bots saw seqs ${[...new Set(seqs)].join(',')}, expected ${perSession}`);
    await pool.all('botsArm', { target: perSession });

    const { result, health } = await generatorLag(pool, async () => {
      const killedAt = hostNow();
      await server.proc.kill9();
      const spawnedAt = hostNow();
      server = await startApp(store, 's3-app-restart', env, server.port);
      const bootToHealthMs = server.readyMs;
      const bots = (await pool.all<{ sessionId: string; resyncedAt: number; seq: number }[]>('botsWait', { timeoutMs: 120_000 })).flat();
      const resynced = bots.filter((b) => Number.isFinite(b.resyncedAt));
      const lastAt = Math.max(...resynced.map((b) => b.resyncedAt));
      return { killedAt, spawnedAt, bootToHealthMs, resynced: resynced.length, lastAt };
    });
    if (result.resynced < sessions) ctx.log(`  only ${result.resynced}/${sessions} bots resynced`);
    const serverRestoreMs = restoreLogMs(server.proc.output);
    const recoveryMs = result.lastAt - result.spawnedAt;
    const baselineMs = emptyBootMs + pureReplayMs;
    const out: S3Result = {
      sessions,
      eventsPerSession: perSession,
      events,
      recoveryMs,
      killToResyncMs: result.lastAt - result.killedAt,
      bootToHealthMs: result.bootToHealthMs,
      serverRestoreMs,
      serverEventsPerSec: events / (serverRestoreMs / 1000),
      pureReplayMs,
      pureEventsPerSec: events / (pureReplayMs / 1000),
      pureWarmReplayMs: pure.warmMs,
      pureWarmEventsPerSec: events / (pure.warmMs / 1000),
      emptyBootMs,
      baselineMs,
      ratio: recoveryMs / baselineMs,
      replayRatio: events / (pureReplayMs / 1000) / (events / (serverRestoreMs / 1000)),
      resynced: result.resynced,
      reconnectDelayMs: RECONNECT,
      generator: health,
    };
    ctx.log(
      `  restart → all resynced ${Math.round(recoveryMs)} ms (boot→healthz ${Math.round(result.bootToHealthMs)} ms, server restore ${serverRestoreMs} ms); ` +
        `baseline ${Math.round(baselineMs)} ms → ratio ${round(out.ratio, 2)}; replay ${Math.round(out.serverEventsPerSec)} vs pure ${Math.round(out.pureEventsPerSec)} events/s`,
    );
    return out;
  } finally {
    await pool.all('closeAll').catch(() => undefined);
    await server.proc.kill9();
  }
}
