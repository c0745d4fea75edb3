/**
 * Every command a client may send, as zod schemas that are both the runtime validator and the type. A command
 * becomes a machine event by adding `at` and `by`, which only the server stamps (docs/architecture.md). Payload objects are
 * strict: an unknown field is a VALIDATION error, so a client can never smuggle in a server-only field such as the
 * secret-ballot `counts` of `poll.close`.
 */
import '../zod.ts';
import { z } from 'zod';
import { Id, SpeechPurpose, ThresholdRule } from '../model.ts';

export const PROTOCOL_VERSION = 1;

const text = (max: number) => z.string().trim().min(1).max(max);
const count = z.number().int().min(0).max(100_000);

export const MotionChoice = z.enum(['yes', 'no', 'abstain']);
export type MotionChoice = z.infer<typeof MotionChoice>;
export const RatingLevel = z.enum(['high', 'confidence', 'low']);
export type RatingLevel = z.infer<typeof RatingLevel>;
export const ConfidenceChoice = z.enum(['confidence', 'noConfidence']);
export type ConfidenceChoice = z.infer<typeof ConfidenceChoice>;

export const PollKind = z.enum(['motion', 'confidenceRating', 'confidenceVote', 'election']);
export type PollKind = z.infer<typeof PollKind>;
/** electronic: public named e-vote; secret: secret e-ballot; hands: show of hands counted by the secretary; paper: secret paper ballot counted by the committee. */
export const PollMode = z.enum(['electronic', 'secret', 'hands', 'paper']);
export type PollMode = z.infer<typeof PollMode>;

export const AttendanceStatus = z.enum(['unknown', 'present', 'remote', 'absentExcused', 'absentUnexcused']);
export type AttendanceStatus = z.infer<typeof AttendanceStatus>;

export const FloorPurpose = z.enum([...SpeechPurpose.options, 'question', 'answer', 'opening']);
export type FloorPurpose = z.infer<typeof FloorPurpose>;

export const SpeakerRef = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('delegate'), id: Id }),
  z.strictObject({ kind: z.literal('official'), id: Id }),
  z.strictObject({ kind: z.literal('guest'), name: text(120), title: z.string().max(200).optional() }),
]);
export type SpeakerRef = z.infer<typeof SpeakerRef>;

/** A ballot's content. Its shape depends on the poll's kind; `validateBallot` in core checks it against the poll. */
export const BallotChoice = z.union([
  MotionChoice,
  /** confidenceRating: one level per official; confidenceVote: confidence or noConfidence per official. */
  z.record(Id, z.enum([...RatingLevel.options, ...ConfidenceChoice.options])),
  /** election: the chosen candidate ids, at most the number of seats. */
  z.array(Id).max(200),
]);
export type BallotChoice = z.infer<typeof BallotChoice>;

const officialCounts = z.record(
  Id,
  z.strictObject({ valid: count, high: count.optional(), confidence: count, low: count.optional(), noConfidence: count.optional() }),
);

/** Counts entered for show-of-hands and paper polls, or computed by the server from a sealed ballot box. */
export const PollCounts = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('motion'), yes: count, no: count, abstain: count }),
  z.strictObject({ kind: z.literal('confidenceRating'), issued: count, collected: count, officials: officialCounts }),
  z.strictObject({ kind: z.literal('confidenceVote'), issued: count, collected: count, officials: officialCounts }),
  z.strictObject({ kind: z.literal('election'), issued: count, collected: count, valid: count, votes: z.record(Id, count) }),
]);
export type PollCounts = z.infer<typeof PollCounts>;

const none = z.strictObject({});

