/**
 * S1 vote storm: S sessions × 85 bot delegates, every bot casting one public (electronic, named) ballot at an
 * intended time spread uniformly over the window. The same schedule (offsets and choices) is replayed against the
 * baseline server in the same run.
 *
 * Measured:
 *  - vote→ack: ack receipt − INTENDED send time (a late generator counts against the result, never hides it);
 *  - chair tally delivery: first chair view whose seq ≥ the ballot's acked seq (i.e. whose castCount includes it)
 *    − intended send time;
 *  - lost ballots: per session, ok-acked ballots − ballots in the closed poll's counts (and the per-choice tally is
 *    compared with what the bots were told was recorded);
 *  - server CPU per vote: utime+stime of the server process tree over the storm (incl. the views it publishes),
 *    divided by acked ballots.
 */
import { withoutCouncil, type PollView, type SessionView } from '@hall/core';
import { demoDelegateCode } from '../../../server/src/seed/demo.ts';
import { Proc, cpuMs, processTree, rssBytes, tempDir } from '../lib/proc.ts';
import { isPatchFrame, LiteSocket, refusal } from '../lib/lite-socket.ts';
import { DELEGATES, CHAIR, BENCH_ITEM, benchSessionId, freePort, login, mapLimit, prepareStore, startApp, type BenchStore, type StoreKind } from '../lib/hall.ts';
import type { Pool } from '../lib/pool.ts';
import { StaffSocket, generatorLag, hostNow, sleep, worstHealth, type Ctx, type GeneratorHealth } from '../lib/common.ts';
import { rng, summarize, round, tallyMatches, type Summary } from '../lib/stats.ts';
import { repoRoot } from '../lib/deps.ts';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const POLL = 'storm';
/** The poll of a storm round: the first is the one opened in the setup. */
const pollOf = (round: number) => (round === 0 ? POLL : `${POLL}-${round + 1}`);
/** Ballots each side is measured on at least (small storms run in rounds): a p99 of fewer is mostly its slowest one. */
const MIN_BALLOTS = 500;

const pushedBytes = (view: SessionView) => Buffer.byteLength(JSON.stringify(withoutCouncil(view)));
/** A tablet's view without what is its own: the view the server pushes once for the whole hall. */
const sharedPart = ({ me: _me, ...view }: SessionView): SessionView => {
  const shared = ({ mine: _mine, ...poll }: PollView): PollView => poll;
  return { ...view, poll: view.poll ? shared(view.poll) : null, polls: view.polls.map(shared) };
};
const CHOICES = ['yes', 'no', 'abstain'] as const;

interface Vote {
  sessionId: string;
  delegateId: string;
  offsetMs: number;
  choice: (typeof CHOICES)[number];
}

interface ScheduleResult {
  tag: string;
  intended: number;
  sent: number;
  acked: number;
  ok: boolean;
  seq: number;
  code: string;
}

export interface StormSide {
  votes: number;
  acked: number;
  failed: number;
  ackMs: Summary;
  /** Send lateness of the generator (sent − intended), ms. */
  sendLateMs: Summary;
  cpuMsPerVote: number;
  generator: GeneratorHealth;
  errors: string[];
}

export interface S1Result {
  sessions: number;
  sockets: number;
  /** Storms of `sockets` ballots run one after another on each side (a new poll each), their ballots measured together. */
  rounds: number;
  windowMs: number;
  app: StormSide & {
    tallyMs: Summary;
    lost: number;
    /** Ballots counted that no bot was told were recorded (e.g. acks that timed out). */
    unacknowledgedCounted: number;
    tallyMismatches: number;
    setupMs: number;
    bootMs: number;
    /** Highest server RSS sampled (every 250 ms) during the storm, MB. */
    peakRssMB: number;
    /** Size of a whole pushed view, shared by a hall's tablets and the chair's (JSON bytes). */
    delegateViewBytes: number;
    chairViewBytes: number;
    /** Mean size of a patch frame received during the storm: what a publication costs a socket holding the view. */
    delegatePushBytes: number;
    chairPushBytes: number;
  };
  baseline: StormSide;
  ratio: { p50: number; p99: number };
  /** The same storm against other deployments of the server (all cores, two nodes), on the same baseline. */
  variants?: S1Variant[];
}

export interface S1Variant {
  label: string;
  store: StoreKind;
  app: S1Result['app'];
  ratio: { p50: number; p99: number };
}

