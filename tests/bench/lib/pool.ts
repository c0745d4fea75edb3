/**
 * Load-generator processes (`gen-worker.ts`, forked) and a tiny request/response RPC over their IPC channel.
 * Sockets are dealt to workers in contiguous blocks, so one session's bots usually share a process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './deps.ts';
import { onCleanup } from './proc.ts';

const workerScript = fileURLToPath(new URL('../gen-worker.ts', import.meta.url));

export class Worker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private readonly forget: () => void;

  private constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (msg: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`worker ${index}: ${msg.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`worker ${index} exited (${code ?? signal})`));
      this.pending.clear();
    });
    this.forget = onCleanup(`worker ${index}`, () => this.kill());
  }

  static start(index: number): Promise<Worker> {
    const child = fork(workerScript, [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker = new Worker(index, child);
    return new Promise((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => {
        if (!m.ready) return;
        child.off('message', onMsg);
        resolve(worker);
      };
      child.on('message', onMsg);
      child.once('exit', (code) => reject(new Error(`worker ${index} exited at start (${code})`)));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T = any>(op: string, args: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, args });
    });
  }

  async kill(): Promise<void> {
    this.forget();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await exited;
  }
}

export class Pool {
  private constructor(readonly workers: Worker[]) {}

  static async start(n: number): Promise<Pool> {
    return new Pool(await Promise.all(Array.from({ length: Math.max(1, n) }, (_, i) => Worker.start(i))));
  }

  get size() {
    return this.workers.length;
  }

  /** Starts more generator processes until there are at least `n` (a scenario that needs more than the run began with). */
  async grow(n: number): Promise<void> {
    const from = this.workers.length;
    if (n <= from) return;
    this.workers.push(...(await Promise.all(Array.from({ length: n - from }, (_, i) => Worker.start(from + i)))));
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  /** The first `n` workers as a pool of their own (same processes; stopping the parent stops them). */
  subset(n: number): Pool {
    return new Pool(this.workers.slice(0, Math.max(1, Math.min(n, this.workers.length))));
  }

  /** Splits items into `size` contiguous blocks (block i → worker i). */
  deal<T>(items: readonly T[]): T[][] {
    const per = Math.ceil(items.length / this.size);
    return this.workers.map((_, i) => items.slice(i * per, (i + 1) * per));
  }

  /** Calls `op` on every worker with its own args. */
  each<T = any>(op: string, argsFor: (i: number) => unknown): Promise<T[]> {
    return Promise.all(this.workers.map((w, i) => w.call<T>(op, argsFor(i))));
  }

  all<T = any>(op: string, args: unknown = {}): Promise<T[]> {
    return this.each<T>(op, () => args);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill()));
  }
}