/**
 * Committee ballots (docs/committee-ballots.md): what the tablets and the committee's devices send, as strict shapes
 * of hex strings. The schemas check form only; the server checks every proof before anything is journaled.
 */
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'hex: 64 chữ số hex');
const DleqProofSchema = z.strictObject({ c: Hex64, s: Hex64 });
const MemberIndex = z.number().int().min(1).max(100);
export const EncryptedBallotSchema = z.strictObject({
  questions: z
    .array(
      z.strictObject({
        options: z.array(z.strictObject({ a: Hex64, b: Hex64, proof: z.strictObject({ c0: Hex64, c1: Hex64, s0: Hex64, s1: Hex64 }) })).min(2).max(10),
        sumProof: DleqProofSchema,
      }),
    )
    .min(1)
    .max(200),
});
export const MemberCommitmentSchema = z.strictObject({ index: MemberIndex, commitments: z.array(Hex64).min(1).max(100), proof: DleqProofSchema, transportKey: Hex64 });
/** A member's complaint about the share a dealer sealed to it (ballot-crypto `ShareComplaint`). */
export const ShareComplaintSchema = z.strictObject({ dealer: MemberIndex, shared: Hex64, proof: DleqProofSchema });
export const SealedShareSchema = z.strictObject({ from: MemberIndex, to: MemberIndex, ephemeral: Hex64, masked: Hex64 });
export const PartialDecryptionSchema = z.strictObject({
  member: MemberIndex,
  shares: z.array(z.array(z.strictObject({ d: Hex64, proof: DleqProofSchema })).max(10)).max(200),
});
/** server: sealed with the server's ballot secret (the fallback); committee: encrypted on the tablet to the counting committee's key. */
export const BallotSealing = z.enum(['server', 'committee']);
export type BallotSealing = z.infer<typeof BallotSealing>;

export const CommitmentProgress = z.enum(['inProgress', 'done']);
export type CommitmentProgress = z.infer<typeof CommitmentProgress>;
export const CommitteeRole = z.enum(['head', 'secretary', 'member']);
export type CommitteeRole = z.infer<typeof CommitteeRole>;
/** `session` (biên bản kỳ họp), `sitting-<n>` (biên bản phiên họp), `count-<pollId>` (biên bản kiểm phiếu). */
export const MinutesKey = z.string().regex(/^(session|sitting-[1-9][0-9]{0,2}|count-[A-Za-z0-9_.:-]{1,64})$/, 'minutesKey: session, sitting-<số>, count-<mã biểu quyết>');
export type MinutesKey = z.infer<typeof MinutesKey>;
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256: 64 chữ số hex');

/**
 * Commands the records API sends on a signed-in chair's behalf after computing what they carry (the approved text's
 * hash); the socket gateway refuses them from clients, which could name a hash of nothing stored.
 */
export const httpOnlyCommands: ReadonlySet<string> = new Set(['minutes.approve']);

