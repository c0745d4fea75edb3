/**
 * Counting a secret electronic ballot box: the server unseals the box and hands the contents (in no order, with no
 * names) to this pure function, which produces the counts journaled with `poll.close`. Electronic ballots were
 * validated before sealing, so every collected ballot is valid; one that is not (a box written by a buggy build) is
 * counted as invalid rather than guessed at.
 */
import type { BallotChoice, PollCounts } from '../protocol/commands.ts';
import type { Poll } from './context.ts';
import { ballotProblem } from './guards.ts';

export function tallySealedBallots(poll: Poll, contents: readonly unknown[], issued: number): PollCounts {
  const valid = contents.filter((c) => ballotProblem(poll, c as BallotChoice) === null) as BallotChoice[];
  const collected = contents.length;
  switch (poll.kind) {
    case 'motion': {
      const counts = { kind: 'motion' as const, yes: 0, no: 0, abstain: 0 };
      for (const c of valid) counts[c as 'yes' | 'no' | 'abstain']++;
      return counts;
    }
    case 'confidenceRating':
    case 'confidenceVote': {
      const officials: Record<string, { valid: number; high?: number; confidence: number; low?: number; noConfidence?: number }> = {};
      for (const id of poll.officialIds) {
        officials[id] = poll.kind === 'confidenceRating' ? { valid: 0, high: 0, confidence: 0, low: 0 } : { valid: 0, confidence: 0, noConfidence: 0 };
      }
      for (const c of valid as Record<string, string>[]) {
        for (const id of poll.officialIds) {
          const level = c[id] as 'high' | 'confidence' | 'low' | 'noConfidence';
          const row = officials[id]!;
          row.valid++;
          row[level] = (row[level] ?? 0) + 1;
        }
      }
      return { kind: poll.kind, issued: Math.max(issued, collected), collected, officials } as PollCounts;
    }
    case 'election': {
      const votes: Record<string, number> = Object.fromEntries(poll.candidates.map((k) => [k.id, 0]));
      for (const c of valid as string[][]) for (const id of c) votes[id] = (votes[id] ?? 0) + 1;
      return { kind: 'election', issued: Math.max(issued, collected), collected, valid: valid.length, votes };
    }
  }
}
