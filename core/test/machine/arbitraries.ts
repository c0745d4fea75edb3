/**
 * Generators of command sequences for the model-based property tests, and a runner that plays them the way the
 * server does (docs/architecture.md): parse → prepare (seal a secret choice) → server-side secret counts → explain → send.
 *
 * Ids come from small pools so that sequences hit both sides of every guard: a request id that exists and one that
 * does not, a poll that is open and one that was cancelled. A few payload fields are *recipes* resolved against the
 * live context when the step runs ("the current poll", "a valid ballot for it", "consistent counts"), because a
 * purely static payload would almost never be valid and the runs would stay in the shallow states.
 */
import fc from 'fast-check';
import type { SessionSetup } from '../../src/model.ts';
import type { Poll, SessionContext } from '../../src/machine/context.ts';
import { explain, isVerdict, prepareCommand, startSession, type SessionActor } from '../../src/machine/engine.ts';
import { activeGroup, awaitingAnswer, openPoll } from '../../src/machine/guards.ts';
import type { Actor, BallotChoice, Command, MachineEvent, PollCounts } from '../../src/protocol/commands.ts';
import { parseCommand } from '../../src/protocol/commands.ts';
import type { Verdict } from '../../src/protocol/errors.ts';
import { chair, delegate, makeSetup, secretary, system } from '../helpers.ts';

export const MAX_SEATS = 25;

// ---------------------------------------------------------------------------------------------------------------
// Setups

export const setupArb: fc.Arbitrary<SessionSetup> = fc
  .record({
    delegates: fc.constantFrom(15, 20, 25),
    level: fc.constantFrom('province' as const, 'commune' as const),
    quorumEnforcement: fc.constantFrom('block' as const, 'warn' as const),
    allowBallotChange: fc.boolean(),
    answerMode: fc.constantFrom('perQuestion' as const, 'perRound' as const),
    remoteParticipation: fc.boolean(),
    remoteCountsForQuorum: fc.boolean(),
    communeConfidenceRating: fc.boolean(),
    confidenceBase: fc.constantFrom('total-ballots' as const, 'total-delegates' as const),
    maxSpeechesPerItem: fc.integer({ min: 1, max: 2 }),
    vacant: fc.subarray([3, 7, 11]),
  })
  .map((o) =>
    makeSetup({
      delegates: o.delegates,
      level: o.level,
      vacant: o.vacant,
      profile: {
        quorumEnforcement: o.quorumEnforcement,
        allowBallotChange: o.allowBallotChange,
        remoteParticipation: o.remoteParticipation,
        remoteCountsForQuorum: o.remoteCountsForQuorum,
        communeConfidenceRating: o.communeConfidenceRating,
        confidenceBase: o.confidenceBase,
        maxSpeechesPerItem: o.maxSpeechesPerItem,
        questioning: { answerMode: o.answerMode },
      },
    }),
  );

// ---------------------------------------------------------------------------------------------------------------
// Steps

/** A payload value resolved when the step runs. */
export type Recipe =
  | { $: 'currentPoll' }
  | { $: 'currentSpeech' }
  | { $: 'queueReversed' }
  | { $: 'fitBallot'; seed: number }
  | { $: 'fitCounts'; seed: number; skew: number }
  /** An id that exists in the context (a queued request, a question, a group, an official awaited for an answer). */
  | { $: 'pick'; from: 'request' | 'question' | 'group' | 'respondent'; seed: number };

export interface Step {
  type: string;
  by: Actor;
  payload: Record<string, unknown>;
}