/** How the server under test runs: one process, or several (HALL_CORES, several nodes) that the bots spread over. */
export interface Deployment {
  label: string;
  store: StoreKind;
  start(store: BenchStore, name: string): Promise<Deployed>;
}

export interface Deployed {
  /** Where clients connect; generator process i uses urls[i % urls.length]. */
  urls: string[];
  /** Every server process tree (CPU and RSS are summed over them). */
  pids: number[];
  readyMs: number;
  stop(): Promise<void>;
}

/** The default: `main.ts` as one process on the bench's store. */
export const oneProcess = (store: StoreKind): Deployment => ({
  label: '1 process',
  store,
  start: async (bench, name) => {
    const s = await startApp(bench, name);
    return { urls: [s.baseUrl], pids: [s.proc.pid], readyMs: s.readyMs, stop: () => s.proc.kill9() };
  },
});

const sumTrees = (pids: number[], of: (pid: number) => number) => pids.reduce((n, pid) => n + processTree(pid).reduce((m, p) => m + of(p), 0), 0);

function planVotes(ctx: Ctx, sessions: number): Vote[] {
  const r = rng(ctx.seed ^ 0x51);
  const votes: Vote[] = [];
  for (let s = 1; s <= sessions; s++) {
    for (const d of DELEGATES) votes.push({ sessionId: benchSessionId(s), delegateId: d, offsetMs: r() * ctx.windowMs, choice: CHOICES[Math.floor(r() * 3)]! });
  }
  return votes;
}

const keyOf = (v: { sessionId: string; delegateId: string }) => `${v.sessionId}|${v.delegateId}`;

export async function runS1(ctx: Ctx, sessions: number, variants: Deployment[] = []): Promise<S1Result> {
  const votes = planVotes(ctx, sessions);
  const workers = votes.length > 1000 ? ctx.workers : 1;
  ctx.log(`S1 S=${sessions}: ${votes.length} bots over ${workers} generator process(es), window ${ctx.windowMs} ms`);
  // A p99 of 85 ballots is the slowest ballot or two: one GC or one busy neighbour decides it, on either side. A small
  // storm is run again, on a new poll, until each side has MIN_BALLOTS; the rate stays that of S sessions.
  const rounds = ctx.quick ? 1 : Math.ceil(MIN_BALLOTS / votes.length);
  if (rounds > 1) ctx.log(`  ${rounds} rounds of ${votes.length} ballots per side, for ${votes.length * rounds} samples`);
  const baseline = await baselineStorm(ctx, sessions, votes, workers, rounds);
  const app = await appStorm(ctx, sessions, votes, workers, rounds, oneProcess(ctx.store));
  const ratio = (side: StormSide) => ({ p50: side.ackMs.p50 / baseline.ackMs.p50, p99: side.ackMs.p99 / baseline.ackMs.p99 });
  const measured: S1Variant[] = [];
  for (const deploy of variants) {
    // A variant that fails is reported as an error of its own; the 1-process figures stand.
    try {
      ctx.log(`S1 S=${sessions}, ${deploy.label} (${deploy.store} store)`);
      const v = await appStorm(ctx, sessions, votes, workers, rounds, deploy);
      measured.push({ label: deploy.label, store: deploy.store, app: v, ratio: ratio(v) });
    } catch (err) {
      ctx.log(`S1 S=${sessions}, ${deploy.label} FAILED: ${err instanceof Error ? err.stack ?? err.message : err}`);
      await ctx.pool.all('closeAll').catch(() => undefined);
    }
  }
  return {
    sessions,
    sockets: votes.length,
    rounds,
    windowMs: ctx.windowMs,
    app,
    baseline,
    ratio: ratio(app),
    ...(variants.length ? { variants: measured } : {}),
  };
}

/** Sends every vote at t0 + offset from the generator processes; returns the per-vote records and generator health. */
async function storm(ctx: Ctx, pool: Pool, votes: Vote[], payload: (v: Vote) => unknown) {
  const t0 = hostNow() + (ctx.quick ? 700 : 1500);
  const items = votes.map((v) => ({ key: keyOf(v), sessionId: v.sessionId, at: t0 + v.offsetMs, type: 'ballot.cast', payload: payload(v), tag: keyOf(v) }));
  const { result, health } = await generatorLag(pool, async () => (await pool.each<ScheduleResult[]>('schedule', (i) => ({ items: pool.deal(items)[i], timeoutMs: 900_000 }))).flat());
  return { results: result, health };
}

