/**
 * Memory: resident set size (VmRSS of the server process) per live session and per idle connected client.
 *
 *   warm-up   one session opened and a few sockets connected (module code, JIT, first allocations), then RSS₀
 *   sessions  the chair opens check-in in S sessions (each becomes live: actor, journal, seq-0 snapshot), RSS₁
 *   clients   N anonymous sockets join a session's public room and stay idle, RSS₂
 *
 * per live session = (RSS₁ − RSS₀) / S; per idle client = (RSS₂ − RSS₁) / N. Each RSS is the median of samples
 * taken over ~2 s (quick: ~0.5 s) after the step settles. RSS includes heap not yet collected, so these are upper-bound estimates.
 */
import { CHAIR, benchSessionId, login, mapLimit, prepareStore, startApp } from '../lib/hall.ts';
import { rssBytes } from '../lib/proc.ts';
import { StaffSocket, sleep, type Ctx } from '../lib/common.ts';
import { LiteSocket } from '../lib/lite-socket.ts';
import { round } from '../lib/stats.ts';

export interface MemoryResult {
  sessions: number;
  clients: number;
  rssBaseMB: number;
  rssSessionsMB: number;
  rssClientsMB: number;
  perSessionKB: number;
  perClientKB: number;
}

async function settledRss(pid: number, quick: boolean): Promise<number> {
  await sleep(quick ? 400 : 1000);
  const samples: number[] = [];
  for (let i = 0; i < (quick ? 5 : 9); i++) {
    samples.push(rssBytes(pid));
    await sleep(quick ? 100 : 250);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export async function runMemory(ctx: Ctx, sessions: number, clients: number): Promise<MemoryResult> {
  ctx.log(`Memory: ${sessions} live sessions, ${clients} idle clients`);
  // Session 1 is the warm-up session; 2…S+1 are measured.
  const store = await prepareStore(ctx.store, 'mem', ctx.redisUrl, sessions + 1);
  const server = await startApp(store, 'mem-app');
  const pool = ctx.pool.subset(clients > 2000 ? ctx.workers : 1);
  const chairs: StaffSocket[] = [];
  const warm: LiteSocket[] = [];
  try {
    const url = server.baseUrl;
    const token = await login(url, 'password', CHAIR.id, CHAIR.password);
    const first = await StaffSocket.open(url, token, benchSessionId(1));
    chairs.push(first);
    await first.must('session.openCheckIn');
    for (let i = 0; i < 20; i++) {
      const s = await LiteSocket.connect(url, null);
      await s.emitWithAck('session:join', { sessionId: benchSessionId(1) });
      warm.push(s);
    }
    const rss0 = await settledRss(server.proc.pid, ctx.quick);

    // The chair's one socket joins each session and opens its check-in: S live sessions.
    const ids = Array.from({ length: sessions }, (_, i) => benchSessionId(i + 2));
    await mapLimit(ids, 5, async (sid) => {
      const c = await StaffSocket.open(url, token, sid);
      await c.must('session.openCheckIn');
      c.close();
    });
    const rss1 = await settledRss(server.proc.pid, ctx.quick);

    const items = Array.from({ length: clients }, (_, i) => ({ key: `idle-${i}`, token: null, sessionId: benchSessionId(1), join: true }));
    const conn = await pool.each<{ failed: number; errors: string[] }>('connect', (i) => ({ url, items: pool.deal(items)[i], concurrency: 100 }));
    if (conn.some((c) => c.failed)) throw new Error(`idle clients failed: ${conn.flatMap((c) => c.errors).join('; ')}`);
    const rss2 = await settledRss(server.proc.pid, ctx.quick);

    const mb = (b: number) => b / (1024 * 1024);
    const out: MemoryResult = {
      sessions,
      clients,
      rssBaseMB: mb(rss0),
      rssSessionsMB: mb(rss1),
      rssClientsMB: mb(rss2),
      perSessionKB: (rss1 - rss0) / sessions / 1024,
      perClientKB: (rss2 - rss1) / clients / 1024,
    };
    ctx.log(`  RSS ${round(out.rssBaseMB)} → ${round(out.rssSessionsMB)} → ${round(out.rssClientsMB)} MB: ${round(out.perSessionKB)} KB/session, ${round(out.perClientKB)} KB/client`);
    return out;
  } finally {
    for (const s of warm) s.close();
    for (const c of chairs) c.close();
    await pool.all('closeAll').catch(() => undefined);
    await server.proc.kill9();
  }
}
