/**
 * Province soak (`pnpm bench -- --soak`, issue 16): the province's sessions sitting at once for 20 minutes (or
 * `--soak-minutes`) against one server — the Bắc Ninh session (85 delegates), Tiên Du and the 98 generated communes of
 * `HALL_SEED=province` (20–30 delegates each), 100 sessions and 2,320 delegate sockets in all, plus 5,000 public viewers
 * (a fifth on the province's session, the rest spread over the communes).
 *
 * Each session runs a scripted sitting: check-in, then cycles of `cycleSec` (default 180 s; sessions start staggered
 * over one cycle) made of three speeches (floor requests → queue → grant → stop), a questioning round (a group,
 * two questions, each called and answered), and a vote: an electronic named motion, except once per session a secret
 * confidence rating of the council's officials (a secret motion in communes, where ratings are off by default). The
 * chair of each session is a socket in the orchestrator; delegates and viewers are lite sockets in the generator
 * processes, which send each delegate command at an intended time (latency counts from it, so a late generator or a
 * late chair step never hides server delay).
 *
 * Per window (default 5 minutes, by the commands' intended times): acked / refused / unanswered commands; lost =
 * acked commands whose commandId is not in the session's journal, read from the store after the server is killed
 * with SIGKILL at the end (acked means durable), plus ballots acked but missing from the closed poll's count; ack p99;
 * tally p99 (ballot's intended time → the chair's first view whose seq includes it); the server's RSS; the server's
 * own event-loop lag (a preloaded probe, lib/lag-probe.mjs); the machine's load average. RSS growth after warm-up
 * (the first window) is a least-squares slope in MB per minute. The heap in use after a full collection is taken at
 * three moments: set up, sittings over, and every sitting adjourned with its screens gone and its room retired — what
 * the sittings keep, and whether the server gives it back (SessionRegistry.retireIdle).
 *
 * Setup is not measured: the bench signs the delegates' and chairs' tokens with the server's token secret (which it
 * gave the server) instead of 2,320 scrypt logins, and seeds the province without delegate accounts.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AgendaItem, Council } from '@hall/core';
import { demoCouncils, demoSessions } from '../../../server/src/seed/demo.ts';
import { provinceCommunes, seedProvince } from '../../../server/src/seed/province.ts';
import { issueToken } from '../../../server/src/auth/tokens.ts';
import type { SessionRecord } from '../../../server/src/store/types.ts';
import { SECRETS, mapLimit, prepareStore, startApp } from '../lib/hall.ts';
import { rssBytes, tempDir } from '../lib/proc.ts';
import { refusal } from '../lib/lite-socket.ts';
import { StaffSocket, generatorLag, hostNow, newCommandId, sleep, type Ack, type Ctx, type GeneratorHealth } from '../lib/common.ts';
import { rng, round, summarize, tallyMatches, type Summary } from '../lib/stats.ts';

export interface SoakOptions {
  minutes: number;
  windowMinutes: number;
  sessions: number;
  viewers: number;
  cycleSec: number;
  /** Public viewers per generator process (the pool grows to hold every socket). */
  socketsPerWorker: number;
}

export const SOAK_DEFAULTS: SoakOptions = { minutes: 20, windowMinutes: 5, sessions: 100, viewers: 5000, cycleSec: 180, socketsPerWorker: 1250 };

interface Plan {
  id: string;
  council: Council;
  chairId: string;
  delegates: string[];
  reportItem: string;
  questioningItem: string;
  resolutionItem: string;
  respondentId: string;
  ratableIds: string[];
  ratingAllowed: boolean;
  viewers: number;
  worker: number;
  chair?: StaffSocket;
}

interface CommandRecord {
  sessionId: string;
  type: string;
  chair: boolean;
  intended: number;
  acked: number;
  ok: boolean;
  seq: number;
  code: string;
  commandId: string;
  pollId?: string;
}

export interface SoakWindow {
  window: number;
  fromMin: number;
  toMin: number;
  commands: number;
  acked: number;
  refused: number;
  unanswered: number;
  ballotsAcked: number;
  /** Acked commands missing from the journal + acked ballots missing from their poll's count. */
  lost: number;
  ackMs: Summary;
  chairAckMs: Summary;
  tallyMs: Summary;
  rssMB: number;
  /** Worst 5-second p99 of the server's event-loop lag in the window, and its max. */
  serverLagP99: number;
  serverLagMax: number;
  loadAvg1: number;
}

