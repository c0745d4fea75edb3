/**
 * A stand-in for a socket.io-client Socket, driven by the test: it answers emits through handlers the test installs
 * (the "server"), and the test decides when connections open, drop, or are closed by the server. Timeouts of
 * `timeout().emitWithAck` are real timers, so tests use short `ackTimeoutMs`.
 */
import type { HallSocket, SocketFactory } from '../../src/client.ts';

type Listener = (...args: unknown[]) => void;

/** Node's EventEmitter in miniature (the kit's tests type-check without Node's types). */
export class Emitter {
  private readonly map = new Map<string, Listener[]>();
  on(event: string, fn: Listener) {
    this.map.set(event, [...(this.map.get(event) ?? []), fn]);
    return this;
  }
  off(event?: string, fn?: Listener) {
    if (event === undefined) this.map.clear();
    else if (fn === undefined) this.map.delete(event);
    else this.map.set(event, (this.map.get(event) ?? []).filter((l) => l !== fn));
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const fn of [...(this.map.get(event) ?? [])]) fn(...args);
    return this;
  }
  count(event: string) {
    return this.map.get(event)?.length ?? 0;
  }
}

/** Returned by a handler to leave the emit unanswered (a lost ack). */
export const NO_ACK = Symbol('no ack');
type Handler = (...args: unknown[]) => unknown;

export class FakeSocket {
  connected = false;
  active = false;
  auth: unknown;
  /** Accept `connect()` on the next tick, as a reachable server would. */
  autoAccept = true;
  connectCalls = 0;
  readonly opts: Record<string, unknown>;
  readonly io = new Emitter();
  /** Every client → server emit, in order (attempts included). */
  readonly sent: { event: string; args: unknown[] }[] = [];
  readonly handlers = new Map<string, Handler>();
  private readonly local = new Emitter();
  private readonly waiting = new Set<(err: Error) => void>();

  constructor(opts: Record<string, unknown> = {}) {
    this.opts = opts;
    this.auth = opts.auth;
  }

  asSocket(): HallSocket {
    return this as unknown as HallSocket;
  }

  // --- the Socket surface the client uses -------------------------------------------------------------------

  on(event: string, fn: Listener) {
    this.local.on(event, fn);
    return this;
  }

  off(event?: string, fn?: Listener) {
    this.local.off(event, fn);
    return this;
  }

  /** How many listeners the client holds for an event (leak checks). */
  listeners(event: string) {
    return this.local.count(event);
  }

  emit(event: string, ...args: unknown[]) {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (v: unknown) => void) : null;
    this.sent.push({ event, args });
    const handler = this.handlers.get(event);
    if (!handler) return this;
    void Promise.resolve(handler(...args)).then((r) => {
      if (r !== NO_ACK && ack && this.connected) ack(r);
    });
    return this;
  }

  timeout(ms: number) {
    return {
      emitWithAck: (event: string, ...args: unknown[]) =>
        new Promise<unknown>((resolve, reject) => {
          const fail = (err: Error) => {
            clearTimeout(timer);
            this.waiting.delete(fail);
            reject(err);
          };
          const timer = setTimeout(() => fail(new Error('operation has timed out')), ms);
          this.waiting.add(fail);
          this.sent.push({ event, args });
          const handler = this.handlers.get(event);
          if (!handler) return;
          void Promise.resolve(handler(...args)).then((r) => {
            if (r === NO_ACK || !this.waiting.has(fail)) return;
            clearTimeout(timer);
            this.waiting.delete(fail);
            resolve(r);
          });
        }),
    };
  }

  connect() {
    this.connectCalls++;
    this.active = true;
    if (this.autoAccept && !this.connected) setTimeout(() => this.active && !this.connected && this.accept(), 0);
    return this;
  }

  disconnect() {
    this.active = false;
    if (this.connected) this.close('io client disconnect');
    return this;
  }

  // --- what the network and the server do ---------------------------------------------------------------------

  /** The connection opens (first connect, or the manager's reconnection succeeding). */
  accept() {
    this.connected = true;
    this.active = true;
    this.local.emit('connect');
  }

  /** The transport dies; Socket.IO's manager would retry by itself (the socket stays active). */
  drop() {
    this.close('transport close');
  }

  /** The server closes the connection (restart): Socket.IO does not retry this one. */
  serverDisconnect() {
    this.active = false;
    this.close('io server disconnect');
  }

  /** The handshake middleware refuses (bad token). */
  refuse(code: string, message = 'refused') {
    this.active = false;
    this.local.emit('connect_error', Object.assign(new Error(message), { data: { code } }));
  }

  /** A server → client event. */
  push(event: string, ...args: unknown[]) {
    this.local.emit(event, ...args);
  }

  /** Client → server emits of one event (e.g. every 'session:command' attempt). */
  emitted(event: string): unknown[][] {
    return this.sent.filter((s) => s.event === event).map((s) => s.args);
  }

  private close(reason: string) {
    this.connected = false;
    this.local.emit('disconnect', reason);
    // As socket.io-client does: acks still awaited can never arrive on a dead connection.
    for (const fail of [...this.waiting]) fail(new Error('socket has been disconnected'));
  }
}

/** A factory that records every socket it builds (the client builds one, and a new one after close()). */
export function fakeFactory(setup?: (s: FakeSocket) => void): SocketFactory & { sockets: FakeSocket[]; last: () => FakeSocket } {
  const sockets: FakeSocket[] = [];
  const factory = ((_url: string, opts: Record<string, unknown>) => {
    const s = new FakeSocket(opts);
    setup?.(s);
    sockets.push(s);
    return s.asSocket();
  }) as SocketFactory & { sockets: FakeSocket[]; last: () => FakeSocket };
  factory.sockets = sockets;
  factory.last = () => sockets[sockets.length - 1]!;
  return factory;
}
