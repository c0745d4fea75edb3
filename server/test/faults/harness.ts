/**
 * The fault suite's cluster: a private Redis (AOF, `appendfsync always`, MONITOR attached before any node can reach
 * it), two real server processes on it with a 2 s lease, 85 bot delegates voting continuously, and one round per
 * fault: open a poll, vote, break something, measure how long until the lease is taken and every delegate is served
 * again, recover, close and announce, then check the record.
 *
 * What a round checks (RoundReport.problems lists every breach; the test asserts it is empty):
 *  - per delegate, the last acknowledged choice = the journal's replay = the announced result (secret polls: the
 *    acknowledged ballots' tally = the replay's counts = the announced counts, and the same voters);
 *  - every ok ack names its own record (commandId, voter, poll, choice at that seq);
 *  - no ballot in the journal that nobody was told was recorded (0 extra), no acknowledged one missing (0 lost);
 *  - no command answered UNAVAILABLE and then found recorded (a retry answered as a duplicate when every earlier
 *    attempt had been told "not recorded"); no INTERNAL answer;
 *  - every write of the record was fenced (audit.ts), each journal seq written exactly once;
 *  - the session served every delegate again without anyone restarting a node for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import { project, replay, restoreSession, type BallotChoice, type CommandAck, type PersistedSession, type SessionView } from '@hall/core';
import { BotDelegate, mulberry32, newCommandId, tallyChoices, type Rng } from '../../src/bots/bot.ts';
import { mapLimit } from '../../src/bots/swarm.ts';
import { DEMO_STAFF_PASSWORD, demoCouncils, demoDelegateCode } from '../../src/seed/demo.ts';
import { openRedisStore, type RedisStore } from '../../src/store/redis.ts';
import { freePort, login, ServerProcess, TestClient } from '../support/hall.ts';
import { RedisProcess } from '../support/redis-process.ts';
import { AppendAudit } from './audit.ts';

export const SESSION = 'bn-kh12';
const PREFIX = 'hall:';
export const LEASE_MS = 2000;
/** How long an owner stays frozen: well past the lease, so another node takes over and the frozen one wakes stale. */
const FREEZE_MS = 6000;
/** How long CLIENT PAUSE holds every client: past the lease, and past the store's 2 s command timeout. */
const PAUSE_MS = 3000;
/** Voting before the fault, and after every delegate has been served again. */
const VOTE_BEFORE_MS = 2000;
const VOTE_AFTER_MS = 2000;
/** Waits for things that must happen; sized for a loaded 2-core machine, never a measure of speed. */
const PATIENCE_MS = 90_000;
/** A node's boot (tsx compiles the server first): minutes on a machine at 10× load. */
const BOOT_MS = 180_000;

export type Fault = 'kill9' | 'sigstop' | 'redisTerm' | 'redisKill' | 'clientPause';
export type NodeName = 'a' | 'b';

export const FAULT_LABEL: Record<Fault, string> = {
  kill9: 'owner kill -9',
  sigstop: `owner SIGSTOP ${FREEZE_MS / 1000} s, SIGCONT`,
  redisTerm: 'Redis SIGTERM, restart',
  redisKill: 'Redis SIGKILL, restart',
  clientPause: `Redis CLIENT PAUSE ${PAUSE_MS / 1000} s`,
};