function side(planned: number, results: ScheduleResult[], cpu: number, health: GeneratorHealth): StormSide {
  const ok = results.filter((r) => r.ok);
  const errors = [...new Set(results.filter((r) => !r.ok).map((r) => r.code))].slice(0, 5);
  return {
    votes: planned,
    acked: ok.length,
    failed: results.length - ok.length,
    ackMs: summarize(ok.map((r) => r.acked - r.intended)),
    sendLateMs: summarize(results.map((r) => r.sent - r.intended)),
    cpuMsPerVote: ok.length ? cpu / ok.length : Number.NaN,
    generator: health,
    errors,
  };
}

async function baselineStorm(ctx: Ctx, sessions: number, votes: Vote[], workers: number, rounds: number): Promise<StormSide> {
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port), BASELINE_STORE: ctx.store };
  if (ctx.store === 'embedded') env.BASELINE_DIR = path.join(await tempDir('s1-baseline'), 'journal');
  else Object.assign(env, { REDIS_URL: ctx.redisUrl, BASELINE_PREFIX: `hallbench:s1base:${randomBytes(4).toString('hex')}:` });
  const { proc } = await Proc.start({ name: 's1-baseline', script: path.join(repoRoot, 'tests/bench/baseline-server.ts'), env, readyUrl: `http://127.0.0.1:${port}/healthz` });
  const pool = ctx.pool.subset(workers);
  try {
    const url = `http://127.0.0.1:${port}`;
    const items = votes.map((v) => ({ key: keyOf(v), token: null, sessionId: v.sessionId, join: false }));
    const conn = await pool.each<{ failed: number; errors: string[] }>('connect', (i) => ({ url, items: pool.deal(items)[i], concurrency: 50 }));
    if (conn.some((c) => c.failed)) throw new Error(`baseline connect failed: ${conn.flatMap((c) => c.errors).join('; ')}`);
    // The same warm-up the app gets from its check-in round: one command per socket, journaled, before the storm.
    const warm = votes.map((v) => ({ key: keyOf(v), sessionId: v.sessionId, type: 'attendance.checkIn', payload: { delegateId: v.delegateId, channel: 'hall' } }));
    await pool.each('commands', (i) => ({ items: pool.deal(warm)[i], concurrency: 40, timeoutMs: 300_000 }));
    await sleep(ctx.quick ? 200 : 500);
    const results: ScheduleResult[] = [];
    const healths: GeneratorHealth[] = [];
    let cpu = 0;
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await sleep(ctx.quick ? 300 : 1000);
      const cpu0 = cpuMs(proc.pid);
      const storming = await storm(ctx, pool, votes, (v) => ({ pollId: pollOf(round), choice: v.choice }));
      cpu += cpuMs(proc.pid) - cpu0;
      results.push(...storming.results);
      healths.push(storming.health);
    }
    const health = worstHealth(healths[0]!, ...healths.slice(1));
    const out = side(votes.length * rounds, results, cpu, health);
    ctx.log(`  baseline: acked ${out.acked}/${out.votes}, ack p50 ${round(out.ackMs.p50)} ms p99 ${round(out.ackMs.p99)} ms, lag p99 ${round(health.lagP99)} ms`);
    if (ctx.store === 'redis') await deleteBaselineKeys(ctx, env.BASELINE_PREFIX!);
    return out;
  } finally {
    await pool.all('closeAll').catch(() => undefined);
    await proc.kill9();
  }
}

async function deleteBaselineKeys(ctx: Ctx, prefix: string) {
  const { deleteRedisKeys } = await import('../lib/hall.ts');
  await deleteRedisKeys(ctx.redisUrl, prefix);
}

