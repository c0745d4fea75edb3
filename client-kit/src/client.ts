/**
 * The browser's end of the wire: one Socket.IO connection with auth, reconnection, resync by `seq`, a server clock,
 * and commands that are delivered at least once and counted once.
 *
 * Invariants:
 * - A command is reported `recorded` only on an ok ack from the server; a timeout or a lost connection never turns
 *   into success or failure. It stays `sending` and is resent with the same `commandId` on every reconnect and every
 *   ack timeout, and after an answer that says nothing was applied or that the outcome is not known yet (RATE_LIMITED,
 *   UNAVAILABLE, OUTCOME_UNKNOWN); the server dedupes by (caller, `commandId`), so a repeat returns the original ack
 *   and is applied once.
 * - Apps see whole views only. The server pushes a room's changes as patches (core's views/wire.ts); the kit applies
 *   each to the pushed view it holds, and a patch that does not start from that view's seq or does not fit it makes
 *   the kit ask for a whole view (a join with its last seq). The newest `seq` wins, an older push is dropped, and after
 *   every (re)connect the join answer replaces whatever the client held (the server is the authority after a restart).
 * - The server ends connections itself on a restart ("io server disconnect"), which Socket.IO does not retry; the
 *   client reconnects anyway, so a tablet survives a server restart without a reload.
 */
import {
  errorMessages,
  parseCommand,
  PROTOCOL_VERSION,
  retryDelayMs,
  ViewAssembler,
  type Actor,
  type ClientToServerEvents,
  type CommandAck,
  type CommandPayload,
  type CommandType,
  type ErrorCode,
  type HandshakeAuth,
  type JoinAck,
  type PersonalView,
  type RefusalReason,
  type ServerToClientEvents,
  type SessionView,
  type ViewPatch,
} from '@hall/core';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { actorOf, decodeClaims, type Claims } from './claims.ts';
import { HallError, messageFor, type HallErrorCode } from './errors.ts';
import { newCommandId } from './ids.ts';

export type HallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type SocketFactory = (url: string, opts: Partial<ManagerOptions & SocketOptions>) => HallSocket;

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'unauthorized';

export type CommandStatus =
  | { state: 'sending' }
  | { state: 'recorded'; seq: number; duplicate?: boolean }
  | { state: 'refused'; code: ErrorCode; reason?: RefusalReason; message: string; issues?: string[] };

export interface PendingCommand<T extends CommandType = CommandType> {
  readonly commandId: string;
  readonly sessionId: string;
  readonly type: T;
  readonly payload: CommandPayload<T>;
  /** Live: updated in place as answers arrive (listen with `onCommand`). */
  status: CommandStatus;
  /** Times the command has been emitted; more than one means it is being resent. */
  attempts: number;
  /** Client clock (`now()`) when it was created. */
  readonly createdAt: number;
  /** Settles once, with `recorded` or `refused`; never rejects. Stays pending while the command is undelivered. */
  readonly done: Promise<CommandStatus>;
}

export type LoginKind = 'password' | 'code' | 'device';

/** A `server:notice`: a stable code and a Vietnamese message. */
export interface ServerNotice {
  code: 'SIGNED_IN_ELSEWHERE' | 'DEVICE_REVOKED' | (string & {});
  message: string;
}
export interface LoginResult {
  token: string;
  claims: Claims;
}