export interface RoundReport {
  fault: Fault;
  mode: 'electronic' | 'secret';
  pollId: string;
  /** Fault → the lease names the other node (owner faults), ms. */
  leaseTakenMs: number | null;
  /** Fault → the first, and the last, delegate served with a new record, ms. */
  firstServedMs: number;
  allServedMs: number;
  /** The longest any ballot waited for its ack, first send to definitive answer (the gap a delegate felt), ms. */
  longestWaitMs: number;
  /**
   * The service gap: the longest any delegate's ballot went unanswered after the fault — from the fault for a ballot
   * already waiting then, from its send for a later one (delegates on a frozen node left out), ms.
   */
  gapMs: number;
  /** Where the seconds went, from Redis's MONITOR feed and the bots' answers (printed, never asserted). */
  timeline: string;
  /** SIGSTOP: the frozen node's own delegates, from SIGCONT until the last was served, ms. */
  frozenServedAfterContMs: number | null;
  /** Redis faults: fault → Redis accepting connections again, ms. */
  redisBackMs: number | null;
  ownerBefore: NodeName;
  ownerAfter: NodeName;
  acks: number;
  retries: number;
  /** Attempts answered UNAVAILABLE / OUTCOME_UNKNOWN / timed out (all retried with the same commandId). */
  unavailable: number;
  outcomeUnknown: number;
  timeouts: number;
  /** Bot sockets that dropped and reconnected during the round (an answer sent to a dropped socket never arrives). */
  reconnects: number;
  /** Append scripts that wrote nothing (fence or tail refused them), seen in MONITOR during the round. */
  refusedAppends: number;
  /** Journal records written in Redis's last instant before it was stopped, which MONITOR could not deliver. */
  unmonitored: number;
  /** Writes refused for their fence, as the nodes counted them (hall_store_fenced_total, nodes alive at the end). */
  fencedByNodes: number;
  wrongAcks: number;
  extra: number;
  lost: number;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = PATIENCE_MS, everyMs = 25): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Cast {
  delegateId: string;
  commandId: string;
  choice: BallotChoice;
  sentAt: number;
  ackAt: number;
  ack: CommandAck | null;
  answers: (CommandAck | null)[];
  /** When each answer came (performance.now()). */
  answeredAt: number[];
  error?: string;
}

/** Bots voting in one poll: continuously (a changed mind every 1–2 s: about 60 ballots a second in all) in an electronic poll, once in a secret one. */
class Voters {
  readonly casts: Cast[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];

  private constructor(readonly bots: BotDelegate[]) {}

  static async connect(seats: { delegateId: string; baseUrl: string; token: string }[]): Promise<Voters> {
    const bots = await mapLimit(seats, 16, async ({ delegateId, baseUrl, token }) => {
      const bot = BotDelegate.withToken(baseUrl, delegateId, token);
      await bot.connect({ timeoutMs: 30_000, reconnectionDelayMs: 100, reconnectionDelayMaxMs: 500 });
      await bot.join(SESSION, 30_000);
      return bot;
    });
    return new Voters(bots);
  }

  start(pollId: string, mode: 'electronic' | 'secret', rng: Rng, secretSpreadMs: number) {
    this.loops = this.bots.map((bot) => this.vote(bot, pollId, mode, mulberry32(Math.floor(rng() * 2 ** 32)), secretSpreadMs));
  }

  private async vote(bot: BotDelegate, pollId: string, mode: 'electronic' | 'secret', rng: Rng, secretSpreadMs: number) {
    const motion = ['yes', 'no', 'abstain'] as const;
    if (mode === 'secret') await sleep(rng() * secretSpreadMs);
    while (!this.stopping) {
      if (mode === 'electronic') await sleep(1000 + rng() * 1000);
      if (this.stopping) break;
      const cast: Cast = { delegateId: bot.delegateId, commandId: newCommandId(), choice: motion[Math.floor(rng() * 3)]!, sentAt: performance.now(), ackAt: 0, ack: null, answers: [], answeredAt: [] };
      try {
        // Long per-attempt timeouts: the server answers a definitive ack or a retryable code well before them.
        cast.ack = await bot.send('ballot.cast', { pollId, choice: cast.choice }, { commandId: cast.commandId, timeoutMs: 20_000, attempts: 40, onAttempt: (a) => (cast.answers.push(a), cast.answeredAt.push(performance.now())) });
      } catch (err) {
        cast.error = (err as Error).message;
      }
      cast.ackAt = performance.now();
      this.casts.push(cast);
      if (mode === 'secret') break;
    }
  }

