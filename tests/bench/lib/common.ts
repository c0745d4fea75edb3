/** What every scenario gets from the runner, and the helpers they share (the chair's socket, lag monitors). */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { clockTicks, cpuMs } from './proc.ts';
import { randomBytes } from 'node:crypto';
import type { StoreKind } from './hall.ts';
import { LiteSocket, frameSeq, hostNow, isPatchFrame, refusal } from './lite-socket.ts';
import type { Pool } from './pool.ts';

export interface Ctx {
  store: StoreKind;
  redisUrl: string;
  quick: boolean;
  /** Generator processes for the big scenarios. */
  workers: number;
  /**
   * S2: public subscribers per generator process (the pool grows to ⌈N / this⌉ processes), so that no generator is
   * saturated by its share of the fan-out. Default 1,250.
   */
  subscribersPerWorker?: number;
  /** Length of the S1 vote window and of the S2 drive, ms. */
  windowMs: number;
  seed: number;
  log: (line: string) => void;
  /** The generator processes, started once per run; scenarios use `pool.subset(n)` and close their sockets. */
  pool: Pool;
}

/** A generator whose event loop lags more than this (p99) cannot keep its schedule: its scenario is flagged. */
export const SATURATION_LAG_MS = 50;

export interface Lag {
  p50: number;
  p99: number;
  max: number;
}

export interface GeneratorHealth {
  /** Worst p99 event-loop lag across generator processes (and the orchestrator), ms. */
  lagP99: number;
  lagMax: number;
  saturated: boolean;
  processes: number;
  /** Share of the machine's CPU used by processes that are not the bench's during the window, % (noise indicator). */
  foreignCpuPct: number;
  /** Share of the machine's CPU (all cores) used by the generator processes and the orchestrator during the window, %. */
  generatorCpuPct?: number;
  /** Share of the machine's CPU used by the server under test during the window, % (when the scenario names it). */
  serverCpuPct?: number;
}

/**
 * Several generator health readings as one, the worst of each: for a result measured over several windows, or for a
 * row that stands for both sides. The CPU shares are the worst-lag reading's.
 */
export function worstHealth<H extends { lagP99: number; saturated: boolean; lagMax?: number; foreignCpuPct?: number }>(first: H, ...rest: H[]): H {
  const all = [first, ...rest];
  const worst = all.reduce((a, b) => (b.lagP99 > a.lagP99 ? b : a));
  return {
    ...worst,
    saturated: all.some((h) => h.saturated),
    ...(all.some((h) => h.lagMax !== undefined) ? { lagMax: Math.max(...all.map((h) => h.lagMax ?? 0)) } : {}),
    ...(all.some((h) => h.foreignCpuPct !== undefined) ? { foreignCpuPct: Math.max(...all.map((h) => h.foreignCpuPct ?? 0)) } : {}),
  };
}

/** Busy CPU time of the whole machine so far (all CPUs, /proc/stat), ms. */
function machineBusyMs(): number {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = f.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return ((total - idle) * 1000) / clockTicks();
}

/** Event-loop lag of the orchestrator (it holds the chair sockets, which stamp and drive). */
export function localLag() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return (): Lag => {
    h.disable();
    const ms = (ns: number) => Math.max(0, ns / 1e6 - 10);
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  };
}

/** CPU milliseconds of the generator processes and of the orchestrator itself (not its other children). */
function generatorCpuMs(pool: Pool): number {
  const own = process.cpuUsage();
  return pool.pids.reduce((sum, pid) => sum + cpuMs(pid), 0) + (own.user + own.system) / 1000;
}