export interface SoakResult {
  options: SoakOptions;
  sessions: number;
  delegates: number;
  viewers: number;
  generators: number;
  startedAt: string;
  durationMs: number;
  setupMs: number;
  loadAvgStart: number[];
  loadAvgEnd: number[];
  cpus: number;
  windows: SoakWindow[];
  totals: {
    commands: number;
    acked: number;
    refused: number;
    unanswered: number;
    ballotsAcked: number;
    polls: number;
    lostJournal: number;
    lostBallots: number;
    tallyMismatches: number;
    ackMs: Summary;
    tallyMs: Summary;
    /** Up to 10 distinct refusal codes, with the command type. */
    errors: string[];
  };
  rss: { samples: [number, number][]; warmupMin: number; slopeMBPerMin: number; startMB: number; endMB: number; peakMB: number };
  /**
   * The heap in use right after major garbage collections (the probe's samples, minutes since the start and MB) and its
   * slope after warm-up: what the server really keeps. RSS also grows when V8 keeps more room for later.
   */
  liveHeap: { samples: [number, number][]; slopeMBPerMin: number; endMB: number };
  /**
   * The heap in use after a full collection forced at three moments (MB): every socket joined and check-in open, the
   * sittings over, and every sitting adjourned with its screens gone and its room retired (`HALL_ROOM_IDLE_MS`). What
   * the sittings themselves keep (their record, the acks of their commands, their screens' last views) shows in the
   * second; whether the server gives it back once they are over, in the third. Absent in results older than it.
   */
  heapAt?: { setupMB: number; sittingsMB: number; adjournedMB: number; roomsLeft: number; retireMs: number };
  serverLag: { p99: number; max: number };
  generator: GeneratorHealth;
}

const CHOICES = ['yes', 'no', 'abstain'] as const;
const RATINGS = ['high', 'confidence', 'low'] as const;

const itemOf = (agenda: AgendaItem[], kind: AgendaItem['kind']) => {
  const item = agenda.find((i) => i.kind === kind);
  if (!item) throw new Error(`soak: no ${kind} item on the agenda`);
  return item.id;
};

/** The province's sessions in seed order (Bắc Ninh, Tiên Du, then the generated communes), first `n` of them. */
function planSessions(opts: SoakOptions): Plan[] {
  const demo = demoCouncils();
  const pairs: { council: Council; session: SessionRecord }[] = demoSessions().map((session) => ({ session, council: demo.find((c) => c.id === session.councilId)! }));
  if (opts.sessions > pairs.length) pairs.push(...provinceCommunes().map(({ council, session }) => ({ council, session })));
  if (opts.sessions > pairs.length) throw new Error(`--soak-sessions: the province has ${pairs.length} sessions`);
  const chosen = pairs.slice(0, opts.sessions);
  // A fifth of the viewers watch the province's session (the first), the rest spread evenly over the others.
  const provinceViewers = chosen.length === 1 ? opts.viewers : Math.round(opts.viewers / 5);
  const rest = opts.viewers - provinceViewers;
  return chosen.map(({ council, session }, i) => ({
    id: session.id,
    council,
    chairId: `chutoa.${session.id.split('-')[0]}`,
    delegates: council.delegates.map((d) => d.id),
    reportItem: itemOf(session.agenda, 'report'),
    questioningItem: itemOf(session.agenda, 'questioning'),
    resolutionItem: itemOf(session.agenda, 'resolution'),
    respondentId: council.officials.find((o) => o.respondent)!.id,
    ratableIds: council.officials.filter((o) => o.ratable).map((o) => o.id),
    ratingAllowed: council.level !== 'commune' || council.profile.communeConfidenceRating,
    viewers: i === 0 ? provinceViewers : Math.floor((i * rest) / (chosen.length - 1)) - Math.floor(((i - 1) * rest) / (chosen.length - 1)),
    worker: 0,
  }));
}

const sign = (claims: Parameters<typeof issueToken>[0]) => issueToken(claims, SECRETS.HALL_TOKEN_SECRET, 24 * 3600, Date.now());

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den ? num / den : Number.NaN;
}