  /** Stops casting and waits for every cast in flight to get its definitive answer. */
  async stop() {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  async done() {
    await Promise.all(this.loops);
  }

  close() {
    for (const bot of this.bots) bot.close();
  }
}

interface Metrics {
  fenced: number;
  internal: number;
}

async function metricsOf(node: ServerProcess): Promise<Metrics> {
  const text = await (await fetch(`${node.baseUrl}/metrics`)).text();
  let fenced = 0;
  let internal = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('hall_store_fenced_total ')) fenced += Number(line.split(' ')[1]);
    if (line.startsWith('hall_commands_total{') && line.includes('outcome="INTERNAL"')) internal += Number(line.split(' ').at(-1));
  }
  return { fenced, internal };
}

export class FaultCluster {
  private readonly audit = new AppendAudit(PREFIX, SESSION);
  private readonly tokens = new Map<string, string>();
  private chairToken = '';
  private store!: RedisStore;
  private admin!: Redis;
  private rounds = 0;
  /** The journal seq up to which appends have been audited. */
  private auditedSeq = 0;
  readonly delegateIds = demoCouncils().find((c) => c.id === 'bac-ninh')!.delegates.map((d) => d.id);

  private constructor(
    readonly redis: RedisProcess,
    readonly nodes: Record<NodeName, ServerProcess>,
    private readonly dirs: string[],
  ) {}

  static async start(): Promise<FaultCluster> {
    const redis = await RedisProcess.create();
    const dirs: string[] = [];
    // Only a seeds the demo catalog, so both can boot at once.
    const node = async (name: NodeName) => {
      const dir = await mkdtemp(path.join(tmpdir(), `hall-fault-${name}-`));
      dirs.push(dir);
      const env = { REDIS_URL: redis.url, REDIS_PREFIX: PREFIX, NODE_ID: name, HALL_LEASE_MS: String(LEASE_MS), HALL_SEED: name === 'a' ? '1' : '0', ...(process.env.HALL_FAULT_DEBUG ? { LOG_LEVEL: 'info' } : {}) };
      return new ServerProcess(path.join(dir, 'data'), await freePort(), env);
    };
    const cluster = new FaultCluster(redis, { a: await node('a'), b: await node('b') }, dirs);
    try {
      await redis.start(() => cluster.audit.attach(redis.connect({ retry: false })));
      cluster.admin = redis.connect();
      await Promise.all([cluster.nodes.a.start(BOOT_MS), cluster.nodes.b.start(BOOT_MS)]);
      cluster.store = await openRedisStore(redis.url, { prefix: PREFIX, log: () => undefined });
      return cluster;
    } catch (err) {
      await cluster.close();
      throw err;
    }
  }

  /** Opens check-in through node a (the session opens on its preferred node), checks all 85 in and starts the sitting. */
  async prepareSitting() {
    const { a } = this.nodes;
    this.chairToken = await login(a.baseUrl, 'password', 'chutoa.bn', DEMO_STAFF_PASSWORD);
    await mapLimit(this.delegateIds, 8, async (id) => this.tokens.set(id, await login(a.baseUrl, 'code', id, demoDelegateCode(id)!)));
    const chair = await TestClient.connect(a.baseUrl, this.chairToken, SESSION);
    try {
      await chair.must('session.openCheckIn', {});
      const voters = await Voters.connect(this.delegateIds.map((id) => ({ delegateId: id, baseUrl: a.baseUrl, token: this.tokens.get(id)! })));
      try {
        await mapLimit(voters.bots, 16, async (bot) => {
          const ack = await bot.checkIn('hall', { timeoutMs: 20_000, attempts: 10 });
          if (!ack.ok) throw new Error(`check-in ${bot.delegateId}: ${ack.code}`);
        });
      } finally {
        voters.close();
      }
      await chair.until((v) => v.attendance?.present === 85, '85 present');
      await chair.must('session.start', {});
    } finally {
      chair.close();
    }
  }

  private async holder(): Promise<string | null> {
    return this.admin.get(`${PREFIX}lease:${SESSION}`).catch(() => null);
  }

