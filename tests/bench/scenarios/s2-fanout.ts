/**
 * S2 fan-out: one session, N anonymous public subscribers; the chair drives 10 view changes per second
 * (`attendance.set` toggles) for the window. The baseline server emits the same public view bytes to the same
 * number of sockets on the same schedule.
 *
 * Server stamp: the view carries no server time, so a change's stamp is the host time at which the DRIVER received
 * the ack of the command that made it (app: the chair's `attendance.set` ack, which carries the journal seq the view
 * will carry; baseline: the `bench:emit` ack, sent just before the emit). Delivery of a change to a subscriber =
 * receipt (host clock, in the generator) of the first frame whose seq ≥ the change's seq − the change's stamp. Every
 * change is measured on every subscriber, so a change the app coalesced into a later view is timed until that view
 * arrives. In the app the ack precedes the view by the publisher's coalescing delay (15 ms), which is included.
 * Frames/s = frames received by all subscribers / (last receipt − first stamp).
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Proc, tempDir } from '../lib/proc.ts';
import { CHAIR, DELEGATES, benchSessionId, freePort, login, prepareStore, startApp } from '../lib/hall.ts';
import type { Pool } from '../lib/pool.ts';
import { LiteSocket } from '../lib/lite-socket.ts';
import { StaffSocket, cpuSplit, generatorLag, hostNow, newCommandId, sleep, type Ack, type Ctx, type GeneratorHealth } from '../lib/common.ts';
import { Histogram, round, type Summary } from '../lib/stats.ts';
import { repoRoot } from '../lib/deps.ts';

const SESSION = benchSessionId(1);
const RATE_HZ = 10;

export interface FanoutSide {
  subscribers: number;
  changes: number;
  /** Changes whose command was acked (app) / emitted (baseline). */
  stamped: number;
  expectedFrames: number;
  frames: number;
  /** frames / expectedFrames (coalescing or loss makes it < 1). */
  delivered: number;
  framesPerSec: number;
  /** Change → first frame that includes it, on every subscriber (subscribers × stamped changes samples). */
  deliveryMs: Summary;
  /** (subscriber, change) pairs no frame delivered before the drain ended. */
  undelivered: number;
  viewBytes: number;
  generator: GeneratorHealth;
  /** Subscribers that had not seen the last seq when the wait ended. */
  behind: number;
}

export interface S2Result {
  subscribers: number;
  windowMs: number;
  app: FanoutSide & { bootMs: number };
  baseline: FanoutSide;
  ratio: { framesPerSec: number; p50: number; p99: number };
}

/** Subscribers one generator process holds before S2 starts another (issue 16: 5,000 per process saturated it, 2,500 did not). */
export const SUBSCRIBERS_PER_WORKER = 1250;

export async function runS2(ctx: Ctx, subscribers: number): Promise<S2Result> {
  const workers = subscribers > 500 ? Math.max(ctx.workers, Math.ceil(subscribers / (ctx.subscribersPerWorker ?? SUBSCRIBERS_PER_WORKER))) : 1;
  await ctx.pool.grow(workers);
  ctx.log(`S2 N=${subscribers}: ${subscribers} public subscribers over ${workers} generator process(es), ${RATE_HZ} changes/s for ${ctx.windowMs} ms`);
  const app = await appFanout(ctx, subscribers, workers);
  const baseline = await baselineFanout(ctx, subscribers, workers, app.view);
  return {
    subscribers,
    windowMs: ctx.windowMs,
    app: app.side,
    baseline,
    ratio: { framesPerSec: app.side.framesPerSec / baseline.framesPerSec, p50: app.side.deliveryMs.p50 / baseline.deliveryMs.p50, p99: app.side.deliveryMs.p99 / baseline.deliveryMs.p99 },
  };
}

const cpuShares = (g: GeneratorHealth) => `${g.processes - 1} generator processes; machine CPU: ${cpuSplit(g)}`;

interface Driver {
  /** Sends change i (0-based); resolves with the seq its frame will carry. */
  send(i: number): Promise<number>;
}

/** Connects N subscribers, drives `changes` at 10/s from intended times, collects delivery latencies. */
async function fanout(ctx: Ctx, pool: Pool, url: string, subscribers: number, driver: Driver, viewBytes: number, serverPid: number): Promise<FanoutSide> {
  const items = Array.from({ length: subscribers }, (_, i) => ({ key: `pub-${i}`, token: null, sessionId: SESSION, join: true }));
  const tConn = performance.now();
  const conn = await pool.each<{ failed: number; errors: string[] }>('connect', (i) => ({ url, items: pool.deal(items)[i], concurrency: 100 }));
  if (conn.some((c) => c.failed)) throw new Error(`subscribers failed to connect: ${conn.flatMap((c) => c.errors).join('; ')}`);
  ctx.log(`  ${subscribers} subscribers joined in ${Math.round(performance.now() - tConn)} ms`);
  await sleep(ctx.quick ? 200 : 1000);

  const changes = Math.round((ctx.windowMs / 1000) * RATE_HZ);
  const stamps = new Map<number, number>();
  let lastSeq = 0;
  let firstStamp = Number.POSITIVE_INFINITY;
  await pool.all('record', { on: true });
  const { result, health } = await generatorLag(pool, async () => {
    const t0 = hostNow() + 300;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < changes; i++) {
      const wait = t0 + (i * 1000) / RATE_HZ - hostNow();
      if (wait > 0) await sleep(wait);
      sends.push(
        driver.send(i).then(
          (seq) => {
            const at = hostNow();
            stamps.set(seq, at);
            if (at < firstStamp) firstStamp = at;
            if (seq > lastSeq) lastSeq = seq;
          },
          (err: unknown) => ctx.log(`  change ${i} failed: ${(err as Error).message}`),
        ),
      );
    }
    await Promise.all(sends);
    // Wait until every subscriber has the last view (or give up after a generous drain).
    const until = performance.now() + 30_000 + ctx.windowMs;
    let behind = subscribers;
    while (performance.now() < until) {
      const prog = await pool.all<{ minSeq: number }>('progress');
      if (prog.every((p) => p.minSeq >= lastSeq)) {
        behind = 0;
        break;
      }
      await sleep(100);
    }
    return { behind };
  }, serverPid);
  await pool.all('record', { on: false });
  const parts = await pool.all<{ hist: ReturnType<Histogram['toJSON']>; frames: number; undelivered: number; first: number; last: number }>('latencies', { stamps: [...stamps] });
  const hist = new Histogram();
  let frames = 0;
  let last = 0;
  let undelivered = 0;
  for (const p of parts) {
    hist.merge(p.hist);
    frames += p.frames;
    undelivered += p.undelivered;
    if (p.last > last) last = p.last;
  }
  const spanMs = last - firstStamp;
  const expectedFrames = stamps.size * subscribers;
  return {
    subscribers,
    changes,
    stamped: stamps.size,
    expectedFrames,
    frames,
    delivered: expectedFrames ? frames / expectedFrames : Number.NaN,
    framesPerSec: spanMs > 0 ? frames / (spanMs / 1000) : Number.NaN,
    deliveryMs: hist.summary(),
    undelivered,
    viewBytes,
    generator: health,
    behind: result.behind,
  };
}

