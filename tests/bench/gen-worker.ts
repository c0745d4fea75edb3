/**
 * A load-generator process (forked by lib/pool.ts). It holds a share of the bench's client sockets and does what
 * the orchestrator asks over IPC: connect and join, send commands, send commands at INTENDED times (latency is
 * measured from the intended time, so a late send counts against the system — no coordinated omission), record view
 * receipts, and report its own event-loop lag so a saturated generator is flagged rather than mistaken for a slow
 * server. Times are on the host clock (`hostNow`), comparable across the bench's processes.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { io as ioClient, type Socket } from 'socket.io-client';
import { LiteSocket, frameSeq, hostNow, refusal } from './lib/lite-socket.ts';
import { Histogram } from './lib/stats.ts';

interface Held {
  sock: LiteSocket;
  sessionId: string;
  lastSeq: number;
  /** While recording: seq, receipt time, seq, receipt time… of every view frame, in arrival order. */
  rec: number[];
}

const sockets = new Map<string, Held>();
let recording = false;
let lag: IntervalHistogram | null = null;
const LAG_RESOLUTION_MS = 10;

const newCommandId = () => randomBytes(12).toString('base64url');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function onView(held: Held) {
  return (frame: Buffer, at: number) => {
    const seq = frameSeq(frame);
    if (seq > held.lastSeq) held.lastSeq = seq;
    if (recording) held.rec.push(seq, at);
  };
}

type Ack = { ok: boolean; seq?: number; code?: string; reason?: string; view?: { seq: number } };