  private async owner(): Promise<NodeName> {
    const holder = await until('a lease holder', () => this.holder());
    return holder.split(':')[0] as NodeName;
  }

  private async lastSeq(client: Redis = this.admin): Promise<number> {
    return Number((await client.hget(`${PREFIX}jm:${SESSION}`, 'lastSeq')) ?? 0);
  }

  async round(fault: Fault, mode: 'electronic' | 'secret'): Promise<RoundReport> {
    const n = ++this.rounds;
    const pollId = `fault-${n}`;
    const rng = mulberry32(1000 + n);
    const ownerBefore = await this.owner();
    const other: NodeName = ownerBefore === 'a' ? 'b' : 'a';
    const ownerFault = fault === 'kill9' || fault === 'sigstop';
    // Owner faults: the delegates sit on the other node (a hall's load balancer moves them off a dead one); under
    // SIGSTOP ten stay on the frozen owner, whose every write after SIGCONT must be fenced off. Redis faults: both.
    const frozenSeats = fault === 'sigstop' ? new Set(this.delegateIds.slice(0, 10)) : new Set<string>();
    const seatOf = (id: string, i: number): NodeName => (ownerFault ? (frozenSeats.has(id) ? ownerBefore : other) : i % 2 === 0 ? 'a' : 'b');
    const voters = await Voters.connect(this.delegateIds.map((id, i) => ({ delegateId: id, baseUrl: this.nodes[seatOf(id, i)].baseUrl, token: this.tokens.get(id)! })));
    const chair = await TestClient.connect(this.nodes[other].baseUrl, this.chairToken, SESSION);
    const metricsBefore = { a: await metricsOf(this.nodes.a), b: await metricsOf(this.nodes.b) };
    const refusedBefore = this.audit.refusedAppends;
    const restarted = new Set<NodeName>();
    const problems: string[] = [];
    let leaseTakenMs: number | null = null;
    let redisBackMs: number | null = null;
    let frozenServedAfterContMs: number | null = null;
    let firstServedMs = 0;
    let allServedMs = 0;
    let frozen: NodeName | null = null;
    let lastMonitored = Infinity;
    let faultWall = 0;
    try {
      // No deadline within the round: the chair closes the poll once the fault is over, however long that took.
      await chair.must('poll.open', { pollId, subject: `Biểu quyết khi có sự cố (${FAULT_LABEL[fault]})`, kind: 'motion', mode, durationSec: 3600 });
      const secretSpreadMs = 8000;
      voters.start(pollId, mode, rng, secretSpreadMs);
      await sleep(mode === 'secret' ? 2500 : VOTE_BEFORE_MS);

      const faultAt = performance.now();
      faultWall = Date.now();
      this.audit.timeline.splice(0);
      let seqAtFault = 0;
      let contAt = 0;
      const leaseWatch = ownerFault
        ? until('the lease to move', async () => ((await this.holder())?.startsWith(`${other}:`) ? performance.now() : null), PATIENCE_MS, 10)
        : null;
      switch (fault) {
        case 'kill9':
          await this.nodes[ownerBefore].kill9();
          seqAtFault = await this.lastSeq();
          break;
        case 'sigstop':
          this.nodes[ownerBefore].signal('SIGSTOP');
          frozen = ownerBefore;
          seqAtFault = await this.lastSeq();
          break;
        case 'redisTerm':
        case 'redisKill': {
          await this.redis.kill(fault === 'redisTerm' ? 'SIGTERM' : 'SIGKILL');
          this.audit.detach();
          lastMonitored = this.audit.lastSeenSeq;
          // Restart at once; before the port opens, read where the journal stands and attach MONITOR again.
          const openedAt = await this.redis.start(async () => {
            const probe = this.redis.connect({ retry: false });
            seqAtFault = await this.lastSeq(probe);
            probe.disconnect();
            await this.audit.attach(this.redis.connect({ retry: false }));
          });
          redisBackMs = openedAt - faultAt;
          break;
        }
        case 'clientPause': {
          // Atomically: where the journal stands, then every client paused.
          const result = (await this.admin.multi().hget(`${PREFIX}jm:${SESSION}`, 'lastSeq').call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL').exec()) ?? [];
          seqAtFault = Number(result[0]?.[1] ?? 0);
          break;
        }
      }
      if (leaseWatch) leaseTakenMs = (await leaseWatch) - faultAt;

      const served = (ids: Set<string>) => {
        const first = new Map<string, number>();
        for (const c of voters.casts) if (ids.has(c.delegateId) && c.ack?.ok && c.ack.seq > seqAtFault && !first.has(c.delegateId)) first.set(c.delegateId, c.ackAt);
        return first.size === ids.size ? [...first.values()] : null;
      };
      const everyone = new Set(this.delegateIds);
      const awake = new Set(this.delegateIds.filter((id) => !frozenSeats.has(id)));
      if (fault === 'sigstop') {
        await until('the delegates off the frozen node to be served again', () => (mode === 'secret' ? true : served(awake)));
        await sleep(Math.max(0, faultAt + FREEZE_MS - performance.now()));
        this.nodes[ownerBefore].signal('SIGCONT');
        frozen = null;
        contAt = performance.now();
      }
      if (mode === 'electronic') {
        const firsts = await until('every delegate to be served again', () => served(fault === 'sigstop' ? awake : everyone));
        firstServedMs = Math.min(...firsts) - faultAt;
        allServedMs = Math.max(...firsts) - faultAt;
        if (fault === 'sigstop') {
          const frozen = await until("the frozen node's delegates to be served after SIGCONT", () => served(frozenSeats));
          frozenServedAfterContMs = Math.max(...frozen) - contAt;
        }
      }
      // The killed node comes back and rejoins without taking the session over. Its boot (tsx compiling the server)
      // takes the CPU of this shared machine for seconds, so it starts once the gap is measured: after every delegate
      // was served again, or after a secret poll's last ballot (in a hall it boots on a machine of its own).
      const restartKilled = async () => {
        if (fault !== 'kill9') return;
        await this.nodes[ownerBefore].start(BOOT_MS);
        restarted.add(ownerBefore);
      };
      if (mode === 'electronic') {
        await restartKilled();
        await sleep(VOTE_AFTER_MS);
        await voters.stop();
      } else {
        await voters.done();
        const late = voters.casts.filter((c) => c.ack?.ok && c.ack.seq > seqAtFault).map((c) => c.ackAt - faultAt);
        firstServedMs = late.length ? Math.min(...late) : 0;
        allServedMs = late.length ? Math.max(...late) : 0;
        await restartKilled();
      }
      const ownerAfter = await this.owner();
      if (fault === 'kill9' && ownerAfter !== other) problems.push(`the restarted node ${ownerBefore} took the session back`);

      await chair.must('poll.close', { pollId });
      await chair.must('poll.announce', { pollId });
      const announced = await chair.until((v) => v.poll?.pollId === pollId && v.poll.status === 'announced', 'the announcement', PATIENCE_MS);
      const unseenUpTo = Number.isFinite(lastMonitored) ? { from: lastMonitored + 1, to: seqAtFault } : null;
      const checks = await this.check(voters.casts, pollId, mode, announced, problems, unseenUpTo);

      const metricsAfter = { a: await metricsOf(this.nodes.a), b: await metricsOf(this.nodes.b) };
      let fencedByNodes = 0;
      for (const name of ['a', 'b'] as const) {
        const delta = (k: keyof Metrics) => metricsAfter[name][k] - (restarted.has(name) ? 0 : metricsBefore[name][k]);
        fencedByNodes += delta('fenced');
        if (delta('internal') > 0) problems.push(`node ${name} answered INTERNAL ${delta('internal')} times`);
      }
      if (problems.length) for (const name of ['a', 'b'] as const) console.log(`[FAULT] node ${name}'s output:\n${this.nodes[name].output}`);
      // Every ballot's answers, relative to the fault: what to read when a figure looks wrong.
      if (process.env.HALL_FAULT_DEBUG) console.log(voters.casts.map((c) => `${c.delegateId} sent ${Math.round(c.sentAt - faultAt)} waited ${Math.round(c.ackAt - c.sentAt)} ${c.answers.map((a) => (a === null ? 'timeout' : a.ok ? `ok${a.duplicate ? '(dup)' : ''}` : a.code)).join(',')}`).sort().join('\n'));
      const answers = voters.casts.flatMap((c) => c.answers);
      return {
        fault,
        mode,
        pollId,
        leaseTakenMs,
        firstServedMs,
        allServedMs,
        longestWaitMs: Math.max(0, ...voters.casts.filter((c) => !frozenSeats.has(c.delegateId)).map((c) => c.ackAt - c.sentAt)),
        // Ballots sent once everyone had been served again are ordinary service, not the failover's gap.
        ...this.gapOf(voters.casts.filter((c) => !frozenSeats.has(c.delegateId) && (mode === 'secret' || c.sentAt <= faultAt + allServedMs)), faultAt, faultWall),
        frozenServedAfterContMs,
        redisBackMs,
        ownerBefore,
        ownerAfter,
        acks: voters.casts.filter((c) => c.ack?.ok).length,
        retries: answers.length - voters.casts.length,
        unavailable: answers.filter((a) => a && !a.ok && a.code === 'UNAVAILABLE').length,
        outcomeUnknown: answers.filter((a) => a && !a.ok && a.code === 'OUTCOME_UNKNOWN').length,
        timeouts: answers.filter((a) => a === null).length,
        reconnects: voters.bots.reduce((n, b) => n + b.stats.reconnects, 0),
        refusedAppends: this.audit.refusedAppends - refusedBefore,
        fencedByNodes,
        ...checks,
        problems,
      };
    } catch (err) {
      // What to read when a round breaks: who was still waiting, with every answer they got, and what the nodes said.
      const waiting = new Map<string, string>();
      for (const c of voters.casts) waiting.set(c.delegateId, c.answers.map((a) => (a === null ? 'timeout' : a.ok ? 'ok' : a.code)).join(','));
      console.log(`[FAULT] round ${n} (${FAULT_LABEL[fault]}) broke: ${(err as Error).message}\nlast answers: ${[...waiting].map(([d, a]) => `${d}=${a}`).join(' ')}`);
      for (const name of ['a', 'b'] as const) console.log(`[FAULT] node ${name}'s output:\n${this.nodes[name].output}`);
      throw err;
    } finally {
      if (frozen) this.nodes[frozen].signal('SIGCONT');
      voters.close();
      chair.close();
      if (this.nodes.a.exited) await this.nodes.a.start(BOOT_MS).catch(() => undefined);
      if (this.nodes.b.exited) await this.nodes.b.start(BOOT_MS).catch(() => undefined);
    }
  }

  /**
   * The service gap and where it went: Redis's view (leases set, journal reads of rooms opening, appends per half
   * second) and the bots' (the ballot that waited longest, with each answer's time), all relative to the fault.
   */
  private gapOf(casts: Cast[], faultAt: number, faultWall: number): { gapMs: number; timeline: string } {
    let worst: Cast | null = null;
    let gapMs = 0;
    for (const c of casts) {
      if (c.ackAt <= faultAt) continue;
      const gap = c.ackAt - Math.max(c.sentAt, faultAt);
      if (gap > gapMs) [gapMs, worst] = [gap, c];
    }
    const s = (ms: number) => (ms / 1000).toFixed(2);
    const events = this.audit.timeline.filter((e) => e.at >= faultWall).map((e) => ({ ...e, t: e.at - faultWall }));
    const leases = events.filter((e) => e.what === 'lease').map((e) => `${s(e.t)} ${e.token}`);
    const reads = events.filter((e) => e.what === 'read').map((e) => s(e.t));
    const refused = events.filter((e) => e.what === 'refused').map((e) => `${s(e.t)} ${e.token}`);
    const bins: number[] = [];
    for (const e of events) if (e.what === 'append') bins[Math.floor(e.t / 500)] = (bins[Math.floor(e.t / 500)] ?? 0) + 1;
    const appends = Array.from(bins, (n) => n ?? 0).join(' ');
    const worstText = worst
      ? `${worst.delegateId} sent ${s(worst.sentAt - faultAt)}: ${worst.answers.map((a, i) => `${a === null ? 'timeout' : a.ok ? 'ok' : a.code} ${s(worst.answeredAt[i]! - faultAt)}`).join(', ')}`
      : '—';
    return {
      gapMs,
      timeline: `leases set [${leases.join(', ')}]; journal read from genesis at [${reads.join(', ')}]; refused appends [${refused.join(', ')}]; appends per 0.5 s [${appends}]; longest: ${worstText}`,
    };
  }

  /** The record against what the delegates were told and what was announced. Pushes every breach to `problems`. */
  private async check(casts: Cast[], pollId: string, mode: 'electronic' | 'secret', announced: SessionView, problems: string[], unseen: { from: number; to: number } | null) {
    const records = await this.store.journal.read(SESSION, 1);
    const genesis = await this.store.journal.loadGenesis(SESSION);
    if (!genesis) throw new Error('no genesis snapshot');
    const actor = restoreSession(genesis as unknown as PersistedSession);
    replay(actor, records.map((r) => r.event), 1);
    const replayed = project(actor.getSnapshot(), records.at(-1)?.seq ?? 0, 'chair', null).poll;
    actor.stop();
    if (replayed?.pollId !== pollId) throw new Error(`the replayed journal's poll is ${replayed?.pollId}, not ${pollId}`);

    for (const c of casts) {
      if (c.error) problems.push(`${c.delegateId}: no definitive answer (${c.error})`);
      else if (!c.ack?.ok) problems.push(`${c.delegateId}: ballot answered ${c.ack?.code}`);
    }
    // Every ok ack names its own record.
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    const acked = casts.filter((c): c is Cast & { ack: Extract<CommandAck, { ok: true }> } => c.ack?.ok === true);
    const ackedIds = new Set(acked.map((c) => c.commandId));
    let wrongAcks = 0;
    for (const c of acked) {
      const record = bySeq.get(c.ack.seq);
      const event = record?.event as { type?: string; pollId?: string; by?: { id?: string }; choice?: BallotChoice } | undefined;
      const own =
        record?.commandId === c.commandId &&
        event?.type === 'ballot.cast' &&
        event.pollId === pollId &&
        event.by?.id === c.delegateId &&
        (mode === 'secret' ? event.choice === undefined : isDeepStrictEqual(event.choice, c.choice));
      if (!own) wrongAcks++;
    }
    if (wrongAcks) problems.push(`${wrongAcks} acks name a record that is not their own`);
    // No recorded ballot nobody was told about (a retracted secret cast excepted), none acknowledged and missing.
    let extra = 0;
    const journaledIds = new Set<string>();
    const retracted = new Set(
      records.flatMap((r) => {
        const e = r.event as { type?: string; pollId?: string; delegateId?: string };
        return e.type === 'ballot.retract' && e.pollId === pollId ? [`${r.seq}|${e.delegateId}`] : [];
      }),
    );
    for (const r of records) {
      const e = r.event as { type?: string; pollId?: string; by?: { id?: string } };
      if (e.type !== 'ballot.cast' || e.pollId !== pollId || !r.commandId) continue;
      journaledIds.add(r.commandId);
      const laterRetract = [...retracted].some((k) => Number(k.split('|')[0]) > r.seq && k.endsWith(`|${e.by?.id}`));
      if (!ackedIds.has(r.commandId) && !laterRetract) extra++;
    }
    const lost = [...ackedIds].filter((id) => !journaledIds.has(id)).length;
    if (extra) problems.push(`${extra} ballots in the journal that were never acknowledged`);
    if (lost) problems.push(`${lost} acknowledged ballots missing from the journal`);
    // "UNAVAILABLE" means not recorded: a command told so on every attempt must not turn out to be recorded already.
    for (const c of acked) {
      const earlier = c.answers.slice(0, -1);
      const refusedEachTime = earlier.length > 0 && earlier.every((a) => a !== null && !a.ok && (a.code === 'UNAVAILABLE' || a.code === 'RATE_LIMITED'));
      if (refusedEachTime && c.ack.duplicate) problems.push(`${c.delegateId}: answered UNAVAILABLE, yet recorded (seq ${c.ack.seq}, appended under ${this.audit.appendedBy.get(c.ack.seq) ?? 'a token MONITOR did not see'})`);
    }

    // Three ways: what each delegate was last told, the journal's replay, the announcement.
    const poll = announced.poll!;
    if (mode === 'electronic') {
      const last = new Map<string, { seq: number; choice: BallotChoice }>();
      for (const c of acked) if ((last.get(c.delegateId)?.seq ?? -1) < c.ack.seq) last.set(c.delegateId, { seq: c.ack.seq, choice: c.choice });
      const replayedNamed = new Map((replayed.named ?? []).map((x) => [x.delegateId, x.choice]));
      const announcedNamed = new Map((poll.named ?? []).map((x) => [x.delegateId, x.choice]));
      for (const id of this.delegateIds) {
        const told = last.get(id)?.choice;
        if (!isDeepStrictEqual(told, replayedNamed.get(id)) || !isDeepStrictEqual(told, announcedNamed.get(id))) {
          problems.push(`${id}: last acknowledged ${String(told)}, journal ${String(replayedNamed.get(id))}, announced ${String(announcedNamed.get(id))}`);
        }
      }
    } else {
      const voters = new Set(acked.map((c) => c.delegateId));
      const tally = tallyChoices('motion', acked.map((c) => c.choice));
      const counts = (r: typeof poll.result) => (r?.kind === 'motion' ? { yes: r.yes, no: r.no, abstain: r.abstain } : null);
      const told = tally.kind === 'motion' ? { yes: tally.yes, no: tally.no, abstain: tally.abstain } : null;
      if (voters.size !== acked.length) problems.push(`${acked.length - voters.size} secret ballots acknowledged twice`);
      if (replayed.castCount !== voters.size || poll.castCount !== voters.size) problems.push(`cast: acknowledged ${voters.size}, journal ${replayed.castCount}, announced ${poll.castCount}`);
      if (!isDeepStrictEqual(told, counts(replayed.result)) || !isDeepStrictEqual(told, counts(poll.result))) {
        problems.push(`secret counts: acknowledged ${JSON.stringify(told)}, journal ${JSON.stringify(counts(replayed.result))}, announced ${JSON.stringify(counts(poll.result))}`);
      }
    }

    // Every write of the record fenced, every journal seq written once.
    const lastSeq = records.at(-1)?.seq ?? 0;
    for (const v of this.audit.violations.splice(0)) problems.push(`unfenced write: ${v}`);
    let unmonitored = 0;
    for (let seq = this.auditedSeq + 1; seq <= lastSeq; seq++) {
      const times = this.audit.appendedSeqs.get(seq) ?? 0;
      if (times === 0 && unseen && seq >= unseen.from && seq <= unseen.to) unmonitored++;
      else if (times !== 1) problems.push(`journal seq ${seq} was appended ${times} times under a checked token`);
    }
    this.auditedSeq = lastSeq;
    return { wrongAcks, extra, lost, unmonitored };
  }

  async close() {
    this.audit.detach();
    this.admin?.disconnect();
    await this.store?.close().catch(() => undefined);
    await Promise.all(Object.values(this.nodes).map((n) => n.stop()));
    await this.redis.destroy();
    for (const d of this.dirs) await rm(d, { recursive: true, force: true });
  }
}