async function appFanout(ctx: Ctx, subscribers: number, workers: number): Promise<{ side: FanoutSide & { bootMs: number }; view: Record<string, unknown> }> {
  const store = await prepareStore(ctx.store, 's2', ctx.redisUrl, 1);
  const server = await startApp(store, 's2-app');
  let chair: StaffSocket | null = null;
  let probe: LiteSocket | null = null;
  const pool = ctx.pool.subset(workers);
  try {
    chair = await StaffSocket.open(server.baseUrl, await login(server.baseUrl, 'password', CHAIR.id, CHAIR.password), SESSION);
    await chair.must('session.openCheckIn');
    // A real public view, captured for the baseline to send.
    probe = await LiteSocket.connect(server.baseUrl, null);
    const joined = await probe.emitWithAck<{ ok: boolean; view: Record<string, unknown> }>('session:join', { sessionId: SESSION });
    const view = joined.view;
    const viewBytes = Buffer.byteLength(JSON.stringify(view));
    probe.close();
    probe = null;

    const c = chair;
    const driver: Driver = {
      async send(i) {
        const d = DELEGATES[i % DELEGATES.length]!;
        // Each pass over the council flips everyone's status, so every command changes the public attendance.
        const present = Math.floor(i / DELEGATES.length) % 2 === 0;
        const ack = await c.send('attendance.set', { delegateId: d, status: present ? 'present' : 'absentExcused' }, 120_000);
        if (!ack.ok) throw new Error(`attendance.set: ${ack.code}`);
        return ack.seq;
      },
    };
    const side = await fanout(ctx, pool, server.baseUrl, subscribers, driver, viewBytes, server.proc.pid);
    ctx.log(
      `  app: ${side.frames}/${side.expectedFrames} frames, ${Math.round(side.framesPerSec)} frames/s, delivery p50 ${round(side.deliveryMs.p50)} ms p99 ${round(side.deliveryMs.p99)} ms, view ${viewBytes} B, lag p99 ${round(side.generator.lagP99)} ms, ${cpuShares(side.generator)}`,
    );
    return { side: { ...side, bootMs: server.readyMs }, view };
  } finally {
    probe?.close();
    chair?.close();
    await pool.all('closeAll').catch(() => undefined);
    await server.proc.kill9();
  }
}

async function baselineFanout(ctx: Ctx, subscribers: number, workers: number, view: Record<string, unknown>): Promise<FanoutSide> {
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port), BASELINE_STORE: ctx.store };
  if (ctx.store === 'embedded') env.BASELINE_DIR = path.join(await tempDir('s2-baseline'), 'journal');
  else Object.assign(env, { REDIS_URL: ctx.redisUrl, BASELINE_PREFIX: `hallbench:s2base:${randomBytes(4).toString('hex')}:` });
  const { proc } = await Proc.start({ name: 's2-baseline', script: path.join(repoRoot, 'tests/bench/baseline-server.ts'), env, readyUrl: `http://127.0.0.1:${port}/healthz` });
  const url = `http://127.0.0.1:${port}`;
  const pool = ctx.pool.subset(workers);
  const driverSock = await LiteSocket.connect(url, null);
  try {
    await driverSock.emitWithAck('bench:view', view);
    const viewBytes = Buffer.byteLength(JSON.stringify(view));
    const driver: Driver = {
      async send(i) {
        const ack = await driverSock.emitWithAck<Ack>('bench:emit', { sessionId: SESSION, seq: i + 1, commandId: newCommandId() }, 120_000);
        if (!ack.ok) throw new Error('bench:emit refused');
        return ack.seq;
      },
    };
    const side = await fanout(ctx, pool, url, subscribers, driver, viewBytes, proc.pid);
    ctx.log(
      `  baseline: ${side.frames}/${side.expectedFrames} frames, ${Math.round(side.framesPerSec)} frames/s, delivery p50 ${round(side.deliveryMs.p50)} ms p99 ${round(side.deliveryMs.p99)} ms, lag p99 ${round(side.generator.lagP99)} ms, ${cpuShares(side.generator)}`,
    );
    return side;
  } finally {
    driverSock.close();
    await pool.all('closeAll').catch(() => undefined);
    await proc.kill9();
  }
}
