/**
 * Results of votes and ballots (docs/rules.md-§6). Every percentage and every consequence is taken against the
 * legal base — total delegates, or for confidence ratings the configured base — never against those who voted.
 */
import type { ThresholdBase, ThresholdRule } from '../model.ts';
import { assertAtMost, assertCount, assertPositive } from './integers.ts';
import { formatCountPercent, formatPercent } from './percent.ts';
import { inLowBand, meetsThreshold } from './thresholds.ts';

export interface CountPercent {
  count: number;
  /** e.g. "53,19%" */
  percent: string;
}

function countPercent(count: number, base: number): CountPercent {
  return { count, percent: formatPercent(count, base) };
}

/** Ballots as reported by the vote-counting committee (Ban kiểm phiếu). */
export interface BallotCounts {
  issued: number;
  collected: number;
  valid: number;
}

export interface BallotSummary extends BallotCounts {
  invalid: number;
}

function checkBallots(b: BallotCounts, marked: number, markedName: string, totalDelegates: number): BallotSummary {
  assertCount('issued', b.issued);
  assertCount('collected', b.collected);
  assertCount('valid', b.valid);
  assertAtMost(markedName, marked, 'valid', b.valid);
  assertAtMost('valid', b.valid, 'collected', b.collected);
  assertAtMost('collected', b.collected, 'issued', b.issued);
  // One ballot per delegate: more ballots than delegates means the counts were entered against the wrong base.
  assertAtMost('issued', b.issued, 'totalDelegates', totalDelegates);
  return { issued: b.issued, collected: b.collected, valid: b.valid, invalid: b.collected - b.valid };
}

// ---------------------------------------------------------------------------------------------------------------
// Electronic (or show-of-hands) vote on a motion

export interface VoteCounts {
  yes: number;
  no: number;
  abstain: number;
}

export type MotionOutcome = 'THÔNG QUA' | 'KHÔNG THÔNG QUA';

export interface MotionResult {
  total: number;
  /** yes + no + abstain: a present delegate who pressed nothing did not take part. */
  tookPart: number;
  yes: number;
  no: number;
  abstain: number;
  adopted: boolean;
  outcome: MotionOutcome;
  /** Result-panel lines, each "count (percent of total delegates)". */
  lines: { tookPart: string; yes: string; no: string; abstain: string };
}

