/**
 * The one private Redis for tests that stop, kill and restart it (store durability, cluster, faults): `redis-server`
 * in a temp directory, AOF with `appendfsync always` (an acknowledged write survives SIGKILL), on a free port.
 *
 * It starts listening on a unix socket only; the TCP port the nodes use opens (CONFIG SET port) once `beforeOpen` has
 * run. So a test can attach MONITOR, or read the state Redis came back with, before any node reaches it again —
 * nothing a node sends after a restart escapes the test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './hall.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RedisProcess {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<RedisProcess> {
    return new RedisProcess(await mkdtemp(path.join(tmpdir(), 'hall-redis-')), await freePort());
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  get socketPath() {
    return path.join(this.dir, 'redis.sock');
  }

  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** A connection over the unix socket (works before the TCP port opens); the caller disconnects it. */
  connect(opts: { retry?: boolean } = {}): Redis {
    const client = new Redis({ path: this.socketPath, lazyConnect: true, maxRetriesPerRequest: opts.retry === false ? 0 : 1, ...(opts.retry === false ? { retryStrategy: () => null } : {}) });
    client.on('error', () => undefined);
    return client;
  }

  /**
   * Starts Redis (replaying its AOF), waits until it has loaded, runs `beforeOpen`, then opens the TCP port. Resolves
   * with the time the port opened (performance.now()).
   */
  async start(beforeOpen?: () => Promise<void>, timeoutMs = 30_000): Promise<number> {
    if (this.running) throw new Error('redis-server is already running');
    const args = ['--port', '0', '--unixsocket', this.socketPath, '--unixsocketperm', '700', '--bind', '127.0.0.1'];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--dir', this.dir);
    let output = '';
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
    child.stderr?.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)));
    child.once('error', (err) => (output += `\n${err.message}`));
    this.child = child;
    const end = performance.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`redis-server exited (is it installed? scripts/test-deps.sh):\n${output}`);
      if (performance.now() > end) throw new Error(`redis-server did not load within ${timeoutMs} ms:\n${output}`);
      const probe = this.connect({ retry: false });
      // PING answers LOADING while the AOF is replayed.
      const up = await probe.connect().then(() => probe.ping()).then(() => true, () => false);
      probe.disconnect();
      if (up) break;
      await sleep(10);
    }
    await beforeOpen?.();
    const admin = this.connect();
    try {
      await admin.config('SET', 'port', String(this.port));
    } finally {
      admin.disconnect();
    }
    return performance.now();
  }

  /** Sends `signal` and waits until the process is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  async destroy() {
    await this.kill('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}
