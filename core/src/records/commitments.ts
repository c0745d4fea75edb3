/**
 * The commitments register (sổ theo dõi lời hứa) and written answers, across sessions. Status is derived, never
 * stored: the last follow-up says whether the work is done; otherwise a commitment whose deadline has passed is
 * overdue. "Today" is a date the caller passes in (YYYY-MM-DD, Vietnam time): core never reads a clock.
 */
import type { CommitmentRecord, QuestionRecord, SessionRecordModel } from './derive.ts';
import { vnDate } from './time.ts';

export type CommitmentStatus = 'inProgress' | 'done' | 'overdue';
export const commitmentStatusLabel: Record<CommitmentStatus, string> = {
  inProgress: 'Đang thực hiện',
  done: 'Đã hoàn thành',
  overdue: 'Quá hạn',
};

export function commitmentStatus(c: Pick<CommitmentRecord, 'deadline' | 'updates'>, today: string): CommitmentStatus {
  if (c.updates.at(-1)?.status === 'done') return 'done';
  return c.deadline !== null && today > c.deadline ? 'overdue' : 'inProgress';
}

export type WrittenAnswerStatus = 'pending' | 'answered' | 'overdue';
export const writtenStatusLabel: Record<WrittenAnswerStatus, string> = {
  pending: 'Chờ trả lời bằng văn bản',
  answered: 'Đã trả lời bằng văn bản',
  overdue: 'Quá hạn trả lời bằng văn bản',
};

/** A question passed to a written answer: due `writtenAnswerDays` (20 by law) after it was passed on. */
export function writtenAnswerStatus(q: Pick<QuestionRecord, 'status' | 'writtenDueAt'>, today: string): WrittenAnswerStatus | null {
  if (q.status === 'writtenAnswered') return 'answered';
  if (q.status !== 'writtenPending') return null;
  return q.writtenDueAt !== null && today > vnDate(q.writtenDueAt) ? 'overdue' : 'pending';
}

export interface RegisterEntry extends CommitmentRecord {
  sessionTitle: string;
  councilId: string;
  councilName: string;
  status: CommitmentStatus;
  /** The last follow-up's date (YYYY-MM-DD), if any. */
  lastUpdate: string | null;
}

export interface WrittenEntry extends QuestionRecord {
  sessionId: string;
  sessionTitle: string;
  councilId: string;
  councilName: string;
  writtenStatus: WrittenAnswerStatus;
  dueDate: string | null;
}

export interface Register {
  today: string;
  commitments: RegisterEntry[];
  written: WrittenEntry[];
}

const order: Record<CommitmentStatus, number> = { overdue: 0, inProgress: 1, done: 2 };

/** The register over several sessions (of one council or many): overdue first, then by deadline. */
export function commitmentsRegister(models: readonly SessionRecordModel[], today: string): Register {
  const commitments: RegisterEntry[] = [];
  const written: WrittenEntry[] = [];
  for (const m of models) {
    const where = { sessionTitle: m.title, councilId: m.council.id, councilName: m.council.name };
    for (const c of m.commitments) {
      const last = c.updates.at(-1);
      commitments.push({ ...c, ...where, status: commitmentStatus(c, today), lastUpdate: last ? vnDate(last.at) : null });
    }
    for (const q of m.questions) {
      const status = writtenAnswerStatus(q, today);
      if (status) written.push({ ...q, ...where, sessionId: m.sessionId, writtenStatus: status, dueDate: q.writtenDueAt === null ? null : vnDate(q.writtenDueAt) });
    }
  }
  commitments.sort((a, b) => order[a.status] - order[b.status] || (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999') || a.at - b.at);
  written.sort((a, b) => (a.writtenStatus === 'overdue' ? 0 : 1) - (b.writtenStatus === 'overdue' ? 0 : 1) || (a.writtenDueAt ?? 0) - (b.writtenDueAt ?? 0));
  return { today, commitments, written };
}

/**
 * Open commitments offered to a later session's questioning: those not done, of officials who are still in the
 * council's list, grouped by respondent (a question group per respondent is what the chair can then add).
 */
export function openCommitmentsByRespondent(register: Register, officialIds: readonly string[]): { respondentId: string; respondent: string; post: string; commitments: RegisterEntry[] }[] {
  const known = new Set(officialIds);
  const out = new Map<string, { respondentId: string; respondent: string; post: string; commitments: RegisterEntry[] }>();
  for (const c of register.commitments) {
    if (c.status === 'done' || !known.has(c.respondentId)) continue;
    const entry = out.get(c.respondentId) ?? { respondentId: c.respondentId, respondent: c.respondent, post: c.respondentPost, commitments: [] };
    entry.commitments.push(c);
    out.set(c.respondentId, entry);
  }
  return [...out.values()];
}
