/**
 * Test factories for the session machine (STYLE.md §15): a council, a session driver with a deterministic clock and
 * named actors, and the few rituals every test repeats (roll call, a started session). Nothing here reads a clock or
 * draws a random number, so every run journals the same events with the same `at`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { expect } from 'vitest';
import type { RandomBytes } from '../src/ballot-crypto/index.ts';
import type { AgendaItem, Council, CouncilLevel, Official, RulesProfile, SessionSetup } from '../src/model.ts';
import { Council as CouncilSchema, RulesProfile as RulesProfileSchema } from '../src/model.ts';
import type { Actor, BallotChoice, Command, CommandPayload, CommandType, MachineEvent, MotionChoice } from '../src/protocol/commands.ts';
import { parseCommand } from '../src/protocol/commands.ts';
import type { Verdict } from '../src/protocol/errors.ts';
import type { SessionContext } from '../src/machine/context.ts';
import {
  explain,
  isVerdict,
  prepareCommand,
  startSession,
  SYSTEM_ACTOR,
  type SessionActor,
  type SessionSnapshot,
} from '../src/machine/engine.ts';

/** 1 July 2026, 08:00 UTC: the first sitting of the 2026-2031 term's mid-year session. */
export const EPOCH = Date.UTC(2026, 6, 1, 8, 0, 0);
export const DAY_MS = 86_400_000;

export const chair: Actor = { role: 'chair', id: 'chair' };
export const secretary: Actor = { role: 'secretary', id: 'secretary' };
export const system: Actor = SYSTEM_ACTOR;
/** Delegates are numbered from 1, as seats are: `delegate(1)` is `d1`. */
export const delegate = (i: number): Actor => ({ role: 'delegate', id: did(i) });
export const did = (i: number) => `d${i}`;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export const OFFICIALS: Official[] = [
  { id: 'o1', fullName: 'Nguyễn Văn An', post: 'Chủ tịch UBND', ratable: true, respondent: true },
  { id: 'o2', fullName: 'Trần Thị Bình', post: 'Phó Chủ tịch UBND', ratable: true, respondent: true },
  { id: 'o3', fullName: 'Lê Văn Cường', post: 'Giám đốc Sở Tài chính', ratable: false, respondent: true },
];

export const AGENDA: AgendaItem[] = [
  { id: 'i1', title: 'Nghị quyết về dự toán ngân sách', kind: 'resolution', documents: [] },
  { id: 'i2', title: 'Chất vấn và trả lời chất vấn', kind: 'questioning', documents: [] },
  { id: 'i3', title: 'Thảo luận tình hình kinh tế - xã hội', kind: 'discussion', documents: [] },
];

export interface CouncilOptions {
  /** Number of seats (default 15, a commune council). */
  delegates?: number;
  level?: CouncilLevel;
  profile?: DeepPartial<RulesProfile>;
  officials?: Official[];
  /** Seat numbers (1-based) that are vacant: still listed, not counted in the total. */
  vacant?: number[];
}

export function makeCouncil(opts: CouncilOptions = {}): Council {
  const n = opts.delegates ?? 15;
  const vacant = new Set(opts.vacant ?? []);
  return CouncilSchema.parse({
    id: 'council',
    name: opts.level === 'province' ? 'HĐND tỉnh Bắc Ninh' : 'HĐND xã Thử Nghiệm',
    level: opts.level ?? (n > 30 ? 'province' : 'commune'),
    delegates: Array.from({ length: n }, (_, k) => ({
      id: did(k + 1),
      fullName: `Đại biểu ${k + 1}`,
      group: `Tổ ${(k % 4) + 1}`,
      seat: String(k + 1),
      status: vacant.has(k + 1) ? 'vacant' : 'sitting',
    })),
    officials: opts.officials ?? OFFICIALS,
    profile: RulesProfileSchema.parse(opts.profile ?? {}),
  });
}

export interface SessionOptions extends CouncilOptions {
  agenda?: AgendaItem[];
  sessionId?: string;
}

export function makeSetup(opts: SessionOptions = {}): SessionSetup {
  return { sessionId: opts.sessionId ?? 'ky-hop-1', title: 'Kỳ họp thứ hai', council: makeCouncil(opts), agenda: opts.agenda ?? AGENDA };
}