const seat = fc.integer({ min: 1, max: 17 });
const dId = seat.map((i) => `d${i}`);
const pick = (from: 'request' | 'question' | 'group' | 'respondent', pool: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => ({ $: 'pick', from, seed: n }) as Recipe) }, { weight: 2, arbitrary: pool });
const requestPool = fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5');
const requestId = pick('request', requestPool);
const speechId = fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9');
const questionPool = fc.constantFrom('q1', 'q2', 'q3', 'q4', 'q5', 'q6');
const questionId = pick('question', questionPool);
const groupPool = fc.constantFrom('g1', 'g2', 'g3');
const groupId = pick('group', groupPool);
const officialId = fc.constantFrom('o1', 'o2', 'o3', 'o4');
const respondentId = pick('respondent', officialId);
const itemId = fc.constantFrom('i1', 'i2', 'i3', 'i4');
const pollId = fc.oneof({ weight: 3, arbitrary: fc.constant({ $: 'currentPoll' } as Recipe) }, { weight: 2, arbitrary: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5') });
const newPollId = fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6');
const seed = fc.integer({ min: 0, max: 1_000_000 });
const speaker = fc.oneof(
  dId.map((id) => ({ kind: 'delegate', id })),
  officialId.map((id) => ({ kind: 'official', id })),
  fc.constant({ kind: 'guest', name: 'Khách mời' }),
);

/** The usual sender of a command, sometimes someone else (who must be refused). */
const sender = (usual: fc.Arbitrary<Actor>) =>
  fc.oneof({ weight: 9, arbitrary: usual }, { weight: 1, arbitrary: fc.constantFrom(chair, secretary, delegate(1), system) });
const theChair = sender(fc.constant(chair));
const staff = sender(fc.constantFrom(chair, secretary));
const aDelegate = sender(seat.map(delegate));

const step = (type: string, by: fc.Arbitrary<Actor>, payload: fc.Arbitrary<Record<string, unknown>> = fc.constant({})) =>
  fc.record({ type: fc.constant(type), by, payload });

const choice: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: seed.map((s) => ({ $: 'fitBallot', seed: s }) as Recipe) },
  { weight: 2, arbitrary: fc.constantFrom('yes', 'no', 'abstain') },
  { weight: 1, arbitrary: fc.constantFrom({ o1: 'high', o2: 'low' }, { o1: 'noConfidence' }, ['k1', 'k2'], ['k1', 'k1'], 'maybe') },
);

const countsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ $: fc.constant('fitCounts' as const), seed, skew: fc.constantFrom(0, 0, 0, 1) }) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('motion'), yes: fc.nat(30), no: fc.nat(10), abstain: fc.nat(5) }) },
);

