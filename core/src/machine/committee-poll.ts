/**
 * The machine's side of committee ballots (docs/committee-ballots.md): who the poll's committee is, the ballot's shape
 * (questions × options) that tablets encrypt and the committee decrypts, and turning the decrypted counts into the
 * poll's ordinary counts, so thresholds and consequences apply to them exactly as to any other secret poll. Pure
 * bookkeeping: every proof is checked by the server before an event exists (the machine never does group arithmetic).
 */
import type { BallotShape } from '../ballot-crypto/index.ts';
import { minimumFor } from '../rules/thresholds.ts';
import type { EventOf, PollCounts } from '../protocol/commands.ts';
import { paperworkOf, type Poll, type PollCommittee, type SessionContext } from './context.ts';
import { isPresent } from './guards.ts';

export const isCommitteePoll = (poll: Poll | undefined): poll is Poll & { committee: PollCommittee } => poll?.sealing === 'committee' && poll.committee !== undefined;

/** The options of every question, in ballot order: what option o of a question means. */
export function committeeOptions(poll: Pick<Poll, 'kind'>): readonly string[] {
  switch (poll.kind) {
    case 'motion':
      return ['yes', 'no', 'abstain'];
    case 'confidenceRating':
      return ['high', 'confidence', 'low'];
    case 'confidenceVote':
      return ['confidence', 'noConfidence'];
    case 'election':
      return [];
  }
}

/** A motion has one question; a confidence rating or vote one per official, in the poll's order. */
export function committeeShape(poll: Poll & { committee: PollCommittee }): BallotShape {
  const per = committeeOptions(poll).length;
  const questions = poll.kind === 'motion' ? 1 : poll.officialIds.length;
  return { pollContext: poll.committee.context, options: Array.from({ length: questions }, () => per) };
}

/** The committee of a poll opened now: the session's counting committee members present, with a majority threshold. */
export function committeeAtOpen(ctx: SessionContext, ev: Pick<EventOf<'poll.open'>, 'pollId' | 'manualClose' | 'durationSec'>, defaultSeconds: number | undefined): PollCommittee {
  const members = paperworkOf(ctx).committee.map((m) => m.delegateId).filter((id) => isPresent(ctx, id));
  return {
    members,
    threshold: minimumFor('more-than-half', members.length),
    context: `hall:${ctx.council.id}/${ctx.sessionId}/${ev.pollId}`,
    phase: 'ceremony',
    commitments: [],
    shares: [],
    dealt: [],
    durationSec: ev.manualClose ? null : (ev.durationSec ?? defaultSeconds ?? null),
    partials: [],
  };
}

/** The member number (from 1) of a delegate on the poll's committee, or 0. */
export const memberIndex = (committee: PollCommittee, delegateId: string): number => committee.members.indexOf(delegateId) + 1;

/** counts[q][o] from the committee's decryption, as the poll's counts (`issued`: ballots issued, as for a sealed box). */
export function countsFromCommittee(poll: Poll, counts: readonly (readonly number[])[], issued: number): PollCounts {
  const options = committeeOptions(poll);
  const row = (q: number) => Object.fromEntries(options.map((name, o) => [name, counts[q]?.[o] ?? 0])) as Record<string, number>;
  if (poll.kind === 'motion') {
    const r = row(0);
    return { kind: 'motion', yes: r.yes!, no: r.no!, abstain: r.abstain! };
  }
  const collected = poll.castBy.length;
  const officials = Object.fromEntries(
    poll.officialIds.map((id, q) => {
      const r = row(q);
      // Every committee ballot chooses exactly one level per official (its sum proof), so every ballot is valid.
      return [id, { valid: options.reduce((n, name) => n + r[name]!, 0), ...r }];
    }),
  ) as Extract<PollCounts, { kind: 'confidenceRating' }>['officials'];
  return { kind: poll.kind as 'confidenceRating' | 'confidenceVote', issued: Math.max(issued, collected), collected, officials };
}
