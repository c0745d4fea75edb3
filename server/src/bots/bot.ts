/**
 * A bot delegate: signs in with a personal code over HTTP, joins a session over Socket.IO and acts like a tablet —
 * check in, request the floor, cast ballots. Used by the swarm (load and rehearsal) and by end-to-end tests.
 *
 * Commands follow docs/architecture.md: each carries a random commandId, and a command whose ack does not arrive in time is
 * sent again with the SAME commandId. The server dedupes by commandId, so a retry never becomes a second ballot;
 * `send` resolves once, with the server's (original) ack.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { backoffDelayMs, RETRYABLE_CODES, retryDelayMs, ViewAssembler } from '@hall/core';
import type {
  BallotChoice,
  ClientToServerEvents,
  CommandAck,
  CommandPayload,
  CommandType,
  ConfidenceChoice,
  FloorPurpose,
  JoinAck,
  PersonalView,
  PollKind,
  RatingLevel,
  ServerToClientEvents,
  SessionView,
} from '@hall/core';

export type BotSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type VoteStrategy = 'random' | 'yes' | 'no' | 'abstain';
export const VOTE_STRATEGIES: readonly VoteStrategy[] = ['random', 'yes', 'no', 'abstain'];
/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

// ---------------------------------------------------------------------------------------------------------------
// Seedable randomness (runs are reproducible: same seed → same delays, same ballots, same floor requests)

/** mulberry32: a tiny 32-bit PRNG, good enough for choosing ballots and delays (not for anything secret). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed derived from a run seed and any labels (FNV-1a), so each bot and poll gets its own stable stream. */
export function deriveSeed(seed: number, ...labels: string[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const label of ['', ...labels]) {
    for (let i = 0; i < label.length; i++) {
      h ^= label.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff; // separator, so ('ab','c') and ('a','bc') differ
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A random integer in [min, max] (inclusive). */
export const randomInt = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

// ---------------------------------------------------------------------------------------------------------------
// Ballot choices

/** What a ballot needs to know about a poll: the fields `PollView` carries. */
export interface BallotPoll {
  kind: PollKind;
  officials: { id: string }[];
  candidates: { id: string }[];
  seats: number;
}

const MOTION = ['yes', 'no', 'abstain'] as const;
const RATING: readonly RatingLevel[] = ['high', 'confidence', 'low'];
const CONFIDENCE: readonly ConfidenceChoice[] = ['confidence', 'noConfidence'];

const pickOne = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

/**
 * A valid ballot for the current poll of `view` (or a poll itself) under a strategy:
 *  - motion: 'random' picks yes/no/abstain uniformly; the others vote as named.
 *  - confidenceRating (one mark per official): 'yes' → all 'high', 'no' → all 'low', 'abstain' → all 'confidence'
 *    (the middle mark; the ballot must mark every official), 'random' → each mark uniformly.
 *  - confidenceVote: 'yes' → all 'confidence', 'no' → all 'noConfidence', 'abstain' → all 'confidence' (there is no
 *    neutral mark), 'random' → each uniformly.
 *  - election (at most `seats` candidates): 'yes' → the first `seats` candidates, 'no' and 'abstain' → an empty
 *    ballot (votes for nobody), 'random' → a random non-empty subset of size ≤ seats (empty when no candidates).
 * Officials and candidates are visited in the poll's order, so the same rng gives the same ballot.
 */
export function choiceFor(view: SessionView | BallotPoll, strategy: VoteStrategy, rng: Rng = mulberry32(1)): BallotChoice {
  const poll: BallotPoll | null = 'phase' in view ? view.poll : view;
  if (!poll) throw new Error('choiceFor: the view has no poll');
  switch (poll.kind) {
    case 'motion':
      return strategy === 'random' ? pickOne(rng, MOTION) : strategy;
    case 'confidenceRating': {
      const mark = (): RatingLevel =>
        strategy === 'random' ? pickOne(rng, RATING) : strategy === 'yes' ? 'high' : strategy === 'no' ? 'low' : 'confidence';
      return Object.fromEntries(poll.officials.map((o) => [o.id, mark()]));
    }
    case 'confidenceVote': {
      const mark = (): ConfidenceChoice => (strategy === 'random' ? pickOne(rng, CONFIDENCE) : strategy === 'no' ? 'noConfidence' : 'confidence');
      return Object.fromEntries(poll.officials.map((o) => [o.id, mark()]));
    }
    case 'election': {
      const ids = poll.candidates.map((c) => c.id);
      const max = Math.max(0, Math.min(poll.seats, ids.length));
      if (strategy === 'yes') return ids.slice(0, max);
      if (strategy !== 'random' || max === 0) return [];
      // Partial Fisher–Yates: the first k of a shuffled copy, then back in ballot-paper order.
      const k = randomInt(rng, 1, max);
      const pool = [...ids];
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rng() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      const chosen = new Set(pool.slice(0, k));
      return ids.filter((id) => chosen.has(id));
    }
  }
}

/** Aggregate counts of a list of ballots of one poll kind (no voter ids, so safe to print even for secret polls). */
export type ChoiceTally =
  | { kind: 'motion'; yes: number; no: number; abstain: number }
  | { kind: 'confidenceRating' | 'confidenceVote'; officials: Record<string, Record<string, number>> }
  | { kind: 'election'; ballots: number; votes: Record<string, number> };

export function tallyChoices(kind: PollKind, choices: readonly BallotChoice[]): ChoiceTally {
  switch (kind) {
    case 'motion': {
      const t = { kind: 'motion' as const, yes: 0, no: 0, abstain: 0 };
      for (const c of choices) if (c === 'yes' || c === 'no' || c === 'abstain') t[c]++;
      return t;
    }
    case 'confidenceRating':
    case 'confidenceVote': {
      const officials: Record<string, Record<string, number>> = {};
      for (const c of choices) {
        if (typeof c !== 'object' || Array.isArray(c)) continue;
        for (const [id, mark] of Object.entries(c)) {
          const row = (officials[id] ??= {});
          row[mark] = (row[mark] ?? 0) + 1;
        }
      }
      return { kind, officials };
    }
    case 'election': {
      const votes: Record<string, number> = {};
      let ballots = 0;
      for (const c of choices) {
        if (!Array.isArray(c)) continue;
        ballots++;
        for (const id of c) votes[id] = (votes[id] ?? 0) + 1;
      }
      return { kind: 'election', ballots, votes };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** The server could not be reached at all (connection refused, DNS, …). */
export class ServerUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly causeText: string,
  ) {
    super(`Không kết nối được máy chủ tại ${url} (${causeText}) / Cannot reach the server at ${url} (${causeText})`);
    this.name = 'ServerUnreachableError';
  }
}

/** The server answered the login with a refusal (wrong code, throttled, disabled, …). */
export class LoginError extends Error {
  constructor(
    readonly delegateId: string,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`login ${delegateId}: ${status} ${code} — ${message}`);
    this.name = 'LoginError';
  }
}

/** No definitive answer came for a command before the bot's patience ran out: it may or may not have been applied. */
export class CommandTimeoutError extends Error {
  constructor(
    readonly type: string,
    readonly commandId: string,
    readonly attempts: number,
  ) {
    super(`${type} ${commandId}: no definitive answer after ${attempts} attempt(s); it may or may not have been recorded`);
    this.name = 'CommandTimeoutError';
  }
}

export class JoinError extends Error {
  constructor(
    readonly sessionId: string,
    readonly code: string,
    message: string,
  ) {
    super(`join ${sessionId}: ${code} — ${message}`);
    this.name = 'JoinError';
  }
}

/**
 * Whether a failed login, connection or join is worth trying again: the server was busy or briefly away (a loaded
 * hall at 85 simultaneous logins, a restart), not a refusal about who the bot is or what it asked for.
 */
export function isTransientFailure(err: unknown): boolean {
  if (err instanceof ServerUnreachableError || err instanceof CommandTimeoutError) return true;
  if (err instanceof LoginError) return err.status === 429 || err.status >= 500;
  if (err instanceof JoinError) return RETRYABLE_CODES.has(err.code as never);
  // socket.io's ack timeout, and a connection refused for load (too many sockets right now, rate limit).
  return err instanceof Error && /timed out|timeout|RATE_LIMITED|UNAVAILABLE|TOO_MANY/i.test(err.message);
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubles each time up to `maxDelayMs`, with jitter from `random`. */
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
  signal?: AbortSignal;
  onRetry?: (err: unknown, attempt: number) => void;
}

/** Runs `fn` until it succeeds, fails for good (not transient) or runs out of attempts; the last error is thrown. */
export async function withRetries<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= opts.attempts || !isTransientFailure(err) || opts.signal?.aborted) throw err;
      opts.onRetry?.(err, attempt);
      await sleep(backoffDelayMs(attempt, { baseMs: opts.baseDelayMs, maxMs: opts.maxDelayMs, random: opts.random }));
    }
  }
}

