/**
 * The session machine's context: plain JSON, so a persisted snapshot restores exactly and views can be projected
 * from it. It never holds a secret ballot's content — only who has cast (eligibility) and how many.
 */
import type { AgendaItem, Council, SessionSetup } from '../model.ts';
import type {
  AttendanceStatus,
  BallotChoice,
  FloorPurpose,
  PollCounts,
  PollKind,
  PollMode,
  SpeakerRef,
  CommitmentProgress,
  CommitteeRole,
} from '../protocol/commands.ts';
import type { ThresholdRule } from '../model.ts';
import type { BallotSealing } from '../protocol/commands.ts';
import type { MemberCommitment, PartialDecryption, SealedShare } from '../ballot-crypto/index.ts';

export interface Sitting {
  number: number;
  title: string;
  startedAt: number | null;
  closed: boolean;
}

export interface AttendanceEntry {
  status: AttendanceStatus;
  at: number;
  /** Who recorded it: the delegate themself or the secretary's id (corrections are visible). */
  by: string;
  note?: string;
}

export interface FloorRequest {
  requestId: string;
  delegateId: string;
  purpose: FloorPurpose;
  itemId: string | null;
  at: number;
}

export interface Speech {
  speechId: string;
  speaker: SpeakerRef;
  purpose: FloorPurpose;
  itemId: string | null;
  questionId?: string;
  startedAt: number;
  limitSec: number;
  extendedSec: number;
  overtime: boolean;
  endedAt?: number;
}

export interface QuestionGroup {
  groupId: string;
  topic: string;
  respondentIds: string[];
  status: 'pending' | 'active' | 'done';
}

export type QuestionStatus = 'queued' | 'asked' | 'answered' | 'withdrawn' | 'writtenPending' | 'writtenAnswered';

export interface Question {
  questionId: string;
  delegateId: string;
  respondentId: string;
  groupId: string | null;
  text: string;
  status: QuestionStatus;
  at: number;
  /** Set when marked for a written answer: due 20 days later (profile), ms since epoch. */
  writtenDueAt?: number;
  debated?: boolean;
  /** Set by `question.writtenAnswered`: when, by whom, and what the secretary noted of the answer. */
  writtenAnswer?: { at: number; by: string; note?: string; evidence?: string };
}

/** A follow-up of a commitment, attributed and timed like every journal record. */
export interface CommitmentUpdate {
  updateId: string;
  status: CommitmentProgress;
  note: string;
  evidence?: string;
  at: number;
  by: string;
}

export interface Commitment {
  commitmentId: string;
  respondentId: string;
  questionId?: string;
  content: string;
  deadline?: string;
  reportAt?: string;
  at: number;
  /** Follow-ups in journal order (absent until the first). */
  updates?: CommitmentUpdate[];
}

export interface CommitteeMember {
  delegateId: string;
  role: CommitteeRole;
}

/** An approved version of a minutes document: what the chair approved is identified by its hash. */
export interface MinutesApproval {
  minutesKey: string;
  version: number;
  sha256: string;
  publicSha256: string;
  throughSeq: number;
  at: number;
  by: string;
}

/** The session's paperwork: the counting committee and the approved minutes. */
export interface SessionPaperwork {
  committee: CommitteeMember[];
  approvals: MinutesApproval[];
}

export type PollStatus = 'open' | 'counted' | 'announced' | 'cancelled';

/**
 * A committee poll's public cryptographic record (docs/committee-ballots.md): who holds the key, the ceremony's
 * published parts and the decryption shares. Nothing here is secret, and nothing names a ballot or its voter.
 */