/** Payload schema of every client command, keyed by command type. */
export const commandPayloads = {
  'session.openCheckIn': none,
  'session.start': none,
  /** `resumeInMin`: when the chair announces the sitting resumes (shown on every screen as a clock time); unset = not said. */
  'session.recess': z.strictObject({ resumeInMin: z.number().int().min(1).max(720).optional() }),
  'session.resume': none,
  'session.adjourn': none,
  'sitting.begin': z.strictObject({ title: text(200) }),
  'sitting.setClosed': z.strictObject({ closed: z.boolean() }),

  'attendance.checkIn': z.strictObject({ delegateId: Id, channel: z.enum(['hall', 'remote']).default('hall') }),
  'attendance.set': z.strictObject({ delegateId: Id, status: AttendanceStatus, note: z.string().max(300).optional() }),

  'agenda.goTo': z.strictObject({ itemId: Id }),

  'floor.request': z.strictObject({ requestId: Id, purpose: z.enum(['speech', 'secondSpeech', 'debate', 'pointOfOrder']) }),
  'floor.withdraw': z.strictObject({ requestId: Id }),
  'floor.deny': z.strictObject({ requestId: Id, reason: z.string().max(300).optional() }),
  'floor.reorder': z.strictObject({ requestIds: z.array(Id).max(500) }),
  'floor.grant': z.strictObject({ requestId: Id, speechId: Id, limitSec: z.number().int().min(10).max(7200).optional() }),
  'floor.give': z.strictObject({ speechId: Id, speaker: SpeakerRef, purpose: FloorPurpose, limitSec: z.number().int().min(10).max(7200).optional() }),
  'floor.extend': z.strictObject({ addSec: z.number().int().min(10).max(3600) }),
  'floor.stop': none,
  'floor.yield': none,

  'questioning.addGroup': z.strictObject({ groupId: Id, topic: text(300), respondentIds: z.array(Id).min(1).max(50) }),
  'questioning.openGroup': z.strictObject({ groupId: Id }),
  'questioning.closeGroup': none,
  'question.submit': z.strictObject({ questionId: Id, respondentId: Id, groupId: Id.optional(), text: z.string().trim().max(2000).default('') }),
  'question.withdraw': z.strictObject({ questionId: Id }),
  'questioning.call': z.strictObject({ questionId: Id, speechId: Id }),
  'questioning.answer': z.strictObject({ respondentId: Id, speechId: Id }),
  'questioning.debate': z.strictObject({ questionId: Id, speechId: Id, speaker: SpeakerRef }),
  'questioning.opening': z.strictObject({ respondentId: Id, speechId: Id }),
  'question.markWritten': z.strictObject({ questionId: Id }),
  /** `note` (what the answer said, or its document number) and `evidence` (a link or reference) are optional. */
  'question.writtenAnswered': z.strictObject({ questionId: Id, note: z.string().trim().max(2000).optional(), evidence: z.string().trim().max(500).optional() }),
  'commitment.record': z.strictObject({
    commitmentId: Id,
    respondentId: Id,
    questionId: Id.optional(),
    content: text(2000),
    deadline: z.iso.date().optional(),
    reportAt: z.string().max(200).optional(),
  }),
  /** A follow-up of a commitment by the secretary: its status, what was done, and the evidence (a link or reference). */
  'commitment.update': z.strictObject({
    commitmentId: Id,
    updateId: Id,
    status: CommitmentProgress,
    note: text(2000),
    evidence: z.string().trim().max(500).optional(),
  }),
  /** The session's vote-counting committee (Ban kiểm phiếu), as elected; the count minutes name it. Replaces the last one. */
  'counting.setCommittee': z.strictObject({
    members: z.array(z.strictObject({ delegateId: Id, role: CommitteeRole })).min(1).max(15),
  }),
  /**
   * The chair approves a version of a minutes document: its SHA-256 (of the canonical JSON the server stored) enters
   * the journal, so the approved text can be checked against the legal record forever. Sent by the records API only.
   */
  'minutes.approve': z.strictObject({
    minutesKey: MinutesKey,
    version: z.number().int().min(1).max(10_000),
    sha256: Sha256,
    publicSha256: Sha256,
    /** The last journal record the approved text was drafted from. */
    throughSeq: z.number().int().min(0),
  }),

  'poll.open': z.strictObject({
    pollId: Id,
    itemId: Id.optional(),
    subject: text(500),
    kind: PollKind.default('motion'),
    mode: PollMode.default('electronic'),
    rule: ThresholdRule.optional(),
    durationSec: z.number().int().min(10).max(3600).optional(),
    /**
     * The chair closes the poll, not the clock: no deadline is armed (`closesAt: null`). A command with both
     * `manualClose` and `durationSec` is refused (VALIDATION, parseCommand). Without it an electronic or secret poll
     * closes itself at its deadline (the profile's default length).
     */
    manualClose: z.boolean().optional(),
    officialIds: z.array(Id).max(100).optional(),
    candidates: z.array(z.strictObject({ id: Id, name: text(120) })).max(100).optional(),
    seats: z.number().int().min(1).max(100).optional(),
    /** A secret poll counted by the session's counting committee (Ban kiểm phiếu) instead of the server's sealed box. */
    sealing: BallotSealing.optional(),
  }),
  'ballot.cast': z.strictObject({ pollId: Id, choice: BallotChoice }),
  /**
   * A committee poll's ballot, encrypted on the tablet. The server checks its proofs, journals a `ballot.cast` with no
   * content (exactly as for a sealed ballot) and puts the ciphertexts in the poll's box.
   */
  'ballot.castEncrypted': z.strictObject({ pollId: Id, ballot: EncryptedBallotSchema }),
  /** Key ceremony, step 1: a committee member's device publishes its commitments, proof and transport key. */
  'committee.commit': z.strictObject({ pollId: Id, commitment: MemberCommitmentSchema }),
  /** Key ceremony, step 2: a member's device posts the shares it dealt to the others, each sealed to its recipient. */
  'committee.deal': z.strictObject({ pollId: Id, shares: z.array(SealedShareSchema).max(99) }),
  /**
   * Key ceremony, a member's objection: the share `dealer` sealed to it does not match the dealer's commitments. It
   * reveals the point that opens that one share, with a proof the point is its own, so the server judges it from public
   * data; a complaint that holds fails the ceremony naming the dealer (the chair cancels and reopens without them).
   */
  'committee.complain': z.strictObject({ pollId: Id, complaint: ShareComplaintSchema }),
  /**
   * At close: a member's device posts its partial decryption of the poll's aggregate with proofs. `counts` is the
   * server's (when this share completes the threshold, the server combines and counts); a client never sets it.
   */
  'committee.decrypt': z.strictObject({ pollId: Id, partial: PartialDecryptionSchema, counts: PollCounts.optional() }),
  'poll.close': z.strictObject({ pollId: Id, counts: PollCounts.optional() }),
  'poll.cancel': z.strictObject({ pollId: Id, reason: text(300) }),
  'poll.announce': z.strictObject({ pollId: Id }),
  /** A new round of the same subject; its length, closing (`manualClose`) and a motion's threshold (`rule`) may change. */
  'poll.revote': z.strictObject({
    pollId: Id,
    newPollId: Id,
    reason: text(500),
    durationSec: z.number().int().min(10).max(3600).optional(),
    manualClose: z.boolean().optional(),
    rule: ThresholdRule.optional(),
  }),

  'broadcast.start': none,
  'broadcast.stop': none,
} as const;