/** Every event gets a distinct, increasing `at`; tests move time on explicitly with `advance`. */
export class TestClock {
  now: number;
  constructor(
    start = EPOCH,
    readonly step = 1000,
  ) {
    this.now = start;
  }
  /** The `at` of the next event, then the clock moves on by one step. */
  tick(): number {
    const at = this.now;
    this.now += this.step;
    return at;
  }
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

/** An event as a test writes it: `at` is optional (the clock stamps it). */
export type TestEvent = MachineEvent extends infer E ? (E extends MachineEvent ? Omit<E, 'at'> & { at?: number } : never) : never;

/** What the gateway would answer to a client command. */
export type CommandOutcome =
  | { ok: true; sealedChoice?: BallotChoice }
  | Extract<Verdict, { ok: false }>
  | { ok: false; code: 'VALIDATION'; issues: string[] };

export interface SessionDriver {
  setup: SessionSetup;
  actor: SessionActor;
  clock: TestClock;
  /** Every accepted event, in order: the journal. */
  log: MachineEvent[];
  /** Sealed secret-ballot contents, as the server's ballot box would hold them (no delegate id, no order meaning). */
  box: Record<string, BallotChoice[]>;
  snapshot(): SessionSnapshot;
  ctx(): SessionContext;
  value(): unknown;
  /** Asks the machine, and sends the event only if it is allowed (the server's step 4-6). */
  send(ev: TestEvent): Verdict;
  /** Sends and fails the test if the machine refused. */
  ok(ev: TestEvent): void;
  /** Sends and expects exactly this refusal; the snapshot must not change. */
  refuse(ev: TestEvent, reason: string, code?: 'REJECTED' | 'FORBIDDEN'): void;
  /** The client path: parse → prepare (seal a secret choice) → explain → send. */
  command<T extends CommandType>(by: Actor, type: T, payload: CommandPayload<T> | Record<string, unknown>): CommandOutcome;
  checkInAll(n: number, from?: number): void;
  /** Casts `choices[k]` for delegate k+1+offset, electronically (public) or sealed (secret). */
  castAll(pollId: string, choices: BallotChoice[], offset?: number): void;
  /** Counts a secret motion's sealed box, as the server does at close. */
  secretMotionCounts(pollId: string): { kind: 'motion'; yes: number; no: number; abstain: number };
}

export function makeSession(opts: SessionOptions = {}): SessionDriver {
  const setup = makeSetup(opts);
  const actor = startSession(setup);
  const clock = new TestClock();
  const log: MachineEvent[] = [];
  const box: Record<string, BallotChoice[]> = {};
  const stamp = (ev: TestEvent): MachineEvent => ({ ...ev, at: ev.at ?? clock.tick() }) as MachineEvent;
  const send = (ev: TestEvent): Verdict => {
    const event = stamp(ev);
    const verdict = explain(actor.getSnapshot(), event);
    if (verdict.ok) {
      log.push(event);
      actor.send(event);
    }
    return verdict;
  };
  const d: SessionDriver = {
    setup,
    actor,
    clock,
    log,
    box,
    snapshot: () => actor.getSnapshot(),
    ctx: () => actor.getSnapshot().context,
    value: () => actor.getSnapshot().value,
    send,
    ok(ev) {
      const v = send(ev);
      expect(v, `${ev.type} by ${ev.by.role}:${ev.by.id}`).toEqual({ ok: true });
    },
    refuse(ev, reason, code) {
      const before = JSON.stringify(actor.getPersistedSnapshot());
      const v = send(ev);
      expect(v.ok, `${ev.type} should be refused with ${reason}`).toBe(false);
      if (!v.ok) {
        expect(v.reason).toBe(reason);
        if (code) expect(v.code).toBe(code);
      }
      expect(JSON.stringify(actor.getPersistedSnapshot())).toBe(before);
    },
    command(by, type, payload) {
      const parsed = parseCommand({ sessionId: setup.sessionId, commandId: `cmd-${log.length}-${clock.now}`, type, payload });
      if (!parsed.ok) return { ok: false, code: 'VALIDATION', issues: parsed.issues };
      const prepared = prepareCommand(actor.getSnapshot(), parsed.command as Command, by, clock.tick());
      if (isVerdict(prepared)) return prepared;
      const verdict = explain(actor.getSnapshot(), prepared.event);
      if (!verdict.ok) return verdict;
      log.push(prepared.event);
      actor.send(prepared.event);
      if (prepared.sealedChoice !== undefined && prepared.event.type === 'ballot.cast') {
        (box[prepared.event.pollId] ??= []).push(prepared.sealedChoice);
      }
      return prepared.sealedChoice === undefined ? { ok: true } : { ok: true, sealedChoice: prepared.sealedChoice };
    },
    checkInAll(n, from = 1) {
      for (let i = from; i < from + n; i++) d.ok({ type: 'attendance.checkIn', delegateId: did(i), channel: 'hall', by: delegate(i) });
    },
    castAll(pollId, choices, offset = 0) {
      choices.forEach((choice, k) => {
        const v = d.command(delegate(k + 1 + offset), 'ballot.cast', { pollId, choice });
        expect(v, `ballot of ${did(k + 1 + offset)}`).toMatchObject({ ok: true });
      });
    },
    secretMotionCounts(pollId) {
      const c = { kind: 'motion' as const, yes: 0, no: 0, abstain: 0 };
      for (const choice of box[pollId] ?? []) c[choice as MotionChoice]++;
      return c;
    },
  };
  return d;
}

/** Checks in delegates 1..n (each for themself, in the hall). */
export function checkInAll(s: SessionDriver, n: number): void {
  s.checkInAll(n);
}

/** A session in progress: roll call opened, `present` delegates checked in, started. */
export function startedSession(opts: SessionOptions & { present?: number } = {}): SessionDriver {
  const s = makeSession(opts);
  s.ok({ type: 'session.openCheckIn', by: chair });
  s.checkInAll(opts.present ?? opts.delegates ?? 15);
  s.ok({ type: 'session.start', by: chair });
  return s;
}

/** `{ yes: 3, no: 1 }` → ['yes', 'yes', 'yes', 'no'] in a fixed order. */
export function choices(c: Partial<Record<MotionChoice, number>>): MotionChoice[] {
  return [...Array<MotionChoice>(c.yes ?? 0).fill('yes'), ...Array<MotionChoice>(c.no ?? 0).fill('no'), ...Array<MotionChoice>(c.abstain ?? 0).fill('abstain')];
}

/** The region a parallel state is in, e.g. region(s, 'voting') → 'open'. */
export function region(s: SessionDriver, name: string): string | undefined {
  const v = s.value() as Record<string, Record<string, string>> | string;
  return typeof v === 'string' ? undefined : v.inProgress?.[name];
}

export const persisted = (s: SessionDriver) => JSON.stringify(s.actor.getPersistedSnapshot());

/** A deterministic byte stream (SHA-256 in counter mode) standing in for a device's crypto.getRandomValues. */
export function seeded(seed: number): RandomBytes {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(new TextEncoder().encode(`${seed}:${counter++}`));
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}