export function motionResult(counts: VoteCounts, totalDelegates: number, rule: ThresholdRule): MotionResult {
  const { yes, no, abstain } = counts;
  assertCount('yes', yes);
  assertCount('no', no);
  assertCount('abstain', abstain);
  assertPositive('totalDelegates', totalDelegates);
  const tookPart = yes + no + abstain;
  assertAtMost('yes + no + abstain', tookPart, 'totalDelegates', totalDelegates);
  const adopted = meetsThreshold(rule, yes, totalDelegates);
  return {
    total: totalDelegates,
    tookPart,
    yes,
    no,
    abstain,
    adopted,
    outcome: adopted ? 'THÔNG QUA' : 'KHÔNG THÔNG QUA',
    lines: {
      tookPart: formatCountPercent(tookPart, totalDelegates),
      yes: formatCountPercent(yes, totalDelegates),
      no: formatCountPercent(no, totalDelegates),
      abstain: formatCountPercent(abstain, totalDelegates),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Confidence rating (lấy phiếu tín nhiệm), per rated person

export interface ConfidenceRatingInput extends BallotCounts {
  high: number;
  confidence: number;
  low: number;
}

export type ConfidenceRatingConsequence = 'none' | 'may-resign-else-vote-of-confidence' | 'dismissal-proposal';

export interface ConfidenceRatingResult extends BallotSummary {
  base: ThresholdBase;
  /** Collected ballots for 'total-ballots' (2023 practice), total delegates otherwise. */
  baseCount: number;
  high: CountPercent;
  confidence: CountPercent;
  low: CountPercent;
  consequence: ConfidenceRatingConsequence;
}

export function confidenceRatingResult(
  input: ConfidenceRatingInput,
  base: ThresholdBase,
  totalDelegates: number,
): ConfidenceRatingResult {
  const { high, confidence, low } = input;
  assertCount('high', high);
  assertCount('confidence', confidence);
  assertCount('low', low);
  assertPositive('totalDelegates', totalDelegates);
  const ballots = checkBallots(input, high + confidence + low, 'high + confidence + low', totalDelegates);
  let baseCount: number;
  if (base === 'total-ballots') baseCount = ballots.collected;
  else if (base === 'total-delegates') baseCount = totalDelegates;
  else throw new RangeError(`unknown confidence base: ${String(base)}`);
  // With no ballot collected "at least two thirds low" would hold vacuously and flag a dismissal.
  if (baseCount === 0) throw new RangeError('confidence rating has no ballots collected: nothing to rate against');
  let consequence: ConfidenceRatingConsequence = 'none';
  if (meetsThreshold('at-least-two-thirds', low, baseCount)) consequence = 'dismissal-proposal';
  else if (inLowBand(low, baseCount)) consequence = 'may-resign-else-vote-of-confidence';
  return {
    ...ballots,
    base,
    baseCount,
    high: countPercent(high, baseCount),
    confidence: countPercent(confidence, baseCount),
    low: countPercent(low, baseCount),
    consequence,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Vote of confidence (bỏ phiếu tín nhiệm)

export interface ConfidenceVoteInput extends BallotCounts {
  noConfidence: number;
  confidence: number;
}

export type ConfidenceVoteConsequence = 'dismissal-proposal' | 'none';

export interface ConfidenceVoteResult extends BallotSummary {
  totalDelegates: number;
  noConfidence: CountPercent;
  confidence: CountPercent;
  consequence: ConfidenceVoteConsequence;
}

/** More than half of TOTAL delegates voting "không tín nhiệm" leads to a dismissal proposal (Resolution 96/2023). */
export function confidenceVoteResult(input: ConfidenceVoteInput, totalDelegates: number): ConfidenceVoteResult {
  const { noConfidence, confidence } = input;
  assertCount('noConfidence', noConfidence);
  assertCount('confidence', confidence);
  assertPositive('totalDelegates', totalDelegates);
  const ballots = checkBallots(input, noConfidence + confidence, 'noConfidence + confidence', totalDelegates);
  return {
    ...ballots,
    totalDelegates,
    noConfidence: countPercent(noConfidence, totalDelegates),
    confidence: countPercent(confidence, totalDelegates),
    consequence: meetsThreshold('more-than-half', noConfidence, totalDelegates) ? 'dismissal-proposal' : 'none',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Election (bầu cử) by secret ballot

export interface ElectionInput {
  candidates: readonly { id: string; votes: number }[];
  seats: number;
  validBallots: number;
}

export interface RankedCandidate {
  id: string;
  votes: number;
  /** Competition rank: equal votes share a rank (1, 2, 2, 4). */
  rank: number;
  /** Percent of total delegates, the base of the election threshold. */
  percent: string;
  /** More than half of total delegates voted for them. */
  majority: boolean;
  elected: boolean;
}

export interface ElectionResult {
  totalDelegates: number;
  validBallots: number;
  seats: number;
  /** Ranked by votes, descending; equal votes keep input order. */
  candidates: RankedCandidate[];
  electedIds: string[];
  /** Candidates with a majority tied for the last seat(s) with more of them than seats: a re-vote is needed. */
  tieAtLastSeat: boolean;
  tiedIds: string[];
}

export function electionResult(input: ElectionInput, totalDelegates: number): ElectionResult {
  const { candidates, seats, validBallots } = input;
  assertPositive('totalDelegates', totalDelegates);
  assertPositive('seats', seats);
  assertCount('validBallots', validBallots);
  assertAtMost('validBallots', validBallots, 'totalDelegates', totalDelegates);
  const seen = new Set<string>();
  let sum = 0;
  for (const c of candidates) {
    if (seen.has(c.id)) throw new RangeError(`duplicate candidate id: ${c.id}`);
    seen.add(c.id);
    assertCount(`votes of ${c.id}`, c.votes);
    // A ballot marks a candidate at most once.
    assertAtMost(`votes of ${c.id}`, c.votes, 'validBallots', validBallots);
    sum += c.votes;
  }
  // A ballot keeping more names than seats is invalid, so valid ballots carry at most `seats` votes each.
  assertAtMost('total votes', sum, 'validBallots × seats', validBallots * seats);

  // Array.prototype.sort is stable (ES2019), so equal votes keep input order.
  const ranked = candidates.map((c) => ({ id: c.id, votes: c.votes })).sort((a, b) => b.votes - a.votes);
  // Majority holders form a prefix of the ranking, since the threshold only depends on votes.
  const majorities = ranked.filter((c) => meetsThreshold('more-than-half', c.votes, totalDelegates)).length;
  let electedCount = Math.min(majorities, seats);
  let tiedCount = 0;
  if (majorities > seats) {
    const lastSeatVotes = ranked[seats - 1]!.votes;
    if (ranked[seats]!.votes === lastSeatVotes) {
      // Choosing among equals is not the software's call: none of the tied is elected.
      electedCount = ranked.findIndex((c) => c.votes === lastSeatVotes);
      tiedCount = ranked.filter((c) => c.votes === lastSeatVotes).length;
    }
  }

  let rank = 0;
  const out: RankedCandidate[] = ranked.map((c, i) => {
    if (i === 0 || ranked[i - 1]!.votes !== c.votes) rank = i + 1;
    return {
      id: c.id,
      votes: c.votes,
      rank,
      percent: formatPercent(c.votes, totalDelegates),
      majority: i < majorities,
      elected: i < electedCount,
    };
  });
  return {
    totalDelegates,
    validBallots,
    seats,
    candidates: out,
    electedIds: out.filter((c) => c.elected).map((c) => c.id),
    tieAtLastSeat: tiedCount > 0,
    tiedIds: out.slice(electedCount, electedCount + tiedCount).map((c) => c.id),
  };
}