const ops: Record<string, (args: any) => Promise<unknown>> = {
  /** Opens lite sockets (and joins their session); connections are paced so the server's accept backlog holds. */
  async connect(args: { url: string; items: { key: string; token: string | null; sessionId: string; join: boolean }[]; concurrency: number }) {
    let failed = 0;
    const errors: string[] = [];
    await mapLimit(args.items, args.concurrency, async (item) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const sock = await LiteSocket.connect(args.url, item.token, undefined, item.sessionId);
          const held: Held = { sock, sessionId: item.sessionId, lastSeq: -1, rec: [] };
          sock.onView = onView(held);
          if (item.join) {
            const ack = await sock.emitWithAck<Ack>('session:join', { sessionId: item.sessionId }, 60_000);
            if (!ack.ok) throw new Error(`join ${item.sessionId}: ${ack.code}`);
            if (ack.view && ack.view.seq > held.lastSeq) held.lastSeq = ack.view.seq;
          }
          sockets.set(item.key, held);
          return;
        } catch (err) {
          if (attempt < 3) {
            await sleep(200 * attempt);
            continue;
          }
          failed++;
          if (errors.length < 5) errors.push(`${item.key}: ${(err as Error).message}`);
          return;
        }
      }
    });
    return { connected: args.items.length - failed, failed, errors };
  },

  /** Joins every held socket that has not joined yet to its session. */
  async joinAll(args: { concurrency: number }) {
    let failed = 0;
    const errors: string[] = [];
    await mapLimit([...sockets.entries()], args.concurrency, async ([key, held]) => {
      if (held.lastSeq >= 0) return;
      try {
        const ack = await held.sock.emitWithAck<Ack>('session:join', { sessionId: held.sessionId }, 600_000);
        if (!ack.ok) throw new Error(`join ${held.sessionId}: ${ack.code}`);
        if (ack.view && ack.view.seq > held.lastSeq) held.lastSeq = ack.view.seq;
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push(`${key}: ${(err as Error).message}`);
      }
    });
    return { failed, errors };
  },

  /** Sends commands as fast as `concurrency` allows and waits for every ack. */
  async commands(args: { items: { key: string; sessionId: string; type: string; payload: unknown }[]; concurrency: number; timeoutMs: number }) {
    let ok = 0;
    let failed = 0;
    const errors: string[] = [];
    await mapLimit(args.items, args.concurrency, async (item) => {
      const held = sockets.get(item.key);
      try {
        if (!held) throw new Error('no socket');
        const ack = await held.sock.emitWithAck<Ack>('session:command', { sessionId: item.sessionId, commandId: newCommandId(), type: item.type, payload: item.payload }, args.timeoutMs);
        if (ack.ok) ok++;
        else throw new Error(refusal(ack));
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push(`${item.key} ${item.type}: ${(err as Error).message}`);
      }
    });
    return { ok, failed, errors };
  },

  /**
   * Sends each command at its intended host time and records intended / sent / acked. Latency is taken from the
   * intended time by the caller, so a generator that falls behind inflates it instead of hiding it.
   */
  async schedule(args: { items: { key: string; sessionId: string; at: number; type: string; payload: unknown; tag: string; commandId?: string }[]; timeoutMs: number }) {
    const results: { tag: string; intended: number; sent: number; acked: number; ok: boolean; seq: number; code: string }[] = [];
    const sorted = [...args.items].sort((a, b) => a.at - b.at);
    const inflight: Promise<void>[] = [];
    for (const item of sorted) {
      const wait = item.at - hostNow();
      if (wait > 0) await sleep(wait);
      const held = sockets.get(item.key);
      const sent = hostNow();
      const p = (async () => {
        try {
          if (!held) throw new Error('no socket');
          // A caller that names the command id can look for it in the journal afterwards (the soak's acked-vs-journal check).
          const ack = await held.sock.emitWithAck<Ack>('session:command', { sessionId: item.sessionId, commandId: item.commandId ?? newCommandId(), type: item.type, payload: item.payload }, args.timeoutMs);
          results.push({ tag: item.tag, intended: item.at, sent, acked: hostNow(), ok: ack.ok, seq: ack.seq ?? -1, code: ack.ok ? '' : refusal(ack) });
        } catch (err) {
          results.push({ tag: item.tag, intended: item.at, sent, acked: Number.NaN, ok: false, seq: -1, code: (err as Error).message });
        }
      })();
      inflight.push(p);
    }
    await Promise.all(inflight);
    return results;
  },

  async record(args: { on: boolean }) {
    if (args.on) for (const h of sockets.values()) h.rec = [];
    recording = args.on;
    return {};
  },

  /** The lowest `seq` any joined socket has seen, and frames recorded so far. */
  async progress() {
    let min = Number.POSITIVE_INFINITY;
    for (const h of sockets.values()) if (h.lastSeq < min) min = h.lastSeq;
    let frames = 0;
    for (const h of sockets.values()) frames += h.rec.length / 2;
    return { minSeq: sockets.size ? min : -1, frames, sockets: sockets.size };
  },

  /**
   * Delivery latency of every change to every recording socket: for each stamped change (seq → server stamp, host
   * clock), the receipt of the first frame whose seq is ≥ it (a coalesced frame delivers every change it includes)
   * − the stamp. A change no frame delivered is counted as undelivered.
   */
  async latencies(args: { stamps: [number, number][] }) {
    const stamps = [...args.stamps].sort((a, b) => a[0] - b[0]);
    const hist = new Histogram();
    let frames = 0;
    let undelivered = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const h of sockets.values()) {
      const rec = h.rec;
      frames += rec.length / 2;
      for (let j = 1; j < rec.length; j += 2) {
        if (rec[j]! < first) first = rec[j]!;
        if (rec[j]! > last) last = rec[j]!;
      }
      let j = 0;
      for (const [seq, stamp] of stamps) {
        while (j < rec.length && rec[j]! < seq) j += 2;
        if (j < rec.length) hist.add(rec[j + 1]! - stamp);
        else undelivered++;
      }
    }
    return { hist: hist.toJSON(), frames, undelivered, first, last };
  },

  async lagStart() {
    lag?.disable();
    lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
    return {};
  },

  async lagStop() {
    if (!lag) return { p50: 0, p99: 0, max: 0 };
    lag.disable();
    const ms = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
    const out = { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) };
    lag = null;
    return out;
  },

  async closeAll() {
    for (const h of sockets.values()) h.sock.close();
    sockets.clear();
    for (const b of bots.values()) b.socket.disconnect();
    bots.clear();
    recording = false;
    return {};
  },

  // -------------------------------------------------------------------------------------------------------------
  // Recovery bots: real socket.io-client sockets that reconnect on their own and re-join with their last seq.

  async botsConnect(args: { url: string; items: { key: string; token: string; sessionId: string }[]; reconnectDelayMs: number; reconnectDelayMaxMs: number }) {
    await mapLimit(args.items, 20, async (item) => {
      const socket: Socket = ioClient(args.url, {
        auth: { token: item.token },
        transports: ['websocket'],
        reconnectionDelay: args.reconnectDelayMs,
        reconnectionDelayMax: args.reconnectDelayMaxMs,
      });
      const bot: Bot = { socket, sessionId: item.sessionId, seq: -1, target: Number.POSITIVE_INFINITY, resyncedAt: Number.NaN, joining: false };
      bots.set(item.key, bot);
      const takeSeq = (v: { seq: number }) => {
        if (v.seq > bot.seq) bot.seq = v.seq;
      };
      socket.on('session:view', takeSeq);
      socket.on('session:patch', takeSeq);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      // Every later connect is a reconnection (the Manager's 'reconnect' fires before the namespace is connected).
      socket.on('connect', () => void rejoin(bot));
      // A profiling run stops the server gracefully (BENCH_PROFILE_DIR, proc.ts), which disconnects every socket "on
      // purpose": socket.io-client never reconnects from that by itself, so no bot would come back. A kill -9 (every
      // measured run) closes the transport instead and the client reconnects on its own; this line does nothing there.
      socket.on('disconnect', (reason) => {
        if (reason === 'io server disconnect' && bots.get(item.key) === bot) socket.connect();
      });
      await rejoin(bot);
    });
    return { bots: bots.size, seqs: [...bots.values()].map((b) => b.seq) };
  },

  /** From now on, the first time a bot's (re)join returns `seq >= target` is its resync time. */
  async botsArm(args: { target: number }) {
    for (const b of bots.values()) {
      b.target = args.target;
      b.resyncedAt = Number.NaN;
    }
    return {};
  },

  async botsWait(args: { timeoutMs: number }) {
    const until = performance.now() + args.timeoutMs;
    while (performance.now() < until && [...bots.values()].some((b) => Number.isNaN(b.resyncedAt))) await sleep(10);
    return [...bots.values()].map((b) => ({ sessionId: b.sessionId, resyncedAt: b.resyncedAt, seq: b.seq }));
  },
};

