/**
 * The HALL_CORES primary's balancer: it owns the port and hands each TCP connection to a worker (cores.ts). It speaks
 * the protocol of @socket.io/sticky's setupWorker (2.0.1, pinned), which every worker runs, and picks the worker
 * differently from sticky's own setupPrimary:
 *
 *  - a request carrying an Engine.IO `sid` goes to the worker that opened that sid (a long-polling client's every
 *    request after the first, and its upgrade to a WebSocket), as with sticky;
 *  - a new connection whose request line names a session (`?session=<id>`, which Hall's clients, bots and the bench
 *    add) goes to the worker that runs that session, or will run it by placement (`route.forSession`), so that its
 *    commands and views stay in that process instead of crossing Redis;
 *  - anything else goes to the ready worker with the fewest connections.
 *
 * Routing is a hint for speed only: the session's lease decides who runs it, and a connection that reaches another
 * worker (placement changed, a worker restarted) is served there through forwarding, as between machines.
 * Whatever arrives on the port is a stranger's bytes: parsing them never throws, and a connection the primary cannot
 * place is closed (503 when no worker is ready), never the primary.
 */
import { randomBytes } from 'node:crypto';
import cluster, { type Worker } from 'node:cluster';
import type { Server, Socket } from 'node:net';
import { Id } from '@hall/core';

export interface Route {
  /** Workers that take connections now (booted, alive). */
  ready(): readonly Worker[];
  /** The worker that runs (or by placement will run) the session; null: balance by load. */
  forSession(sessionId: string): Worker | null;
}

const SID = /[?&]sid=([\w-]{20})(?:&|\s|$)/;
const HEAD_END = Buffer.from('\r\n\r\n');
/** More than any request line Hall's clients send; a longer one is not read for a session. */
const MAX_LINE = 2048;

/** The session a request line asks for (`GET /socket.io/?EIO=4&transport=websocket&session=bn-kh12 HTTP/1.1`), if valid. */
export function sessionOfRequest(head: string): string | null {
  const end = head.indexOf('\r\n');
  const line = end < 0 ? head : head.slice(0, end);
  if (line.length > MAX_LINE) return null;
  const q = line.indexOf('?');
  if (q < 0) return null;
  const space = line.indexOf(' ', q);
  // URLSearchParams never throws: a malformed escape stays as typed, and then fails the id rule.
  const value = new URLSearchParams(line.slice(q + 1, space < 0 ? undefined : space)).get('session');
  return value !== null && Id.safeParse(value).success ? value : null;
}

/**
 * Stops the primary reading a connection it hands to a worker. Until the IPC message carrying it is out (behind others
 * in a burst of connections), the primary's copy of the descriptor stays open; whatever it read meanwhile — the
 * client's first Socket.IO packet, sent as soon as the worker answered the upgrade — was swallowed, and the connection
 * opened, then hung (1 to 19 in bursts of 8,500). `pause()` does not stop libuv reading into the stream's buffer, and
 * the stream's read-ahead starts the handle again unless it believes it still reads: so the handle is stopped and its
 * `reading` flag left set. What the client sends next waits in the kernel for the worker.
 */
export function stopReading(socket: Socket) {
  (socket as unknown as { _handle?: { readStop?: () => number } | null })._handle?.readStop?.();
  socket.pause();
}

const unavailable = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export function setupBalancer(server: Server, route: Route): void {
  /** Engine.IO sid → the worker that opened it (told by setupWorker). */
  const sidWorker = new Map<string, Worker>();
  const clients = new Map<Worker, number>();
  /** Connections the primary keeps reading (requests with a body), their chunks relayed to the worker. */
  const relayed = new Map<string, Socket>();

  const leastLoaded = (): Worker | null => {
    let best: Worker | null = null;
    for (const w of route.ready()) if (!best || (clients.get(w) ?? 0) < (clients.get(best) ?? 0)) best = w;
    return best;
  };
  const choose = (head: string): Worker | null => {
    const sid = SID.exec(head)?.[1];
    const bySid = sid === undefined ? undefined : sidWorker.get(sid);
    if (bySid && !bySid.isDead()) return bySid;
    const session = sessionOfRequest(head);
    const bySession = session === null ? null : route.forSession(session);
    return bySession && !bySession.isDead() ? bySession : leastLoaded();
  };

  server.on('connection', (socket: Socket) => {
    let worker: Worker | null = null;
    let connectionId: string | null = null;
    const failed = (err: Error | null) => {
      if (err) socket.destroy();
    };
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      if (worker && connectionId) {
        if (worker.isDead()) return void socket.destroy();
        worker.send({ type: 'sticky:http-chunk', data: chunk, connectionId }, failed);
        return;
      }
      if (worker) return; // the handle went to the worker; a late chunk here has nowhere to go
      const end = chunk.indexOf(HEAD_END);
      const head = chunk.subarray(0, end < 0 ? chunk.length : end).toString('latin1');
      worker = choose(head);
      if (!worker) {
        socket.once('finish', () => socket.destroy());
        socket.end(unavailable);
        return;
      }
      const lower = head.toLowerCase();
      if (!lower.includes('content-length:') && !lower.includes('transfer-encoding:')) {
        // The whole request is here: the worker takes the socket itself.
        stopReading(socket);
        worker.send({ type: 'sticky:connection', data: chunk }, socket, failed);
        return;
      }
      // A body may follow in later chunks: the primary keeps the socket and relays them, so that two processes never
      // read one stream.
      connectionId = randomBytes(8).toString('hex');
      relayed.set(connectionId, socket);
      const { remoteAddress, remotePort, localAddress, localPort } = socket;
      worker.send({ type: 'sticky:http-chunk-start', data: chunk, connectionId, socketInfo: { remoteAddress, remotePort, localAddress, localPort } }, failed);
    });
    socket.on('close', () => {
      if (!connectionId || !relayed.delete(connectionId)) return;
      if (worker && !worker.isDead()) worker.send({ type: 'sticky:abort', connectionId }, () => undefined);
    });
  });

  cluster.on('message', (worker: Worker, message: { type?: unknown; data?: unknown; connectionId?: unknown; error?: unknown }) => {
    const id = typeof message?.connectionId === 'string' ? message.connectionId : '';
    const socket = relayed.get(id);
    switch (message?.type) {
      case 'sticky:http-response':
        if (socket && !socket.destroyed) socket.write(message.data as Buffer);
        break;
      case 'sticky:http-response-end':
        if (socket && !socket.destroyed) socket.end();
        relayed.delete(id);
        break;
      case 'sticky:http-response-destroy':
        if (socket && !socket.destroyed) socket.destroy(typeof message.error === 'string' ? new Error(message.error) : undefined);
        relayed.delete(id);
        break;
      case 'sticky:connection':
        sidWorker.set(String(message.data), worker);
        clients.set(worker, (clients.get(worker) ?? 0) + 1);
        break;
      case 'sticky:disconnection':
        sidWorker.delete(String(message.data));
        clients.set(worker, Math.max(0, (clients.get(worker) ?? 0) - 1));
        break;
    }
  });

  cluster.on('exit', (worker) => {
    clients.delete(worker);
    for (const [sid, w] of sidWorker) if (w === worker) sidWorker.delete(sid);
  });
}