/** The most telling reason a fetch failed: the socket error code (ECONNREFUSED…), else its message. */
export const networkCause = (err: unknown): string => {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
};

/** A command id the envelope accepts: 16 random bytes as base64url (22 characters of [A-Za-z0-9_-]). */
export const newCommandId = () => randomBytes(16).toString('base64url');

/** How long `send` keeps trying for a definitive answer unless told otherwise (see SendOptions.patienceMs). */
export const DEFAULT_PATIENCE_MS = 120_000;

// ---------------------------------------------------------------------------------------------------------------
// The bot

export interface SendOptions {
  /** How long to wait for each attempt's ack (default 5000 ms). */
  timeoutMs?: number;
  /** Attempts in all, the first included (default: no limit but `patienceMs`). */
  attempts?: number;
  /**
   * How long to keep trying for a definitive answer, all attempts together (default 120 s): a failover on a loaded
   * machine — the owner's lease lapsing, the session reopened from its journal, sockets coming back — takes tens of
   * seconds there, and a tablet never gives up at all.
   */
  patienceMs?: number;
  /** Reuse a command id (for a caller that retries across calls). */
  commandId?: string;
  /** Sees every attempt's answer (null: timed out), e.g. to check that an UNAVAILABLE was never recorded after all. */
  onAttempt?: (ack: CommandAck | null) => void;
}