export interface HallClientOptions {
  /** Server origin, e.g. `https://hall.example.vn`. Default: `location.origin`. */
  baseUrl?: string;
  /** Sign-in token; null connects as the public (read-only). */
  token: string | null;
  /** How long to wait for each ack before resending (default 5000). */
  ackTimeoutMs?: number;
  /** Builds the socket; tests pass a fake. Default: socket.io-client's `io`. */
  socketFactory?: SocketFactory;
  /** Client clock in ms since the epoch (default `Date.now`); tests pass a fake. */
  now?: () => number;
  /** Where undelivered commands survive a page reload (e.g. `localStorage`); default none. */
  storage?: Storage | null;
  /** First reconnection delay (default 500); doubles up to `reconnectionDelayMaxMs` with ±50 % randomization. */
  reconnectionDelayMs?: number;
  /** Longest reconnection delay (default 5000). */
  reconnectionDelayMaxMs?: number;
  /**
   * First back-off after RATE_LIMITED, UNAVAILABLE or OUTCOME_UNKNOWN (default 250), doubling up to 4 s after
   * RATE_LIMITED and up to 1 s after the others.
   */
  rateLimitBackoffMs?: number;
  /** Undelivered commands older than this are not restored from `storage` (default 30 min). */
  pendingTtlMs?: number;
  /** Extra Socket.IO options (e.g. `transports`); the kit's own options win where they matter (auth, autoConnect). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

interface Entry {
  cmd: PendingCommand;
  resolve: (status: CommandStatus) => void;
  /** Connection generation of the attempt in flight, or null. */
  inflight: number | null;
  /** Back-offs so far (after RATE_LIMITED, UNAVAILABLE or OUTCOME_UNKNOWN): the next one waits longer. */
  retries: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface StoredCommand {
  commandId: string;
  sessionId: string;
  type: CommandType;
  payload: unknown;
  createdAt: number;
  actor: string;
}

const STORAGE_KEY = 'hall.pendingCommands.v1';
const CLOCK_ROUNDS = 3;

/**
 * A delay spread over 0.5–1.5× its value. Why: after a server restart or a Wi-Fi drop every tablet of the hall (85 in
 * a province) loses its socket at the same moment; with fixed delays they would all reconnect, re-join and resend
 * their queued commands in the same instant, again at each back-off step, and a node just taking the session over
 * would meet the whole hall at once. Spread over a whole delay's width, the same load arrives a little at a time.
 */
const jitter = (ms: number) => Math.round(ms * (0.5 + Math.random()));
const actorKey = (actor: Actor | null) => (actor ? `${actor.role}:${actor.id}` : 'public');

async function postJson(baseUrl: string, path: string, body: unknown): Promise<LoginResult> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new HallError('NETWORK');
  }
  let data: { ok?: unknown; token?: unknown; claims?: unknown; code?: unknown; message?: unknown; retryAfterSec?: unknown } = {};
  try {
    data = (await res.json()) as typeof data;
  } catch {
    // A proxy's HTML error page: reported by status below.
  }
  if (res.ok && data.ok === true && typeof data.token === 'string') {
    const claims = (data.claims as Claims | undefined) ?? decodeClaims(data.token);
    if (!claims) throw new HallError('INTERNAL');
    return { token: data.token, claims };
  }
  const retryAfter = Number(data.retryAfterSec ?? res.headers.get('retry-after'));
  const known: readonly string[] = ['AUTH_FAILED', 'THROTTLED', 'DISABLED', ...Object.keys(errorMessages)];
  let code: HallErrorCode;
  if (typeof data.code === 'string' && known.includes(data.code)) code = data.code as HallErrorCode;
  else if (res.status === 429) code = 'THROTTLED';
  else if (res.status === 400) code = 'VALIDATION'; // Fastify's schema errors carry English text and their own code
  else if (res.status === 401) code = 'AUTH_FAILED';
  else code = res.status >= 500 ? 'INTERNAL' : 'VALIDATION';
  // Our routes answer in Vietnamese; anything else (Fastify's validator, a proxy) gets core's words instead.
  const message = typeof data.message === 'string' && typeof data.code === 'string' && data.code === code ? data.message : messageFor(code);
  throw new HallError(code, message, res.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

export class HallClient {
  /** `POST /api/auth/login`. Throws `HallError` (AUTH_FAILED, THROTTLED with `retryAfterSec`, DISABLED, NETWORK…). */
  static login(baseUrl: string, kind: LoginKind, id: string, secret: string): Promise<LoginResult> {
    return postJson(baseUrl, '/api/auth/login', { kind, id, secret });
  }

  /** `POST /api/auth/link`: redeems a one-time QR login token (it works once, for 10 minutes). */
  static redeemLink(baseUrl: string, token: string): Promise<LoginResult> {
    return postJson(baseUrl, '/api/auth/link', { token });
  }

  readonly baseUrl: string;
  private tokenValue: string | null;
  private claimsValue: Claims | null;
  private actorValue: Actor | null;
  private readonly ackTimeoutMs: number;
  private readonly socketFactory: SocketFactory;
  private readonly now: () => number;
  private readonly storage: Storage | null;
  private readonly reconnectionDelayMs: number;
  private readonly reconnectionDelayMaxMs: number;
  private readonly rateLimitBackoffMs: number;
  private readonly socketOptions: Partial<ManagerOptions & SocketOptions>;
  /**
   * The handshake's query, one object the socket's manager keeps: `session` names the session this client is for, so
   * a server of several processes hands the connection to the one running it. Changed in place by `join`, so every
   * reconnection after it says the new session (a connection made before knowing it is served all the same).
   */
  private readonly handshakeQuery: Record<string, string> = {};

  private socket: HallSocket | null = null;
  /** Incremented on every connect: answers and timeouts of an older connection are recognised as stale. */
  private gen = 0;
  private everConnected = false;
  private closed = true;
  private state: ConnectionState = 'offline';
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private networkCleanup: (() => void) | null = null;

  private session: string | null = null;
  private current: SessionView | null = null;
  private readonly assembler = new ViewAssembler();
  private joinWaiters: { resolve: (v: SessionView) => void; reject: (e: Error) => void }[] = [];

  private offset = 0;
  private rtt: number | null = null;

  private readonly entries = new Map<string, Entry>();
  private pendingCache: PendingCommand[] | null = null;
  private counters = { resyncs: 0, dropped: 0, retries: 0, reconnects: 0 };

  private readonly viewListeners = new Set<(view: SessionView | null) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private readonly commandListeners = new Set<(cmd: PendingCommand) => void>();
  private readonly noticeListeners = new Set<(notice: ServerNotice) => void>();
  /** This token was revoked (DEVICE_REVOKED): stay signed out until `setToken`. */
  private revoked = false;

  constructor(options: HallClientOptions) {
    const origin = options.baseUrl ?? (globalThis as { location?: { origin?: string } }).location?.origin;
    if (!origin) throw new Error('HallClient: baseUrl is required outside a browser');
    this.baseUrl = origin.replace(/\/+$/, '');
    this.tokenValue = options.token;
    this.claimsValue = decodeClaims(options.token);
    this.actorValue = actorOf(this.claimsValue);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.socketFactory = options.socketFactory ?? ((url, opts) => io(url, opts) as HallSocket);
    this.now = options.now ?? Date.now;
    this.storage = options.storage ?? null;
    this.reconnectionDelayMs = options.reconnectionDelayMs ?? 500;
    this.reconnectionDelayMaxMs = options.reconnectionDelayMaxMs ?? 5000;
    this.rateLimitBackoffMs = options.rateLimitBackoffMs ?? 250;
    this.socketOptions = options.socketOptions ?? {};
    this.restorePending(options.pendingTtlMs ?? 30 * 60_000);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Identity

  get token(): string | null {
    return this.tokenValue;
  }

  /** Claims read from the token (not verified: the server does that). Null for the public. */
  get claims(): Claims | null {
    return this.claimsValue;
  }

  /** Who this client acts as in the machine; null for admins, displays and the public. */
  get actor(): Actor | null {
    return this.actorValue;
  }

  /**
   * Signs in as someone else (or again, after `unauthorized`) without losing the joined session: the socket
   * reconnects with the new token and re-joins. Commands still sending for a different actor are refused locally,
   * because resending them would act in the new account's name.
   */
  setToken(token: string | null, claims?: Claims): void {
    const nextClaims = claims ?? decodeClaims(token);
    const nextActor = actorOf(nextClaims);
    if (actorKey(nextActor) !== actorKey(this.actorValue)) {
      for (const entry of [...this.entries.values()]) {
        this.settle(entry, { state: 'refused', code: 'UNAUTHENTICATED', message: errorMessages.UNAUTHENTICATED.vi });
      }
    }
    this.tokenValue = token;
    this.claimsValue = nextClaims;
    this.actorValue = nextActor;
    this.revoked = false;
    if (this.socket && !this.closed) {
      this.socket.disconnect();
      this.setConnection('connecting');
      this.socket.connect();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Connection

  get connection(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Opens the connection (idempotent). Reconnects on its own from then on until `close()`. */
  connect(): void {
    if (!this.closed && this.socket) return;
    this.closed = false;
    if (!this.socket) this.socket = this.createSocket();
    this.setConnection(this.everConnected ? 'reconnecting' : 'connecting');
    this.watchNetwork();
    this.socket.connect();
  }

  /** Closes for good: no more reconnecting. Commands still sending stay pending (and in `storage`). */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const entry of this.entries.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      entry.inflight = null;
    }
    this.networkCleanup?.();
    this.networkCleanup = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      // Our listeners go first, so the disconnect below is not mistaken for a dropped connection.
      socket.off();
      socket.disconnect();
    }
    this.setConnection('offline');
  }

  private createSocket(): HallSocket {
    const socket = this.socketFactory(this.baseUrl, {
      path: '/socket.io',
      ...this.socketOptions,
      query: Object.assign(this.handshakeQuery, this.socketOptions.query as Record<string, string> | undefined),
      autoConnect: false,
      // Each client is one person: never share a manager (and its auth) with another client in the same page.
      forceNew: true,
      reconnection: true,
      reconnectionDelay: this.reconnectionDelayMs,
      reconnectionDelayMax: this.reconnectionDelayMaxMs,
      randomizationFactor: 0.5,
      // A function, so a reconnection after `setToken` presents the new token.
      // It applies an ack's own part (applyAck), so the server need not push that part again.
      auth: (cb: (data: HandshakeAuth) => void) => cb(this.tokenValue ? { token: this.tokenValue, ownPartInAck: true } : {}),
    });
    socket.on('connect', () => this.onConnect());
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    socket.on('connect_error', (err) => this.onConnectError(err as Error & { data?: { code?: string } }));
    socket.on('session:view', (view) => this.takePushedView(view));
    socket.on('session:patch', (patch) => this.takePatch(patch));
    socket.on('session:personal', (part) => this.takePersonal(part));
    socket.on('server:notice', (notice) => this.takeNotice(notice));
    return socket;
  }

  private onConnect() {
    this.gen++;
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.setConnection('connected');
    if (this.session) void this.doJoin();
    for (const entry of this.entries.values()) this.attempt(entry);
    void this.syncClock();
  }

  private onDisconnect(reason: string) {
    if (this.closed) return this.setConnection('offline');
    if (this.revoked) return this.setConnection('unauthorized');
    this.setConnection(this.browserOffline() ? 'offline' : 'reconnecting');
    // Socket.IO retries every disconnection except the server's own; a server restart is exactly that case.
    if (reason === 'io server disconnect') this.scheduleReconnect();
  }

  private onConnectError(err: Error & { data?: { code?: string } }) {
    if (this.closed) return;
    if (err?.data?.code === 'UNAUTHENTICATED') {
      this.setConnection('unauthorized');
      this.rejectJoin(new HallError('UNAUTHENTICATED', err.message || errorMessages.UNAUTHENTICATED.vi));
      return;
    }
    if (this.browserOffline()) this.setConnection('offline');
    else this.setConnection(this.everConnected ? 'reconnecting' : 'connecting');
    // A middleware refusal is not retried by Socket.IO; a network failure is (the socket stays active).
    if (!this.socket?.active) this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.reconnectTimer || this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed && this.socket && !this.socket.connected) this.socket.connect();
    }, jitter(this.reconnectionDelayMs));
  }

  private browserOffline(): boolean {
    return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
  }

  /** The browser knows about a lost network before the socket's ping does, and about its return before the back-off. */
  private watchNetwork() {
    const target = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
    if (this.networkCleanup || typeof target.addEventListener !== 'function') return;
    const offline = () => {
      if (!this.socket?.connected && this.state !== 'unauthorized') this.setConnection('offline');
    };
    const online = () => {
      if (this.closed || !this.socket || this.socket.connected || this.state === 'unauthorized') return;
      this.setConnection('reconnecting');
      this.socket.connect();
    };
    target.addEventListener('offline', offline);
    target.addEventListener('online', online);
    this.networkCleanup = () => {
      target.removeEventListener?.('offline', offline);
      target.removeEventListener?.('online', online);
    };
  }

  private setConnection(state: ConnectionState) {
    if (this.state === state) return;
    this.state = state;
    for (const l of [...this.connectionListeners]) l(state);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Session and views

  /** The session joined (or being joined). */
  get sessionId(): string | null {
    return this.session;
  }

  /** The latest view; the same object until a newer one arrives (a `useSyncExternalStore` snapshot). */
  /**
   * The underlying socket, for protocols that ride on the same connection (media signaling). Null before
   * `connect()`. Session commands must go through `send()`, which is what makes them safe to retry.
   */
  get rawSocket(): HallSocket | null {
    return this.socket;
  }

  get view(): SessionView | null {
    return this.current;
  }

  /** Whole views asked for because a pushed patch did not fit the view held (a missed push). */
  get resyncs(): number {
    return this.counters.resyncs;
  }

  /** Counters for diagnostics: resyncs, dropped stale views, command resends, reconnections. */
  get stats(): Readonly<{ resyncs: number; dropped: number; retries: number; reconnects: number }> {
    return { ...this.counters };
  }

  subscribe(listener: (view: SessionView | null) => void): () => void {
    this.viewListeners.add(listener);
    return () => this.viewListeners.delete(listener);
  }

  /**
   * Joins a session's room and resolves with its current view for this audience. Re-joined after every reconnect.
   * Rejects with `HallError` (NOT_FOUND, FORBIDDEN, UNAUTHENTICATED…) when the server says no.
   */
  join(sessionId: string): Promise<SessionView> {
    if (this.session !== sessionId) {
      if (this.session && this.socket?.connected) this.socket.emit('session:leave', { sessionId: this.session });
      this.rejectJoin(new Error(`HallClient: joined ${sessionId} instead`));
      this.session = sessionId;
      this.handshakeQuery.session = sessionId;
      if (this.current && this.current.sessionId !== sessionId) this.setView(null);
    }
    const promise = new Promise<SessionView>((resolve, reject) => this.joinWaiters.push({ resolve, reject }));
    if (this.socket?.connected) void this.doJoin();
    return promise;
  }

  /** Leaves the session: no more views; the view becomes null. */
  leave(): void {
    if (this.session && this.socket?.connected) this.socket.emit('session:leave', { sessionId: this.session });
    this.rejectJoin(new Error('HallClient: left the session'));
    this.session = null;
    delete this.handshakeQuery.session;
    this.setView(null);
  }

  private async doJoin(): Promise<void> {
    const socket = this.socket;
    const gen = this.gen;
    const sessionId = this.session;
    while (socket && socket.connected && gen === this.gen && sessionId && sessionId === this.session) {
      const lastSeq = this.current?.sessionId === sessionId ? this.current.seq : undefined;
      let ack: JoinAck;
      try {
        ack = (await socket.timeout(this.ackTimeoutMs).emitWithAck('session:join', lastSeq === undefined ? { sessionId } : { sessionId, lastSeq })) as JoinAck;
      } catch {
        continue; // timed out, or the connection dropped (the loop ends and the next connect joins again)
      }
      if (gen !== this.gen || sessionId !== this.session) return;
      if (ack && ack.ok) {
        this.takeJoinView(ack.view);
        const waiters = this.joinWaiters;
        this.joinWaiters = [];
        for (const w of waiters) w.resolve(ack.view);
      } else {
        const code = (ack?.code ?? 'INTERNAL') as ErrorCode;
        if (code === 'UNAUTHENTICATED') this.setConnection('unauthorized');
        this.rejectJoin(new HallError(code, ack?.message ?? messageFor(code)));
      }
      return;
    }
  }

  private rejectJoin(err: Error) {
    const waiters = this.joinWaiters;
    this.joinWaiters = [];
    for (const w of waiters) w.reject(err);
  }

  /** A join answer is the server's current state: taken whatever the client held before. */
  private takeJoinView(view: SessionView) {
    if (view.sessionId !== this.session) return;
    this.setView(this.assembler.complete(view));
  }

  private takePushedView(pushed: SessionView) {
    if (!pushed || pushed.sessionId !== this.session) return;
    // Completed with the council and this delegate's own part (views/wire.ts); null until the join answer came.
    const view = this.assembler.pushed(pushed);
    if (view) this.takeNewer(view);
  }

  private takePersonal(part: PersonalView) {
    if (!part || part.sessionId !== this.session) return;
    // Alone when the tablets' shared view is held back (vote progress): the voter's own choice shows at once.
    const view = this.assembler.personal(part);
    if (view) this.takeNewer(view);
  }

  private takePatch(patch: ViewPatch) {
    if (!patch || patch.sessionId !== this.session) return;
    const outcome = this.assembler.patched(patch);
    if (outcome.kind === 'view') this.takeNewer(outcome.view);
    if (outcome.kind === 'resync') {
      this.counters.resyncs++;
      void this.doJoin();
    }
  }

  private takeNewer(view: SessionView) {
    const cur = this.current;
    if (cur && cur.sessionId === view.sessionId && view.seq < cur.seq) {
      this.counters.dropped++;
      return;
    }
    this.setView(view);
  }

  private setView(view: SessionView | null) {
    if (this.current === view) return;
    this.current = view;
    for (const l of [...this.viewListeners]) l(view);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Clock

  /** serverTime − clientTime, from the time:sync round with the smallest round trip. */
  get clockOffsetMs(): number {
    return this.offset;
  }

  /** Round trip of the round the offset came from; null before the first sync. */
  get rttMs(): number | null {
    return this.rtt;
  }

  /** Now on the server's clock: the time base of every deadline in a view. */
  serverNow(): number {
    return this.now() + this.offset;
  }

  /**
   * NTP-style: each round assumes the answer was stamped half-way through the round trip; the round with the
   * smallest round trip has the least room for asymmetric delay, so its estimate is kept. Runs on every connect.
   */
  async syncClock(rounds = CLOCK_ROUNDS): Promise<void> {
    const socket = this.socket;
    const gen = this.gen;
    let best: { rtt: number; offset: number } | null = null;
    for (let i = 0; i < rounds; i++) {
      if (!socket?.connected || gen !== this.gen) break;
      const t0 = this.now();
      let reply: { clientTime: number; serverTime: number };
      try {
        reply = (await socket.timeout(this.ackTimeoutMs).emitWithAck('time:sync', t0)) as typeof reply;
      } catch {
        continue;
      }
      const t1 = this.now();
      if (typeof reply?.serverTime !== 'number') continue;
      const rtt = t1 - t0;
      if (!best || rtt < best.rtt) best = { rtt, offset: reply.serverTime - (t0 + t1) / 2 };
    }
    if (best && gen === this.gen) {
      this.offset = best.offset;
      this.rtt = best.rtt;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Commands

  /**
   * Sends a command to the joined session. Returns at once with a live `PendingCommand`; its `done` settles when
   * the server answers. A payload the server would refuse to parse is refused locally (VALIDATION), never sent.
   */
  send<T extends CommandType>(type: T, payload: CommandPayload<T>): PendingCommand<T> {
    const sessionId = this.session;
    if (!sessionId) throw new Error('HallClient.send: join a session first');
    const entry = this.track({ commandId: newCommandId(), sessionId, type, payload, createdAt: this.now(), actor: actorKey(this.actorValue) });
    const parsed = parseCommand(this.envelope(entry.cmd));
    if (!parsed.ok) {
      this.settle(entry, { state: 'refused', code: 'VALIDATION', message: errorMessages.VALIDATION.vi, issues: parsed.issues });
    } else {
      this.persist();
      this.notifyCommand(entry.cmd);
      this.attempt(entry);
    }
    return entry.cmd as unknown as PendingCommand<T>;
  }

  /**
   * Commands still waiting for the server's answer, oldest first. The same array until a command changes, so it can
   * be a `useSyncExternalStore` snapshot.
   */
  pending(): PendingCommand[] {
    return (this.pendingCache ??= [...this.entries.values()].map((e) => e.cmd));
  }

  /**
   * Notices the server sends this connection: `SIGNED_IN_ELSEWHERE` (the account signed in on another device) and
   * `DEVICE_REVOKED` (this device was signed out; the connection is closed right after, and the token is refused).
   */
  onNotice(listener: (notice: ServerNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  private takeNotice(raw: unknown) {
    const n = raw as Partial<ServerNotice> | null;
    if (!n || typeof n.code !== 'string' || typeof n.message !== 'string') return;
    // A revoked device must not go on reconnecting with a token every node refuses.
    if (n.code === 'DEVICE_REVOKED') {
      this.revoked = true;
      this.setConnection('unauthorized');
    }
    for (const l of [...this.noticeListeners]) l({ code: n.code, message: n.message });
  }

  /** Called on every change of a command: each attempt, and its final status. */
  onCommand(listener: (cmd: PendingCommand) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  private track(stored: StoredCommand): Entry {
    let resolve!: (status: CommandStatus) => void;
    const done = new Promise<CommandStatus>((r) => (resolve = r));
    const cmd: PendingCommand = {
      commandId: stored.commandId,
      sessionId: stored.sessionId,
      type: stored.type,
      payload: stored.payload as CommandPayload<CommandType>,
      status: { state: 'sending' },
      attempts: 0,
      createdAt: stored.createdAt,
      done,
    };
    const entry: Entry = { cmd, resolve, inflight: null, retries: 0, timer: null };
    this.entries.set(cmd.commandId, entry);
    this.pendingCache = null;
    return entry;
  }

  private envelope(cmd: PendingCommand) {
    return { v: PROTOCOL_VERSION, sessionId: cmd.sessionId, commandId: cmd.commandId, type: cmd.type, payload: cmd.payload };
  }

  private attempt(entry: Entry) {
    const socket = this.socket;
    // Not connected: the next connect resends. In flight on this connection: its answer or timeout comes first.
    if (!socket?.connected || this.closed || entry.cmd.status.state !== 'sending' || entry.inflight === this.gen || entry.timer) return;
    const gen = this.gen;
    entry.inflight = gen;
    entry.cmd.attempts++;
    if (entry.cmd.attempts > 1) this.counters.retries++;
    this.notifyCommand(entry.cmd);
    socket
      .timeout(this.ackTimeoutMs)
      .emitWithAck('session:command', this.envelope(entry.cmd))
      .then(
        (ack: CommandAck) => this.onAck(entry, ack, gen),
        () => {
          // No answer in time, or the connection dropped: the same command goes again (the server dedupes it).
          if (entry.inflight === gen) entry.inflight = null;
          if (gen === this.gen) this.attempt(entry);
        },
      );
  }

  private onAck(entry: Entry, ack: CommandAck, gen: number) {
    if (entry.inflight === gen) entry.inflight = null;
    // A delegate's ack carries their own part of the state it left, which the server then does not push again: taken
    // like a pushed part (an older one is dropped), before the command resolves, so the voter sees their choice at once
    // — also from a late answer to an earlier attempt.
    if (ack && typeof ack === 'object' && ack.ok && ack.personal) this.takePersonal(ack.personal);
    // Any answer is the answer, even for an older attempt: the server returns the same ack for every repeat.
    if (entry.cmd.status.state !== 'sending' || !this.entries.has(entry.cmd.commandId)) return;
    // A garbled answer says nothing of what happened: the same as OUTCOME_UNKNOWN.
    if (!ack || typeof ack !== 'object') {
      this.backOff(entry, 'OUTCOME_UNKNOWN');
      return;
    }
    if (ack.ok) {
      return this.settle(entry, { state: 'recorded', seq: ack.seq, ...(ack.duplicate ? { duplicate: true } : {}) });
    }
    // Nothing was applied (RATE_LIMITED, UNAVAILABLE), or the server cannot yet tell whether it was (OUTCOME_UNKNOWN):
    // the same command goes again, same commandId, until the answer is definitive — the server's dedupe returns the
    // original ack if it was recorded after all, so a retry can never record it twice.
    if (this.backOff(entry, ack.code)) return;
    if (ack.code === 'UNAUTHENTICATED') this.setConnection('unauthorized');
    this.settle(entry, {
      state: 'refused',
      code: ack.code,
      ...(ack.reason ? { reason: ack.reason } : {}),
      message: ack.message || messageFor(ack.code),
      ...(ack.issues ? { issues: ack.issues } : {}),
    });
  }

  /** Schedules the same command again after a retryable answer; false when `code` is definitive. */
  private backOff(entry: Entry, code: string): boolean {
    const delay = retryDelayMs(code, entry.retries + 1, { baseMs: this.rateLimitBackoffMs });
    if (delay === null) return false;
    if (this.closed) return true;
    entry.retries++;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      this.attempt(entry);
    }, delay);
    return true;
  }

  private settle(entry: Entry, status: Exclude<CommandStatus, { state: 'sending' }>) {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.cmd.status = status;
    this.entries.delete(entry.cmd.commandId);
    this.persist();
    this.notifyCommand(entry.cmd);
    entry.resolve(status);
  }

  private notifyCommand(cmd: PendingCommand) {
    this.pendingCache = null;
    for (const l of [...this.commandListeners]) l(cmd);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Surviving a reload

  private persist() {
    if (!this.storage) return;
    const me = actorKey(this.actorValue);
    let others: StoredCommand[] = [];
    try {
      // Another account's commands in the same browser (a shared tablet) are kept for that account.
      others = (JSON.parse(this.storage.getItem(STORAGE_KEY) ?? '[]') as StoredCommand[]).filter((c) => c.actor !== me);
    } catch {
      others = [];
    }
    const mine: StoredCommand[] = [...this.entries.values()].map(({ cmd }) => ({
      commandId: cmd.commandId,
      sessionId: cmd.sessionId,
      type: cmd.type,
      payload: cmd.payload,
      createdAt: cmd.createdAt,
      actor: me,
    }));
    try {
      const all = [...others, ...mine];
      if (all.length) this.storage.setItem(STORAGE_KEY, JSON.stringify(all));
      else this.storage.removeItem(STORAGE_KEY);
    } catch {
      // Storage full or forbidden (private mode): delivery still works while the page lives.
    }
  }

  private restorePending(ttlMs: number) {
    if (!this.storage) return;
    let stored: StoredCommand[];
    try {
      stored = JSON.parse(this.storage.getItem(STORAGE_KEY) ?? '[]') as StoredCommand[];
    } catch {
      return;
    }
    if (!Array.isArray(stored)) return;
    const me = actorKey(this.actorValue);
    const oldest = this.now() - ttlMs;
    for (const c of stored) {
      if (c && c.actor === me && typeof c.commandId === 'string' && c.createdAt >= oldest && !this.entries.has(c.commandId)) this.track(c);
    }
    this.persist();
  }
}