async function appStorm(ctx: Ctx, sessions: number, votes: Vote[], workers: number, rounds: number, deploy: Deployment): Promise<S1Result['app']> {
  const tag = `${sessions}-${deploy.label.replace(/\W+/g, '').slice(0, 8)}`;
  const store = await prepareStore(deploy.store, `s1-${tag}`, ctx.redisUrl, sessions);
  const server = await deploy.start(store, `s1-app-${tag}`);
  const chairs: StaffSocket[] = [];
  let pool: Pool | null = null;
  try {
    const url = server.urls[0]!;
    // One login per delegate, reused by that delegate's socket in every session (tokens are per account).
    const chairToken = await login(url, 'password', CHAIR.id, CHAIR.password);
    const tokens = new Map<string, string>();
    await mapLimit(DELEGATES, 8, async (d) => void tokens.set(d, await login(url, 'code', d, demoDelegateCode(d)!)));
    const sessionIds = Array.from({ length: sessions }, (_, i) => benchSessionId(i + 1));
    chairs.push(...(await mapLimit(sessionIds, 10, (sid) => StaffSocket.open(url, chairToken, sid))));
    const chairOf = new Map(chairs.map((c) => [c.sessionId, c]));

    pool = ctx.pool.subset(workers);
    const p = pool;
    const items = votes.map((v) => ({ key: keyOf(v), token: tokens.get(v.delegateId)!, sessionId: v.sessionId, join: false }));
    const tConn = performance.now();
    const conn = await p.each<{ failed: number; errors: string[] }>('connect', (i) => ({ url: server.urls[i % server.urls.length], items: p.deal(items)[i], concurrency: 50 }));
    if (conn.some((c) => c.failed)) throw new Error(`connect failed: ${conn.flatMap((c) => c.errors).join('; ')}`);

    // Setup, not measured: every bot checks in, THEN joins its session's room (checking in before joining spares the
    // setup S×85 rounds of delegate views), then the chair starts the session and opens the poll.
    const tCheck = performance.now();
    await mapLimit(chairs, 10, (c) => c.must('session.openCheckIn'));
    const checkIns = votes.map((v) => ({ key: keyOf(v), sessionId: v.sessionId, type: 'attendance.checkIn', payload: { delegateId: v.delegateId, channel: 'hall' } }));
    const ci = await p.each<{ ok: number; failed: number; errors: string[] }>('commands', (i) => ({ items: p.deal(checkIns)[i], concurrency: 40, timeoutMs: 300_000 }));
    if (ci.some((c) => c.failed)) throw new Error(`check-in failed: ${ci.flatMap((c) => c.errors).join('; ')}`);
    const joined = await p.all<{ failed: number; errors: string[] }>('joinAll', { concurrency: 50 });
    if (joined.some((c) => c.failed)) throw new Error(`join failed: ${joined.flatMap((c) => c.errors).join('; ')}`);
    ctx.log(`  app: ${items.length} delegate sockets connected, checked in and joined in ${Math.round(performance.now() - tConn)} ms`);
    const opened = await mapLimit(chairs, 10, async (c) => {
      await c.must('session.start');
      return c.must('poll.open', { pollId: POLL, itemId: BENCH_ITEM.id, subject: 'Biểu quyết thử tải / load-test motion', kind: 'motion', mode: 'electronic', durationSec: 3600 });
    });
    // Let the views of the opening go out (each chair has its session's poll.open view: the same flush sent the
    // delegates theirs) before the storm, so CPU and lag measure the storm.
    await Promise.all(chairs.map((c, i) => c.waitSeq(opened[i]!, 900_000)));
    const setupMs = performance.now() - tCheck;
    await sleep(ctx.quick ? 300 : 1000);

    // What a publication sends: the delegates' shared view (one encoding for the hall) and the chair's, as pushed.
    const probe = await LiteSocket.connect(url, tokens.get(DELEGATES[0]!)!, undefined, sessionIds[0]);
    const probeAck = await probe.emitWithAck<{ view: SessionView }>('session:join', { sessionId: sessionIds[0] }, 300_000);
    const delegateViewBytes = pushedBytes(sharedPart(probeAck.view));
    const chairViewBytes = pushedBytes(await chairs[0]!.join());
    // The probe stays in the hall through the storm: what a tablet receives per publication (its first push after
    // the join is a whole view, not counted).
    const probeFrames = { bytes: 0, count: 0, counting: false };
    probe.onView = (frame) => {
      if (!probeFrames.counting || !isPatchFrame(frame)) return;
      probeFrames.bytes += frame.length;
      probeFrames.count++;
    };
    const rss = () => sumTrees(server.pids, rssBytes);
    let peakRss = rss();
    const rssTimer = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rss());
      } catch {
        // the server is gone; the storm will report it
      }
    }, 250);
    const cpu = () => server.pids.reduce((n, pid) => n + cpuMs(pid), 0);
    const byKey = new Map(votes.map((v) => [keyOf(v), v]));
    const all: ScheduleResult[] = [];
    const healths: GeneratorHealth[] = [];
    const tally: number[] = [];
    const chairPushes = { bytes: 0, count: 0 };
    let stormCpu = 0;
    let lost = 0;
    let unacknowledgedCounted = 0;
    let tallyMismatches = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        const pollId = pollOf(round);
        if (round > 0) {
          const reopened = await mapLimit(chairs, 10, (c) =>
            c.must('poll.open', { pollId, itemId: BENCH_ITEM.id, subject: `Biểu quyết thử tải, vòng ${round + 1} / load-test motion, round ${round + 1}`, kind: 'motion', mode: 'electronic', durationSec: 3600 }),
          );
          await Promise.all(chairs.map((c, i) => c.waitSeq(reopened[i]!, 900_000)));
          await sleep(ctx.quick ? 300 : 1000);
        }
        const chairsBefore = chairs.map((c) => ({ ...c.patches }));
        probeFrames.counting = true;
        const cpu0 = cpu();
        const { results, health } = await storm(ctx, p, votes, (v) => ({ pollId, choice: v.choice }));
        // The storm ends when each chair has seen the view including its session's last acked ballot: the views it
        // caused are part of its CPU.
        const lastSeq = new Map<string, number>();
        for (const r of results) if (r.ok) lastSeq.set(r.tag.split('|')[0]!, Math.max(lastSeq.get(r.tag.split('|')[0]!) ?? 0, r.seq));
        await Promise.all([...lastSeq].map(([sid, seq]) => chairOf.get(sid)!.waitSeq(seq, 900_000)));
        stormCpu += cpu() - cpu0;
        probeFrames.counting = false;
        chairs.forEach((c, i) => {
          chairPushes.bytes += c.patches.bytes - chairsBefore[i]!.bytes;
          chairPushes.count += c.patches.count - chairsBefore[i]!.count;
        });
        all.push(...results);
        healths.push(health);
        for (const r of results) if (r.ok) tally.push(chairOf.get(byKey.get(r.tag)!.sessionId)!.firstViewAtOrAfter(r.seq) - r.intended);

        // Close every poll and compare its counts with what the bots were told.
        await mapLimit(chairs, 10, async (c) => {
          const closed = await c.send('poll.close', { pollId });
          if (!closed.ok) ctx.log(`  ${c.sessionId}: poll.close refused (${refusal(closed)}); reading the poll as it stands`);
          const view: SessionView = await c.join();
          const result = view.polls.find((poll) => poll.pollId === pollId)?.result as { yes: number; no: number; abstain: number } | null | undefined;
          const mine = results.filter((r) => r.ok && byKey.get(r.tag)!.sessionId === c.sessionId).map((r) => byKey.get(r.tag)!.choice);
          const counted = result ? result.yes + result.no + result.abstain : 0;
          lost += Math.max(0, mine.length - counted);
          unacknowledgedCounted += Math.max(0, counted - mine.length);
          if (!tallyMatches(mine, result ?? null)) tallyMismatches++;
          // The hall moves on only once a result is announced: the next round's poll opens after it.
          if (round + 1 < rounds) await c.must('poll.announce', { pollId });
        });
      }
    } finally {
      clearInterval(rssTimer);
      probe.close();
    }
    const out = side(votes.length * rounds, all, stormCpu, worstHealth(healths[0]!, ...healths.slice(1)));

    const app = {
      ...out,
      tallyMs: summarize(tally),
      lost,
      unacknowledgedCounted,
      tallyMismatches,
      setupMs,
      bootMs: server.readyMs,
      peakRssMB: peakRss / (1024 * 1024),
      delegateViewBytes,
      chairViewBytes,
      delegatePushBytes: probeFrames.count ? probeFrames.bytes / probeFrames.count : 0,
      chairPushBytes: chairPushes.count ? chairPushes.bytes / chairPushes.count : 0,
    };
    ctx.log(
      `  app: acked ${app.acked}/${app.votes}, ack p50 ${round(app.ackMs.p50)} ms p99 ${round(app.ackMs.p99)} ms, tally p99 ${round(app.tallyMs.p99)} ms, ` +
        `lost ${lost}, CPU/vote ${round(app.cpuMsPerVote, 2)} ms, lag p99 ${round(app.generator.lagP99)} ms, ` +
        `push bytes per publication: tablet ${Math.round(app.delegatePushBytes)}, chair ${Math.round(app.chairPushBytes)}`,
    );
    return app;
  } finally {
    for (const c of chairs) c.close();
    if (pool) {
      await pool.all('closeAll').catch(() => undefined);
    }
    await server.stop();
  }
}
