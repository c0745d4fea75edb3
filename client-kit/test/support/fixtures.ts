/**
 * Real sessions built with core — the same machine, guards and projections the server runs — so tests of `can()` and
 * of the result components use views the server would really send. Deterministic clock, named actors.
 */
import {
  Council,
  explain,
  isVerdict,
  parseCommand,
  prepareCommand,
  project,
  startSession,
  type Actor,
  type Audience,
  type CommandPayload,
  type CommandType,
  type MotionChoice,
  type SessionActor,
  type SessionSetup,
  type SessionView,
  type Verdict,
} from '@hall/core';

/** 1 July 2026, 08:00 UTC. */
export const EPOCH = Date.UTC(2026, 6, 1, 8, 0, 0);

export const chair: Actor = { role: 'chair', id: 'chutoa' };
export const secretary: Actor = { role: 'secretary', id: 'thuky' };
export const delegate = (i: number): Actor => ({ role: 'delegate', id: `d${i}` });

export function makeSetup(delegates: number, sessionId = 'kh-test'): SessionSetup {
  return {
    sessionId,
    title: 'Kỳ họp thứ mười hai',
    council: Council.parse({
      id: 'hdnd-test',
      name: delegates > 30 ? 'HĐND tỉnh Bắc Ninh' : 'HĐND xã Tiên Du',
      level: delegates > 30 ? 'province' : 'commune',
      delegates: Array.from({ length: delegates }, (_, k) => ({
        id: `d${k + 1}`,
        fullName: `Đại biểu Nguyễn Văn ${k + 1}`,
        group: `Tổ đại biểu số ${(k % 4) + 1}`,
        seat: String(k + 1),
      })),
      officials: [{ id: 'o1', fullName: 'Trần Thị Bình', post: 'Chủ tịch UBND', ratable: true, respondent: true }],
    }),
    agenda: [{ id: 'i1', title: 'Nghị quyết về dự toán ngân sách', kind: 'resolution', documents: [] }],
  };
}

/** The server's command path in miniature (parse → prepare → explain → apply), with a journal seq. */
export class LiveSession {
  readonly actor: SessionActor;
  seq = 0;
  clock = EPOCH;

  constructor(readonly setup: SessionSetup) {
    this.actor = startSession(setup);
  }

  static of(delegates: number) {
    return new LiveSession(makeSetup(delegates));
  }

  get snapshot() {
    return this.actor.getSnapshot();
  }

  /** What the server would answer; applies the event when allowed. */
  command<T extends CommandType>(by: Actor, type: T, payload: CommandPayload<T> | Record<string, unknown> = {}): Verdict | { ok: false; code: 'VALIDATION' } {
    const parsed = parseCommand({ sessionId: this.setup.sessionId, commandId: `cmd-${this.seq}-${this.clock}`, type, payload });
    if (!parsed.ok) return { ok: false, code: 'VALIDATION' };
    this.clock += 1000;
    const prepared = prepareCommand(this.snapshot, parsed.command, by, this.clock);
    if (isVerdict(prepared)) return prepared;
    const verdict = explain(this.snapshot, prepared.event);
    if (verdict.ok) {
      this.actor.send(prepared.event);
      this.seq++;
    }
    return verdict;
  }

  must<T extends CommandType>(by: Actor, type: T, payload: CommandPayload<T> | Record<string, unknown> = {}) {
    const v = this.command(by, type, payload);
    if (!v.ok) throw new Error(`${type} by ${by.role}:${by.id} refused: ${'reason' in v ? v.reason : v.code}`);
  }

  checkIn(from: number, to: number) {
    for (let i = from; i <= to; i++) this.must(delegate(i), 'attendance.checkIn', { delegateId: `d${i}`, channel: 'hall' });
  }

  view(audience: Audience, delegateId: string | null = null): SessionView {
    return project(this.snapshot, this.seq, audience, delegateId);
  }
}

/** A started sitting with `present` delegates checked in. */
export function startedSession(delegates: number, present: number): LiveSession {
  const s = LiveSession.of(delegates);
  s.must(chair, 'session.openCheckIn');
  s.checkIn(1, present);
  s.must(chair, 'session.start');
  return s;
}

/**
 * docs/rules.md's example through the real machine: 85 delegates, 80 take part — 70 yes, 6 no, 4 abstain —
 * announced. Returns the wall's view of the poll.
 */
export function announcedMotion(counts = { yes: 70, no: 6, abstain: 4 }, total = 85) {
  const present = counts.yes + counts.no + counts.abstain;
  const s = startedSession(total, Math.max(present, Math.ceil((2 * total) / 3)));
  s.must(chair, 'poll.open', { pollId: 'p1', subject: 'Nghị quyết về dự toán ngân sách nhà nước năm 2029', kind: 'motion', mode: 'electronic' });
  const choices: MotionChoice[] = [
    ...Array<MotionChoice>(counts.yes).fill('yes'),
    ...Array<MotionChoice>(counts.no).fill('no'),
    ...Array<MotionChoice>(counts.abstain).fill('abstain'),
  ];
  choices.forEach((choice, k) => s.must(delegate(k + 1), 'ballot.cast', { pollId: 'p1', choice }));
  s.must(chair, 'poll.close', { pollId: 'p1' });
  s.must(chair, 'poll.announce', { pollId: 'p1' });
  return { session: s, view: s.view('wall') };
}
