/**
 * A swarm of bot delegates for rehearsals and load runs: every bot signs in (a few at a time — the server hashes each
 * code with scrypt), joins the session, checks in when check-in is open, some ask for the floor, and each votes in
 * every open poll after a small random delay. Everything random comes from one seed, per bot and per poll, so a run
 * is reproducible whatever order the network delivers things in.
 *
 * Logs never show a secret ballot's content (docs/architecture.md): an acked secret ballot is logged as `(secret)`.
 */
import { RETRYABLE_CODES, type BallotChoice, type PollKind, type PollMode, type SessionView } from '@hall/core';
import {
  BotDelegate,
  CommandTimeoutError,
  ServerUnreachableError,
  choiceFor,
  withRetries,
  type RetryOptions,
  deriveSeed,
  mulberry32,
  tallyChoices,
  type ChoiceTally,
  type VoteStrategy,
} from './bot.ts';

export interface SwarmOptions {
  baseUrl: string;
  sessionId: string;
  delegateIds: string[];
  codeFor: (delegateId: string) => string;
  vote: VoteStrategy;
  checkIn: boolean;
  /** How many bots ask for the floor (chosen by the seed), once each, when the session is in progress. */
  requestFloor: number;
  /** Return after the swarm has voted in this many polls; 0 = run until `signal` aborts (SIGINT in the CLI). */
  waitForPolls: number;
  seed: number;
  log: (line: string) => void;
  /** Each ballot waits a random 0…delayMs before it is sent (default 2000; 0 in tests). */
  delayMs?: number;
  /** Logins in flight at once (default 8). */
  loginConcurrency?: number;
  /** Attempts for each login and join when the server is busy or briefly away (default 6, backing off to 8 s). */
  joinAttempts?: number;
  /**
   * Per-attempt ack timeout for commands (default 10 000 ms). A retry reuses the commandId, so a slow server costs
   * extra (deduped) sends, never a second ballot.
   */
  commandTimeoutMs?: number;
  /**
   * How long each command keeps being retried for a definitive answer (default 120 s, BotDelegate.send): a tablet
   * never gives up on a ballot, and a failover on a loaded machine outlasts a handful of attempts.
   */
  commandPatienceMs?: number;
  /** Stops the swarm (the summary is still returned). */
  signal?: AbortSignal;
  /** Called when every bot that signed in has joined (before any check-in). */
  onReady?: (bots: readonly BotDelegate[]) => void;
  /** Called for each acked ballot, in process (tests compare tallies); never logged for secret polls. */
  onBallot?: (ballot: { delegateId: string; pollId: string; choice: BallotChoice; seq: number; ms: number }) => void;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface PollSummary {
  kind: PollKind;
  mode: PollMode;
  acked: number;
  failed: number;
  /** From the first acked ballot to the last, ms. */
  firstToLastAckMs: number;
  /** Send → ack of this poll's ballots (retries included). */
  latencyMs: LatencySummary;
  /** The swarm's own ballots, aggregated (no voter ids). */
  tally: ChoiceTally;
}

export interface SwarmSummary {
  requested: number;
  loggedIn: number;
  joined: number;
  checkedIn: number;
  floorRequested: number;
  ballotsAcked: number;
  /** Ballots without an ok ack: refused, or (`errors` says "outcome unknown") no definitive answer in the bot's patience. */
  ballotsFailed: number;
  /** Logins, connections and joins tried again after a transient failure. */
  joinRetries: number;
  /** Command re-sends after a timeout (same commandId, deduped by the server). */
  retries: number;
  reconnects: number;
  voteLatencyMs: LatencySummary;
  firstToLastAckMs: Record<string, number>;
  polls: Record<string, PollSummary>;
  /** One line per failure (login, join, command), without ballot contents. */
  errors: string[];
  durationMs: number;
}

/** Nearest-rank percentile of an ascending list (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function latencySummary(samples: readonly number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { count: s.length, p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s.at(-1) ?? 0) };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** The first `n` of `ids` in an order shuffled by `seed` (Fisher–Yates). */
export function seededPick(ids: readonly string[], n: number, seed: number): string[] {
  const rng = mulberry32(deriveSeed(seed, 'floor'));
  const list = [...ids];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list.slice(0, Math.max(0, n));
}

const present = (v: SessionView) => v.me?.attendance === 'present' || v.me?.attendance === 'remote';
const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface PollState {
  kind: PollKind;
  mode: PollMode;
  /** Bots whose ballot for this poll has an outcome (acked, refused, timed out) or that saw the poll leave 'open'. */
  settled: Set<string>;
  acked: number;
  failed: number;
  firstAck: number | null;
  lastAck: number | null;
  choices: BallotChoice[];
  latencies: number[];
  done: boolean;
}

export async function runSwarm(opts: SwarmOptions): Promise<SwarmSummary> {
  const started = performance.now();
  const { log, sessionId, seed } = opts;
  const delayMs = Math.max(0, opts.delayMs ?? 2000);
  const timeoutMs = opts.commandTimeoutMs ?? 10_000;
  const sendOpts = { timeoutMs, ...(opts.commandPatienceMs === undefined ? {} : { patienceMs: opts.commandPatienceMs }) };
  const errors: string[] = [];
  const fail = (line: string) => {
    errors.push(line);
    log(line);
  };
  const latencies: number[] = [];
  const polls = new Map<string, PollState>();
  let bots: BotDelegate[] = [];
  let checkedIn = 0;
  let floorRequested = 0;
  let pollsDone = 0;

  let joinRetries = 0;
  const retrying = (id: string, what: string): RetryOptions => ({
    attempts: Math.max(1, opts.joinAttempts ?? 6),
    baseDelayMs: 500,
    maxDelayMs: 8000,
    random: mulberry32(deriveSeed(seed, id, what)),
    signal: opts.signal,
    onRetry: (err, attempt) => {
      joinRetries++;
      log(`${what} retry ${attempt}: ${id}: ${describe(err)}`);
    },
  });

  // 1. Sign in, a few at a time.
  let unreachable: ServerUnreachableError | null = null;
  const logins = await mapLimit(opts.delegateIds, opts.loginConcurrency ?? 8, async (id) => {
    if (opts.signal?.aborted || unreachable) return null;
    try {
      return await withRetries(() => BotDelegate.login(opts.baseUrl, id, opts.codeFor(id)), retrying(id, 'login'));
    } catch (err) {
      if (err instanceof ServerUnreachableError) unreachable ??= err;
      else fail(`login failed: ${id}: ${describe(err)}`);
      return null;
    }
  });
  const signedIn = logins.filter((b): b is BotDelegate => b !== null);
  if (unreachable && signedIn.length === 0) throw unreachable;
  log(`logged in: ${signedIn.length}/${opts.delegateIds.length}`);

  // 2. Connect and join.
  const joinedFlags = await Promise.all(
    signedIn.map(async (bot) => {
      try {
        await withRetries(async () => {
          await bot.ensureConnected({ sessionId });
          await bot.join(sessionId);
        }, retrying(bot.delegateId, 'join'));
        return true;
      } catch (err) {
        if (err instanceof ServerUnreachableError) unreachable ??= err;
        fail(`join failed: ${bot.delegateId}: ${describe(err)}`);
        bot.close();
        return false;
      }
    }),
  );
  bots = signedIn.filter((_, i) => joinedFlags[i]);
  log(`joined ${sessionId}: ${bots.length}/${signedIn.length}`);
  if (bots.length === 0) {
    if (unreachable) throw unreachable;
    return finish();
  }
  opts.onReady?.(bots);

  // 3. React to views.
  const floorIds = new Set(seededPick(bots.map((b) => b.delegateId), opts.requestFloor, seed));
  let stopResolve: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stopResolve = r));
  const inflight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inflight.add(p);
    p.then(
      () => inflight.delete(p),
      (err: unknown) => {
        inflight.delete(p);
        fail(`bot error: ${describe(err)}`);
      },
    );
  };

  const onAbort = () => stopResolve();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stopResolve();

  const pollState = (poll: NonNullable<SessionView['poll']>): PollState => {
    let s = polls.get(poll.pollId);
    if (!s) {
      s = { kind: poll.kind, mode: poll.mode, settled: new Set(), acked: 0, failed: 0, firstAck: null, lastAck: null, choices: [], latencies: [], done: false };
      polls.set(poll.pollId, s);
    }
    return s;
  };
  const settle = (pollId: string, delegateId: string) => {
    const s = polls.get(pollId);
    if (!s || s.done) return;
    s.settled.add(delegateId);
    if (s.settled.size < bots.length) return;
    s.done = true;
    pollsDone++;
    log(`poll ${pollId} done: acked=${s.acked} failed=${s.failed}`);
    if (opts.waitForPolls > 0 && pollsDone >= opts.waitForPolls) stopResolve();
  };

  for (const bot of bots) {
    const id = bot.delegateId;
    const delays = mulberry32(deriveSeed(seed, id, 'delay'));
    const attempted = new Set<string>(); // polls this bot has decided to vote in (once each)
    let checkInBusy = false;
    let checkInDonePhase: string | null = null;
    let floorDone = !floorIds.has(id);

    const castBallot = async (pollId: string) => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, Math.floor(delays() * delayMs)));
      const poll = bot.view?.poll;
      if (!poll || poll.pollId !== pollId || poll.status !== 'open' || poll.mine?.cast) return settle(pollId, id);
      const s = pollState(poll);
      let acked: { choice: BallotChoice; seq: number; ms: number } | null = null;
      try {
        const choice = choiceFor(poll, opts.vote, mulberry32(deriveSeed(seed, id, pollId)));
        const t0 = performance.now();
        const ack = await bot.vote(pollId, choice, sendOpts);
        const ms = performance.now() - t0;
        if (ack.ok) {
          acked = { choice, seq: ack.seq, ms };
          s.acked++;
          s.firstAck ??= t0 + ms;
          s.lastAck = t0 + ms;
          s.choices.push(choice);
          latencies.push(ms);
          s.latencies.push(ms);
          // docs/architecture.md: a secret ballot's content is never logged.
          const shown = poll.mode === 'secret' ? '(secret)' : `choice=${JSON.stringify(choice)}`;
          log(`ballot acked: ${id} poll=${pollId} seq=${ack.seq} in ${Math.round(ms)} ms ${shown}${ack.duplicate ? ' (retried)' : ''}`);
        } else {
          s.failed++;
          // A "not yet" answer at the end of the bot's patience is no refusal: the ballot may still have been recorded.
          const outcome = RETRYABLE_CODES.has(ack.code) ? 'ballot outcome unknown' : 'ballot failed';
          fail(`${outcome}: ${id} poll=${pollId} ${ack.code}${ack.reason ? `/${ack.reason}` : ''} — ${ack.message}`);
        }
      } catch (err) {
        s.failed++;
        const unknown = err instanceof CommandTimeoutError;
        fail(`${unknown ? 'ballot outcome unknown' : 'ballot failed'}: ${id} poll=${pollId} ${unknown ? 'NO_ANSWER' : 'ERROR'} — ${describe(err)}`);
      } finally {
        settle(pollId, id);
      }
      if (acked) opts.onBallot?.({ delegateId: id, pollId, ...acked });
    };

    const react = (view: SessionView) => {
      // Check in once per phase in which it is possible (a recess → new sitting asks again).
      if (opts.checkIn && !checkInBusy && !present(view) && checkInDonePhase !== view.phase && ['checkIn', 'inProgress', 'recess'].includes(view.phase)) {
        checkInBusy = true;
        const phase = view.phase;
        track(
          bot
            .checkIn('hall', sendOpts)
            .then((ack) => {
              checkInDonePhase = phase;
              if (ack.ok) checkedIn++;
              else fail(`check-in failed: ${id} ${ack.code}${ack.reason ? `/${ack.reason}` : ''}`);
            })
            .catch((err) => fail(`check-in failed: ${id} ${describe(err)}`))
            .finally(() => (checkInBusy = false)),
        );
      }
      if (!floorDone && view.phase === 'inProgress' && present(view) && view.me?.queuePosition == null) {
        floorDone = true;
        track(
          bot
            .requestFloor('speech', undefined, sendOpts)
            .then((ack) => {
              if (ack.ok) {
                floorRequested++;
                log(`floor requested: ${id} seq=${ack.seq}`);
              } else fail(`floor request failed: ${id} ${ack.code}${ack.reason ? `/${ack.reason}` : ''}`);
            })
            .catch((err) => fail(`floor request failed: ${id} ${describe(err)}`)),
        );
      }
      // Every poll this bot has seen but will not vote in (closed before it did) is settled for it.
      for (const p of view.polls) {
        if (p.status !== 'open' && polls.has(p.pollId) && !attempted.has(p.pollId)) settle(p.pollId, id);
      }
      const poll = view.poll;
      if (!poll || poll.status !== 'open') return;
      pollState(poll);
      if (attempted.has(poll.pollId)) return;
      if (poll.mine?.cast || poll.mode === 'hands' || poll.mode === 'paper') {
        attempted.add(poll.pollId);
        return settle(poll.pollId, id);
      }
      attempted.add(poll.pollId);
      track(castBallot(poll.pollId));
    };
    bot.onView(react);
    if (bot.view) react(bot.view);
  }

  await stopped;
  opts.signal?.removeEventListener('abort', onAbort);
  // Let commands already sent finish (each is bounded by its own timeouts), so nothing is counted half-way.
  await Promise.allSettled([...inflight]);
  return finish();

  function finish(): SwarmSummary {
    for (const bot of bots) bot.close();
    const pollSummaries: Record<string, PollSummary> = {};
    const firstToLast: Record<string, number> = {};
    let acked = 0;
    let failed = 0;
    for (const [pollId, s] of polls) {
      const span = s.firstAck !== null && s.lastAck !== null ? Math.round(s.lastAck - s.firstAck) : 0;
      firstToLast[pollId] = span;
      acked += s.acked;
      failed += s.failed;
      pollSummaries[pollId] = { kind: s.kind, mode: s.mode, acked: s.acked, failed: s.failed, firstToLastAckMs: span, latencyMs: latencySummary(s.latencies), tally: tallyChoices(s.kind, s.choices) };
    }
    return {
      requested: opts.delegateIds.length,
      loggedIn: signedIn.length,
      joined: bots.length,
      checkedIn,
      floorRequested,
      ballotsAcked: acked,
      ballotsFailed: failed,
      joinRetries,
      retries: bots.reduce((n, b) => n + b.stats.retries, 0),
      reconnects: bots.reduce((n, b) => n + b.stats.reconnects, 0),
      voteLatencyMs: latencySummary(latencies),
      firstToLastAckMs: firstToLast,
      polls: pollSummaries,
      errors,
      durationMs: Math.round(performance.now() - started),
    };
  }
}
