/**
 * Test support: a real Hall (buildApp, embedded store in a temp dir, demo seed, 127.0.0.1 port 0), a real server
 * child process for crash tests, and a typed Socket.IO client for any role.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ViewAssembler, type ClientToServerEvents, type CommandAck, type CommandPayload, type CommandType, type JoinAck, type PersonalView, type ServerToClientEvents, type SessionView } from '@hall/core';
import { io, type Socket } from 'socket.io-client';
import { buildApp, type Hall } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { newCommandId } from '../../src/bots/bot.ts';

export const TEST_SECRETS = { HALL_BALLOT_SECRET: 'b'.repeat(40), HALL_TOKEN_SECRET: 't'.repeat(40) };

export interface RunningHall {
  hall: Hall;
  baseUrl: string;
  dir: string;
  close(): Promise<void>;
}

/** `env` adds or overrides configuration variables (e.g. HALL_COMMAND_RATE for tests that send thousands of commands). */
export async function startHall(env: Record<string, string> = {}): Promise<RunningHall> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hall-test-'));
  const config = await loadConfig({ DATA_DIR: path.join(dir, 'data'), HALL_DEMO: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...TEST_SECRETS, ...env });
  const hall = await buildApp(config, { logger: false });
  await seedDemo(hall.store);
  await hall.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(hall.app.server.address() as AddressInfo).port}`;
  return {
    hall,
    baseUrl,
    dir,
    async close() {
      await hall.app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function login(baseUrl: string, kind: 'password' | 'code' | 'device', id: string, secret: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind, id, secret }) });
  const body = (await res.json()) as { ok: boolean; token?: string; message?: string };
  if (!body.ok || !body.token) throw new Error(`login ${id}: ${res.status} ${body.message ?? ''}`);
  return body.token;
}

/** A console/tablet/wall/public page reduced to what tests need: the latest view by seq, commands with acks. */
export class TestClient {
  view: SessionView | null = null;
  readonly views: SessionView[] = [];

  private constructor(
    readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>,
    readonly sessionId: string,
  ) {
    socket.on('session:view', (v) => {
      const complete = this.assembler.pushed(v);
      if (complete) this.take(complete);
    });
    socket.on('session:patch', (patch) => {
      const outcome = this.assembler.patched(patch);
      if (outcome.kind === 'view') this.take(outcome.view);
      if (outcome.kind === 'resync') {
        this.resyncs++;
        void this.join().catch(() => undefined);
      }
    });
    socket.on('session:personal', (part) => this.takePersonal(part));
    // After a reconnect the server has forgotten our rooms: join again and take the current view (resync by seq).
    socket.io.on('reconnect', () => {
      this.reconnects++;
      if (this.joined) void this.join().catch(() => undefined);
    });
  }

  reconnects = 0;
  /** Whole views asked for because a patch did not fit (a missed push). */
  resyncs = 0;
  private joined = false;
  private readonly assembler = new ViewAssembler();

  private take(v: SessionView) {
    this.views.push(v);
    if (!this.view || v.seq >= this.view.seq) this.view = v;
  }

  /** `nameSession`: say the session in the handshake, as Hall's clients do (a HALL_CORES primary routes by it). */
  /** `ownPartInAck: false`: a client that does not apply an ack's own part (a tablet page older than the field). */
  static async connect(baseUrl: string, token: string | null, sessionId: string, opts: { join?: boolean; nameSession?: boolean; ownPartInAck?: boolean } = {}): Promise<TestClient> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseUrl, {
      auth: token ? { token, ownPartInAck: opts.ownPartInAck ?? true } : {},
      ...(opts.nameSession ? { query: { session: sessionId } } : {}),
      transports: ['websocket'],
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const client = new TestClient(socket, sessionId);
    if (opts.join !== false) await client.join();
    return client;
  }

  async join(): Promise<JoinAck> {
    const ack = (await this.socket.timeout(10_000).emitWithAck('session:join', { sessionId: this.sessionId, lastSeq: this.view?.seq ?? 0 })) as JoinAck;
    if (ack.ok) {
      this.joined = true;
      this.take(this.assembler.complete(ack.view));
    }
    return ack;
  }

  /** Sends a command and returns the ack as it came (ok or not); a delegate's own part in it is taken as a tablet does. */
  async send<T extends CommandType>(type: T, payload: CommandPayload<T>, commandId = newCommandId()): Promise<CommandAck> {
    const ack = (await this.socket.timeout(10_000).emitWithAck('session:command', { sessionId: this.sessionId, commandId, type, payload })) as CommandAck;
    if (ack.ok && ack.personal) this.takePersonal(ack.personal);
    return ack;
  }

  private takePersonal(part: PersonalView) {
    const complete = this.assembler.personal(part);
    if (complete) this.take(complete);
  }

  /** Sends anything at all (malformed input tests). */
  async sendRaw(raw: unknown): Promise<CommandAck> {
    return (await this.socket.timeout(10_000).emitWithAck('session:command', raw)) as CommandAck;
  }

  /** Sends a command that must be accepted. */
  async must<T extends CommandType>(type: T, payload: CommandPayload<T>): Promise<number> {
    const ack = await this.send(type, payload);
    if (!ack.ok) throw new Error(`${type}: ${ack.code} ${ack.reason ?? ''} ${ack.message}`);
    return ack.seq;
  }

  async until(predicate: (v: SessionView) => boolean, what: string, timeoutMs = 60_000): Promise<SessionView> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.view && predicate(this.view)) return this.view;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what} (seq ${this.view?.seq}, phase ${this.view?.phase})`);
  }

  close() {
    this.socket.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Whether a process (or, for a negative pid, any process of that group) still exists: signal 0 only asks. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The real server as a child process (`tsx server/src/main.ts`), for kill -9 tests. */
export class ServerProcess {
  private child: ChildProcess | null = null;
  output = '';

  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly env: Record<string, string> = {},
  ) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and resolves once /healthz answers, with the milliseconds that took. */
  async start(timeoutMs = 60_000): Promise<number> {
    const started = performance.now();
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    this.child = spawn(tsx, [path.join(repoRoot, 'server/src/main.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ...TEST_SECRETS, DATA_DIR: this.dataDir, PORT: String(this.port), HOST: '127.0.0.1', HALL_DEMO: '1', LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // tsx runs the server in a child node process: give them a group of their own and signal the whole group.
      detached: true,
    });
    const collect = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    while (performance.now() - started < timeoutMs) {
      if (this.child.exitCode !== null) throw new Error(`server exited with ${this.child.exitCode}:\n${this.output}`);
      const ok = await fetch(`${this.baseUrl}/healthz`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server did not answer /healthz within ${timeoutMs} ms:\n${this.output}`);
  }

  get exited() {
    return this.child === null || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already durable. */
  async kill9() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    // The server itself is tsx's child: wait until no process of the group is left.
    while (isAlive(-child.pid!)) await new Promise((r) => setTimeout(r, 20));
  }

  /** Signals the server's whole process group: SIGSTOP freezes it (timers, sockets, all), SIGCONT thaws it. */
  signal(signal: NodeJS.Signals) {
    if (!this.child?.pid || this.exited) throw new Error(`signal ${signal}: the server is not running`);
    process.kill(-this.child.pid, signal);
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) await this.kill9();
  }
}