interface Bot {
  socket: Socket;
  sessionId: string;
  seq: number;
  target: number;
  resyncedAt: number;
  joining: boolean;
}
const bots = new Map<string, Bot>();

/** Joins (again) with the last seq seen; retries until the server serves the session. */
async function rejoin(bot: Bot) {
  if (bot.joining) return;
  bot.joining = true;
  try {
    for (;;) {
      if (!bot.socket.connected) return; // the next 'reconnect' calls us again
      try {
        const ack = (await bot.socket.timeout(10_000).emitWithAck('session:join', { sessionId: bot.sessionId, ...(bot.seq >= 0 ? { lastSeq: bot.seq } : {}) })) as Ack;
        if (ack.ok && ack.view) {
          if (ack.view.seq > bot.seq) bot.seq = ack.view.seq;
          if (bot.seq >= bot.target && Number.isNaN(bot.resyncedAt)) bot.resyncedAt = hostNow();
          return;
        }
      } catch {
        // timed out or disconnected: try again
      }
      await sleep(100);
    }
  } finally {
    bot.joining = false;
  }
}

process.on('message', (msg: { id: number; op: string; args: unknown }) => {
  const fn = ops[msg.op];
  if (!fn) return process.send!({ id: msg.id, ok: false, error: `unknown op ${msg.op}` });
  fn(msg.args).then(
    (result) => process.send!({ id: msg.id, ok: true, result }),
    (err: unknown) => process.send!({ id: msg.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