const pollOpen = fc
  .record({
    pollId: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'),
    kind: fc.constantFrom('motion', 'motion', 'motion', 'motion', 'confidenceRating', 'confidenceVote', 'election'),
    mode: fc.constantFrom('electronic', 'electronic', 'secret', 'secret', 'hands', 'paper'),
    rule: fc.option(fc.constantFrom('more-than-half', 'at-least-two-thirds'), { nil: undefined }),
    durationSec: fc.option(fc.integer({ min: 10, max: 120 }), { nil: undefined }),
    itemId: fc.option(itemId, { nil: undefined, freq: 2 }),
    officials: fc.subarray(['o1', 'o2', 'o3', 'o4']),
    seats: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ officials, seats, ...o }) => {
    const payload: Record<string, unknown> = { ...o, subject: 'Nội dung biểu quyết' };
    if (o.kind === 'confidenceRating' || o.kind === 'confidenceVote') payload.officialIds = officials;
    if (o.kind === 'election') {
      payload.candidates = [
        { id: 'k1', name: 'Ứng cử viên 1' },
        { id: 'k2', name: 'Ứng cử viên 2' },
        { id: 'k3', name: 'Ứng cử viên 3' },
      ];
      payload.seats = seats;
    }
    return payload;
  });

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: step('session.openCheckIn', theChair) },
  { weight: 3, arbitrary: step('session.start', theChair) },
  { weight: 2, arbitrary: step('session.recess', theChair) },
  { weight: 2, arbitrary: step('session.resume', theChair) },
  { weight: 1, arbitrary: step('session.adjourn', theChair) },
  { weight: 1, arbitrary: step('sitting.begin', theChair, fc.constant({ title: 'Phiên họp mới' })) },
  { weight: 1, arbitrary: step('sitting.setClosed', theChair, fc.record({ closed: fc.boolean() })) },
  {
    weight: 6,
    arbitrary: seat.chain((i) =>
      fc.record({
        type: fc.constant('attendance.checkIn'),
        by: fc.oneof({ weight: 8, arbitrary: fc.constant(delegate(i)) }, { weight: 2, arbitrary: fc.constantFrom(secretary, chair, delegate(1)) }),
        payload: fc.record({ delegateId: fc.constant(`d${i}`), channel: fc.constantFrom('hall', 'hall', 'hall', 'remote') }),
      }),
    ),
  },
  { weight: 2, arbitrary: step('attendance.set', staff, fc.record({ delegateId: dId, status: fc.constantFrom('present', 'remote', 'absentExcused', 'absentUnexcused', 'unknown') })) },
  { weight: 1, arbitrary: step('agenda.goTo', theChair, fc.record({ itemId })) },
  { weight: 4, arbitrary: step('floor.request', aDelegate, fc.record({ requestId: requestPool, purpose: fc.constantFrom('speech', 'secondSpeech', 'debate', 'pointOfOrder') })) },
  { weight: 1, arbitrary: step('floor.withdraw', sender(fc.constantFrom(chair, delegate(1), delegate(2))), fc.record({ requestId })) },
  { weight: 1, arbitrary: step('floor.deny', theChair, fc.record({ requestId })) },
  {
    weight: 1,
    arbitrary: step('floor.reorder', theChair, fc.record({ requestIds: fc.oneof(fc.constant({ $: 'queueReversed' } as Recipe), fc.subarray(['r1', 'r2', 'r3'])) })),
  },
  { weight: 4, arbitrary: step('floor.grant', theChair, fc.record({ requestId, speechId, limitSec: fc.option(fc.integer({ min: 10, max: 600 }), { nil: undefined }) })) },
  { weight: 2, arbitrary: step('floor.give', theChair, fc.record({ speechId, speaker, purpose: fc.constantFrom('speech', 'explanation', 'presentation', 'debate') })) },
  { weight: 1, arbitrary: step('floor.extend', theChair, fc.record({ addSec: fc.integer({ min: 10, max: 120 }) })) },
  { weight: 2, arbitrary: step('floor.stop', theChair) },
  { weight: 1, arbitrary: step('floor.yield', aDelegate) },
  { weight: 2, arbitrary: step('floor.timeUp', sender(fc.constant(system)), fc.record({ speechId: fc.oneof(fc.constant({ $: 'currentSpeech' } as Recipe), speechId) })) },
  {
    weight: 3,
    arbitrary: step('questioning.addGroup', staff, fc.record({ groupId: groupPool, topic: fc.constant('Nhóm vấn đề'), respondentIds: fc.subarray(['o1', 'o2', 'o3', 'o4'], { minLength: 1 }) })),
  },
  { weight: 3, arbitrary: step('questioning.openGroup', theChair, fc.record({ groupId })) },
  { weight: 1, arbitrary: step('questioning.closeGroup', theChair) },
  {
    weight: 5,
    arbitrary: step(
      'question.submit',
      aDelegate,
      fc.record({ questionId: questionPool, respondentId: officialId, groupId: fc.option(groupPool, { nil: undefined }), text: fc.constant('Câu hỏi') }),
    ),
  },
  { weight: 1, arbitrary: step('question.withdraw', aDelegate, fc.record({ questionId })) },
  { weight: 1, arbitrary: step('question.markWritten', staff, fc.record({ questionId })) },
  { weight: 1, arbitrary: step('question.writtenAnswered', staff, fc.record({ questionId })) },
  { weight: 6, arbitrary: step('questioning.call', theChair, fc.record({ questionId, speechId })) },
  { weight: 4, arbitrary: step('questioning.answer', theChair, fc.record({ respondentId, speechId })) },
  { weight: 2, arbitrary: step('questioning.debate', theChair, fc.record({ questionId, speechId, speaker })) },
  { weight: 1, arbitrary: step('questioning.opening', theChair, fc.record({ respondentId, speechId })) },
  {
    weight: 1,
    arbitrary: step(
      'commitment.record',
      staff,
      fc.record({ commitmentId: fc.constantFrom('k1', 'k2', 'k3'), respondentId: officialId, questionId: fc.option(questionId, { nil: undefined }), content: fc.constant('Lời hứa') }),
    ),
  },
  { weight: 10, arbitrary: step('poll.open', theChair, pollOpen) },
  { weight: 24, arbitrary: step('ballot.cast', aDelegate, fc.record({ pollId, choice })) },
  { weight: 6, arbitrary: step('poll.close', staff, fc.record({ pollId, counts: countsArb }, { requiredKeys: ['pollId'] })) },
  { weight: 1, arbitrary: step('poll.deadline', sender(fc.constant(system)), fc.record({ pollId, counts: countsArb }, { requiredKeys: ['pollId'] })) },
  { weight: 1, arbitrary: step('poll.cancel', theChair, fc.record({ pollId, reason: fc.constant('Lý do hủy') })) },
  { weight: 5, arbitrary: step('poll.announce', theChair, fc.record({ pollId })) },
  { weight: 1, arbitrary: step('poll.revote', theChair, fc.record({ pollId, newPollId, reason: fc.constantFrom('Biểu quyết lại', '   ') })) },
  { weight: 1, arbitrary: step('broadcast.start', theChair) },
  { weight: 1, arbitrary: step('broadcast.stop', theChair) },
  /** A whole roll call at once (expanded into check-ins), so new sittings reach quorum too. */
  { weight: 1, arbitrary: step('$rollCall', fc.constant(chair)) },
  /** Recess, a new sitting, its roll call and its start, in a row (each step may still be refused). */
  { weight: 1, arbitrary: step('$newSitting', fc.constant(chair)) },
);

