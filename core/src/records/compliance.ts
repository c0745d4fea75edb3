/**
 * Compliance checks of one session for the province's oversight (Thường trực HĐND tỉnh), derived from the session's
 * record — itself derived from the journal — never entered by hand:
 *  - quorum: every counted vote had at least the quorum present when it closed;
 *  - thresholds: every counted vote's result was computed against the total delegates with its legal rule, and a
 *    motion is adopted exactly when its yes count meets that rule;
 *  - secret polls: every counted secret ballot (electronic or paper) was announced to the hall;
 *  - minutes: once adjourned, the minutes of the session were approved by the chair;
 *  - commitments: none of the session's commitments is past its deadline without a "done" follow-up.
 * "Today" is passed in (core reads no clock).
 */
import type { ThresholdRule } from '../model.ts';
import { meetsThreshold, minimumFor } from '../rules/thresholds.ts';
import { commitmentStatus } from './commitments.ts';
import type { PollRecord, SessionRecordModel } from './derive.ts';
import { MINUTES_KEY_SESSION } from './document.ts';

export type CheckStatus = 'ok' | 'fail' | 'pending' | 'na';
export type CheckId = 'quorum' | 'thresholds' | 'secretAnnounced' | 'minutesApproved' | 'commitmentsOnTime';

/**
 * Why a check without items of its own failed or is pending, as a stable code: the words are the app's to choose
 * (admin's `oversight.notes`), in the reader's language.
 */
export type ComplianceNote = 'minutesNotApproved' | 'notAdjourned';

export interface ComplianceCheck {
  id: CheckId;
  status: CheckStatus;
  /** What failed or is pending (poll subjects, commitment contents: the record's own data), for the detail line. */
  items: string[];
  note?: ComplianceNote;
}

export interface Compliance {
  sessionId: string;
  /** fail if any check failed; pending if any is still pending; else ok. */
  overall: CheckStatus;
  checks: ComplianceCheck[];
}

const counted = (p: PollRecord) => p.status === 'counted' || p.status === 'announced';
const isSecret = (p: PollRecord) => p.mode === 'secret' || p.mode === 'paper';

function check(id: CheckId, failed: string[], applies: boolean, pending: string[] = []): ComplianceCheck {
  if (!applies) return { id, status: 'na', items: [] };
  if (failed.length) return { id, status: 'fail', items: failed };
  if (pending.length) return { id, status: 'pending', items: pending };
  return { id, status: 'ok', items: [] };
}

/** The minutes check has no items: once adjourned it passes or fails on the approval, before that it waits. */
function minutesCheck(started: boolean, adjourned: boolean, approved: boolean): ComplianceCheck {
  const id = 'minutesApproved';
  if (!started) return { id, status: 'na', items: [] };
  if (!adjourned) return { id, status: 'pending', items: [], note: 'notAdjourned' };
  return approved ? { id, status: 'ok', items: [] } : { id, status: 'fail', items: [], note: 'minutesNotApproved' };
}

/** A result's base and verdict agree with the poll's rule (a secret result not yet announced is judged later). */
function thresholdHolds(p: PollRecord, total: number): boolean {
  const r = p.result;
  if (!r) return isSecret(p) && !p.announced;
  if (r.kind !== 'motion') return true;
  return r.total === total && r.adopted === meetsThreshold(p.rule, r.yes, r.total);
}

export function complianceOf(model: SessionRecordModel, quorumRule: ThresholdRule, today: string): Compliance {
  const votes = model.polls.filter(counted);
  const quorumShort = votes.filter((p) => p.presentAtClose < minimumFor(quorumRule, p.totalDelegates)).map((p) => p.subject);
  const thresholdWrong = votes.filter((p) => !thresholdHolds(p, p.totalDelegates)).map((p) => p.subject);
  const secret = model.polls.filter((p) => isSecret(p) && p.status !== 'cancelled');
  const unannounced = secret.filter((p) => p.status === 'counted').map((p) => p.subject);
  const stillOpen = secret.filter((p) => p.status === 'open').map((p) => p.subject);
  const adjourned = model.phase === 'adjourned';
  const minutesApproved = model.approvals.some((a) => a.minutesKey === MINUTES_KEY_SESSION);
  const overdue = model.commitments.filter((c) => commitmentStatus(c, today) === 'overdue').map((c) => c.content);
  const checks = [
    check('quorum', quorumShort, votes.length > 0),
    check('thresholds', thresholdWrong, votes.length > 0),
    // An adjourned session with a counted secret poll never announced has failed; before that it is pending.
    check('secretAnnounced', adjourned ? unannounced : [], secret.length > 0, [...stillOpen, ...(adjourned ? [] : unannounced)]),
    minutesCheck(model.startedAt !== null, adjourned, minutesApproved),
    check('commitmentsOnTime', overdue, model.commitments.length > 0),
  ];
  const overall: CheckStatus = checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'pending') ? 'pending' : 'ok';
  return { sessionId: model.sessionId, overall, checks };
}
