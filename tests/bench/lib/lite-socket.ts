/**
 * A minimal Socket.IO client (Engine.IO v4 over WebSocket only, default namespace) for load generation. One process
 * here stands in for thousands of tablets or viewers, so a view frame is NOT parsed: the bench only needs its `seq`,
 * which `project()` puts second in a whole view (`{"audience":…,"seq":N,…}`) and a patch first (`{"seq":N,"from":…}`),
 * so it is read from the first bytes. A patch stands for the view of its seq (a real client applies it).
 * Everything else (pings, acks, connect errors) follows the protocol the real socket.io-client speaks:
 *
 *   server → `0{sid,pingInterval,…}`   client → `40{auth}`   server → `40{sid,pid}` | `44{message,data}`
 *   client → `42<ackId>["event",arg]`  server → `43<ackId>[reply]`
 *   server → `42["session:view",view]` or `42["session:patch",patch]`   server `2` (ping) → client `3` (pong)
 *
 * Both the app and the baseline servers are measured with this same client, so its cost cancels out of the ratios.
 */
import { WebSocketClient, type WsClient } from './deps.ts';

/** A refused ack as one word for logs and error counts: its code, and the machine's reason when it gave one. */
export const refusal = (ack: { code?: string; reason?: string }) => `${ack.code}${ack.reason ? `/${ack.reason}` : ''}`;

/** The host clock shared by every bench process (sub-millisecond, comparable across processes on one machine). */
export const hostNow = () => performance.timeOrigin + performance.now();

const VIEW_PREFIX = '42["session:view",';
const PATCH_PREFIX = '42["session:patch",';

/** A `session:patch` frame: what a publication costs a socket that holds the room's last view. */
export const isPatchFrame = (frame: Buffer) => frame.toString('latin1', 0, PATCH_PREFIX.length) === PATCH_PREFIX;
const isViewFrame = (frame: Buffer) => frame.toString('latin1', 0, VIEW_PREFIX.length) === VIEW_PREFIX || isPatchFrame(frame);

/** The `seq` of a view frame, read from its first bytes (no JSON parse); -1 when absent. */
export function frameSeq(frame: Buffer): number {
  const head = frame.toString('latin1', 0, Math.min(frame.length, 200));
  const i = head.indexOf('"seq":');
  if (i < 0) return -1;
  let n = 0;
  let j = i + 6;
  let digits = 0;
  for (; j < head.length; j++) {
    const c = head.charCodeAt(j);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    digits++;
  }
  return digits ? n : -1;
}

/** The view object of a `session:view` frame (full parse, for the few sockets that need it). */
export function parseViewFrame(frame: Buffer): { seq: number; [k: string]: unknown } {
  return (JSON.parse(frame.toString('utf8', 2)) as unknown[])[1] as { seq: number };
}

interface PendingAck {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class LiteSocket {
  private nextAckId = 1;
  private readonly pending = new Map<number, PendingAck>();
  closed = false;
  /** Called with every `session:view` and `session:patch` frame (raw) and its receipt time on the host clock. */
  onView: ((frame: Buffer, at: number) => void) | null = null;
  onClose: (() => void) | null = null;
  framesIn = 0;

  private constructor(private readonly ws: WsClient) {}

  /** `sessionId`: the session this socket is for, named in the handshake as Hall's clients do (HALL_CORES routes by it). */
  static connect(baseUrl: string, token: string | null, timeoutMs = 20_000, sessionId?: string): Promise<LiteSocket> {
    const session = sessionId ? `&session=${encodeURIComponent(sessionId)}` : '';
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket${session}`;
    const ws = new WebSocketClient(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const sock = new LiteSocket(ws);
    return new Promise<LiteSocket>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => done(new Error(`connect timeout after ${timeoutMs} ms`)), timeoutMs);
      const done = (err: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          sock.closed = true;
          ws.terminate();
          reject(err);
        } else resolve(sock);
      };
      ws.on('error', (err) => done(err));
      ws.on('close', () => {
        done(new Error('closed during connect'));
        sock.shutdown();
      });
      ws.on('message', (data: Buffer) => {
        const t = data[0];
        if (t === 0x34 /* 4 message */) {
          const k = data[1];
          if (k === 0x32 /* 2 event */) {
            sock.framesIn++;
            if (sock.onView && isViewFrame(data)) sock.onView(data, hostNow());
            return;
          }
          if (k === 0x33 /* 3 ack */) return sock.takeAck(data);
          if (k === 0x30 /* 0 connect */) return done(null);
          if (k === 0x34 /* 4 connect error */) return done(new Error(`connect refused: ${data.toString('utf8', 2)}`));
          return;
        }
        if (t === 0x32 /* 2 ping */) return ws.send('3');
        if (t === 0x30 /* 0 open */) return ws.send(token ? `40${JSON.stringify({ token, ownPartInAck: true })}` : '40');
        if (t === 0x31 /* 1 close */) ws.close();
      });
    });
  }

  private takeAck(data: Buffer) {
    const text = data.toString('utf8', 2);
    let i = 0;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const id = Number(text.slice(0, i));
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    try {
      p.resolve((JSON.parse(text.slice(i)) as unknown[])[0]);
    } catch (err) {
      p.reject(err as Error);
    }
  }

  emitWithAck<T = unknown>(event: string, arg: unknown, timeoutMs = 30_000): Promise<T> {
    if (this.closed) return Promise.reject(new Error('socket closed'));
    const id = this.nextAckId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${event}: no ack within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws.send(`42${id}${JSON.stringify([event, arg])}`);
    });
  }

  private ended = false;

  private shutdown() {
    if (this.ended) return;
    this.ended = true;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('socket closed'));
    }
    this.pending.clear();
    this.onClose?.();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ws.close();
    } catch {
      this.ws.terminate();
    }
    this.shutdown();
  }
}