/** Runs mostly start with a roll call and a started session, so deep states are reached. */
export const scenarioArb = fc.record({
  setup: setupArb,
  opening: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  steps: fc.array(stepArb, { minLength: 10, maxLength: 80, size: 'max' }),
  gaps: fc.array(fc.integer({ min: 0, max: 90_000 }), { minLength: 16, maxLength: 16 }),
});
export type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------------------------
// Resolving recipes against the live context

const currentPollOf = (ctx: SessionContext): Poll | undefined => openPoll(ctx) ?? ctx.polls.at(-1);

function fitBallot(poll: Poll | undefined, n: number): BallotChoice {
  if (!poll) return 'yes';
  switch (poll.kind) {
    case 'motion':
      return (['yes', 'no', 'abstain'] as const)[n % 3]!;
    case 'confidenceRating':
      return Object.fromEntries(poll.officialIds.map((id, k) => [id, (['high', 'confidence', 'low'] as const)[(n >> k) % 3]!]));
    case 'confidenceVote':
      return Object.fromEntries(poll.officialIds.map((id, k) => [id, (n >> k) % 2 ? 'noConfidence' : 'confidence']));
    case 'election':
      return poll.candidates.filter((_, k) => (n >> k) % 2).slice(0, poll.seats).map((c) => c.id);
  }
}