export interface PollCommittee {
  /** Committee members present at opening, by delegate id: member i (numbered from 1) is members[i − 1]. */
  members: string[];
  /** How many members must decrypt together: a majority of `members`. */
  threshold: number;
  /** Bound into every proof of this poll, so nothing made for one poll is valid in another. */
  context: string;
  /** ceremony → voting (the key is complete) → decrypting (closed, waiting for shares); counting ends it. */
  phase: 'ceremony' | 'voting' | 'decrypting';
  commitments: MemberCommitment[];
  /** Shares dealt at the ceremony, each sealed to its recipient's transport key. */
  shares: SealedShare[];
  /** Members who have dealt (with one member there is nothing to deal, but the step is still taken). */
  dealt: number[];
  /** Poll length armed once the key is complete (voting cannot start before); null when the chair closes. */
  durationSec: number | null;
  partials: PartialDecryption[];
  /**
   * Set by an upheld complaint (`committee.complain`): the dealer whose share did not match its commitments, and the
   * member who showed it. The poll then takes no ballots and cannot be closed; the chair cancels it and reopens.
   */
  failed?: { dealer: number; dealerId: string; by: string };
}

export interface Poll {
  pollId: string;
  itemId: string | null;
  subject: string;
  kind: PollKind;
  mode: PollMode;
  rule: ThresholdRule;
  /** Base for thresholds frozen at open, so a seat vacated mid-poll cannot change the outcome. */
  totalDelegates: number;
  officialIds: string[];
  candidates: { id: string; name: string }[];
  seats: number;
  round: number;
  revoteOf: string | null;
  revoteReason: string | null;
  openedAt: number;
  closesAt: number | null;
  closedAt: number | null;
  announcedAt: number | null;
  cancelReason: string | null;
  status: PollStatus;
  /** Delegates who have cast, in no particular order semantics for secret polls (eligibility only). */
  castBy: string[];
  /** Public electronic polls only: each delegate's current choice. Always empty for secret, hands and paper. */
  choices: Record<string, BallotChoice>;
  /** Set at close: computed (electronic), entered (hands/paper) or counted by the server from the sealed box (secret). */
  counts: PollCounts | null;
  /** Delegates present when the poll closed: ballots "issued" for electronic polls. */
  presentAtClose: number;
  /** Secret polls: who can open the ballots. Absent on polls from before committee ballots: 'server'. */
  sealing?: BallotSealing;
  /** Set on a committee poll. */
  committee?: PollCommittee;
}

export interface Recess {
  since: number;
  /** ms since epoch (server clock), or null when the chair named no time. */
  resumeAt: number | null;
}

export interface SessionContext {
  sessionId: string;
  title: string;
  council: Council;
  agenda: AgendaItem[];
  sitting: Sitting;
  sittings: Sitting[];
  attendance: Record<string, AttendanceEntry>;
  currentItemId: string | null;
  floor: {
    queue: FloorRequest[];
    current: Speech | null;
    log: Speech[];
    /** Requests left unheard when the item changed: they may submit their views in writing. */
    unheard: FloorRequest[];
  };
  questioning: {
    groups: QuestionGroup[];
    activeGroupId: string | null;
    questions: Question[];
    commitments: Commitment[];
  };
  polls: Poll[];
  broadcast: { onAir: boolean; since: number | null };
  /** The recess going on, and when the chair said the sitting resumes. Absent in snapshots taken before it existed. */
  recess?: Recess | null;
  lastEventAt: number;
  startedAt: number | null;
  adjournedAt: number | null;
  /** Absent in snapshots taken before the records existed: read it through `paperworkOf`. */
  paperwork?: SessionPaperwork;
}

const NO_PAPERWORK: SessionPaperwork = { committee: [], approvals: [] };
export const paperworkOf = (ctx: SessionContext): SessionPaperwork => ctx.paperwork ?? NO_PAPERWORK;

export function initialContext(setup: SessionSetup): SessionContext {
  return {
    sessionId: setup.sessionId,
    title: setup.title,
    council: setup.council,
    agenda: setup.agenda,
    sitting: { number: 1, title: 'Phiên thứ nhất', startedAt: null, closed: false },
    sittings: [],
    attendance: {},
    currentItemId: setup.agenda[0]?.id ?? null,
    floor: { queue: [], current: null, log: [], unheard: [] },
    questioning: { groups: [], activeGroupId: null, questions: [], commitments: [] },
    polls: [],
    broadcast: { onAir: false, since: null },
    lastEventAt: 0,
    startedAt: null,
    adjournedAt: null,
    paperwork: { committee: [], approvals: [] },
  };
}