export async function runSoak(ctx: Ctx, opts: SoakOptions): Promise<SoakResult> {
  const plans = planSessions(opts);
  const delegates = plans.reduce((n, p) => n + p.delegates.length, 0);
  const sockets = delegates + opts.viewers;
  const workers = Math.max(1, Math.ceil(sockets / opts.socketsPerWorker));
  await ctx.pool.grow(workers);
  const pool = ctx.pool.subset(workers);
  // Whole sessions per generator (its delegate steps go to one process), largest first onto the emptiest.
  const load = new Array<number>(pool.size).fill(0);
  for (const p of [...plans].sort((a, b) => b.delegates.length + b.viewers - (a.delegates.length + a.viewers))) {
    p.worker = load.indexOf(Math.min(...load));
    load[p.worker]! += p.delegates.length + p.viewers;
  }
  ctx.log(`Soak: ${plans.length} sessions, ${delegates} delegates, ${opts.viewers} viewers over ${pool.size} generator process(es), ${opts.minutes} min, cycle ${opts.cycleSec} s`);

  const tSetup = performance.now();
  const store = await prepareStore(ctx.store, 'soak', ctx.redisUrl, 0);
  if (plans.length > demoSessions().length) {
    const s = await store.open();
    try {
      await seedProvince(s, { delegateAccounts: false });
    } finally {
      await s.close();
    }
  }
  const lagFile = path.join(await tempDir('soak-lag'), 'lag.jsonl');
  const probe = pathToFileURL(fileURLToPath(new URL('../lib/lag-probe.mjs', import.meta.url))).href;
  // Rooms of adjourned sittings retire after 5 s unused here (10 min by default): the aftermath measures that, not the wait.
  const server = await startApp(store, 'soak-app', { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${probe}`.trim(), BENCH_LAG_FILE: lagFile, HALL_ROOM_IDLE_MS: '5000' });
  /** Every line the probe wrote so far: its 5-second samples, and its answers to forced collections. */
  const probeLines = async () =>
    (await readFile(lagFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { at: number; p50: number; p99: number; max: number; heapMB?: number | null; forcedHeapMB?: number });
  const forcedAnswers = async () => (await probeLines()).filter((l) => l.forcedHeapMB !== undefined);
  /** The probe's heap after a full collection, asked for now (SIGUSR2), MB; NaN if it does not answer. */
  const forcedHeap = async (): Promise<number> => {
    const seen = (await forcedAnswers()).length;
    process.kill(server.proc.pid, 'SIGUSR2');
    for (let k = 0; k < 600; k++) {
      const answers = await forcedAnswers();
      if (answers.length > seen) return answers.at(-1)!.forcedHeapMB!;
      await sleep(100);
    }
    return Number.NaN;
  };
  const liveSessions = async () => ((await (await fetch(`${server.baseUrl}/healthz`)).json()) as { liveSessions: number }).liveSessions;
  const url = server.baseUrl;
  const records: CommandRecord[] = [];
  const polls: { sessionId: string; pollId: string; closedAt: number; acked: number; counted: number; mismatch: boolean }[] = [];
  const rssSamples: [number, number, number][] = []; // [host time, bytes, load average]
  let sampler: NodeJS.Timeout | null = null;
  const errors = new Map<string, number>();
  const note = (code: string) => errors.set(code, (errors.get(code) ?? 0) + 1);
  try {
    await mapLimit(plans, 10, async (p) => {
      const token = sign({ sub: p.chairId, role: 'chair', councilIds: [p.council.id], name: p.chairId });
      p.chair = await StaffSocket.open(url, token, p.id);
    });
    const items = (w: number) =>
      plans
        .filter((p) => p.worker === w)
        .flatMap((p) => [
          ...p.delegates.map((d) => ({ key: `${p.id}|${d}`, token: sign({ sub: d, role: 'delegate', councilIds: [p.council.id], delegateId: d, name: d }), sessionId: p.id, join: true })),
          ...Array.from({ length: p.viewers }, (_, j) => ({ key: `${p.id}|v${j}`, token: null, sessionId: p.id, join: true })),
        ]);
    const conn = await pool.each<{ failed: number; errors: string[] }>('connect', (w) => ({ url, items: items(w), concurrency: 50 }));
    if (conn.some((c) => c.failed)) throw new Error(`soak: sockets failed to connect: ${conn.flatMap((c) => c.errors).join('; ')}`);
    await mapLimit(plans, 10, (p) => p.chair!.must('session.openCheckIn'));
    const setupMs = performance.now() - tSetup;
    const setupHeapMB = await forcedHeap();
    ctx.log(`  ${sockets} sockets joined, check-in open in ${plans.length} sessions (${Math.round(setupMs / 1000)} s); heap after a full GC ${round(setupHeapMB)} MB`);

    const C = opts.cycleSec * 1000;
    const start = hostNow() + 2000;
    const end = start + opts.minutes * 60_000;
    sampler = setInterval(() => {
      try {
        rssSamples.push([hostNow(), rssBytes(server.proc.pid), loadavg()[0]!]);
      } catch {
        // the server is gone: the run reports it
      }
    }, 5000);
    const loadAvgStart = loadavg();
    const startedAt = new Date().toISOString();

    const chairSend = async (p: Plan, type: string, payload: unknown, extra: Partial<CommandRecord> = {}): Promise<Ack | null> => {
      const commandId = newCommandId();
      const intended = hostNow();
      try {
        const ack = await p.chair!.sock.emitWithAck<Ack>('session:command', { sessionId: p.id, commandId, type, payload }, 300_000);
        records.push({ sessionId: p.id, type, chair: true, intended, acked: hostNow(), ok: ack.ok, seq: ack.ok ? ack.seq : -1, code: ack.ok ? '' : ack.code, commandId, ...extra });
        if (!ack.ok) note(`${type}: ${refusal(ack)}`);
        return ack;
      } catch (err) {
        records.push({ sessionId: p.id, type, chair: true, intended, acked: Number.NaN, ok: false, seq: -1, code: (err as Error).message, commandId, ...extra });
        note(`${type}: ${(err as Error).message}`);
        return null;
      }
    };
    /** Delegate commands at planned times (never earlier than now: a late chair step delays them, not the figures). */
    const delegates$ = async (p: Plan, steps: { delegateId: string; at: number; type: string; payload: unknown; pollId?: string }[]) => {
      const now = hostNow() + 20;
      // The tag is the command id: acks come back in the order they arrive, not the order of the steps.
      const sent = steps.map((s) => {
        const commandId = newCommandId();
        return { key: `${p.id}|${s.delegateId}`, sessionId: p.id, at: Math.max(s.at, now), type: s.type, payload: s.payload, tag: commandId, commandId, pollId: s.pollId };
      });
      const byId = new Map(sent.map((s) => [s.commandId, s]));
      const results = await pool.workers[p.worker]!.call<{ tag: string; intended: number; acked: number; ok: boolean; seq: number; code: string }[]>('schedule', { items: sent, timeoutMs: 300_000 });
      let ballots = 0;
      const choices: unknown[] = [];
      for (const r of results) {
        const s = byId.get(r.tag)!;
        records.push({ sessionId: p.id, type: s.type, chair: false, intended: r.intended, acked: r.acked, ok: r.ok, seq: r.seq, code: r.code, commandId: s.commandId, ...(s.pollId ? { pollId: s.pollId } : {}) });
        if (!r.ok) note(`${s.type}: ${r.code}`);
        else if (s.type === 'ballot.cast') {
          ballots++;
          choices.push((s.payload as { choice: unknown }).choice);
        }
      }
      return { ballots, choices };
    };
    const until = async (t: number) => {
      const wait = t - hostNow();
      if (wait > 0) await sleep(wait);
    };

    const sitting = async (p: Plan, index: number) => {
      const r = rng(ctx.seed * 7919 + index);
      const n = p.delegates.length;
      const s0 = start + (index / plans.length) * C;
      const at = (base: number, f: number) => base + f * C;
      await until(s0);
      // Check-in over the first fifth of a cycle, then the sitting opens.
      await delegates$(p, p.delegates.map((d) => ({ delegateId: d, at: at(s0, r() * 0.2), type: 'attendance.checkIn', payload: { delegateId: d, channel: 'hall' } })));
      await chairSend(p, 'session.start', {});
      const cycles = Math.max(1, Math.floor((end - (s0 + 0.25 * C)) / C + 0.15));
      const ratingCycle = Math.min(1, cycles - 1);
      for (let k = 0; k < cycles; k++) {
        const c0 = s0 + 0.25 * C + k * C;
        await until(c0);
        // Speeches: three delegates ask for the floor, the chair gives it to each in turn.
        await chairSend(p, 'agenda.goTo', { itemId: p.reportItem });
        const speakers = [0, 1, 2].map((j) => p.delegates[(3 * k + j) % n]!);
        const requestIds = speakers.map((_, j) => `rq-${k}-${j}`);
        await delegates$(p, speakers.map((d, j) => ({ delegateId: d, at: at(c0, 0.01 + 0.01 * j), type: 'floor.request', payload: { requestId: requestIds[j], purpose: 'speech' } })));
        for (let j = 0; j < 3; j++) {
          await until(at(c0, 0.06 + 0.06 * j));
          await chairSend(p, 'floor.grant', { requestId: requestIds[j], speechId: `sp-${k}-${j}` });
          await until(at(c0, 0.12 + 0.06 * j));
          await chairSend(p, 'floor.stop', {});
        }
        // Questioning: a group with one respondent, two questions, each called and answered.
        await until(at(c0, 0.26));
        await chairSend(p, 'agenda.goTo', { itemId: p.questioningItem });
        const groupId = `g-${k}`;
        await chairSend(p, 'questioning.addGroup', { groupId, topic: `Chất vấn lượt ${k + 1} / questioning round ${k + 1}`, respondentIds: [p.respondentId] });
        const askers = [0, 1].map((j) => p.delegates[n - 1 - ((2 * k + j) % n)]!);
        await delegates$(
          p,
          askers.map((d, j) => ({ delegateId: d, at: at(c0, 0.28 + 0.01 * j), type: 'question.submit', payload: { questionId: `q-${k}-${j}`, respondentId: p.respondentId, groupId, text: 'Tiến độ thực hiện? / Progress so far?' } })),
        );
        await until(at(c0, 0.32));
        await chairSend(p, 'questioning.openGroup', { groupId });
        for (let j = 0; j < 2; j++) {
          await chairSend(p, 'questioning.call', { questionId: `q-${k}-${j}`, speechId: `sq-${k}-${j}` });
          await until(at(c0, 0.37 + 0.1 * j));
          await chairSend(p, 'floor.stop', {});
          await chairSend(p, 'questioning.answer', { respondentId: p.respondentId, speechId: `sa-${k}-${j}` });
          await until(at(c0, 0.42 + 0.1 * j));
          await chairSend(p, 'floor.stop', {});
        }
        await chairSend(p, 'questioning.closeGroup', {});
        // The vote: every delegate casts over a fifth of the cycle; the chair closes once every ballot has its answer.
        await until(at(c0, 0.56));
        await chairSend(p, 'agenda.goTo', { itemId: p.resolutionItem });
        const pollId = `p-${k}`;
        const secret = k === ratingCycle;
        const rating = secret && p.ratingAllowed;
        const opened = await chairSend(
          p,
          'poll.open',
          rating
            ? { pollId, itemId: p.resolutionItem, subject: 'Lấy phiếu tín nhiệm / confidence rating', kind: 'confidenceRating', mode: 'secret', officialIds: p.ratableIds, manualClose: true }
            : { pollId, itemId: p.resolutionItem, subject: `Biểu quyết ${k + 1} / motion ${k + 1}`, kind: 'motion', mode: secret ? 'secret' : 'electronic', manualClose: true },
          { pollId },
        );
        if (!opened?.ok) continue;
        const choice = () => (rating ? Object.fromEntries(p.ratableIds.map((o) => [o, RATINGS[Math.floor(r() * 3)]])) : CHOICES[Math.floor(r() * 3)]);
        const cast = await delegates$(p, p.delegates.map((d) => ({ delegateId: d, at: at(c0, 0.58 + r() * 0.2), type: 'ballot.cast', payload: { pollId, choice: choice() }, pollId })));
        await chairSend(p, 'poll.close', { pollId }, { pollId });
        await chairSend(p, 'poll.announce', { pollId }, { pollId });
        const view = (await p.chair!.join()) as { polls: { pollId: string; castCount: number; result: Record<string, unknown> | null }[] };
        const poll = view.polls.find((x) => x.pollId === pollId);
        let mismatch = !poll || poll.castCount !== cast.ballots;
        if (poll && !rating) {
          mismatch ||= !tallyMatches(cast.choices, poll.result as { yes?: number; no?: number; abstain?: number } | null);
        }
        polls.push({ sessionId: p.id, pollId, closedAt: hostNow(), acked: cast.ballots, counted: poll?.castCount ?? 0, mismatch });
      }
    };

    const { health } = await generatorLag(pool, () => Promise.all(plans.map((p, i) => sitting(p, i))), server.proc.pid);
    const finished = hostNow();
    clearInterval(sampler);
    sampler = null;
    const loadAvgEnd = loadavg();
    const sittingsHeapMB = await forcedHeap();
    ctx.log(`  sittings done after ${round((finished - start) / 60_000)} min; heap after a full GC ${round(sittingsHeapMB)} MB; adjourning them`);

    // The aftermath: every sitting adjourned (outside the windows' records), every screen gone; then the server
    // should retire the rooms and give back what the sittings kept.
    await mapLimit(plans, 10, (p) => p.chair!.must('session.adjourn'));
    for (const p of plans) p.chair?.close();
    await pool.all('closeAll').catch(() => undefined);
    const tRetire = performance.now();
    let roomsLeft = await liveSessions();
    // Bounded by checks (3 minutes at most), so a slow machine only makes it wait longer, never report early.
    for (let k = 0; k < 1800 && roomsLeft > 0; k++) {
      await sleep(100);
      roomsLeft = await liveSessions();
    }
    const retireMs = performance.now() - tRetire;
    const adjournedHeapMB = await forcedHeap();
    ctx.log(`  ${plans.length - roomsLeft} of ${plans.length} rooms retired ${round(retireMs / 1000, 1)} s after the screens left; heap after a full GC ${round(adjournedHeapMB)} MB; checking every acked command against the journals`);

    // Acked means durable: kill the server outright, then every acked commandId must be in its session's journal.
    await server.proc.kill9();
    const journaled = new Map<string, Set<string>>();
    const s = await store.open();
    try {
      for (const p of plans) journaled.set(p.id, new Set((await s.journal.read(p.id)).map((rec) => rec.commandId ?? '')));
    } finally {
      await s.close();
    }
    const lostJournal = (rec: CommandRecord) => rec.ok && !journaled.get(rec.sessionId)!.has(rec.commandId);

    // The sittings' own samples: the aftermath (adjourning, retiring) is reported apart, in heapAt.
    const lagLines = (await probeLines()).filter((l) => l.forcedHeapMB === undefined && l.at <= finished);
    const chairOf = new Map(plans.map((p) => [p.id, p.chair!]));
    const tallyOf = (rec: CommandRecord) => chairOf.get(rec.sessionId)!.firstViewAtOrAfter(rec.seq) - rec.intended;
    const W = opts.windowMinutes * 60_000;
    const windowCount = Math.max(1, Math.ceil((end - start) / W - 1e-9));
    const windows: SoakWindow[] = [];
    for (let w = 0; w < windowCount; w++) {
      const from = start + w * W;
      // The last window also takes the tail of sittings that ran past the end.
      const to = w === windowCount - 1 ? Number.POSITIVE_INFINITY : from + W;
      const inWin = (t: number) => t >= from && t < to;
      const recs = records.filter((x) => inWin(x.intended));
      const ok = recs.filter((x) => x.ok);
      const ballots = ok.filter((x) => x.type === 'ballot.cast');
      const rss = rssSamples.filter((x) => inWin(x[0]));
      const lag = lagLines.filter((x) => inWin(x.at));
      windows.push({
        window: w + 1,
        fromMin: (w * W) / 60_000,
        toMin: (w === windowCount - 1 ? Math.max(end, finished) - start : (w + 1) * W) / 60_000,
        commands: recs.length,
        acked: ok.length,
        refused: recs.filter((x) => !x.ok && Number.isFinite(x.acked)).length,
        unanswered: recs.filter((x) => !Number.isFinite(x.acked)).length,
        ballotsAcked: ballots.length,
        lost: ok.filter(lostJournal).length + polls.filter((x) => inWin(x.closedAt)).reduce((n, x) => n + Math.max(0, x.acked - x.counted), 0),
        ackMs: summarize(ok.filter((x) => !x.chair).map((x) => x.acked - x.intended)),
        chairAckMs: summarize(ok.filter((x) => x.chair).map((x) => x.acked - x.intended)),
        tallyMs: summarize(ballots.map(tallyOf).filter(Number.isFinite)),
        rssMB: rss.length ? rss[rss.length - 1]![1] / 2 ** 20 : Number.NaN,
        serverLagP99: lag.length ? Math.max(...lag.map((x) => x.p99)) : Number.NaN,
        serverLagMax: lag.length ? Math.max(...lag.map((x) => x.max)) : Number.NaN,
        loadAvg1: rss.length ? rss[rss.length - 1]![2] : Number.NaN,
      });
    }
    const okAll = records.filter((x) => x.ok);
    const ballotsAll = okAll.filter((x) => x.type === 'ballot.cast');
    // Warm-up: the first window (check-in, first cycles, JIT); with a single window, its first half.
    const warmupMin = windowCount > 1 ? opts.windowMinutes : opts.minutes / 2;
    const afterWarmup = rssSamples.filter((x) => x[0] >= start + warmupMin * 60_000).map(([t, b]): [number, number] => [(t - start) / 60_000, b / 2 ** 20]);
    const mbs = rssSamples.map((x) => x[1] / 2 ** 20);
    const result: SoakResult = {
      options: opts,
      sessions: plans.length,
      delegates,
      viewers: opts.viewers,
      generators: pool.size,
      startedAt,
      durationMs: finished - start,
      setupMs,
      loadAvgStart,
      loadAvgEnd,
      cpus: cpus().length,
      windows,
      totals: {
        commands: records.length,
        acked: okAll.length,
        refused: records.filter((x) => !x.ok && Number.isFinite(x.acked)).length,
        unanswered: records.filter((x) => !Number.isFinite(x.acked)).length,
        ballotsAcked: ballotsAll.length,
        polls: polls.length,
        lostJournal: okAll.filter(lostJournal).length,
        lostBallots: polls.reduce((n, x) => n + Math.max(0, x.acked - x.counted), 0),
        tallyMismatches: polls.filter((x) => x.mismatch).length,
        ackMs: summarize(okAll.filter((x) => !x.chair).map((x) => x.acked - x.intended)),
        tallyMs: summarize(ballotsAll.map(tallyOf).filter(Number.isFinite)),
        errors: [...errors].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([code, count]) => `${code} ×${count}`),
      },
      rss: {
        samples: rssSamples.map(([t, b]) => [round((t - start) / 60_000, 2), round(b / 2 ** 20)]),
        warmupMin,
        slopeMBPerMin: slope(afterWarmup),
        startMB: mbs[0] ?? Number.NaN,
        endMB: mbs[mbs.length - 1] ?? Number.NaN,
        peakMB: mbs.length ? Math.max(...mbs) : Number.NaN,
      },
      liveHeap: liveHeapOf(lagLines, start, warmupMin),
      heapAt: { setupMB: round(setupHeapMB, 1), sittingsMB: round(sittingsHeapMB, 1), adjournedMB: round(adjournedHeapMB, 1), roomsLeft, retireMs: Math.round(retireMs) },
      serverLag: soakLag(windows),
      generator: health,
    };
    for (const w of windows) {
      ctx.log(
        `  window ${w.window} (${round(w.fromMin)}–${round(w.toMin)} min): ${w.acked}/${w.commands} acked, ${w.refused} refused, ${w.unanswered} unanswered, lost ${w.lost}, ` +
          `ack p99 ${round(w.ackMs.p99)} ms, tally p99 ${round(w.tallyMs.p99)} ms, RSS ${round(w.rssMB)} MB, server lag p99 ${round(w.serverLagP99)} ms, load ${round(w.loadAvg1)}`,
      );
    }
    ctx.log(`  RSS slope after ${round(warmupMin)} min warm-up: ${round(result.rss.slopeMBPerMin, 2)} MB/min; heap after major GCs: ${round(result.liveHeap.slopeMBPerMin, 2)} MB/min, ${round(result.liveHeap.endMB)} MB at the end; errors: ${result.totals.errors.join("; ") || "none"}`);
    return result;
  } finally {
    if (sampler) clearInterval(sampler);
    for (const p of plans) p.chair?.close();
    await pool.all('closeAll').catch(() => undefined);
    await server.proc.kill9();
  }
}

/** The probe's heap-after-major-GC samples since `start`, in minutes and MB, and their slope after the warm-up. */
function liveHeapOf(lines: { at: number; heapMB?: number | null }[], start: number, warmupMin: number): SoakResult['liveHeap'] {
  const samples = lines
    .filter((l) => typeof l.heapMB === 'number' && l.at >= start)
    .map((l): [number, number] => [round((l.at - start) / 60_000, 2), round(l.heapMB!, 1)]);
  const afterWarmup = samples.filter(([min]) => min >= warmupMin);
  return { samples, slopeMBPerMin: afterWarmup.length >= 2 ? slope(afterWarmup) : Number.NaN, endMB: samples.at(-1)?.[1] ?? Number.NaN };
}

/** The server's worst event-loop lag over the soak's windows (setup before the first window is not counted). */
const soakLag = (windows: SoakWindow[]) => ({ p99: Math.max(...windows.map((w) => w.serverLagP99)), max: Math.max(...windows.map((w) => w.serverLagMax)) });

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : '—');

export const SOAK_BEGIN = '<!-- soak:begin (generated by pnpm bench -- --soak) -->';
export const SOAK_END = '<!-- soak:end -->';

/** The soak's section of docs/benchmarks.md, between markers so that either run can rewrite it in place. */
export function soakMarkdown(r: SoakResult): string {
  const t = r.totals;
  const g = r.generator;
  const lag = soakLag(r.windows);
  const rows = r.windows.map(
    (w) =>
      `| ${w.window} | ${fmt(w.fromMin, 1)}–${fmt(w.toMin, 1)} | ${fmt(w.acked)} / ${fmt(w.commands)} | ${fmt(w.refused)} | ${fmt(w.unanswered)} | ${fmt(w.lost)} | ${fmt(w.ballotsAcked)} | ${fmt(w.ackMs.p99, 1)} | ${fmt(w.chairAckMs.p99, 1)} | ${fmt(w.tallyMs.p99, 1)} | ${fmt(w.rssMB, 1)} | ${fmt(w.serverLagP99, 1)} / ${fmt(w.serverLagMax)} | ${fmt(w.loadAvg1, 1)} |`,
  );
  return `${SOAK_BEGIN}
## Province soak

Generated by \`pnpm bench -- --soak${r.options.minutes !== SOAK_DEFAULTS.minutes ? ` --soak-minutes ${r.options.minutes}` : ''}\` (tests/bench/scenarios/soak.ts; not part of CI) on ${r.startedAt}:
${r.sessions} sessions at once (the \`HALL_SEED=province\` sizes: Bắc Ninh's 85 delegates and ${r.sessions - 1} communes of
20–30), ${fmt(r.delegates)} delegate sockets and ${fmt(r.viewers)} public viewers over ${r.generators} generator
processes, ${r.options.minutes} minutes of scripted sittings (check-in, then every ${r.options.cycleSec} s per session
three speeches, a questioning round of two questions and a vote; once per session a secret confidence rating, or a
secret motion in communes), one server process, ${r.cpus} CPUs. Load average (1 min) ${r.loadAvgStart[0]?.toFixed(1)} at
the start, ${r.loadAvgEnd[0]?.toFixed(1)} at the end${(r.generator.foreignCpuPct ?? 0) > 25 ? ': the machine was shared with other work, so latencies are noisier and slower than on a quiet one' : ' (the bench\'s own processes: other work took ' + fmt(r.generator.foreignCpuPct ?? Number.NaN) + '% of the machine)'}.

| Window | Minutes | Acked / sent | Refused | Unanswered | Lost | Ballots | Ack p99 (ms) | Chair ack p99 (ms) | Tally p99 (ms) | RSS end (MB) | Server loop lag, worst 5-s p99 / max (ms) | Load avg (1 min) |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

**Totals:** ${fmt(t.acked)} of ${fmt(t.commands)} commands acked, ${fmt(t.refused)} refused, ${fmt(t.unanswered)} unanswered;
**lost ${fmt(t.lostJournal + t.lostBallots)}** (${fmt(t.lostJournal)} acked commands missing from the journal after a
\`kill -9\`, ${fmt(t.lostBallots)} acked ballots missing from their poll's count; ${fmt(t.tallyMismatches)} of ${fmt(t.polls)}
polls whose count differed from the acked ballots); delegate ack p99 ${fmt(t.ackMs.p99, 1)} ms, tally p99
${fmt(t.tallyMs.p99, 1)} ms. **RSS** ${fmt(r.rss.startMB)} MB at the start, ${fmt(r.rss.peakMB)} MB at the peak,
${fmt(r.rss.endMB)} MB at the end; after ${fmt(r.rss.warmupMin, 1)} min of warm-up it grew **${fmt(r.rss.slopeMBPerMin, 2)} MB per
minute** (least-squares slope of 5-second samples); the heap in use right after major garbage collections — what the
server really keeps — grew ${fmt(r.liveHeap?.slopeMBPerMin ?? Number.NaN, 2)} MB per minute after warm-up and was ${fmt(r.liveHeap?.endMB ?? Number.NaN, 1)} MB at the end.${heapAtText(r)} Server event-loop lag: worst 5-second p99 ${fmt(lag.p99, 1)} ms, max
${fmt(lag.max)} ms. Generators: event-loop lag p99 ${fmt(g.lagP99, 1)} ms${g.saturated ? ' (SATURATED: latencies include generator delay)' : ''};
CPU, as shares of the whole machine: generators ${fmt(g.generatorCpuPct ?? Number.NaN)}%, server ${fmt(g.serverCpuPct ?? Number.NaN)}%,
other processes ${fmt(g.foreignCpuPct)}%${(g.foreignCpuPct ?? 0) > 50 ? ' — other work had most of the machine, so the latencies above are those of a starved server, not a measure of its capacity' : ''}.${t.errors.length ? ` Refusals and failures: ${t.errors.join('; ')}.` : ''}

How it is measured: every delegate command is sent by a generator at an intended time and timed from it (ack p99);
the chair's commands are sent one after another by the orchestrator (chair ack p99); tally = a ballot's intended
time → the chair's first view whose seq includes it. Lost is checked after the run: the server is killed with
SIGKILL and every acked commandId is looked for in its session's journal, read from the store. Each window holds
the commands intended in it; RSS and load average are the window's last 5-second sample; server lag comes from a
probe preloaded into the server process (tests/bench/lib/lag-probe.mjs). Setup (not measured): the bench signs the
tokens with the server's secret instead of 2,320 scrypt logins.
${SOAK_END}
`;
}

/** The forced-GC heap at setup, at the end of the sittings and after they adjourned (results that have it). */
function heapAtText(r: SoakResult): string {
  const h = r.heapAt;
  if (!h) return '';
  const kept = h.sittingsMB - h.setupMB;
  return (
    ` **What the sittings keep, and give back** (heap in use after a full collection the bench forces): ${fmt(h.setupMB, 1)} MB with every socket joined and check-in open;` +
    ` ${fmt(h.sittingsMB, 1)} MB when the sittings ended (${fmt(kept, 1)} MB more: their record — speeches, questions, polls with named ballots —, the acks kept for retried commands, and the last view of each screen, all growing with each sitting's length);` +
    ` ${fmt(h.adjournedMB, 1)} MB once every sitting was adjourned and its screens had left (their sockets gone too, hence below the first figure), ${fmt(r.sessions - h.roomsLeft)} of ${fmt(r.sessions)} rooms retired ${fmt(h.retireMs / 1000, 1)} s after (\`HALL_ROOM_IDLE_MS\` set to 5 s for the bench; 10 min by default).`
  );
}

/** Puts the soak's section into a benchmarks page: in place of the old one, or at the end. */
export function spliceSoak(page: string, section: string): string {
  const a = page.indexOf(SOAK_BEGIN);
  const b = page.indexOf(SOAK_END);
  if (a >= 0 && b > a) return page.slice(0, a) + section.trimEnd() + page.slice(b + SOAK_END.length);
  return `${page.trimEnd()}\n\n${section}`;
}