/** Counts that fit the poll (what a careful secretary would enter); `skew` makes them one off. */
function fitCounts(poll: Poll | undefined, n: number, skew: number): PollCounts | undefined {
  if (!poll) return undefined;
  const total = poll.totalDelegates;
  const part = (max: number, k: number) => (max <= 0 ? 0 : ((n >> k) * 7919) % (max + 1));
  switch (poll.kind) {
    case 'motion': {
      const yes = part(total, 0);
      const no = part(total - yes, 3);
      const abstain = part(total - yes - no, 5);
      return { kind: 'motion', yes: yes + skew * (total - yes - no - abstain + 1), no, abstain };
    }
    case 'confidenceRating':
    case 'confidenceVote': {
      const issued = Math.max(1, total - part(3, 1));
      const collected = issued - part(Math.min(2, issued - 1), 2);
      const officials: Record<string, { valid: number; confidence: number; high?: number; low?: number; noConfidence?: number }> = {};
      poll.officialIds.forEach((id, k) => {
        const valid = collected - part(Math.min(1, collected), k);
        const a = part(valid, k + 1);
        const b = part(valid - a, k + 2);
        officials[id] =
          poll.kind === 'confidenceRating' ? { valid, high: a, confidence: b, low: valid - a - b + skew } : { valid, confidence: a, noConfidence: valid - a + skew };
      });
      return { kind: poll.kind, issued, collected, officials } as PollCounts;
    }
    case 'election': {
      const issued = total;
      const collected = issued - part(2, 1);
      const valid = collected - part(1, 2) + skew * (issued - collected + 1);
      const each = Math.floor((valid * poll.seats) / poll.candidates.length);
      return { kind: 'election', issued, collected, valid, votes: Object.fromEntries(poll.candidates.map((c) => [c.id, each])) };
    }
  }
}

function pickable(ctx: SessionContext, from: 'request' | 'question' | 'group' | 'respondent'): string[] {
  switch (from) {
    case 'request':
      return ctx.floor.queue.map((q) => q.requestId);
    case 'question':
      return ctx.questioning.questions.map((q) => q.questionId);
    case 'group':
      return ctx.questioning.groups.map((g) => g.groupId);
    case 'respondent': {
      const waiting = awaitingAnswer(ctx).map((q) => q.respondentId);
      return waiting.length ? waiting : (activeGroup(ctx)?.respondentIds ?? []);
    }
  }
}

function resolve(value: unknown, ctx: SessionContext): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const r = value as Partial<Recipe> & Record<string, unknown>;
  switch (r.$) {
    case 'currentPoll':
      return currentPollOf(ctx)?.pollId ?? 'p1';
    case 'currentSpeech':
      return ctx.floor.current?.speechId ?? 's1';
    case 'queueReversed':
      return ctx.floor.queue.map((q) => q.requestId).reverse();
    case 'pick': {
      const ids = pickable(ctx, r.from!);
      return ids.length ? ids[(r.seed ?? 0) % ids.length] : 'none';
    }
    default:
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, resolve(v, ctx)]));
  }
}

function resolvePayload(step: Step, ctx: SessionContext): Record<string, unknown> {
  const payload = resolve(step.payload, ctx) as Record<string, unknown>;
  const target = typeof payload.pollId === 'string' ? ctx.polls.find((p) => p.pollId === payload.pollId) : undefined;
  const c = step.payload.choice as Partial<Recipe> | undefined;
  if (c && typeof c === 'object' && c.$ === 'fitBallot') payload.choice = fitBallot(target, c.seed ?? 0);
  const k = step.payload.counts as Partial<Recipe> | undefined;
  if (k && typeof k === 'object' && k.$ === 'fitCounts') payload.counts = fitCounts(target, k.seed ?? 0, k.skew ?? 0);
  if (payload.counts === undefined) delete payload.counts;
  if (payload.choice === undefined) delete payload.choice;
  return payload;
}

// ---------------------------------------------------------------------------------------------------------------
// The server's secret-ballot count (a test twin of the server's sealed box)

