/**
 * The figures the seed asks for (it criticises long presentations, little debate and uneven participation): per
 * sitting, time spent presenting, debating, questioning and voting; per delegate, attendance, speeches, questions and
 * votes cast; per respondent, questions answered and commitments open or overdue. Computed from a record model, so
 * the public figures come from the public edition (closed parts left out) and the internal ones from the full one.
 */
import type { FloorPurpose } from '../protocol/commands.ts';
import type { SessionRecordModel, SpeechRecord } from './derive.ts';
import { commitmentStatus } from './commitments.ts';

export type TimeUse = 'presenting' | 'debating' | 'questioning' | 'voting';
export const timeUseLabel: Record<TimeUse | 'other', string> = {
  presenting: 'Trình bày, giải trình',
  debating: 'Thảo luận',
  questioning: 'Chất vấn',
  voting: 'Biểu quyết',
  other: 'Thời gian khác',
};

/** Which use a speech's time counts towards: a debate turn in questioning is questioning. */
export function timeUseOf(purpose: FloorPurpose, questionId: string | null): Exclude<TimeUse, 'voting'> {
  switch (purpose) {
    case 'presentation':
    case 'explanation':
      return 'presenting';
    case 'question':
    case 'answer':
    case 'opening':
      return 'questioning';
    case 'debate':
      return questionId === null ? 'debating' : 'questioning';
    case 'speech':
    case 'secondSpeech':
    case 'pointOfOrder':
      return 'debating';
  }
}

export interface SittingFigures {
  number: number;
  title: string;
  /** From the opening to the end of the sitting, recesses excluded (seconds). */
  durationSec: number;
  presentingSec: number;
  debatingSec: number;
  questioningSec: number;
  votingSec: number;
  otherSec: number;
}

export interface DelegateFigures {
  delegateId: string;
  name: string;
  group: string;
  sittings: number;
  present: number;
  remote: number;
  absentExcused: number;
  absentUnexcused: number;
  unrecorded: number;
  speeches: number;
  speakingSec: number;
  questionsAsked: number;
  questionsSubmitted: number;
  /** Polls (not cancelled) they cast a ballot in, electronic or secret: participation, never a choice. */
  votesCast: number;
}

export interface RespondentFigures {
  officialId: string;
  name: string;
  post: string;
  questions: number;
  answered: number;
  writtenPending: number;
  writtenAnswered: number;
  commitments: number;
  commitmentsOpen: number;
  commitmentsOverdue: number;
}

export interface SessionStatistics {
  sittings: SittingFigures[];
  delegates: DelegateFigures[];
  respondents: RespondentFigures[];
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
const spoken = (s: SpeechRecord) => s.durationSec ?? 0;

/** `today` (YYYY-MM-DD, Vietnam time) decides which commitments are overdue. */
export function sessionStatistics(model: SessionRecordModel, today: string): SessionStatistics {
  const votesCastBy = new Map<string, number>();
  for (const p of model.polls) {
    if (p.status === 'cancelled') continue;
    for (const id of p.voters) votesCastBy.set(id, (votesCastBy.get(id) ?? 0) + 1);
  }
  const sittings = model.sittings
    .filter((s) => s.startedAt !== null)
    .map((s): SittingFigures => {
      const end = s.endedAt ?? model.lastEventAt ?? s.startedAt!;
      const recess = s.recesses.reduce((sum, r) => sum + ((r.to ?? end) - r.from), 0);
      const durationSec = seconds(end - s.startedAt! - recess);
      const use = { presenting: 0, debating: 0, questioning: 0, voting: 0 };
      for (const sp of model.speeches) if (sp.sitting === s.number) use[timeUseOf(sp.purpose, sp.questionId)] += spoken(sp);
      for (const p of model.polls) if (p.sitting === s.number && p.closedAt !== null) use.voting += seconds(p.closedAt - p.openedAt);
      const busy = use.presenting + use.debating + use.questioning + use.voting;
      return {
        number: s.number,
        title: s.title,
        durationSec,
        presentingSec: use.presenting,
        debatingSec: use.debating,
        questioningSec: use.questioning,
        votingSec: use.voting,
        otherSec: Math.max(0, durationSec - busy),
      };
    });

  const delegates = model.delegates.map((d): DelegateFigures => {
    const rows = model.sittings.filter((s) => s.startedAt !== null).map((s) => s.attendance.find((a) => a.delegateId === d.id)?.status ?? 'unknown');
    const count = (status: string) => rows.filter((r) => r === status).length;
    const mine = model.speeches.filter((s) => s.speakerKind === 'delegate' && s.speakerId === d.id);
    return {
      delegateId: d.id,
      name: d.fullName,
      group: d.group,
      sittings: rows.length,
      present: count('present'),
      remote: count('remote'),
      absentExcused: count('absentExcused'),
      absentUnexcused: count('absentUnexcused'),
      unrecorded: count('unknown'),
      speeches: mine.filter((s) => s.purpose !== 'question').length,
      speakingSec: mine.reduce((sum, s) => sum + spoken(s), 0),
      questionsAsked: model.questions.filter((q) => q.askerId === d.id && q.askedAt !== null).length,
      questionsSubmitted: model.questions.filter((q) => q.askerId === d.id).length,
      votesCast: votesCastBy.get(d.id) ?? 0,
    };
  });

  const respondents = model.officials
    .map((o): RespondentFigures => {
      const qs = model.questions.filter((q) => q.respondentId === o.id);
      const cs = model.commitments.filter((c) => c.respondentId === o.id);
      const statuses = cs.map((c) => commitmentStatus(c, today));
      return {
        officialId: o.id,
        name: o.fullName,
        post: o.post,
        questions: qs.length,
        answered: qs.filter((q) => q.status === 'answered').length,
        writtenPending: qs.filter((q) => q.status === 'writtenPending').length,
        writtenAnswered: qs.filter((q) => q.status === 'writtenAnswered').length,
        commitments: cs.length,
        commitmentsOpen: statuses.filter((s) => s !== 'done').length,
        commitmentsOverdue: statuses.filter((s) => s === 'overdue').length,
      };
    })
    .filter((r) => r.questions > 0 || r.commitments > 0);

  return { sittings, delegates, respondents };
}