export interface ConnectOptions {
  /** Give up the first connection after this long (default 10 s). Later reconnections retry forever. */
  timeoutMs?: number;
  reconnectionDelayMs?: number;
  reconnectionDelayMaxMs?: number;
  /** The session this bot is for: named in the handshake, so a server of several processes hands it to the one running it. */
  sessionId?: string;
}

export interface BotStats {
  commands: number;
  /** Re-sends after a timeout (or RATE_LIMITED), same commandId. */
  retries: number;
  duplicates: number;
  reconnects: number;
}

type Waiter = { predicate: (v: SessionView) => boolean; resolve: (v: SessionView) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class BotDelegate {
  private socket: BotSocket | null = null;
  private latest: SessionView | null = null;
  private readonly assembler = new ViewAssembler();
  private sessionId: string | null = null;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(view: SessionView) => void>();
  private closed = false;
  readonly stats: BotStats = { commands: 0, retries: 0, duplicates: 0, reconnects: 0 };

  private constructor(
    readonly baseUrl: string,
    readonly delegateId: string,
    readonly token: string,
  ) {}

  /** Signs in with a personal code (`POST /api/auth/login {kind:'code'}`). */
  static async login(baseUrl: string, delegateId: string, code: string): Promise<BotDelegate> {
    const url = `${baseUrl.replace(/\/+$/, '')}/api/auth/login`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'code', id: delegateId, secret: code }),
      });
    } catch (err) {
      throw new ServerUnreachableError(baseUrl, networkCause(err));
    }
    let body: { ok?: boolean; token?: string; code?: string; message?: string } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // a non-JSON answer (a proxy's error page): reported below with the status
    }
    if (!res.ok || body.ok !== true || typeof body.token !== 'string') {
      throw new LoginError(delegateId, res.status, body.code ?? 'HTTP_' + res.status, body.message ?? res.statusText);
    }
    return new BotDelegate(baseUrl.replace(/\/+$/, ''), delegateId, body.token);
  }

  /** A bot for a delegate already signed in: one token serves every node of a cluster, so no second sign-in. */
  static withToken(baseUrl: string, delegateId: string, token: string): BotDelegate {
    return new BotDelegate(baseUrl.replace(/\/+$/, ''), delegateId, token);
  }

  /** The latest view seen (highest seq), or null before joining. */
  get view(): SessionView | null {
    return this.latest;
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Connects unless a socket exists already (it reconnects by itself once it has connected the first time). */
  async ensureConnected(opts: ConnectOptions = {}): Promise<void> {
    if (!this.socket) await this.connect(opts);
  }

  /** Opens the socket (WebSocket only, reconnecting on its own). Resolves on the first connection. */
  connect(opts: ConnectOptions = {}): Promise<void> {
    if (this.socket) throw new Error('connect: already connected');
    const socket: BotSocket = io(this.baseUrl, {
      path: '/socket.io',
      // It applies an ack's own part (takePersonal), so the server need not push that part again.
      auth: { token: this.token, ownPartInAck: true },
      transports: ['websocket'],
      ...(opts.sessionId ? { query: { session: opts.sessionId } } : {}),
      reconnection: true,
      reconnectionDelay: opts.reconnectionDelayMs ?? 500,
      reconnectionDelayMax: opts.reconnectionDelayMaxMs ?? 5000,
      autoConnect: false,
    });
    this.socket = socket;
    socket.on('session:view', (view) => {
      const complete = this.assembler.pushed(view);
      if (complete) this.take(complete);
    });
    socket.on('session:patch', (patch) => {
      const outcome = this.assembler.patched(patch);
      if (outcome.kind === 'view') this.take(outcome.view);
      // A missed push: ask for the whole view, as a tablet does.
      if (outcome.kind === 'resync' && this.sessionId) this.join(this.sessionId).catch(() => undefined);
    });
    socket.on('session:personal', (part) => this.takePersonal(part));
    // The server said goodbye (a graceful restart disconnects every socket): socket.io-client does not reconnect after
    // that on its own, but a tablet would, so the bot does too after the usual delay.
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect' && !this.closed) setTimeout(() => !this.closed && socket.connect(), opts.reconnectionDelayMs ?? 500);
    });
    let first = true;
    socket.on('connect', () => {
      if (first) {
        first = false;
        return;
      }
      this.stats.reconnects++;
      // Connection-state recovery may have kept our rooms; joining again is harmless and returns the current view.
      if (this.sessionId) this.join(this.sessionId).catch(() => undefined);
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new ServerUnreachableError(this.baseUrl, 'socket connect timeout')), opts.timeoutMs ?? 10_000);
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off('connect_error', onError);
      };
      const fail = (err: Error) => {
        cleanup();
        socket.disconnect();
        this.socket = null;
        reject(err);
      };
      const onConnect = () => {
        cleanup();
        resolve();
      };
      // The first failure ends the first attempt: a refused token (middleware error, not retried by the client)
      // or a server that is down. Later disconnections are retried by the client forever.
      const onError = (err: Error & { data?: { code?: string } }) =>
        fail(err.data?.code ? new Error(`${this.delegateId}: socket refused: ${err.data.code} — ${err.message}`) : new ServerUnreachableError(this.baseUrl, err.message));
      socket.on('connect', onConnect);
      socket.on('connect_error', onError);
      socket.connect();
    });
  }

  private takePersonal(part: PersonalView) {
    const complete = this.assembler.personal(part);
    if (complete) this.take(complete);
  }

  /** Joins a session's room; resolves with the current view (the latest by seq is kept from then on). */
  async join(sessionId: string, timeoutMs = 10_000): Promise<SessionView> {
    const socket = this.requireSocket();
    this.sessionId = sessionId;
    const request = this.latest?.sessionId === sessionId ? { sessionId, lastSeq: this.latest.seq } : { sessionId };
    const ack = (await socket.timeout(timeoutMs).emitWithAck('session:join', request)) as JoinAck;
    if (!ack.ok) throw new JoinError(sessionId, ack.code, ack.message);
    this.take(this.assembler.complete(ack.view));
    return this.latest!;
  }

  /** Calls `listener` with every view kept (never an older one). Returns the unsubscribe function. */
  onView(listener: (view: SessionView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends one command and resolves with its definitive ack, as a tablet does (client-kit): an attempt that times out,
   * is cut off by a lost connection, or is answered RATE_LIMITED, UNAVAILABLE or OUTCOME_UNKNOWN is sent again with the
   * SAME commandId (the server dedupes it and answers a repeat with the original ack) until an answer says what
   * happened. Only `patienceMs` (or `attempts`, when given) ends that: with the last retryable answer, or with
   * CommandTimeoutError when the last attempt had none. Either way the outcome is unknown — an earlier attempt may have
   * been recorded.
   */
  async send<T extends CommandType>(type: T, payload: CommandPayload<T>, opts: SendOptions = {}): Promise<CommandAck> {
    const socket = this.requireSocket();
    const sessionId = this.sessionId;
    if (!sessionId) throw new Error('send: join a session first');
    const timeoutMs = opts.timeoutMs ?? 5000;
    const attempts = Math.max(1, opts.attempts ?? Number.POSITIVE_INFINITY);
    // A caller that counts its attempts keeps its own bound; otherwise the patience is the bound.
    const patienceMs = opts.patienceMs ?? (opts.attempts === undefined ? DEFAULT_PATIENCE_MS : Number.POSITIVE_INFINITY);
    const giveUpAt = performance.now() + Math.max(timeoutMs, patienceMs);
    const commandId = opts.commandId ?? newCommandId();
    const command = { sessionId, commandId, type, payload };
    this.stats.commands++;
    let attempt = 0;
    let answered = 0;
    let lastAnswer: CommandAck | null = null;
    while (attempt < attempts && performance.now() < giveUpAt && !this.closed) {
      attempt++;
      if (attempt > 1) this.stats.retries++;
      const started = performance.now();
      let ack: CommandAck;
      try {
        ack = (await socket.timeout(timeoutMs).emitWithAck('session:command', command)) as CommandAck;
      } catch {
        if (this.closed) break;
        opts.onAttempt?.(null);
        lastAnswer = null;
        // No answer in time, or the connection dropped (Socket.IO rejects at once then): send the same command again.
        // A drop must not use the attempts up in a burst, so a quick failure waits a little before the next one.
        if (performance.now() - started < 250) await sleep(250);
        continue;
      }
      // The delegate's own part of the state the command left, which the server then does not push again.
      if (ack?.ok && ack.personal) this.takePersonal(ack.personal);
      opts.onAttempt?.(ack);
      // Nothing was applied, or the server cannot tell yet: back off and send the same command again, waiting as
      // client-kit's tablets do (retryDelayMs), so a swarm loads a server in failover the way a hall would.
      const delay = ack.ok ? null : retryDelayMs(ack.code, answered + 1);
      if (delay !== null) {
        answered++;
        lastAnswer = ack;
        if (attempt >= attempts || performance.now() >= giveUpAt) break;
        await sleep(delay);
        continue;
      }
      if (ack.ok && ack.duplicate) this.stats.duplicates++;
      return ack;
    }
    // The last answer, if the last attempt had one, says "not yet" in its own code; silence says nothing at all.
    if (lastAnswer) return lastAnswer;
    throw new CommandTimeoutError(type, commandId, attempt);
  }

  /** Checks this delegate in (in the hall unless `channel` says remote). */
  checkIn(channel: 'hall' | 'remote' = 'hall', opts?: SendOptions) {
    return this.send('attendance.checkIn', { delegateId: this.delegateId, channel }, opts);
  }

  /** Asks for the floor; the request id is random unless given. */
  requestFloor(purpose: Extract<FloorPurpose, 'speech' | 'secondSpeech' | 'debate' | 'pointOfOrder'> = 'speech', requestId?: string, opts?: SendOptions) {
    return this.send('floor.request', { requestId: requestId ?? `rq-${newCommandId().slice(0, 12)}`, purpose }, opts);
  }

  vote(pollId: string, choice: BallotChoice, opts?: SendOptions) {
    return this.send('ballot.cast', { pollId, choice }, opts);
  }

  /** Resolves with the first kept view (the current one included) that satisfies `predicate`. */
  waitForView(predicate: (view: SessionView) => boolean, timeoutMs = 10_000): Promise<SessionView> {
    if (this.latest && predicate(this.latest)) return Promise.resolve(this.latest);
    if (this.closed) return Promise.reject(new Error(`${this.delegateId}: closed`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`${this.delegateId}: timed out after ${timeoutMs} ms waiting for a view`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Disconnects for good; pending waits are rejected. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`${this.delegateId}: closed`));
    }
    this.waiters.clear();
    this.listeners.clear();
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
    }
  }

  private requireSocket(): BotSocket {
    if (!this.socket) throw new Error(`${this.delegateId}: connect() first`);
    return this.socket;
  }

  /** Keeps `view` if it is at least as new as the one held (views can arrive out of order around a re-join). */
  private take(view: SessionView) {
    if (this.latest && view.seq < this.latest.seq) return;
    this.latest = view;
    for (const w of [...this.waiters]) {
      if (!w.predicate(view)) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve(view);
    }
    for (const l of [...this.listeners]) {
      try {
        l(view);
      } catch (err) {
        // A listener's bug must not stop the others or the socket's event loop.
        console.error(`${this.delegateId}: view listener failed:`, err);
      }
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