export function sealedCounts(poll: Poll, box: readonly BallotChoice[], issued: number): PollCounts {
  const collected = box.length;
  switch (poll.kind) {
    case 'motion': {
      const c = { kind: 'motion' as const, yes: 0, no: 0, abstain: 0 };
      for (const b of box) c[b as 'yes' | 'no' | 'abstain']++;
      return c;
    }
    case 'confidenceRating':
    case 'confidenceVote': {
      const officials: Record<string, Record<string, number>> = {};
      for (const id of poll.officialIds) {
        officials[id] = poll.kind === 'confidenceRating' ? { valid: 0, high: 0, confidence: 0, low: 0 } : { valid: 0, confidence: 0, noConfidence: 0 };
      }
      for (const b of box as Record<string, string>[]) {
        for (const id of poll.officialIds) {
          officials[id]!.valid!++;
          officials[id]![b[id]!]!++;
        }
      }
      return { kind: poll.kind, issued: Math.max(issued, collected), collected, officials } as PollCounts;
    }
    case 'election': {
      const votes = Object.fromEntries(poll.candidates.map((c) => [c.id, 0]));
      for (const b of box as string[]) for (const id of b) votes[id]!++;
      return { kind: 'election', issued: Math.max(issued, collected), collected, valid: collected, votes };
    }
  }
}

/** Another valid ballot of the same validity, to show that secret contents never change what anyone sees. */
/**
 * A different valid ballot of the same poll. The poll's kind decides how an object ballot flips: a rating ballot of
 * only `confidence` ("tín nhiệm") values looks like a confidence vote, and flipping it as one gave `noConfidence` — a
 * ballot no rating poll accepts, which the count then refused (`[PROP-3]`, seed 1656963500).
 */
export function otherChoice(choice: BallotChoice, poll?: Pick<Poll, 'kind'>): BallotChoice {
  if (choice === 'yes') return 'no';
  if (choice === 'no') return 'abstain';
  if (choice === 'abstain') return 'yes';
  if (Array.isArray(choice)) return [...choice].reverse();
  const flip: Record<string, string> = { high: 'low', low: 'confidence', confidence: 'high', noConfidence: 'confidence' };
  const isVote = poll ? poll.kind === 'confidenceVote' : Object.values(choice).every((v) => v === 'confidence' || v === 'noConfidence');
  return Object.fromEntries(Object.entries(choice).map(([k, v]) => [k, isVote ? (v === 'confidence' ? 'noConfidence' : 'confidence') : (flip[v] ?? v)])) as BallotChoice;
}

// ---------------------------------------------------------------------------------------------------------------
// Running a scenario

export interface StepReport {
  step: Step;
  /** The event as the machine saw it (null when the command failed validation or preparation). */
  event: MachineEvent | null;
  verdict: Verdict | { ok: false; code: 'VALIDATION' } | null;
  accepted: boolean;
  /** `JSON.stringify(actor.getPersistedSnapshot())` before the step, when `RunOptions.persisted` asks for it. */
  persistedBefore?: string;
}

export interface Run {
  actor: SessionActor;
  log: MachineEvent[];
  box: Record<string, BallotChoice[]>;
}

export interface RunOptions {
  /** Rewrites a secret ballot's content before it is sealed (the machine never sees it either way). */
  sealed?: (choice: BallotChoice, poll: Poll | undefined) => BallotChoice;
  /** Serialise the persisted snapshot before every step (costly; for the no-change-on-refusal property). */
  persisted?: boolean;
  /** Called after each step with the snapshot before and the report. */
  onStep?: (run: Run, report: StepReport, before: ReturnType<SessionActor['getSnapshot']>) => void;
}

const ROLL_CALL = (setup: SessionSetup): Step[] =>
  setup.council.delegates.slice(0, Math.ceil((setup.council.delegates.length * 5) / 6)).map((d) => ({
    type: 'attendance.checkIn',
    by: delegate(Number(d.id.slice(1))),
    payload: { delegateId: d.id, channel: 'hall' },
  }));

export const OPENING_STEPS = (setup: SessionSetup): Step[] => [
  { type: 'session.openCheckIn', by: chair, payload: {} },
  ...ROLL_CALL(setup),
  { type: 'session.start', by: chair, payload: {} },
];

