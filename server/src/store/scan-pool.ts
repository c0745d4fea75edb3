/**
 * Journal verification on a second thread, for the embedded store. A restart is CPU-bound: checking every record's
 * hash chain costs about as much as replaying it, and on one thread the two add up. Here the verdict is computed by
 * a worker thread (scan-worker.ts, the same `scanBuffer`), while the store's thread decodes the journal verified
 * just before and the runtime replays it.
 *
 * Nothing is handed out before its bytes are verified: `scan` resolves with the records only once the worker's
 * verdict on those very bytes is in, and only up to the last good record, exactly as an in-thread scan would.
 * Small journals are scanned in-thread (a round trip costs more than they do), and so is everything while the worker
 * is still loading (the first big journal starts it; waiting for it would idle this thread) and once it has failed
 * (it could not start, or it died): slower, never weaker.
 *
 * One worker per process, shared by every store opened in it; it stops when idle and starts again on demand.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { scanBuffer, verifiedRecords, type BufferScan } from './journal-lines.ts';
import type { ScanReply, ScanRequest, WorkerMessage } from './scan-worker.ts';

/** An idle worker is stopped after this long, so that it holds no memory between restarts. */
const IDLE_MS = 5000;

export interface ScanOptions {
  /** Journals smaller than this are scanned in the caller's thread. */
  minBytes: number;
  /** Told once if the worker fails. */
  log: (message: string) => void;
}

class ScanPool {
  private worker: Worker | null = null;
  /** The current worker has loaded: scans go to it. */
  private ready = false;
  private readonly readyWaiters: (() => void)[] = [];
  /** Set once the worker failed: from then on every scan runs in-thread. */
  private failure: Error | null = null;
  private failureReported = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: ScanReply) => void; reject: (err: Error) => void }>();
  private idleTimer: NodeJS.Timeout | null = null;

  /** The same result as `scanBuffer(bytes)`. */
  async scan(bytes: Buffer, opts: ScanOptions): Promise<BufferScan> {
    if (bytes.length < opts.minBytes) return scanBuffer(bytes);
    if (!this.failure && !this.ready) {
      if (!this.worker) this.start();
      return scanBuffer(bytes);
    }
    let reply: ScanReply;
    try {
      reply = await this.request(bytes);
    } catch (err) {
      // No worker (it failed to start or died): scan here, and say so once.
      if (!this.failureReported) {
        this.failureReported = true;
        opts.log(`journals are verified in the store's thread from now on: the verification thread failed (${(err as Error).message})`);
      }
      return scanBuffer(bytes);
    }
    // The scan itself threw in the worker: let it throw here, where the caller sees it.
    if ('error' in reply) return scanBuffer(bytes);
    return { ...reply.verdict, records: verifiedRecords(bytes, reply.verdict.count) };
  }

  /** A worker is loading or loaded (tests ask). */
  get started(): boolean {
    return this.worker !== null;
  }

  /** Starts the worker if needed; resolves true once it takes scans, false if it cannot (tests wait on this). */
  whenReady(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (!this.failure && !this.worker) this.start();
    if (this.failure) return Promise.resolve(false);
    return new Promise((resolve) => this.readyWaiters.push(() => resolve(this.ready)));
  }

  private request(bytes: Buffer): Promise<ScanReply> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.worker ?? this.start();
    if (!worker) return Promise.reject(this.failure ?? new Error('no worker'));
    this.clearIdle();
    const id = this.nextId++;
    // The worker gets its own copy: the caller decodes `bytes` once the verdict is in.
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    const request: ScanRequest = { id, bytes: copy };
    return new Promise<ScanReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(request, [copy]);
    });
  }

  /** A new worker, or null (and `failure` set) when none can be made. */
  private start(): Worker | null {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./scan-worker-entry.mjs', import.meta.url));
    } catch (err) {
      this.failure = err as Error;
      return null;
    }
    // Never the reason the process stays up.
    worker.unref();
    worker.on('message', (reply: WorkerMessage) => {
      if ('ready' in reply) {
        if (this.worker !== worker) return;
        this.ready = true;
        this.armIdle();
        for (const wake of this.readyWaiters.splice(0)) wake();
        return;
      }
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      waiting.resolve(reply);
      if (this.pending.size === 0) this.armIdle();
    });
    const fail = (err: Error) => {
      // A worker stopped on purpose (when idle) is no longer `this.worker`.
      if (this.worker !== worker) return;
      this.worker = null;
      this.ready = false;
      this.failure = err;
      this.clearIdle();
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
      for (const wake of this.readyWaiters.splice(0)) wake();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`it exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private armIdle() {
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const worker = this.worker;
      if (this.pending.size > 0 || !worker) return;
      this.worker = null;
      this.ready = false;
      void worker.terminate();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private clearIdle() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

export const journalScanPool = new ScanPool();

/**
 * Starts the verification thread now if the data directory holds journals, so that it has loaded by the time the
 * restore reads them: loading it takes long enough (hundreds of ms, seconds on a busy machine) that the first
 * journals of a restore used to be verified on the main thread, beside the replay. Never throws; without journals
 * (a fresh hall) no thread is started.
 */
export async function warmJournalScans(dataDir: string): Promise<void> {
  const names = await readdir(join(dataDir, 'journal')).catch(() => [] as string[]);
  if (names.some((n) => n.endsWith('.jsonl'))) await journalScanPool.whenReady();
}
