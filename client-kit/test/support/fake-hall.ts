/**
 * The server side of the fake socket: joins answer with the current view, commands are deduped by commandId and
 * applied once (as the session room does), time:sync answers from a controllable server clock. Tests override any
 * handler to lose acks, refuse, rate-limit, or skew the clock.
 */
import type { CommandAck, SessionView } from '@hall/core';
import { HallClient, type HallClientOptions } from '../../src/client.ts';
import { fakeFactory, type FakeSocket } from './fake-socket.ts';

export const SESSION = 'kh-test';

/** A view with only what the client looks at (full views are tested with core's projections elsewhere). */
export function stubView(seq: number, sessionId = SESSION): SessionView {
  // A complete tablet view (it has `me`): the kit shows it as is; shared pushes are covered by the wire tests below.
  const me = { delegateId: 'd7', name: 'Nguyễn Thị Hằng', attendance: 'present', queuePosition: null, requestId: null, questions: [] };
  return { audience: 'delegate', seq, sessionId, machineVersion: 1, phase: 'checkIn', title: 'Kỳ họp thử', me, poll: null, polls: [] } as unknown as SessionView;
}

/** A token the client can read (the signature part is not checked client-side). */
export function fakeToken(claims: Record<string, unknown>): string {
  const json = JSON.stringify({ councilIds: ['c1'], exp: 4_000_000_000, ...claims });
  const bytes = new TextEncoder().encode(json);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.c2lnbmF0dXJl`;
}

export const DELEGATE_TOKEN = fakeToken({ sub: 'bn-d007', role: 'delegate', delegateId: 'd7', name: 'Nguyễn Thị Hằng' });

export interface Envelope {
  sessionId: string;
  commandId: string;
  type: string;
  payload: unknown;
}

export class FakeHall {
  seq = 10;
  current: SessionView = stubView(10);
  /** Commands applied, once each. */
  readonly applied: Envelope[] = [];
  readonly acks = new Map<string, CommandAck>();
  /** Return an ack to answer with it, `undefined` to apply normally, NO_ACK to stay silent. */
  commandHook: ((cmd: Envelope, attempt: number) => unknown) | null = null;
  readonly attempts = new Map<string, number>();
  serverClock = () => 0;
  /** Runs inside time:sync before the server reads its clock (tests advance the client's clock here). */
  syncHook: (() => void) | null = null;
  afterSyncHook: (() => void) | null = null;
  readonly joins: unknown[] = [];

  attach(socket: FakeSocket) {
    socket.handlers.set('session:join', (req) => {
      this.joins.push(req);
      return { ok: true, view: this.current, serverTime: this.serverClock() };
    });
    socket.handlers.set('time:sync', (clientTime) => {
      this.syncHook?.();
      const reply = { clientTime, serverTime: this.serverClock() };
      this.afterSyncHook?.();
      return reply;
    });
    socket.handlers.set('session:command', (raw) => {
      const cmd = raw as Envelope;
      const attempt = (this.attempts.get(cmd.commandId) ?? 0) + 1;
      this.attempts.set(cmd.commandId, attempt);
      const hooked = this.commandHook?.(cmd, attempt);
      if (hooked !== undefined) return hooked;
      return this.apply(cmd);
    });
  }

  /** Dedupe, then apply once — the session room's steps 3-6. */
  apply(cmd: Envelope): CommandAck {
    const previous = this.acks.get(cmd.commandId);
    if (previous) return previous.ok ? { ...previous, duplicate: true } : previous;
    this.applied.push(cmd);
    this.seq++;
    this.current = stubView(this.seq);
    const ack: CommandAck = { ok: true, seq: this.seq };
    this.acks.set(cmd.commandId, ack);
    return ack;
  }
}

export function makeClient(options: Partial<HallClientOptions> = {}, hall = new FakeHall()) {
  const factory = fakeFactory((s) => hall.attach(s));
  const client = new HallClient({
    baseUrl: 'http://hall.test',
    token: DELEGATE_TOKEN,
    ackTimeoutMs: 40,
    reconnectionDelayMs: 10,
    rateLimitBackoffMs: 5,
    socketFactory: factory,
    ...options,
  });
  return { client, hall, factory, socket: () => factory.last() };
}

/** Waits until `predicate` holds (polling), or fails with `what`. */
export async function until(predicate: () => boolean, what = 'condition', timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Storage in memory (localStorage's interface). */
export class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}