export function runScenario(scenario: Scenario, opts: RunOptions = {}): Run {
  const run: Run = { actor: startSession(scenario.setup), log: [], box: {} };
  const steps = [...(scenario.opening ? OPENING_STEPS(scenario.setup) : []), ...scenario.steps].flatMap((s) => {
    if (s.type === '$rollCall') return ROLL_CALL(scenario.setup);
    if (s.type === '$newSitting') {
      return [
        { type: 'session.recess', by: chair, payload: {} },
        { type: 'sitting.begin', by: chair, payload: { title: 'Phiên họp tiếp theo' } },
        ...ROLL_CALL(scenario.setup),
        { type: 'session.start', by: chair, payload: {} },
      ];
    }
    return [s];
  });
  let at = Date.UTC(2026, 6, 1, 8);
  steps.forEach((step, k) => {
    at += 1 + (scenario.gaps[k % scenario.gaps.length] ?? 0);
    const before = run.actor.getSnapshot();
    const persistedBefore = opts.persisted ? JSON.stringify(run.actor.getPersistedSnapshot()) : undefined;
    const report = { ...playStep(run, step, at, opts), ...(persistedBefore === undefined ? {} : { persistedBefore }) };
    opts.onStep?.(run, report, before);
  });
  return run;
}

/** A generated step as a schema-valid machine event in this context (null if the schema refuses it). */
export function probeEvent(step: Step, ctx: SessionContext, at: number): MachineEvent | null {
  const payload = resolvePayload(step, ctx);
  if (step.type === 'floor.timeUp' || step.type === 'poll.deadline') return { ...payload, type: step.type, at, by: step.by } as MachineEvent;
  const parsed = parseCommand({ sessionId: ctx.sessionId, commandId: `probe-${String(at)}`, type: step.type, payload });
  return parsed.ok ? ({ ...(parsed.command.payload as object), type: step.type, at, by: step.by } as MachineEvent) : null;
}

function playStep(run: Run, step: Step, at: number, opts: RunOptions): StepReport {
  const snapshot = run.actor.getSnapshot();
  const ctx = snapshot.context;
  const payload = resolvePayload(step, ctx);
  let event: MachineEvent;
  let sealed: BallotChoice | undefined;
  if (step.type === 'floor.timeUp' || step.type === 'poll.deadline') {
    event = { ...payload, type: step.type, at, by: step.by } as MachineEvent;
  } else {
    const parsed = parseCommand({ sessionId: ctx.sessionId, commandId: `cmd-${String(at)}`, type: step.type, payload });
    if (!parsed.ok) return { step, event: null, verdict: { ok: false, code: 'VALIDATION' }, accepted: false };
    const prepared = prepareCommand(snapshot, parsed.command as Command, step.by, at);
    if (isVerdict(prepared)) return { step, event: null, verdict: prepared, accepted: false };
    event = prepared.event;
    const castIn = ctx.polls.find((p) => p.pollId === (prepared.event as { pollId?: unknown }).pollId);
    sealed = prepared.sealedChoice === undefined ? undefined : (opts.sealed ?? ((c) => c))(prepared.sealedChoice, castIn);
  }
  // The server counts a secret e-ballot from its sealed box at close (whoever asks; the machine checks the role).
  if ((event.type === 'poll.close' || event.type === 'poll.deadline') && event.counts === undefined) {
    const target = event.pollId;
    const poll = ctx.polls.find((p) => p.pollId === target);
    if (poll?.mode === 'secret' && poll.status === 'open') {
      const present = ctx.council.delegates.filter((d) => ['present', 'remote'].includes(ctx.attendance[d.id]?.status ?? '')).length;
      event = { ...event, counts: sealedCounts(poll, run.box[poll.pollId] ?? [], Math.min(present, poll.totalDelegates)) };
    }
  }
  const verdict = explain(snapshot, event);
  if (verdict.ok) {
    run.log.push(event);
    if (sealed !== undefined && event.type === 'ballot.cast') (run.box[event.pollId] ??= []).push(sealed);
  }
  // Sent either way: a refused event must leave the machine exactly as it was.
  run.actor.send(event);
  return { step, event, verdict, accepted: verdict.ok };
}
