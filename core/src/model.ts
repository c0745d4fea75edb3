/**
 * The council model and its rules profile. Every limit a council may set for itself (docs/rules.md: "per-council
 * configuration") lives in RulesProfile with the default the model rules NQ 103/2025 and NQ 104/2025 suggest;
 * statutory values carry `(law)` in their description and are only editable with `legalMode: 'special'`.
 */
import './zod.ts';
import { z } from 'zod';

/** The characters of an id (councils, sessions, delegates…): routes and file names build their patterns from it. */
export const ID_CHARS = 'A-Za-z0-9_.:-';
export const Id = z.string().min(1).max(64).regex(new RegExp(`^[${ID_CHARS}]+$`), 'id: chữ, số, _ . : -');
/** An id that may name a file or a URL path segment: `.` and `..` fit the alphabet, never this. */
export const PATH_ID = new RegExp(`^(?!\\.{1,2}$)[${ID_CHARS}]{1,64}$`);
export type Id = z.infer<typeof Id>;

export const CouncilLevel = z.enum(['province', 'commune']);
export type CouncilLevel = z.infer<typeof CouncilLevel>;

/** A seat whose holder died, resigned or was dismissed stays in the list as `vacant` so seat numbers hold. */
export const DelegateStatus = z.enum(['sitting', 'vacant']);

export const Delegate = z.object({
  id: Id,
  fullName: z.string().min(1).max(120),
  group: z.string().max(120).default(''),
  seat: z.string().max(16).default(''),
  status: DelegateStatus.default('sitting'),
});
export type Delegate = z.infer<typeof Delegate>;

export const Official = z.object({
  id: Id,
  fullName: z.string().min(1).max(120),
  post: z.string().min(1).max(200),
  /** Rated in a confidence rating (Resolution 96/2023 art. 2); exemptions are decided per rating. */
  ratable: z.boolean().default(false),
  /** May be questioned (người bị chất vấn). */
  respondent: z.boolean().default(false),
});
export type Official = z.infer<typeof Official>;

export const SpeechPurpose = z.enum(['speech', 'secondSpeech', 'debate', 'explanation', 'presentation', 'pointOfOrder']);
export type SpeechPurpose = z.infer<typeof SpeechPurpose>;

export const ThresholdRule = z.enum(['more-than-half', 'at-least-two-thirds', 'at-least-one-third', 'more-than-two-thirds']);
export type ThresholdRule = z.infer<typeof ThresholdRule>;

/** Base of a threshold: total sitting delegates (law), remaining delegates in the late-term special mode, or ballots. */
export const ThresholdBase = z.enum(['total-delegates', 'total-ballots']);
export type ThresholdBase = z.infer<typeof ThresholdBase>;

const seconds = (d: number) => z.number().int().min(0).max(3 * 3600).default(d);

export const RulesProfile = z.object({
  /** Quorum to open a sitting and to vote: at least 2/3 of total delegates present (default). */
  quorumRule: ThresholdRule.default('at-least-two-thirds'),
  /** block: the machine refuses to open/vote without quorum; warn: it proceeds and the chair console warns. */
  quorumEnforcement: z.enum(['block', 'warn']).default('block'),
  /** Speech limits in seconds per purpose (NA practice NQ 71/2022, council-configurable). */
  speechLimits: z
    .object({
      speech: seconds(420),
      secondSpeech: seconds(180),
      debate: seconds(180),
      explanation: seconds(600),
      presentation: seconds(900),
      pointOfOrder: seconds(60),
    })
    .default({ speech: 420, secondSpeech: 180, debate: 180, explanation: 600, presentation: 900, pointOfOrder: 60 }),
  /** At most this many speeches (speech + secondSpeech) per delegate per agenda item (default 2). */
  maxSpeechesPerItem: z.number().int().min(1).max(10).default(2),
  questioning: z
    .object({
      questionSec: seconds(60),
      answerSec: seconds(180),
      debateSec: seconds(120),
      openingSec: seconds(300),
      /** perQuestion: the respondent answers each question; perRound: after `questionsPerRound` questions. */
      answerMode: z.enum(['perQuestion', 'perRound']).default('perRound'),
      questionsPerRound: z.number().int().min(1).max(10).default(3),
      /** Questions not reached get a written answer within this many days (law: 20). */
      writtenAnswerDays: z.number().int().min(1).max(90).default(20),
    })
    .default({ questionSec: 60, answerSec: 180, debateSec: 120, openingSec: 300, answerMode: 'perRound', questionsPerRound: 3, writtenAnswerDays: 20 }),
  /** An open (public) electronic ballot may be changed until the poll closes (default); secret ballots are always final. */
  allowBallotChange: z.boolean().default(true),
  defaultPollSeconds: z.number().int().min(10).max(3600).default(60),
  /**
   * A secret e-ballot with fewer ballots than this can only be cancelled, never counted: a count of one or two
   * ballots tells the hall how those few voted (default 3). At its deadline such a poll is cancelled with no counts.
   */
  secretMinBallots: z.number().int().min(1).max(100).default(3),
  /** Base of confidence-rating percentages and consequences: total ballots (2023 practice) or total delegates. */
  confidenceBase: z.enum(['total-ballots', 'total-delegates']).default('total-ballots'),
  /** Remote participation is not confirmed in law for plenaries: off by default. */
  remoteParticipation: z.boolean().default(false),
  remoteCountsForQuorum: z.boolean().default(false),
  /** Commune councils are not named in Resolution 96/2023: confidence ratings behind a switch. */
  communeConfidenceRating: z.boolean().default(false),
  /** normal: thresholds against total delegates; special (law, late term with < 2/3 seats filled): > 2/3 of remaining. */
  legalMode: z.enum(['normal', 'special']).default('normal'),
});
export type RulesProfile = z.infer<typeof RulesProfile>;
export const defaultProfile = (): RulesProfile => RulesProfile.parse({});

export const AgendaItemKind = z.enum(['ceremony', 'report', 'resolution', 'discussion', 'questioning', 'confidence', 'election', 'other']);
export type AgendaItemKind = z.infer<typeof AgendaItemKind>;

export const DocumentRef = z.object({ id: Id, title: z.string().min(1).max(300), mime: z.string().max(100).default('application/pdf') });
export type DocumentRef = z.infer<typeof DocumentRef>;

export const AgendaItem = z.object({
  id: Id,
  title: z.string().min(1).max(300),
  kind: AgendaItemKind.default('other'),
  documents: z.array(DocumentRef).max(200).default([]),
});
export type AgendaItem = z.infer<typeof AgendaItem>;

export const Council = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  level: CouncilLevel,
  term: z.string().max(20).default('2026-2031'),
  delegates: z.array(Delegate).max(500),
  officials: z.array(Official).max(200).default([]),
  profile: RulesProfile.default(defaultProfile()),
});
export type Council = z.infer<typeof Council>;

/** What a session machine is created with: a frozen copy of the council and the agenda, so replay never reads the catalog. */
export const SessionSetup = z.object({
  sessionId: Id,
  title: z.string().min(1).max(300),
  council: Council,
  agenda: z.array(AgendaItem).max(100).default([]),
});
export type SessionSetup = z.infer<typeof SessionSetup>;

/** Total delegates (tổng số đại biểu): seats minus vacancies — the base of every threshold. */
export const sittingDelegates = (council: Pick<Council, 'delegates'>) => council.delegates.filter((d) => d.status === 'sitting');