export type CommandType = keyof typeof commandPayloads;
export const commandTypes = Object.keys(commandPayloads) as CommandType[];
type Payload<S extends z.ZodType> = string extends keyof z.infer<S> ? {} : z.infer<S>;
export type CommandPayload<T extends CommandType> = Payload<(typeof commandPayloads)[T]>;

/** Events only the server issues (deadlines), never accepted from a client. */
export const systemPayloads = {
  /** `dueAt` is the deadline the timer was armed for, so a timer that raced an extension is recognised as stale. */
  'floor.timeUp': z.strictObject({ speechId: Id, dueAt: z.number().int().optional() }),
  'poll.deadline': z.strictObject({ pollId: Id, counts: PollCounts.optional() }),
  /**
   * A secret ballot whose eligibility record was journaled but whose sealed content never reached the ballot box (the
   * box write failed, or the process died between the two writes): the delegate was never told it was recorded, so
   * the record is withdrawn and they may cast again. Issued only by the server, which journals the eligibility record
   * before it writes the box (so no box ever needs a slot marking its newest ballot).
   */
  'ballot.retract': z.strictObject({ pollId: Id, delegateId: Id }),
} as const;
export type SystemEventType = keyof typeof systemPayloads;

export const ActorRole = z.enum(['chair', 'secretary', 'delegate', 'system']);
export type ActorRole = z.infer<typeof ActorRole>;
export const Actor = z.strictObject({ role: ActorRole, id: z.string().min(1).max(64) });
export type Actor = z.infer<typeof Actor>;

type Stamped = { at: number; by: Actor };
export type MachineEvent =
  // `ballot.castEncrypted` never reaches the machine: it becomes a `ballot.cast` without content (engine.ts).
  | { [T in Exclude<CommandType, 'ballot.cast' | 'ballot.castEncrypted'>]: { type: T } & CommandPayload<T> & Stamped }[Exclude<CommandType, 'ballot.cast' | 'ballot.castEncrypted'>]
  /** `choice` is absent for a secret ballot: the server seals it before the event exists. */
  | ({ type: 'ballot.cast'; pollId: string; choice?: BallotChoice } & Stamped)
  | { [T in SystemEventType]: { type: T } & Payload<(typeof systemPayloads)[T]> & Stamped }[SystemEventType];
export type EventOf<T extends MachineEvent['type']> = Extract<MachineEvent, { type: T }>;

const commandEnvelope = z.strictObject({
  v: z.literal(PROTOCOL_VERSION).optional(),
  sessionId: Id,
  commandId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/),
  type: z.enum(commandTypes as [CommandType, ...CommandType[]]),
  // Absent means "no payload" (commands like session.start); null is not an empty object and is refused.
  payload: z.unknown().refine((p) => p !== null, 'payload must be an object, not null').optional(),
});

export type Command = { [T in CommandType]: { v?: number; sessionId: string; commandId: string; type: T; payload: CommandPayload<T> } }[CommandType];

export type ParseResult = { ok: true; command: Command } | { ok: false; issues: string[] };