export async function generatorLag<T>(pool: Pool, run: () => Promise<T>, serverPid?: number): Promise<{ result: T; health: GeneratorHealth }> {
  await pool.all('lagStart');
  const stopLocal = localLag();
  const busy0 = machineBusyMs();
  const ours0 = cpuMs(process.pid);
  const gen0 = generatorCpuMs(pool);
  const server0 = serverPid ? cpuMs(serverPid) : 0;
  const t0 = performance.now();
  let result: T;
  try {
    result = await run();
  } catch (err) {
    stopLocal();
    await pool.all('lagStop').catch(() => undefined);
    throw err;
  }
  const foreignMs = machineBusyMs() - busy0 - (cpuMs(process.pid) - ours0);
  const machineMs = (performance.now() - t0) * cpus().length;
  const foreignCpuPct = Math.max(0, (100 * foreignMs) / machineMs);
  const generatorCpuPct = (100 * (generatorCpuMs(pool) - gen0)) / machineMs;
  const serverCpuPct = serverPid ? (100 * (cpuMs(serverPid) - server0)) / machineMs : undefined;
  const lags: Lag[] = [...(await pool.all<Lag>('lagStop')), stopLocal()];
  const lagP99 = Math.max(...lags.map((l) => l.p99));
  const lagMax = Math.max(...lags.map((l) => l.max));
  return { result, health: { lagP99, lagMax, saturated: lagP99 > SATURATION_LAG_MS, processes: lags.length, foreignCpuPct, generatorCpuPct, ...(serverCpuPct !== undefined ? { serverCpuPct } : {}) } };
}

/** Where the machine's CPU went during a measured window, as shares of the whole machine. */
export const cpuSplit = (g: { generatorCpuPct?: number; serverCpuPct?: number; foreignCpuPct?: number }) =>
  `generators ${Math.round(g.generatorCpuPct ?? Number.NaN)}% + server ${Math.round(g.serverCpuPct ?? Number.NaN)}% + other processes ${Math.round(g.foreignCpuPct ?? Number.NaN)}%`;

export const newCommandId = () => randomBytes(12).toString('base64url');

export type Ack = { ok: true; seq: number; duplicate?: boolean } | { ok: false; code: string; reason?: string; message?: string };

/** A staff socket in the orchestrator: sends commands, and logs every view's seq with its receipt time. */
export class StaffSocket {
  /** [seq, receipt time] of every view frame, in arrival order. */
  readonly views: [number, number][] = [];
  lastSeq = -1;
  /** Patch frames received and their bytes: the size of a publication for a socket that holds the room's view. */
  patches = { count: 0, bytes: 0 };

  private constructor(
    readonly sock: LiteSocket,
    readonly sessionId: string,
  ) {
    sock.onView = (frame, at) => {
      const seq = frameSeq(frame);
      this.views.push([seq, at]);
      if (isPatchFrame(frame)) {
        this.patches.count++;
        this.patches.bytes += frame.length;
      }
      if (seq > this.lastSeq) this.lastSeq = seq;
    };
  }

  static async open(baseUrl: string, token: string | null, sessionId: string): Promise<StaffSocket> {
    const s = new StaffSocket(await LiteSocket.connect(baseUrl, token, undefined, sessionId), sessionId);
    await s.join();
    return s;
  }

  /** (Re)joins; returns the full view from the ack. */
  async join(): Promise<any> {
    const ack = await this.sock.emitWithAck<{ ok: boolean; code?: string; view?: { seq: number } }>('session:join', { sessionId: this.sessionId }, 300_000);
    if (!ack.ok || !ack.view) throw new Error(`join ${this.sessionId}: ${ack.code}`);
    if (ack.view.seq > this.lastSeq) this.lastSeq = ack.view.seq;
    return ack.view;
  }

  send(type: string, payload: unknown, timeoutMs = 600_000): Promise<Ack> {
    return this.sock.emitWithAck<Ack>('session:command', { sessionId: this.sessionId, commandId: newCommandId(), type, payload }, timeoutMs);
  }

  async must(type: string, payload: unknown = {}): Promise<number> {
    const ack = await this.send(type, payload);
    if (!ack.ok) throw new Error(`${this.sessionId} ${type}: ${refusal(ack)}`);
    return ack.seq;
  }

  /** Resolves when a view with seq ≥ `seq` has arrived (false on timeout). */
  async waitSeq(seq: number, timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (this.lastSeq < seq) {
      if (performance.now() > until) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  /** Receipt time of the first view whose seq is ≥ `seq` (NaN if none). Views arrive in seq order. */
  firstViewAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.views.length;
    // views are appended in arrival order, which is seq order for one socket; binary search on seq
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.views[mid]![0] >= seq) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.views.length ? this.views[lo]![1] : Number.NaN;
  }

  close() {
    this.sock.close();
  }
}

export { hostNow };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