/** Validates an untrusted command (step 1 of the command path). Never throws. */
export function parseCommand(input: unknown): ParseResult {
  const envelope = commandEnvelope.safeParse(input);
  if (!envelope.success) return { ok: false, issues: envelope.error.issues.map(formatIssue) };
  const schema = commandPayloads[envelope.data.type];
  const payload = schema.safeParse(envelope.data.payload === undefined ? {} : envelope.data.payload);
  if (!payload.success) return { ok: false, issues: payload.error.issues.map(formatIssue) };
  const contradictions = contradictionsOf(envelope.data.type, payload.data as Record<string, unknown>);
  if (contradictions.length) return { ok: false, issues: contradictions };
  return { ok: true, command: { ...envelope.data, payload: payload.data } as Command };
}

/**
 * Fields that contradict each other are refused rather than letting one silently win. Checked on commands only: an
 * event already journaled keeps the machine's precedence (`manualClose` over `durationSec`), so old journals replay.
 */
function contradictionsOf(type: CommandType, payload: Record<string, unknown>): string[] {
  if ((type === 'poll.open' || type === 'poll.revote') && payload.manualClose === true && payload.durationSec !== undefined) {
    return ['durationSec: Chủ tọa tự kết thúc biểu quyết (manualClose) thì không đặt thời lượng (durationSec) / durationSec cannot be set with manualClose'];
  }
  return [];
}

const formatIssue = (i: z.core.$ZodIssue) => `${i.path.join('.') || '(root)'}: ${i.message}`;

const journaledBallot = z.strictObject({ pollId: Id, choice: BallotChoice.optional() });

/** Validates a machine event read back from a journal (stored data is untrusted too). */
export function parseMachineEvent(input: unknown): MachineEvent | null {
  if (typeof input !== 'object' || input === null) return null;
  const { type, at, by, ...rest } = input as Record<string, unknown>;
  const schema = (commandPayloads as Record<string, z.ZodType>)[type as string] ?? (systemPayloads as Record<string, z.ZodType>)[type as string];
  if (!schema || typeof at !== 'number' || !Actor.safeParse(by).success) return null;
  // A journaled secret ballot.cast carries no choice (docs/architecture.md), so the stored form is laxer than the command.
  const payload = type === 'ballot.cast' ? journaledBallot.safeParse(rest) : schema.safeParse(rest);
  return payload.success ? ({ type, at, by, ...(payload.data as object) } as MachineEvent) : null;
}

/** Roles allowed to send each command — checked by the gateway (FORBIDDEN) and again by the machine's guards. */
export const commandRoles: Record<CommandType, readonly ActorRole[]> = {
  'session.openCheckIn': ['chair'],
  'session.start': ['chair'],
  'session.recess': ['chair'],
  'session.resume': ['chair'],
  'session.adjourn': ['chair'],
  'sitting.begin': ['chair'],
  'sitting.setClosed': ['chair'],
  'attendance.checkIn': ['delegate', 'secretary', 'chair'],
  'attendance.set': ['secretary', 'chair'],
  'agenda.goTo': ['chair'],
  'floor.request': ['delegate'],
  'floor.withdraw': ['delegate', 'chair'],
  'floor.deny': ['chair'],
  'floor.reorder': ['chair'],
  'floor.grant': ['chair'],
  'floor.give': ['chair'],
  'floor.extend': ['chair'],
  'floor.stop': ['chair'],
  'floor.yield': ['delegate'],
  'questioning.addGroup': ['chair', 'secretary'],
  'questioning.openGroup': ['chair'],
  'questioning.closeGroup': ['chair'],
  'question.submit': ['delegate'],
  'question.withdraw': ['delegate'],
  'questioning.call': ['chair'],
  'questioning.answer': ['chair'],
  'questioning.debate': ['chair'],
  'questioning.opening': ['chair'],
  'question.markWritten': ['chair', 'secretary'],
  'question.writtenAnswered': ['chair', 'secretary'],
  'commitment.record': ['chair', 'secretary'],
  'commitment.update': ['chair', 'secretary'],
  'counting.setCommittee': ['chair', 'secretary'],
  'minutes.approve': ['chair'],
  'poll.open': ['chair'],
  'ballot.cast': ['delegate'],
  'ballot.castEncrypted': ['delegate'],
  'committee.commit': ['delegate'],
  'committee.deal': ['delegate'],
  'committee.complain': ['delegate'],
  'committee.decrypt': ['delegate'],
  'poll.close': ['chair', 'secretary'],
  'poll.cancel': ['chair'],
  'poll.announce': ['chair'],
  'poll.revote': ['chair'],
  'broadcast.start': ['chair'],
  'broadcast.stop': ['chair'],
};
